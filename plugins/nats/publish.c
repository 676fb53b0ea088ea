/* SPDX-License-Identifier: MIT */
/*
 * Publishing: a batch of events goes out as asynchronous JetStream
 * publishes, one message each, and counts as stored up to its first event
 * the stream has not acknowledged. Acks that succeed cost nothing here
 * (no callback per message, as in a plain publisher); the events that did
 * not make it are the ones the library reports failed (on its thread) and
 * the ones still pending after the wait, each found by the seq in its
 * payload.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nats-sink.h"

int nats_acks_init(struct nats_acks *a)
{
	int r = pthread_mutex_init(&a->lock, NULL);

	a->ready = r == 0;
	return -r;
}

void nats_acks_free(struct nats_acks *a)
{
	if (a->ready)
		pthread_mutex_destroy(&a->lock);
	a->ready = false;
}

/* The place in the batch of the event a message carries (the batch's
 * events are in seq order), or n: not of this batch. */
static size_t acks_place(const struct nats_acks *a, const natsMsg *msg)
{
	const void *data = natsMsg_GetData((natsMsg *)msg);
	size_t len = (size_t)natsMsg_GetDataLength((natsMsg *)msg);
	size_t lo = 0, hi = a->n;
	uint64_t seq;

	if (wire_head_len(data, len) != a->head_len || memcmp(data, a->head, a->head_len) != 0 ||
	    wire_event_seq(data, len, &seq) < 0)
		return a->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->ev[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->ev[lo].seq == seq ? lo : a->n;
}

/* Under lock: the message's event, and all after it, are not stored. */
static void acks_fail(struct nats_acks *a, const natsMsg *msg, const char *why)
{
	size_t at;

	if (!a->open)
		return; /* a message of a batch given up on */
	at = acks_place(a, msg);
	if (at < a->first_bad)
		a->first_bad = at;
	if (why && !a->why[0])
		snprintf(a->why, sizeof(a->why), "%s", why);
}

void nats_ack_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
	struct nats_acks *a = closure;
	const char *why = pae->ErrText && *pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err);

	(void)js;
	pthread_mutex_lock(&a->lock);
	acks_fail(a, pae->Msg, why);
	pthread_mutex_unlock(&a->lock);
}

static void acks_begin(struct nats_acks *a, const struct tca_batch *b, const uint8_t *first,
		       size_t first_len)
{
	pthread_mutex_lock(&a->lock);
	a->ev = b->ev;
	a->n = b->n;
	a->first_bad = b->n;
	a->why[0] = '\0';
	/* Every message of the batch starts with these bytes. */
	a->head_len = wire_head_len(first, first_len);
	memcpy(a->head, first, a->head_len);
	a->open = true;
	pthread_mutex_unlock(&a->lock);
}

/* Messages still without an ack after the wait: taken back from the
 * library (the retry publishes them again, same ids), and not stored. */
static void acks_pending(struct nats_sink *ns)
{
	natsMsgList pending;

	if (js_PublishAsyncGetPendingList(&pending, ns->js) != NATS_OK)
		return;
	pthread_mutex_lock(&ns->acks.lock);
	for (int i = 0; i < pending.Count; i++)
		acks_fail(&ns->acks, pending.Msgs[i], NULL);
	pthread_mutex_unlock(&ns->acks.lock);
	natsMsgList_Destroy(&pending);
}

/* Close the batch: later reports change nothing. Returns the stored prefix. */
static size_t acks_end(struct nats_acks *a, size_t sent, char *why, size_t whysize)
{
	size_t stored;

	pthread_mutex_lock(&a->lock);
	a->open = false;
	stored = a->first_bad < sent ? a->first_bad : sent;
	if (a->why[0])
		snprintf(why, whysize, "%s", a->why);
	pthread_mutex_unlock(&a->lock);
	return stored;
}

static bool connected(struct nats_sink *ns)
{
	return nats_conn_up(ns);
}

int nats_publish_events(struct nats_sink *ns, const struct tca_batch *b)
{
	char id[NATS_MSGID_MAX], why[160] = "";
	jsPubOptions po, wait;
	natsStatus s = NATS_OK;
	size_t sent, stored;
	bool bad = false;

	if (b->n == 0)
		return 0;
	if (!connected(ns))
		return -EAGAIN;
	nats_subjects_for(ns, b->origin->host);
	/* No MaxWait per message: the wait for the whole batch below bounds
	 * it, and what is still pending then is taken back. With one,
	 * libnats 3.4.1 tracks every message (two allocations) and, at its
	 * deadline, queues a synthetic "timeout" message for it whether or
	 * not its ack came (js.c, _timeoutPubAsync), that is a whole batch of
	 * them just as the wait for that batch ends. Queued at close, they
	 * were freed by the reply subscription's own thread after
	 * nats_CloseAndWait() had stopped the library's garbage collector:
	 * LeakSanitizer saw them as leaks. */
	jsPubOptions_Init(&po);
	po.MsgId = id;
	jsPubOptions_Init(&wait);
	wait.MaxWait = (int64_t)ns->cfg->ack_timeout_ms;
	for (sent = 0; sent < b->n; sent++) {
		ssize_t len = wire_encode_event(ns->buf, sizeof(ns->buf), b->origin, &b->ev[sent]);

		if (len < 0) {
			bad = true; /* stop here: what went before is stored, this is refused */
			break;
		}
		if (sent == 0)
			acks_begin(&ns->acks, b, ns->buf, (size_t)len);
		nats_msgid_event(id, sizeof(id), b->origin, b->ev[sent].seq);
		s = js_PublishAsync(ns->js, ns->subj_events, ns->buf, (int)len, &po);
		if (s != NATS_OK) {
			snprintf(why, sizeof(why), "%s", nats_last_error(s));
			break;
		}
	}
	if (sent == 0 && bad)
		return -EBADMSG;
	if (sent == 0) {
		/* Nothing went out; the batch is closed all the same, so that no
		 * report can look at events the processor may free now. */
		acks_end(&ns->acks, 0, why, sizeof(why));
		tca_retry_reason(ns->host, 0, "publishing to %s: %s", ns->cfg->stream, why);
		return -EAGAIN;
	}
	if (js_PublishAsyncComplete(ns->js, &wait) != NATS_OK)
		acks_pending(ns);
	stored = acks_end(&ns->acks, sent, why, sizeof(why));
	if (stored == b->n)
		return (int)stored;
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
