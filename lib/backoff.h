/* SPDX-License-Identifier: MIT */
/* Exponential backoff with jitter, for retrying a store that is down. */
#ifndef TCA_LIB_BACKOFF_H
#define TCA_LIB_BACKOFF_H

#include <stdint.h>

struct backoff {
	uint64_t min_ms;
	uint64_t max_ms;
	uint64_t cur_ms;
	uint32_t seed;
	unsigned attempts;
};

void backoff_init(struct backoff *b, uint64_t min_ms, uint64_t max_ms, uint32_t seed);
/* The next delay: doubles up to max_ms, with up to 25% jitter so that
 * many daemons do not reconnect to one server in lock step. */
uint64_t backoff_next(struct backoff *b);
void backoff_reset(struct backoff *b);

#endif
