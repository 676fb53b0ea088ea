/* SPDX-License-Identifier: MIT */
/* The relay: what a TCA_EVF_RELAY eventer hands over besides events (the
 * origins they name, and the gap, run and name records of those origins), and
 * how far all of it is settled. */
#ifndef TCA_RELAY_H
#define TCA_RELAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/*
 * Every item a relay eventer hands over (event or record) gets the next
 * hand-over number (hseq, from 1), so that the count of items handed over
 * is the newest hseq, and "every item up to hseq H is settled" is at once
 * the count tca_read.settled gives the eventer. The writer moves
 * `durable` only to the hseq of an event it has just stored (every record
 * before it was pushed before it, and the ring's records handed over
 * before the oldest queued event are stored before each batch)
 * or, with the queue and the ring both empty, to `handed`: the same two
 * rules that keep the run's own durable seq exact.
 */
struct relay_origin {
	struct tca_origin origin; /* points into host and boot_id */
	char host[256];
	char boot_id[40];
	uint64_t last_hseq;       /* the newest item that names it */
	bool used;
};

struct relay_rec {
	uint64_t hseq;
	uint32_t origin;          /* index into the table */
	uint32_t type;            /* enum tca_relay_type */
	union {
		struct tca_gap gap;
		struct tca_run run;
		struct tca_name name;     /* its text is the ring's own copy (strdup) */
	} u;
};

struct relay {
	struct relay_origin *origins;  /* the reader adds; the writer reads what items name */
	size_t ncap;
	uint32_t last;                 /* reader: the slot it found last */

	pthread_mutex_t lock;          /* the record ring: the reader adds, the writer takes */
	struct relay_rec *ring;
	size_t cap, head, count;

	uint64_t handed;               /* reader: every hseq up to it is queued or in the ring */
	uint64_t durable;              /* writer: every item up to this hseq is settled */
	bool broken;                   /* an item was dropped (forced exit): durable moves no more */
};

int relay_init(struct relay *r, size_t origins, size_t records);
void relay_destroy(struct relay *r);

/* Reader: the slot of origin o, named by the item hseq. Returns it, or
 * -EAGAIN when every slot names items not yet settled (wait and retry). */
int relay_intern(struct relay *r, const struct tca_origin *o, uint64_t hseq);
const struct tca_origin *relay_origin(const struct relay *r, uint32_t slot);

/* Add a record (the reader). Returns false when there is no room; the
 * ring then does not own it. */
bool relay_push(struct relay *r, const struct relay_rec *rec);
/* Copy up to max of the oldest records, without taking them: the text of
 * a name stays valid until relay_pop() takes it (only the writer pops). */
size_t relay_peek(struct relay *r, struct relay_rec *out, size_t max);
/* Take the n oldest, freeing what they own. */
void relay_pop(struct relay *r, size_t n);
/* Free what a record owns (a name's text). */
void relay_rec_free(struct relay_rec *rec);
size_t relay_count(struct relay *r);

/* Writer: every item up to hseq is settled. Returns whether it moved. */
bool relay_settle(struct relay *r, uint64_t hseq);
/* An item was lost to a forced exit: nothing after it may be settled. */
void relay_break(struct relay *r);
uint64_t relay_durable(struct relay *r);
uint64_t relay_handed(struct relay *r);

#endif
