/* SPDX-License-Identifier: MIT */
/* The nats eventer's side of JetStream: the durable pull consumer, the
 * thread that fetches into the ring, and the acks, in fetch order, of
 * what the processor says is settled. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nats-eventer.h"

/* JetStream's error code for a stream that does not exist. */
#define JS_STREAM_NOT_FOUND 10059
/* How long a JetStream that does not answer at start is asked again: a
 * cluster that has just lost a node elects new leaders in seconds. */
#define SUBSCRIBE_RETRY_MS 30000

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

static int consumer_subscribe(struct nats_relay *nr)
{
	const struct nats_eventer_config *c = nr->cfg;
	char filter[NATS_SUBJECT_MAX];
	jsSubOptions so;
	jsErrCode jerr = 0;
	natsStatus s;

	/* Every record the edges publish: PREFIX.HOST.events, .gaps, .runs. */
	snprintf(filter, sizeof(filter), "%s.>", c->conn.subject);
	jsSubOptions_Init(&so);
	so.Stream = c->conn.stream;
	so.Config.Durable = c->durable;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = js_DeliverAll;
	so.Config.AckWait = (int64_t)c->ack_wait_ms * 1000000;
	so.Config.MaxAckPending = c->max_ack_pending;
	so.ManualAck = true;
	for (uint64_t end = now_ms() + SUBSCRIBE_RETRY_MS;;) {
		s = js_PullSubscribe(&nr->sub, nr->conn.js, filter, c->durable, NULL, &so, &jerr);
		if (s != NATS_TIMEOUT || now_ms() >= end)
			break;
		tca_log(nr->host, TCA_LOG_NOTICE, 0, "JetStream did not answer about durable %s in "
			"time; asking again (a leader election?)", c->durable);
	}
	if (s == NATS_OK)
		return 0;
	if (jerr == JS_STREAM_NOT_FOUND || s == NATS_NOT_FOUND) {
		tca_log(nr->host, TCA_LOG_ERR, 0, "stream %s does not exist on %s; start an edge with "
			"--sink nats (it creates the stream), or give the stream= the edges publish to",
			c->conn.stream, nr->conn.where);
		return -ENOENT;
	}
	tca_log(nr->host, TCA_LOG_ERR, 0, "cannot consume stream %s as durable %s on %s: %s "
		"(collectors that share a durable must give it the same ack_wait and max_ack_pending)",
		c->conn.stream, c->durable, nr->conn.where, nats_last_error(s));
	/* NATS_ERR is the library's refusal of the durable's configuration. */
	return s == NATS_ERR || nats_status_errno(s) == -ENOENT ? -EINVAL : nats_status_errno(s);
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
		return r;
	}
	return consumer_subscribe(nr);
}

/* Take the messages of one fetch of at most asked into the ring (there
 * is room: the fetch asked for no more than that). */
static void consumer_take(struct nats_relay *nr, natsMsgList *list, int asked)
{
	struct nats_ring *q = &nr->ring;

	/* libnats 3.4 has been seen to return a Count past the array it
	 * allocated for the batch, after a leader change: never read past
	 * what was asked for, nor let natsMsgList_Destroy do so. */
	if (list->Count > asked)
		list->Count = asked;
	pthread_mutex_lock(&q->lock);
	for (int i = 0; i < list->Count && q->count < q->cap; i++) {
		q->slot[(q->head + q->count++) % q->cap] = (struct nats_pending){ .msg = list->Msgs[i] };
		list->Msgs[i] = NULL; /* ours now: natsMsgList_Destroy skips it */
	}
	pthread_mutex_unlock(&q->lock);
	poke(nr->efd);
}

/* While a slow or absent store holds messages back, tell JetStream they
 * are being worked on, so that it does not deliver them again elsewhere. */
static void consumer_in_progress(struct nats_relay *nr)
{
	struct nats_ring *q = &nr->ring;

	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < q->count; i++)
		natsMsg_InProgress(q->slot[(q->head + i) % q->cap].msg, NULL);
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
		/* Fire and forget: an ack lost with the connection only means
		 * one more delivery, which the store's keys make harmless. */
		if (p.bad) {
			natsMsg_Term(p.msg, NULL);
			nr->terminated++;
		} else {
			natsMsg_Ack(p.msg, NULL);
			nr->acked++;
		}
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

static void *consumer_main(void *arg)
{
	struct nats_relay *nr = arg;
	uint64_t progress_ms = now_ms(), failing_since = 0;

	while (!consumer_stopping(nr)) {
		size_t room = consumer_room(nr);
		natsMsgList list = { 0 };
		natsStatus s;

		consumer_ack_ready(nr);
		if (now_ms() - progress_ms >= nr->cfg->ack_wait_ms / 3) {
			consumer_in_progress(nr);
			progress_ms = now_ms();
		}
		if (!room)
			continue;
		if (room > (size_t)nr->cfg->fetch_batch)
			room = (size_t)nr->cfg->fetch_batch;
		s = natsSubscription_Fetch(&list, nr->sub, (int)room, (int64_t)nr->cfg->fetch_wait_ms,
					   NULL);
		if (list.Count > 0)
			consumer_take(nr, &list, (int)room);
		natsMsgList_Destroy(&list);
		if (s == NATS_OK || s == NATS_TIMEOUT) {
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
				nats_last_error(s));
		}
		usleep(200 * 1000);
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
	/* A fetch in flight ends within fetch_wait. */
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
		natsMsg_Nak(q->slot[q->head].msg, NULL);
		natsMsg_Destroy(q->slot[q->head].msg);
	}
	if (nr->conn.nc)
		natsConnection_FlushTimeout(nr->conn.nc, 1000);
	/* Destroy, not Unsubscribe: that would delete the durable consumer. */
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
