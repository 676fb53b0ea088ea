/* SPDX-License-Identifier: MIT */
/* JetStream's pull protocol in core-NATS calls: the durable consumer is
 * found or created with the JetStream API, and each pull is a request to
 * $JS.API.CONSUMER.MSG.NEXT answered on our own inbox. libnats 3.4's
 * natsSubscription_Fetch is not used: after a leader change it has been
 * seen to report more messages than the list it allocated, and so to
 * free memory twice. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nats-eventer.h"

/* JetStream's error codes for a stream that does not exist, a consumer
 * that does not, one made meanwhile by another collector, and a cluster
 * that is electing. */
#define JS_STREAM_NOT_FOUND 10059
#define JS_CONSUMER_NOT_FOUND 10014
#define JS_CONSUMER_NAME_EXISTS 10013
#define JS_CONSUMER_EXISTS_ACTIVE 10105
#define JS_CONSUMER_ALREADY_EXISTS 10148
#define JS_CLUSTER_NOT_AVAILABLE 10008
/* How long a JetStream that does not answer at start is asked again: a
 * cluster that has just lost a node elects new leaders in seconds. */
#define DURABLE_RETRY_MS 30000

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool durable_exists(jsErrCode jerr)
{
	return jerr == JS_CONSUMER_NAME_EXISTS || jerr == JS_CONSUMER_EXISTS_ACTIVE ||
	       jerr == JS_CONSUMER_ALREADY_EXISTS;
}

/* Look the durable up, and create it if it is not there yet. */
static natsStatus durable_find_or_add(struct nats_relay *nr, jsConsumerInfo **ci, jsErrCode *jerr)
{
	const struct nats_eventer_config *c = nr->cfg;
	char filter[NATS_SUBJECT_MAX];
	jsConsumerConfig cc;
	natsStatus s;

	*jerr = 0;
	s = js_GetConsumerInfo(ci, nr->conn.js, c->conn.stream, c->durable, NULL, jerr);
	if (s != NATS_NOT_FOUND || *jerr == JS_STREAM_NOT_FOUND)
		return s;
	/* Every record the edges publish: PREFIX.HOST.events, .gaps, .runs, .names. */
	snprintf(filter, sizeof(filter), "%s.>", c->conn.subject);
	jsConsumerConfig_Init(&cc);
	cc.Durable = c->durable;
	cc.AckPolicy = js_AckExplicit;
	cc.DeliverPolicy = js_DeliverAll;
	cc.AckWait = (int64_t)c->ack_wait_ms * 1000000;
	cc.MaxAckPending = c->max_ack_pending;
	cc.FilterSubject = filter;
	*jerr = 0;
	s = js_AddConsumer(ci, nr->conn.js, c->conn.stream, &cc, NULL, jerr);
	/* Another collector made it meanwhile: it is the one to check. */
	if (s != NATS_OK && durable_exists(*jerr)) {
		*jerr = 0;
		s = js_GetConsumerInfo(ci, nr->conn.js, c->conn.stream, c->durable, NULL, jerr);
	}
	return s;
}

static bool durable_retry(natsStatus s, jsErrCode jerr)
{
	return s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || jerr == JS_CLUSTER_NOT_AVAILABLE;
}

/* One durable, shared by the collectors: its limits are the shared ones. */
static int durable_check(struct nats_relay *nr, const jsConsumerInfo *ci)
{
	const struct nats_eventer_config *c = nr->cfg;

	if (ci->Config && ci->Config->AckWait == (int64_t)c->ack_wait_ms * 1000000 &&
	    ci->Config->MaxAckPending == c->max_ack_pending)
		return 0;
	tca_log(nr->host, TCA_LOG_ERR, 0, "durable %s of stream %s on %s has another ack_wait or "
		"max_ack_pending (collectors that share a durable must give it the same ack_wait and "
		"max_ack_pending)", c->durable, c->conn.stream, nr->conn.where);
	return -EINVAL;
}

int nats_pull_durable(struct nats_relay *nr)
{
	const struct nats_eventer_config *c = nr->cfg;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr;
	natsStatus s;
	int r;

	for (uint64_t end = now_ms() + DURABLE_RETRY_MS;;) {
		s = durable_find_or_add(nr, &ci, &jerr);
		if (!durable_retry(s, jerr) || now_ms() >= end)
			break;
		tca_log(nr->host, TCA_LOG_NOTICE, 0, "JetStream did not answer about durable %s in "
			"time; asking again (a leader election?)", c->durable);
	}
	if (s == NATS_OK) {
		r = durable_check(nr, ci);
		jsConsumerInfo_Destroy(ci);
		return r;
	}
	if (jerr == JS_STREAM_NOT_FOUND) {
		tca_log(nr->host, TCA_LOG_ERR, 0, "stream %s does not exist on %s; start an edge with "
			"--sink nats (it creates the stream), or give the stream= the edges publish to",
			c->conn.stream, nr->conn.where);
		return -ENOENT;
	}
	tca_log(nr->host, TCA_LOG_ERR, 0, "cannot consume stream %s as durable %s on %s: %s "
		"(collectors that share a durable must give it the same ack_wait and max_ack_pending)",
		c->conn.stream, c->durable, nr->conn.where, nats_last_error(s));
	/* NATS_ERR is JetStream's refusal of the durable's configuration. */
	return s == NATS_ERR || nats_status_errno(s) == -ENOENT ? -EINVAL : nats_status_errno(s);
}

int nats_pull_open(struct nats_relay *nr)
{
	struct nats_pull *p = &nr->pull;
	char subject[sizeof(p->inbox) + 2];
	natsInbox *inbox = NULL;
	natsStatus s;

	s = natsInbox_Create(&inbox);
	if (s != NATS_OK)
		return nats_status_errno(s);
	snprintf(p->inbox, sizeof(p->inbox), "%s", inbox);
	natsInbox_Destroy(inbox);
	/* Each pull answers on its own INBOX.N: a late status of an old pull
	 * must not end the current one. */
	snprintf(subject, sizeof(subject), "%s.*", p->inbox);
	s = natsConnection_SubscribeSync(&nr->sub, nr->conn.nc, subject);
	if (s == NATS_OK)
		/* The pulls ask for no more than the ring holds, so libnats's
		 * limits would only drop what JetStream has sent us. */
		s = natsSubscription_SetPendingLimits(nr->sub, -1, -1);
	if (s != NATS_OK) {
		tca_log(nr->host, TCA_LOG_ERR, 0, "cannot subscribe to an inbox on %s: %s",
			nr->conn.where, nats_last_error(s));
		return nats_status_errno(s);
	}
	return 0;
}

natsStatus nats_pull_request(struct nats_relay *nr, int batch)
{
	const struct nats_eventer_config *c = nr->cfg;
	struct nats_pull *p = &nr->pull;
	char subject[NATS_SUBJECT_MAX + 64], body[96];

	/* A pull published while reconnecting would wait in libnats's buffer
	 * with the others of the outage, and all of them would be answered
	 * at once, with more than the ring has room for. */
	if (natsConnection_Status(nr->conn.nc) != NATS_CONN_STATUS_CONNECTED)
		return NATS_CONNECTION_DISCONNECTED;
	p->status = 0;
	snprintf(p->reply, sizeof(p->reply), "%s.%" PRIu64, p->inbox, ++p->seq);
	snprintf(subject, sizeof(subject), "$JS.API.CONSUMER.MSG.NEXT.%s.%s", c->conn.stream,
		 c->durable);
	snprintf(body, sizeof(body), "{\"batch\":%d,\"expires\":%" PRIu64 "}", batch,
		 c->fetch_wait_ms * 1000000u);
	return natsConnection_PublishRequestString(nr->conn.nc, subject, p->reply, body);
}

enum nats_pull_kind nats_pull_kind(struct nats_relay *nr, natsMsg *m)
{
	struct nats_pull *p = &nr->pull;
	const char *status = NULL;
	const char *subject = natsMsg_GetSubject(m);
	bool current = subject && strcmp(subject, p->reply) == 0;

	if (natsMsg_GetDataLength(m) == 0 && natsMsgHeader_Get(m, "Status", &status) == NATS_OK &&
	    status) {
		/* 404 No Messages, 408 Request Timeout, 409 (a leader change, a
		 * limit): the pull is over. 503: no JetStream answers at all. */
		if (current)
			p->status = atoi(status);
		if (strncmp(status, "503", 3) == 0)
			return NATS_PULL_AWAY;
		return current ? NATS_PULL_END : NATS_PULL_STALE;
	}
	/* JetStream delivers a message under the subject it was published
	 * to, not the pull's reply subject: which pull brought it cannot be
	 * told, and does not matter (the ring has room for it, or gives it
	 * back). Only statuses come on the reply subject. */
	return NATS_PULL_MSG;
}

void nats_pull_reply(struct nats_relay *nr, natsMsg *m, const char *what)
{
	const char *reply = natsMsg_GetReply(m);

	/* Fire and forget: an ack lost with the connection only means one
	 * more delivery, which the store's keys make harmless. */
	if (reply && *reply)
		natsConnection_PublishString(nr->conn.nc, reply, what);
}
