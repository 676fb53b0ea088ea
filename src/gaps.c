/* SPDX-License-Identifier: MIT */
/* The ring of gap records between the threads and the store. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "gaps.h"

int gaps_init(struct gaps *g, size_t cap)
{
	*g = (struct gaps){ 0 };
	g->ring = calloc(cap, sizeof(*g->ring));
	if (!g->ring)
		return -ENOMEM;
	g->cap = cap;
	pthread_mutex_init(&g->lock, NULL);
	return 0;
}

void gaps_destroy(struct gaps *g)
{
	if (!g->ring)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->ring);
	g->ring = NULL;
}

static bool gap_continues(const struct tca_gap *last, const struct tca_gap *gap)
{
	return last->run_id == gap->run_id && last->reason == gap->reason && last->cpu == gap->cpu &&
	       last->count && gap->count && last->first_seq + last->count == gap->first_seq;
}

void gaps_add(struct gaps *g, const struct tca_gap *gap)
{
	pthread_mutex_lock(&g->lock);
	/* Not into a gap the writer has taken a copy of: the store would
	 * keep the old count. */
	if (g->count > g->peeked) {
		struct tca_gap *last = &g->ring[(g->head + g->count - 1) % g->cap];
		if (gap_continues(last, gap)) {
			last->count += gap->count;
			pthread_mutex_unlock(&g->lock);
			return;
		}
	}
	if (g->count == g->cap) {
		g->overflow++;
	} else {
		g->ring[(g->head + g->count) % g->cap] = *gap;
		g->count++;
		g->recorded++;
	}
	pthread_mutex_unlock(&g->lock);
}

size_t gaps_peek(struct gaps *g, struct tca_gap *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&g->lock);
	n = g->count < max ? g->count : max;
	for (size_t i = 0; i < n; i++)
		out[i] = g->ring[(g->head + i) % g->cap];
	g->peeked = n;
	pthread_mutex_unlock(&g->lock);
	return n;
}

void gaps_pop(struct gaps *g, size_t n)
{
	pthread_mutex_lock(&g->lock);
	if (n > g->count)
		n = g->count;
	g->head = (g->head + n) % g->cap;
	g->count -= n;
	g->peeked = 0;
	pthread_mutex_unlock(&g->lock);
}

size_t gaps_count(struct gaps *g)
{
	size_t n;

	pthread_mutex_lock(&g->lock);
	n = g->count;
	pthread_mutex_unlock(&g->lock);
	return n;
}

uint64_t gaps_overflow(struct gaps *g)
{
	uint64_t n;

	pthread_mutex_lock(&g->lock);
	n = g->overflow;
	pthread_mutex_unlock(&g->lock);
	return n;
}

size_t gaps_add_events(struct gaps *g, uint64_t run_id, const struct tca_event *ev, size_t n,
		       uint32_t reason, uint64_t time_ns)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;
		while (j < n && ev[j].seq == ev[j - 1].seq + 1)
			j++;
		struct tca_gap gap = {
			.run_id = run_id,
			.first_seq = ev[i].seq,
			.count = j - i,
			.time_ns = time_ns,
			.reason = reason,
			.cpu = -1,
		};
		gaps_add(g, &gap);
		i = j;
	}
	return n;
}
