/* SPDX-License-Identifier: MIT */
/* The bounded event queue between the reader and the writer thread. */
#ifndef TCA_QUEUE_H
#define TCA_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/*
 * A ring of fixed-size events, sized once from a memory cap: pushing and
 * popping never allocate. One thread pushes, one pops; the popper reads a
 * contiguous span outside the lock, since the pusher only ever writes
 * into free slots.
 */
/* What the writer must know of a relayed event beside the event itself:
 * its origin (an index into the relay's table) and its place in the
 * order of handing over. Only a relay's queue has them. */
struct queue_tag {
	uint64_t hseq;
	uint32_t origin;
	uint32_t reserved;
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct tca_event *ring;
	struct queue_tag *tags; /* NULL, or one per slot of ring (a relay) */
	size_t cap;
	size_t head;            /* oldest event */
	size_t count;
	size_t high_water;      /* most events ever held at once */
	uint64_t oldest_ms;     /* CLOCK_MONOTONIC when it last became non-empty */
	size_t batch_max;
	uint64_t max_delay_ms;
	bool reserved;          /* the pusher is filling free slots (queue_reserve) */
	bool closed;            /* no more pushes: drain and stop */
	bool kicked;            /* wake the popper now */
};

int queue_init(struct queue *q, uint64_t memory);
void queue_destroy(struct queue *q);
void queue_set_batching(struct queue *q, size_t batch_max, uint64_t max_delay_ms);

/* Give every slot a tag (a relay's queue). Returns 0 or -ENOMEM. */
int queue_enable_tags(struct queue *q);

/* Copy in as many of ev[0..n) as fit (numbered already); returns how many. */
size_t queue_push(struct queue *q, const struct tca_event *ev, size_t n);
/* The same, with tags[0..n) beside them (a queue with tags only). */
size_t queue_push_tagged(struct queue *q, const struct tca_event *ev,
			 const struct queue_tag *tags, size_t n);
/* The tags of a span returned by queue_wait_batch() or queue_peek(). */
const struct queue_tag *queue_tags_of(const struct queue *q, const struct tca_event *ev);

/*
 * The pusher's path without a copy: the free slots after the newest event,
 * as one contiguous span of want slots, which the pusher fills and then
 * hands over with queue_commit(). Returns 0 (and reserves nothing) when
 * fewer than want are free there or the queue is closed: the caller then
 * fills a buffer of its own and uses queue_push().
 */
size_t queue_reserve(struct queue *q, size_t want, struct tca_event **out);
/* The first n of the reserved span hold events (numbered already): queue
 * them, and end the reservation. Returns n, or 0 when the queue closed
 * meanwhile (the events are then not queued; they stay readable at the
 * span until the next reservation). */
size_t queue_commit(struct queue *q, size_t n);

/*
 * Wait until a batch is due: batch_max events, or the oldest has waited
 * max_delay_ms, or the queue is closed. Returns the number of events at
 * *out (a contiguous span), or 0 when kicked or closed and empty.
 */
size_t queue_wait_batch(struct queue *q, const struct tca_event **out);
/* The oldest events, as one contiguous span, without waiting; 0 if none. */
size_t queue_peek(struct queue *q, const struct tca_event **out);
/* Wait up to ms for room (back-pressure); returns whether there is room. */
bool queue_wait_space(struct queue *q, uint64_t ms);
/* Sleep up to ms, unless kicked first (closing does not end it).
 * Returns whether a kick ended it. */
bool queue_sleep(struct queue *q, uint64_t ms);
void queue_pop(struct queue *q, size_t n);
void queue_close(struct queue *q);
void queue_kick(struct queue *q);
bool queue_is_closed(struct queue *q);
size_t queue_count(struct queue *q);
size_t queue_high_water(struct queue *q);
size_t queue_capacity(const struct queue *q);

uint64_t queue_now_ms(void);

#endif
