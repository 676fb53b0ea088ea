/* SPDX-License-Identifier: MIT */
/* A batch's events folded into one summary per socket, the rows that the
 * pgsql sinker merges into tcp_connections: pure code, no libpq. */
#ifndef TCA_PGSQL_CONN_AGG_H
#define TCA_PGSQL_CONN_AGG_H

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/* One socket's part of a batch. The pointers are into the batch's events:
 * a summary lives as long as its batch. Later in the batch counts as later
 * in time: the processor hands a run's events over in seq order. */
struct conn_sum {
	uint64_t sock;
	const struct tca_event *first;  /* the earliest: first_time, first_state */
	const struct tca_event *last;   /* the latest: last_time, last_state, addresses */
	const struct tca_event *owner;  /* the best owner (conn_owner_rank), latest among equals */
	const struct tca_event *uid;    /* the latest with each optional field, or NULL */
	const struct tca_event *netns;
	const struct tca_event *cgroup;
	uint64_t bytes_sent, bytes_received; /* the most seen, if has_bytes */
	uint32_t states;                /* bit (1 << state) for each state the socket was in */
	uint32_t has_bytes;
};

struct conn_agg {
	struct conn_sum *sum;  /* n summaries, in the order of their first event */
	size_t n;
	uint32_t *slot;        /* open addressing: index + 1 into sum; 0 is empty */
	size_t nslots;         /* a power of two, at least twice the events */
	size_t cap;            /* events this table was sized for */
};

/* How good an owner an event names: a holder seen in process context (2)
 * beats the listener's owner of an accepted socket (1), which beats none
 * (0). The SQL merge in copy.c ranks stored rows the same way. */
unsigned conn_owner_rank(const struct tca_event *ev);

/* Fold n events into a's summaries, growing a's arrays once to the
 * largest batch. Returns 0, or -ENOMEM. */
int conn_agg_batch(struct conn_agg *a, const struct tca_event *ev, size_t n);

void conn_agg_free(struct conn_agg *a);

#endif
