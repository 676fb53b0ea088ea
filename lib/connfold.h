/* SPDX-License-Identifier: MIT */
/* Fold one batch of events into one summary per socket life (sock id), so
 * that a store updates its connections table once per connection per
 * batch, not once per event. Sized once; nothing is allocated per batch. */
#ifndef TCA_CONNFOLD_H
#define TCA_CONNFOLD_H

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

struct connfold_conn {
	uint64_t sock;
	uint64_t first_ns, last_ns;
	uint64_t last_seq;       /* of the newest event folded in */
	uint32_t states;         /* bit 1 << s for every state s it was in */
	uint32_t events;
	uint32_t flags;          /* enum tca_event_flags known for the fields below */
	uint8_t family, state, owner;
	uint16_t protocol, sport, dport;
	int32_t pid;
	uint32_t uid;
	char comm[TCA_COMM_LEN];
	uint8_t saddr[16], daddr[16];
	uint64_t netns, cgroup, bytes_sent, bytes_received;
	int64_t store_id;        /* the store's key for it, set by the sink */
};

struct connfold {
	size_t cap;              /* most events (and so connections) a fold holds */
	size_t n;                /* connections folded so far */
	size_t mask;             /* slots - 1, slots a power of two >= 2 cap */
	uint32_t *slot;          /* 0: empty, else index + 1 into conn */
	struct connfold_conn *conn;
};

/* Room for folds of up to cap events: returns 0 or -ENOMEM. */
int connfold_init(struct connfold *f, size_t cap);
void connfold_free(struct connfold *f);
/* Forget the last fold. */
void connfold_reset(struct connfold *f);
/*
 * Fold one event into its socket's summary, which it creates on first
 * sight; returns the summary's index, or -1 when cap connections are
 * already held. Events must come in seq order: the newest one's state is
 * the connection's. An address or port is the first one seen that is not
 * zero (a socket's are fixed once bound); other known fields replace
 * unknown or older ones; the owner kind ranks holder over listener over
 * unknown.
 */
long connfold_add(struct connfold *f, const struct tca_event *ev);

#endif
