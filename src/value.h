/* SPDX-License-Identifier: MIT */
/* Parsing of typed option values: booleans, integers, sizes and durations. */
#ifndef TCA_VALUE_H
#define TCA_VALUE_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns 0 or -EINVAL (bad syntax) / -ERANGE (out of range). */
int value_parse_bool(const char *s, bool *out);
int value_parse_int(const char *s, int64_t *out);
/* Bytes, with an optional K, M, G or T suffix (powers of 1024). */
int value_parse_size(const char *s, uint64_t *out);
/* The longest duration: its nanoseconds fit an int64_t (about 292 years),
 * so that a deadline (now + duration) cannot wrap. */
#define VALUE_DURATION_MAX_MS (INT64_MAX / 1000000)

/* Milliseconds, from a number with a unit: ms, s, m, h or d (bare: seconds);
 * -ERANGE past VALUE_DURATION_MAX_MS. Numbers are decimal. */
int value_parse_duration(const char *s, uint64_t *out_ms);

#endif
