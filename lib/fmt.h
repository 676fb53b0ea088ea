/* SPDX-License-Identifier: MIT */
/* Formatting of event fields into caller buffers: no allocation, so that the
 * sinks can use them on the hot path. */
#ifndef TCA_LIB_FMT_H
#define TCA_LIB_FMT_H

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/* "2026-11-24T10:11:12.123456789Z"; needs FMT_TIME_LEN bytes. */
#define FMT_TIME_LEN 40
size_t fmt_time_rfc3339(char *buf, size_t size, uint64_t time_ns);

/* The address as text (inet_ntop); needs FMT_ADDR_LEN bytes. */
#define FMT_ADDR_LEN 46
const char *fmt_addr(char *buf, size_t size, unsigned family, const uint8_t addr[16]);

/* Append s as a JSON string body (no quotes) to buf at *pos, escaping
 * control characters, quotes, backslashes and bytes that are not valid
 * UTF-8 (as \u00XX, so the output is always valid JSON). Returns 0, or
 * -ENOSPC when it does not fit (buf then holds a truncated prefix). */
int fmt_json_escape(char *buf, size_t size, size_t *pos, const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when
 * the bytes there are not UTF-8 (overlong forms and surrogates included). */
size_t fmt_utf8_seq_len(const unsigned char *s, size_t len);

/* "holder", "listener" or "unknown" (enum tca_owner). */
const char *fmt_owner_name(unsigned owner);

/*
 * One event, gap record or run record as one JSON object (no newline),
 * with the identity of the run that captured it. Returns the length, or
 * -ENOSPC. FMT_JSON_MAX always suffices (a host name of 255 bytes that
 * all need escaping included).
 */
#define FMT_JSON_MAX 4096
int fmt_event_json(char *buf, size_t size, const struct tca_event *ev, const struct tca_origin *origin);
int fmt_gap_json(char *buf, size_t size, const struct tca_gap *g, const struct tca_origin *origin);
int fmt_run_json(char *buf, size_t size, const struct tca_run *run);

/* A name record (ABI 2.2) as one JSON object: {"type":"name","kind":...,
 * "id":...,"text":...,"time":...,"host":...,"boot_id":...,"run_id":...},
 * run_id being the run that resolved it. Its text may hold any byte but
 * NUL, each escaped at most six-fold: FMT_NAME_JSON_MAX always suffices. */
#define FMT_NAME_JSON_MAX (6 * TCA_NAME_MAX + FMT_JSON_MAX)
int fmt_name_json(char *buf, size_t size, const struct tca_name *name,
		  const struct tca_origin *origin);

#endif
