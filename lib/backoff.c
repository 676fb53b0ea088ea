/* SPDX-License-Identifier: MIT */
/* Exponential backoff with jitter. */
#include "config.h"

#include "backoff.h"

void backoff_init(struct backoff *b, uint64_t min_ms, uint64_t max_ms, uint32_t seed)
{
	b->min_ms = min_ms ? min_ms : 1;
	b->max_ms = max_ms < b->min_ms ? b->min_ms : max_ms;
	b->seed = seed ? seed : 1;
	backoff_reset(b);
}

void backoff_reset(struct backoff *b)
{
	b->cur_ms = 0;
	b->attempts = 0;
}

uint64_t backoff_next(struct backoff *b)
{
	uint64_t jitter;

	if (b->cur_ms == 0)
		b->cur_ms = b->min_ms;
	else if (b->cur_ms < b->max_ms / 2)
		b->cur_ms *= 2;
	else
		b->cur_ms = b->max_ms;
	b->attempts++;
	/* xorshift32: good enough to spread retries, and lock-free. */
	b->seed ^= b->seed << 13;
	b->seed ^= b->seed >> 17;
	b->seed ^= b->seed << 5;
	jitter = b->cur_ms / 4 ? b->seed % (b->cur_ms / 4 + 1) : 0;
	return b->cur_ms - jitter;
}
