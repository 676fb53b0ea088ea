/* SPDX-License-Identifier: MIT */
/*
 * Publishing: a batch of events goes out as asynchronous JetStream
 * publishes, one message each, and counts as stored up to its first event
 * the stream has not acknowledged. The acks arrive on a libnats thread;
 * each finds its event by the seq at the end of its Nats-Msg-Id.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nats-sink.h"

enum { ACK_WAITING = 0, ACK_STORED = 1, ACK_FAILED = 2 };

int nats_acks_init(struct nats_acks *a, size_t cap)
{
	a->done = calloc(cap ? cap : 1, 1);
	if (!a->done)
		return -ENOMEM;
	a->cap = cap;
	return -pthread_mutex_init(&a->lock, NULL);
}

void nats_acks_free(struct nats_acks *a)
{
	if (!a->done)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a->done);
	a->done = NULL;
}

/* The place of seq in the batch (its events are in seq order), or n. */
static size_t acks_find(const struct nats_acks *a, uint64_t seq)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->ev[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->ev[lo].seq == seq ? lo : a->n;
}

static void acks_note(struct nats_acks *a, const char *id, bool stored, const char *why)
{
	size_t at;

	if (!a->open || !id || strncmp(id, a->prefix, a->prefix_len) != 0)
		return; /* an ack of a batch given up on, or of another origin */
	at = acks_find(a, nats_msgid_seq(id));
	if (at == a->n || a->done[at] != ACK_WAITING)
		return;
	a->done[at] = stored ? ACK_STORED : ACK_FAILED;
	if (!stored && !a->why[0])
		snprintf(a->why, sizeof(a->why), "%s", why);
}

void nats_ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct nats_acks *a = closure;
	const char *id = NULL;
	const char *why = "no ack";

	(void)js;
	natsMsgHeader_Get(msg, "Nats-Msg-Id", &id);
	if (!pa && pae)
		why = pae->ErrText && *pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err);
	pthread_mutex_lock(&a->lock);
	acks_note(a, id, pa != NULL, why);
	pthread_mutex_unlock(&a->lock);
	natsMsg_Destroy(msg);
}

static void acks_begin(struct nats_acks *a, const struct tca_batch *b)
{
	size_t len;

	pthread_mutex_lock(&a->lock);
	a->ev = b->ev;
	a->n = b->n;
	memset(a->done, ACK_WAITING, b->n);
	a->why[0] = '\0';
	/* Every id of the batch starts with host:boot:run: and ends with its seq. */
	len = nats_msgid_event(a->prefix, sizeof(a->prefix), b->origin, 0);
	a->prefix_len = len ? len - 1 : 0;
	a->open = true;
	pthread_mutex_unlock(&a->lock);
}

/* Close the batch: later acks change nothing. Returns the acked prefix. */
static size_t acks_end(struct nats_acks *a, char *why, size_t whysize)
{
	size_t i;

	pthread_mutex_lock(&a->lock);
	a->open = false;
	for (i = 0; i < a->n && a->done[i] == ACK_STORED; i++)
		;
	if (a->why[0])
		snprintf(why, whysize, "%s", a->why);
	pthread_mutex_unlock(&a->lock);
	return i;
}

/* Messages still without an ack after the wait: take them back from the
 * library and drop them; the retry publishes them again, same ids. */
static void drop_pending(struct nats_sink *ns)
{
	natsMsgList pending;

	if (js_PublishAsyncGetPendingList(&pending, ns->js) == NATS_OK)
		natsMsgList_Destroy(&pending);
}

static bool connected(struct nats_sink *ns)
{
	if (natsConnection_Status(ns->nc) == NATS_CONN_STATUS_CONNECTED)
		return true;
	tca_retry_reason(ns->host, 0, "not connected to any of %s", ns->where);
	return false;
}

int nats_publish_events(struct nats_sink *ns, const struct tca_batch *b)
{
	char id[NATS_MSGID_MAX], why[160] = "";
	jsPubOptions po;
	natsStatus s = NATS_OK;
	size_t sent, stored;
	bool bad = false;

	if (b->n > ns->acks.cap)
		return -EINVAL; /* the writer honours limits(): a bug, not an outage */
	if (!connected(ns))
		return -EAGAIN;
	nats_subjects_for(ns, b->origin->host);
	acks_begin(&ns->acks, b);
	jsPubOptions_Init(&po);
	po.MaxWait = (int64_t)ns->cfg->ack_timeout_ms;
	po.MsgId = id;
	for (sent = 0; sent < b->n; sent++) {
		ssize_t len = wire_encode_event(ns->buf, sizeof(ns->buf), b->origin, &b->ev[sent]);

		if (len < 0) {
			bad = true; /* stop here: what went before is stored, this is refused */
			break;
		}
		nats_msgid_event(id, sizeof(id), b->origin, b->ev[sent].seq);
		s = js_PublishAsync(ns->js, ns->subj_events, ns->buf, (int)len, &po);
		if (s != NATS_OK) {
			snprintf(why, sizeof(why), "%s", nats_last_error(s));
			break;
		}
	}
	if (sent > 0 && js_PublishAsyncComplete(ns->js, &po) != NATS_OK)
		drop_pending(ns);
	stored = acks_end(&ns->acks, why, sizeof(why));
	if (stored == b->n)
		return (int)stored;
	if (bad && stored == sent && stored == 0)
		return -EBADMSG;
	if (!bad || stored < sent)
		tca_retry_reason(ns->host, 0, "stream %s took %zu of %zu events in %" PRIu64 " ms: %s",
				 ns->cfg->stream, stored, b->n, ns->cfg->ack_timeout_ms,
				 why[0] ? why : "no ack in time");
	return stored ? (int)stored : -EAGAIN;
}

int nats_publish_one(struct nats_sink *ns, const char *subject, const char *msgid,
		     const void *data, size_t len)
{
	jsPubOptions po;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	if (!connected(ns))
		return -EAGAIN;
	jsPubOptions_Init(&po);
	po.MaxWait = (int64_t)ns->cfg->ack_timeout_ms;
	po.MsgId = msgid;
	s = js_Publish(&pa, ns->js, subject, data, (int)len, &po, &jerr);
	if (s == NATS_OK) {
		jsPubAck_Destroy(pa);
		return 0;
	}
	tca_retry_reason(ns->host, 0, "stream %s did not take a record on %s: %s", ns->cfg->stream,
			 subject, nats_last_error(s));
	return -EAGAIN;
}
