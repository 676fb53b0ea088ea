/* SPDX-License-Identifier: MIT */
/* Gap records waiting for the store: every loss of the run, as data. */
#ifndef TCA_GAPS_H
#define TCA_GAPS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/*
 * A small ring beside the event queue. Both threads add (the reader for
 * kernel and queue-full losses, the writer for refused and unflushed
 * events); only the writer takes. A gap that continues the newest one
 * (same run, reason and CPU, adjacent seqs) is merged into it, so that a
 * long outage with a full queue costs one record, not one per batch.
 */
struct gaps {
	pthread_mutex_t lock;
	struct tca_gap *ring;
	size_t cap;
	size_t head;
	size_t count;
	size_t peeked;         /* the oldest ones the writer holds copies of */
	uint64_t overflow;     /* gaps that found no room: the store cannot show them */
	uint64_t recorded;     /* gap records made, after merging */
};

int gaps_init(struct gaps *g, size_t cap);
void gaps_destroy(struct gaps *g);
/* Record a gap, merging it into the newest one where it continues it. */
void gaps_add(struct gaps *g, const struct tca_gap *gap);
/* Gaps over the seqs of ev[0..n), events that will never be stored:
 * one per run of consecutive seqs (a loss gap may sit between them).
 * Returns n. */
size_t gaps_add_events(struct gaps *g, uint64_t run_id, const struct tca_event *ev, size_t n,
		       uint32_t reason, uint64_t time_ns);
/* Copy up to max of the oldest gaps to out, without taking them. */
size_t gaps_peek(struct gaps *g, struct tca_gap *out, size_t max);
void gaps_pop(struct gaps *g, size_t n);
size_t gaps_count(struct gaps *g);
uint64_t gaps_overflow(struct gaps *g);

#endif
