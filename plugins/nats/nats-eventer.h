/* SPDX-License-Identifier: MIT */
/* The nats eventer (the collector): its state and the interfaces between
 * its files. It connects with the sinker's code (conn.c), so both take
 * the same connection options. */
#ifndef TCA_NATS_EVENTER_H
#define TCA_NATS_EVENTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>
#include <tcp-audit/plugin.h>

#include "nats-sink.h"
#include "wire.h"

struct nats_eventer_config {
	struct nats_config conn;  /* servers, stream, subject, credentials, TLS, timeouts */
	const char *durable;      /* the durable pull consumer, shared by the collectors */
	uint64_t ack_wait_ms;     /* how long JetStream waits for an ack before redelivering */
	int64_t max_ack_pending;  /* the consumer's limit of unacknowledged messages */
	int64_t pending;          /* most messages this collector holds unacknowledged */
	int64_t fetch_batch;      /* most messages one fetch asks for */
	uint64_t fetch_wait_ms;   /* how long one fetch waits for messages */
};

/* One fetched message, from the fetch until its ack. */
struct nats_pending {
	natsMsg *msg;
	uint64_t item;  /* handed over: the count of items up to and including it */
	bool bad;       /* not decodable: terminated, not acknowledged, once settled */
};

/* A ring of messages in the order they were fetched, which is the order
 * they are handed over and acknowledged in. The fetch thread adds at the
 * tail, and acknowledges and takes from the head: every libnats call on
 * the subscription is made by that one thread (acks are publishes on the
 * connection, which libnats makes thread-safe). The
 * reader thread only reads the messages' data, hands them over past
 * `handed`, and tells it the settled count. */
struct nats_ring {
	pthread_mutex_t lock;
	pthread_cond_t room;    /* the reader freed slots, or stop */
	struct nats_pending *slot;
	size_t cap, head, count;
	size_t handed;          /* of count, from the head: handed over */
	uint64_t settled;       /* the processor's settled count, from the reader */
	bool stop;
};

/* The pulls: our inbox, and the reply subject of the pull in flight. */
struct nats_pull {
	char inbox[128];
	char reply[160];
	uint64_t seq;
	int status;  /* the status that ended the pull in flight, or 0 */
};

struct nats_relay {
	const struct tca_host *host;
	const struct nats_eventer_config *cfg;
	struct nats_sink conn;  /* what conn.c works on: options, connection, context */
	natsSubscription *sub;  /* on INBOX.*: the answers to our pulls */
	struct nats_pull pull;
	unsigned unpoked;       /* messages taken since the reader was woken */
	int efd;                /* eventfd: messages are waiting to be handed over */
	struct nats_ring ring;
	pthread_t fetcher;
	bool fetching;
	uint64_t items;         /* items handed over so far */
	uint64_t acked, terminated, undecodable;
	bool names_dropped;     /* told once that this tcp-audit cannot store names */
	/* The origins of one read call: the strings it points to. */
	struct {
		char host[WIRE_STR_MAX + 1];
		char boot_id[WIRE_STR_MAX + 1];
	} names[64];
	/* The texts of the name records of one read call (at least one of
	 * the longest always fits), and how much of it the call has used. */
	char name_text[16 * TCA_NAME_MAX];
	size_t name_text_used;
};

/* pull.c: the durable, and JetStream's pull protocol in core-NATS calls. */
enum nats_pull_kind {
	NATS_PULL_MSG,    /* a message (of this pull or a late one of an earlier) */
	NATS_PULL_END,    /* a status that ends the pull in flight */
	NATS_PULL_STALE,  /* a status of an earlier pull */
	NATS_PULL_AWAY,   /* no JetStream answers */
};
int nats_pull_durable(struct nats_relay *nr);
int nats_pull_open(struct nats_relay *nr);
natsStatus nats_pull_request(struct nats_relay *nr, int batch);
enum nats_pull_kind nats_pull_kind(struct nats_relay *nr, natsMsg *m);
/* Publish what ("+ACK", "-NAK", "+TERM", "+WPI") to m's reply subject. */
void nats_pull_reply(struct nats_relay *nr, natsMsg *m, const char *what);

/* consumer.c: the ring and the fetch thread. */
int nats_consumer_open(struct nats_relay *nr);
int nats_consumer_start(struct nats_relay *nr);
void nats_consumer_stop(struct nats_relay *nr);
void nats_consumer_close(struct nats_relay *nr);
/* Reader: the settled count moved; the fetch thread acknowledges. */
void nats_consumer_settled(struct nats_relay *nr, uint64_t settled);
/* Once the fetch thread has stopped: acknowledge, in order, the messages
 * whose items are all settled. */
void nats_consumer_ack(struct nats_relay *nr, uint64_t settled);

#endif
