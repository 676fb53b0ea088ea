/* SPDX-License-Identifier: MIT */
/* Name records of this run waiting for the store: what an id in the
 * events stands for (a cgroup id's path), as the eventer resolved it. */
#ifndef TCA_NAMERECS_H
#define TCA_NAMERECS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/*
 * A ring beside the gap ring: the reader adds the names of a read call
 * before it queues that call's events, and the writer stores them before
 * any batch, so that a store never holds an event whose name is still to
 * come. Each entry owns a copy of its text (names are rare: one malloc
 * per name, none per event). The ring grows up to its bound; past it, the
 * newest name is dropped and counted, as the queue drops its newest
 * events when full: the events still queued are the oldest ones, and it
 * is their names that the ring holds. An eventer with back-pressure
 * waits for room instead (the writer moves names to the spool).
 */
struct namerecs {
	pthread_mutex_t lock;
	struct tca_name *ring;
	size_t cap;            /* room now */
	size_t max;            /* the most it grows to */
	size_t head;
	size_t count;
	uint64_t added;        /* names taken in */
	uint64_t dropped;      /* names that found no room: the store never sees them */
};

int namerecs_init(struct namerecs *nr, size_t cap, size_t max);
void namerecs_destroy(struct namerecs *nr);

/* Whether a name is one the processor can take: a known kind and a text
 * shorter than TCA_NAME_MAX. */
bool namerecs_valid(const struct tca_name *name);
/* Whether one more name fits (the ring may grow to its bound). */
bool namerecs_has_room(struct namerecs *nr);
/* Add a copy of name (text included) with run_id. Returns 0, -ENOSPC
 * when the ring is at its bound, or -ENOMEM; both count it as dropped. */
int namerecs_add(struct namerecs *nr, const struct tca_name *name, uint64_t run_id);
/* Copy up to max of the oldest names to out, without taking them: their
 * texts stay valid until namerecs_pop() takes them (only the writer pops). */
size_t namerecs_peek(struct namerecs *nr, struct tca_name *out, size_t max);
/* Take the n oldest, freeing their texts. */
void namerecs_pop(struct namerecs *nr, size_t n);
size_t namerecs_count(struct namerecs *nr);
uint64_t namerecs_dropped(struct namerecs *nr);

#endif
