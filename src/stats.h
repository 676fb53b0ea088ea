/* SPDX-License-Identifier: MIT */
/* The processor's counters: what was read, written, retried and lost, and why. */
#ifndef TCA_STATS_H
#define TCA_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats {
	uint64_t read;            /* events the eventer handed over */
	uint64_t written;         /* events the sinker stored */
	uint64_t batches;         /* successful sinker writes */
	uint64_t retries;         /* sinker writes that said "retry later" */
	uint64_t lost_queue_full; /* read, but the queue was full */
	uint64_t lost_source;     /* lost before we saw them (eventer's count) */
	uint64_t lost_unflushed;  /* still queued when the sink failed or time ran out */
	uint64_t lost_refused;    /* the store refused them for good */
	uint64_t lost_spool;      /* dropped from a full spool (--spool-full=drop-oldest) */
	uint64_t evicted;         /* live sockets forgotten by the eventer (they get a new id) */
	uint64_t gaps;            /* gap records stored */
	uint64_t names;           /* name records stored */
	uint64_t names_unkept;    /* name records the sink has no write_names() for */
	uint64_t names_lost;      /* name records lost: no room, invalid, unstored at exit */
};

/* The counters are written by one thread each and read by the main thread,
 * so plain relaxed atomics suffice. */
#define stats_add(field, n) __atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)
#define stats_set(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define stats_get(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

uint64_t stats_lost(const struct stats *s);
/* One line: "read N, written N, queued N, ..." */
void stats_format(const struct stats *s, size_t queued, size_t high_water, char *buf, size_t size);

#endif
