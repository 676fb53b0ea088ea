/* SPDX-License-Identifier: MIT */
/* The nats eventer's side of JetStream: the ring, the thread that pulls
 * into it (pull.c makes the requests), and the acks, in fetch order, of
 * what the processor says is settled. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nats-eventer.h"

/* How long past a pull's expiry its answers may still be on the way. */
#define PULL_MARGIN_MS 1000
/* The longest one wait for the answers of a pull, between looks at the
 * acks to send and at a stop. */
#define PULL_SLICE_MS 200
/* The pause after a pull JetStream refused without a message. */
#define PULL_REFUSED_MS 100

static void poke(int fd)
{
	uint64_t one = 1;
	ssize_t w = write(fd, &one, sizeof(one));

	(void)w;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int ring_init(struct nats_ring *q, size_t cap)
{
	pthread_condattr_t attr;

	q->slot = calloc(cap, sizeof(*q->slot));
	if (!q->slot)
		return -ENOMEM;
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->room, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

int nats_consumer_open(struct nats_relay *nr)
{
	char err[256];
	int r;

	r = ring_init(&nr->ring, (size_t)nr->cfg->pending);
	if (r < 0)
		return r;
	nr->conn.host = nr->host;
	nr->conn.cfg = &nr->cfg->conn;
	r = nats_conn_options(&nr->conn);
	if (r < 0)
		return r;
	r = nats_conn_open(&nr->conn, err, sizeof(err));
	if (r < 0) {
		tca_log(nr->host, TCA_LOG_ERR, 0, "cannot connect to %s: %s (%s)", nr->conn.where, err,
			r == -EACCES ? "check user and password, token or creds" :
			r == -EPROTO ? "check tls_ca, tls_cert and tls_key" :
				       "is nats-server running there? check servers=");
		/* As the sinker: a TLS refusal is a credential refused (77). */
		return r == -EPROTO ? -EACCES : r;
	}
	r = nats_pull_durable(nr);
	return r < 0 ? r : nats_pull_open(nr);
}

/* Wake the reader once the messages that have come are in the ring, not
 * for each of them: a write a message would cost more than the message. */
static void consumer_poke(struct nats_relay *nr)
{
	int msgs = 0, bytes = 0;

	if (natsSubscription_GetPending(nr->sub, &msgs, &bytes) != NATS_OK || msgs == 0 ||
	    ++nr->unpoked >= 256) {
		poke(nr->efd);
		nr->unpoked = 0;
	}
}

/* Take one message of a pull into the ring. The pulls ask for no more
 * than there is room for, but one that came after its pull was given up
 * may find the ring full: it goes back to JetStream at once. */
static void consumer_take(struct nats_relay *nr, natsMsg *m)
{
	struct nats_ring *q = &nr->ring;
	bool taken = false;

	pthread_mutex_lock(&q->lock);
	if (q->count < q->cap) {
		q->slot[(q->head + q->count++) % q->cap] = (struct nats_pending){ .msg = m };
		taken = true;
	}
	pthread_mutex_unlock(&q->lock);
	if (taken) {
		consumer_poke(nr);
		return;
	}
	nats_pull_reply(nr, m, "-NAK");
	natsMsg_Destroy(m);
}

/* While a slow or absent store holds messages back, tell JetStream they
 * are being worked on, so that it does not deliver them again elsewhere. */
static void consumer_in_progress(struct nats_relay *nr)
{
	struct nats_ring *q = &nr->ring;

	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->count; i++)
		nats_pull_reply(nr, q->slot[(q->head + i) % q->cap].msg, "+WPI");
	pthread_mutex_unlock(&q->lock);
}

static bool ackable(const struct nats_ring *q)
{
	return q->handed && q->slot[q->head].item <= q->settled;
}

/* Acknowledge, in order, the messages whose items are all settled. */
static void consumer_ack_ready(struct nats_relay *nr)
{
	struct nats_ring *q = &nr->ring;

	for (;;) {
		struct nats_pending p;

		pthread_mutex_lock(&q->lock);
		if (!ackable(q)) {
			pthread_mutex_unlock(&q->lock);
			return;
		}
		p = q->slot[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->handed--;
		pthread_mutex_unlock(&q->lock);
		nats_pull_reply(nr, p.msg, p.bad ? "+TERM" : "+ACK");
		if (p.bad)
			nr->terminated++;
		else
			nr->acked++;
		natsMsg_Destroy(p.msg);
	}
}

/* Room for how many more messages; waits while there is none and
 * nothing to acknowledge. */
static size_t consumer_room(struct nats_relay *nr)
{
	struct nats_ring *q = &nr->ring;
	struct timespec ts;
	size_t room;

	pthread_mutex_lock(&q->lock);
	if (q->count == q->cap && !q->stop && !ackable(q)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&q->room, &q->lock, &ts);
	}
	room = q->stop ? 0 : q->cap - q->count;
	pthread_mutex_unlock(&q->lock);
	return room;
}

static bool consumer_stopping(struct nats_relay *nr)
{
	bool stop;

	pthread_mutex_lock(&nr->ring.lock);
	stop = nr->ring.stop;
	pthread_mutex_unlock(&nr->ring.lock);
	return stop;
}

/* Acks due, and +WPI for what the store holds back: between the waits. */
static void consumer_housekeep(struct nats_relay *nr, uint64_t *progress_ms)
{
	consumer_ack_ready(nr);
	if (now_ms() - *progress_ms >= nr->cfg->ack_wait_ms / 3) {
		consumer_in_progress(nr);
		*progress_ms = now_ms();
	}
}

/* One pull of at most batch: its messages (and late ones of earlier
 * pulls) go into the ring until it has them all, JetStream says it is
 * over, or its expiry is well past. NATS_OK, or why no JetStream
 * answers. */
static natsStatus consumer_pull_once(struct nats_relay *nr, int batch, uint64_t *progress_ms)
{
	uint64_t end = now_ms() + nr->cfg->fetch_wait_ms + PULL_MARGIN_MS;
	natsStatus s = nats_pull_request(nr, batch);
	int got = 0;

	while (s == NATS_OK && got < batch && !consumer_stopping(nr)) {
		uint64_t now = now_ms();
		natsMsg *m = NULL;

		if (now >= end)
			break;
		s = natsSubscription_NextMsg(&m, nr->sub, (int64_t)(end - now < PULL_SLICE_MS ?
								       end - now : PULL_SLICE_MS));
		if (s == NATS_TIMEOUT) {
			consumer_housekeep(nr, progress_ms);
			s = NATS_OK;
			continue;
		}
		if (s != NATS_OK)
			break;
		switch (nats_pull_kind(nr, m)) {
		case NATS_PULL_MSG:
			got++;
			consumer_take(nr, m);
			continue;
		case NATS_PULL_END:
			natsMsg_Destroy(m);
			/* A refusal (409 a leader change or a limit, 400) at once
			 * would make the next pull at once, and so a spin. */
			if (!got && nr->pull.status != 404 && nr->pull.status != 408)
				usleep(PULL_REFUSED_MS * 1000);
			return NATS_OK;
		case NATS_PULL_STALE:
			natsMsg_Destroy(m);
			continue;
		case NATS_PULL_AWAY:
			natsMsg_Destroy(m);
			return NATS_NO_RESPONDERS;
		}
	}
	return s;
}

static natsStatus consumer_pull(struct nats_relay *nr, int batch, uint64_t *progress_ms)
{
	natsStatus s = consumer_pull_once(nr, batch, progress_ms);

	/* What came last may not have woken the reader. */
	if (nr->unpoked) {
		poke(nr->efd);
		nr->unpoked = 0;
	}
	return s;
}

/* libnats 3.4.1 gives up on a connection for good when a server ends it
 * with an error it does not take for an authentication one ("User
 * Authentication Revoked"), or refuses the credentials twice in a row:
 * connect again, with the creds and TLS files read again (rotated ones
 * end the outage), and subscribe to a new inbox on the new connection.
 * The messages held keep their reply subjects, which any connection of
 * the account may acknowledge. Only this thread uses the connection
 * while it runs. */
static natsStatus consumer_reconnect(struct nats_relay *nr)
{
	char err[256];
	int r;

	if (nr->sub && natsConnection_Status(nr->conn.nc) != NATS_CONN_STATUS_CLOSED)
		return NATS_OK;
	nats_conn_log_ended(&nr->conn);
	if (nats_conn_replace(&nr->conn, err, sizeof(err)) < 0)
		return NATS_CONNECTION_CLOSED;
	natsSubscription_Destroy(nr->sub);
	nr->sub = NULL;
	r = nats_pull_open(nr);
	if (r < 0)
		return NATS_CONNECTION_CLOSED;
	tca_log(nr->host, TCA_LOG_NOTICE, 0, "reconnected to %s", nr->conn.where);
	return NATS_OK;
}

static void *consumer_main(void *arg)
{
	struct nats_relay *nr = arg;
	uint64_t progress_ms = now_ms(), failing_since = 0;

	while (!consumer_stopping(nr)) {
		size_t room = consumer_room(nr);
		natsStatus s;

		consumer_housekeep(nr, &progress_ms);
		if (!room)
			continue;
		if (room > (size_t)nr->cfg->fetch_batch)
			room = (size_t)nr->cfg->fetch_batch;
		s = consumer_reconnect(nr);
		if (s == NATS_OK)
			s = consumer_pull(nr, (int)room, &progress_ms);
		if (s == NATS_OK) {
			if (failing_since)
				tca_log(nr->host, TCA_LOG_NOTICE, 0, "fetching from stream %s again",
					nr->cfg->conn.stream);
			failing_since = 0;
			continue;
		}
		/* The cluster is away or electing: the client reconnects on its
		 * own, and the messages wait in the stream meanwhile. */
		if (!failing_since) {
			failing_since = now_ms();
			tca_log(nr->host, TCA_LOG_WARNING, 0, "cannot fetch from stream %s: %s; retrying "
				"(the messages wait in the stream)", nr->cfg->conn.stream,
				s == NATS_NO_RESPONDERS ? "no JetStream answers" :
				s == NATS_CONNECTION_DISCONNECTED ? "not connected (reconnecting)" :
				s == NATS_CONNECTION_CLOSED ? "the connection was ended" :
								    nats_last_error(s));
		}
		/* A connection made again asks the servers less often. */
		usleep((s == NATS_CONNECTION_CLOSED ? 1000 : 200) * 1000);
	}
	return NULL;
}

int nats_consumer_start(struct nats_relay *nr)
{
	int r = pthread_create(&nr->fetcher, NULL, consumer_main, nr);

	if (r)
		return -r;
	nr->fetching = true;
	return 0;
}

void nats_consumer_stop(struct nats_relay *nr)
{
	pthread_mutex_lock(&nr->ring.lock);
	nr->ring.stop = true;
	pthread_cond_broadcast(&nr->ring.room);
	pthread_mutex_unlock(&nr->ring.lock);
	/* A pull in flight is left within PULL_SLICE_MS. */
	if (nr->fetching)
		pthread_join(nr->fetcher, NULL);
	nr->fetching = false;
}

void nats_consumer_settled(struct nats_relay *nr, uint64_t settled)
{
	pthread_mutex_lock(&nr->ring.lock);
	if (settled > nr->ring.settled) {
		nr->ring.settled = settled;
		pthread_cond_signal(&nr->ring.room);
	}
	pthread_mutex_unlock(&nr->ring.lock);
}

void nats_consumer_ack(struct nats_relay *nr, uint64_t settled)
{
	nats_consumer_settled(nr, settled);
	consumer_ack_ready(nr);
}

void nats_consumer_close(struct nats_relay *nr)
{
	struct nats_ring *q = &nr->ring;

	if (q->slot)
		nats_consumer_stop(nr);
	/* Unsettled: handed to another collector now, not after ack_wait. */
	for (; q->count; q->count--, q->head = (q->head + 1) % q->cap) {
		nats_pull_reply(nr, q->slot[q->head].msg, "-NAK");
		natsMsg_Destroy(q->slot[q->head].msg);
	}
	/* And so are the answers of a pull left in flight at the stop. */
	for (natsMsg *m = NULL; nr->sub && natsSubscription_NextMsg(&m, nr->sub, 1) == NATS_OK;) {
		if (nats_pull_kind(nr, m) == NATS_PULL_MSG)
			nats_pull_reply(nr, m, "-NAK");
		natsMsg_Destroy(m);
		m = NULL;
	}
	if (nr->conn.nc)
		natsConnection_FlushTimeout(nr->conn.nc, 1000);
	/* A core subscription on our inbox: the durable stays. */
	natsSubscription_Destroy(nr->sub);
	jsCtx_Destroy(nr->conn.js);
	natsConnection_Destroy(nr->conn.nc);
	natsOptions_Destroy(nr->conn.opts);
	free(nr->conn.where);
	if (q->slot) {
		pthread_cond_destroy(&q->room);
		pthread_mutex_destroy(&q->lock);
		free(q->slot);
	}
}
