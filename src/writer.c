/* SPDX-License-Identifier: MIT */
/* The writer thread: queue -> sinker, in batches. It alone decides what
 * is stored: it pops only what the sink says it stored, holds the rest
 * through outages with backoff (logging each outage once), turns refused
 * events into gap records, and writes the run and gap records. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "backoff.h"
#include "exit-status.h"
#include "log.h"
#include "processor.h"
#include "spool.h"
#include "writer-records.h"

/* Gap records given to the sink at once. */
#define GAP_BATCH 64
/* Name records given to the sink at once. */
#define NAME_BATCH 64
/* Name records waiting past which, in an outage, they go to the spool
 * even while the queue has room: a source of many new cgroups and few
 * events must not fill their ring. */
#define NAME_SPILL 4096

struct writer {
	struct processor *p;
	struct plugin *sinker;
	const struct tca_plugin *desc;
	void *state;
	struct backoff backoff;

	bool outage;               /* the last write said "retry later" */
	uint64_t outage_since_ms;
	uint64_t lost_at_outage;   /* stats_lost() when it began */
	char outage_reason[sizeof(((struct plugin *)0)->retry_reason)];

	size_t limit;              /* while finding refused events: most in one write */
	uint64_t bisect_end_seq;   /* ... until this seq (a relay's: hseq) is stored or refused */
	uint64_t refused_logged_ms;

	struct writer_records rec; /* run records still to store */

	struct spool *spool;
	size_t spool_high;         /* queue count past which events go to the spool */
	bool spooling_logged;      /* this outage's first move to the spool was logged */
	uint64_t spool_dropped;    /* of the spool's dropped events, those counted lost */

	struct relay *relay;       /* NULL unless the eventer is a relay */
	/* The gap of a relayed event the store refused, stored before the
	 * next write: records in the ring may follow later events. */
	struct relay_rec refused;
	bool has_refused;

	bool names_unkept_logged;  /* the sink without write_names() was said once */
	uint64_t spool_names_dropped; /* of the spool's dropped names, those counted lost */
};

static void writer_durable(struct writer *w, uint64_t seq);
static bool writer_spill(struct writer *w, size_t keep);
static bool writer_spill_names(struct writer *w);

static void writer_reopen(struct writer *w)
{
	int r;

	flag_set(w->p->reopen, false);
	if (!w->desc->ops.sinker.reopen) {
		log_notice("SIGHUP: sinker '%s' has no output files to reopen; nothing to do",
			   w->desc->name);
		return;
	}
	r = w->desc->ops.sinker.reopen(w->state);
	if (r < 0)
		log_full(w->desc->name, TCA_LOG_ERR, -r, "SIGHUP: reopening the output failed");
	else
		log_notice("SIGHUP: sinker '%s' reopened its output", w->desc->name);
}

static const char *writer_reason(struct writer *w)
{
	return w->sinker->retry_reason[0] ? w->sinker->retry_reason : "no reason given";
}

/* Past the high-water mark, the oldest queued events go to the spool;
 * so do the name records, past their own mark. */
static void writer_relieve(struct writer *w)
{
	/* A relay's source holds the backlog: its items are not spooled. */
	if (w->relay)
		return;
	if (w->spool->enabled && queue_count(&w->p->queue) > w->spool_high)
		writer_spill(w, w->spool_high / 2);
	/* Ahead of every queued event, since the spool is stored first. */
	else if (w->spool->enabled && namerecs_count(&w->p->names) > NAME_SPILL &&
		 writer_spill_names(w))
		spool_sync(w->spool, false);
}

/* Back off for delay ms; meanwhile, past the high-water mark, move the
 * oldest queued events to the spool, so that the reader always finds
 * room. Slices keep the queue watched at any delay of the backoff. */
static void writer_sleep(struct writer *w, uint64_t delay)
{
	uint64_t end = queue_now_ms() + delay;

	for (;;) {
		uint64_t now;
		writer_relieve(w);
		now = queue_now_ms();
		if (now >= end || flag_get(w->p->force))
			return;
		if (queue_sleep(&w->p->queue, end - now < 50 ? end - now : 50))
			return;
	}
}

/* "Retry later": log when an outage starts and when its reason changes,
 * then wait. Returns false when the writer must give up (forced, or out
 * of time at exit). */
static bool writer_hold(struct writer *w)
{
	uint64_t deadline = flag_get(w->p->deadline_ms);
	uint64_t delay;

	stats_add(w->p->stats.retries, 1);
	if (!w->outage) {
		w->outage = true;
		w->outage_since_ms = queue_now_ms();
		w->lost_at_outage = stats_lost(&w->p->stats);
		snprintf(w->outage_reason, sizeof(w->outage_reason), "%s", writer_reason(w));
		log_full(w->desc->name, TCA_LOG_WARNING, 0,
			 "cannot store events: %s; keeping them in the queue (%zu now) and retrying "
			 "with backoff", w->outage_reason, queue_count(&w->p->queue));
	} else if (strcmp(w->outage_reason, writer_reason(w)) != 0) {
		snprintf(w->outage_reason, sizeof(w->outage_reason), "%s", writer_reason(w));
		log_full(w->desc->name, TCA_LOG_WARNING, 0, "still cannot store events: %s",
			 w->outage_reason);
	}
	if (flag_get(w->p->force))
		return false;
	delay = backoff_next(&w->backoff);
	if (deadline) {
		uint64_t now = queue_now_ms();
		if (now >= deadline)
			return false;
		if (now + delay > deadline)
			delay = deadline - now;
	}
	writer_sleep(w, delay);
	return !flag_get(w->p->force);
}

static void writer_recovered(struct writer *w)
{
	uint64_t lost;
	double secs;

	w->sinker->retry_reason[0] = '\0';
	if (!w->outage)
		return;
	/* The held batch is never lost, but the queue may have filled up
	 * meanwhile: the gap records say exactly which events. */
	lost = stats_lost(&w->p->stats) - w->lost_at_outage;
	secs = (double)(queue_now_ms() - w->outage_since_ms) / 1000.0;
	if (lost)
		log_full(w->desc->name, TCA_LOG_WARNING, 0,
			 "stores events again after %.1f s and %u retries; %" PRIu64
			 " events were lost meanwhile, each recorded in a gap record", secs,
			 w->backoff.attempts, lost);
	else
		log_full(w->desc->name, TCA_LOG_NOTICE, 0,
			 "stores events again after %.1f s and %u retries; no event was lost meanwhile",
			 secs, w->backoff.attempts);
	w->outage = false;
	w->spooling_logged = false;
	backoff_reset(&w->backoff);
}

/* Everything up to seq is now stored or in a stored gap. */
static void writer_durable(struct writer *w, uint64_t seq)
{
	if (seq <= w->p->durable_seq)
		return;
	__atomic_store_n(&w->p->durable_seq, seq, __ATOMIC_RELEASE);
	w->p->runstate.cur.durable_seq = seq;
	w->p->runstate.cur.last_seq = __atomic_load_n(&w->p->last_seq, __ATOMIC_ACQUIRE);
	runstate_save(&w->p->runstate);
}

/* A sink call that may say "retry later". Returns 1 when done, 0 to try
 * again after holding, or an exit status. */
static int writer_outcome(struct writer *w, int r, const char *what)
{
	if (r >= 0)
		return 1;
	if (r == -EAGAIN)
		return writer_hold(w) ? 0 : EXIT_TEMPFAIL;
	log_full(w->desc->name, TCA_LOG_ERR, -r, "storing %s failed; stopping", what);
	return EXIT_RUNTIME;
}

/* Every relayed item up to hseq is settled: tell the reader, for the eventer. */
static void writer_relay_durable(struct writer *w, uint64_t hseq)
{
	if (relay_settle(w->relay, hseq))
		processor_relay_settled(w->p);
}

/* With the queue and the gap ring empty, all that was pushed is settled. */
static void writer_settle_idle(struct writer *w)
{
	uint64_t pushed = __atomic_load_n(&w->p->last_seq, __ATOMIC_ACQUIRE);

	if (w->relay) {
		/* Loaded before the counts, as for the run's own seqs: an
		 * item handed over before it is then queued, or stored. */
		uint64_t handed = relay_handed(w->relay);
		if (queue_count(&w->p->queue) == 0 && relay_count(w->relay) == 0 &&
		    !w->has_refused && handed)
			writer_relay_durable(w, handed);
		/* The queue holds only relayed events: the run's own seqs are
		 * gaps, settled once the gap ring is empty. */
		if (gaps_count(&w->p->gaps) == 0 && pushed)
			writer_durable(w, pushed);
		return;
	}
	if (queue_count(&w->p->queue) == 0 && gaps_count(&w->p->gaps) == 0 && pushed)
		writer_durable(w, pushed);
}

/* Name records to the sink under origin (all or none). A sink without
 * write_names() keeps ids only: they are dropped, counted, and said once.
 * Returns the sink's result. */
static int writer_call_names(struct writer *w, const struct tca_origin *origin,
			     const struct tca_name *nm, size_t n)
{
	int r;

	if (!w->desc->write_names) {
		stats_add(w->p->stats.names_unkept, n);
		if (!w->names_unkept_logged)
			log_full(w->desc->name, TCA_LOG_NOTICE, 0,
				 "this sink has no write_names(): the store keeps the events' cgroup "
				 "ids, without the paths the eventer resolved for them");
		w->names_unkept_logged = true;
		return 0;
	}
	heartbeat_enter(&w->p->writer_beat, "write_names()");
	r = w->desc->write_names(w->state, origin, nm, n);
	heartbeat_leave(&w->p->writer_beat);
	if (r >= 0)
		stats_add(w->p->stats.names, n);
	return r;
}

/* Store the waiting name records of this run, oldest first: before any
 * batch, since the reader adds the names of a read call before it queues
 * the call's events. Returns 1 when none is left, 0 to try again, or an
 * exit status. */
static int writer_flush_names(struct writer *w)
{
	struct tca_name nm[NAME_BATCH];
	size_t n;

	while ((n = namerecs_peek(&w->p->names, nm, NAME_BATCH))) {
		int r = writer_outcome(w, writer_call_names(w, &w->p->origin, nm, n), "name records");
		if (r != 1)
			return r;
		namerecs_pop(&w->p->names, n);
	}
	return 1;
}

/* Store the relayed name records at the head of rec[0..n) that share the
 * first one's origin. Returns how many, 0 to try again, or a negative
 * exit status. */
static int writer_relay_names(struct writer *w, const struct relay_rec *rec, size_t n)
{
	struct tca_name nm[NAME_BATCH];
	size_t k = 0;
	int r;

	while (k < n && k < NAME_BATCH && rec[k].type == TCA_RELAY_NAME && rec[k].origin == rec[0].origin) {
		nm[k] = rec[k].u.name;
		k++;
	}
	r = writer_call_names(w, relay_origin(w->relay, rec[0].origin), nm, k);
	r = writer_outcome(w, r, "relayed name records");
	return r == 1 ? (int)k : -r;
}

/* Store the first records of rec[0..n) that go in one call: a run record,
 * or the gap or name records of one origin. Returns how many it stored, 0
 * to try again, or a negative exit status. */
static int writer_relay_call(struct writer *w, const struct relay_rec *rec, size_t n)
{
	const struct tca_sinker_ops *ops = &w->desc->ops.sinker;
	int r = 0;

	if (rec[0].type == TCA_RELAY_NAME)
		return writer_relay_names(w, rec, n);
	if (rec[0].type == TCA_RELAY_RUN) {
		struct tca_run run = rec[0].u.run;
		run.origin = *relay_origin(w->relay, rec[0].origin);
		if (ops->write_run) {
			heartbeat_enter(&w->p->writer_beat, "write_run()");
			r = ops->write_run(w->state, &run);
			heartbeat_leave(&w->p->writer_beat);
		}
		r = writer_outcome(w, r, "a relayed run record");
		return r == 1 ? 1 : -r;
	}
	struct tca_gap g[GAP_BATCH];
	size_t k = 0;
	while (k < n && k < GAP_BATCH && rec[k].type == TCA_RELAY_GAP && rec[k].origin == rec[0].origin) {
		g[k] = rec[k].u.gap;
		k++;
	}
	if (ops->write_gaps) {
		heartbeat_enter(&w->p->writer_beat, "write_gaps()");
		r = ops->write_gaps(w->state, relay_origin(w->relay, rec[0].origin), g, k);
		heartbeat_leave(&w->p->writer_beat);
	}
	r = writer_outcome(w, r, "relayed gap records");
	if (r == 1)
		stats_add(w->p->stats.gaps, k);
	return r == 1 ? (int)k : -r;
}

/* The hand-over number of the oldest queued event, or UINT64_MAX when
 * the queue is empty. */
static uint64_t writer_relay_head(struct writer *w)
{
	const struct tca_event *ev;

	if (!queue_peek(&w->p->queue, &ev))
		return UINT64_MAX;
	return queue_tags_of(&w->p->queue, ev)[0].hseq;
}

/* Of rec[0..n), how many were handed over before the oldest queued
 * event: only those go before it, so that a store that crashes between
 * two writes never holds a record (a run's end) without the events
 * handed over ahead of it. */
static size_t writer_relay_due(struct writer *w, const struct relay_rec *rec, size_t n)
{
	uint64_t head = writer_relay_head(w);
	size_t k = 0;

	while (k < n && rec[k].hseq < head)
		k++;
	return k;
}

/* Store the relay's waiting records that are due, oldest first. Returns
 * 1 when none of them is left, 0 to try again, or an exit status. */
static int writer_flush_relay(struct writer *w)
{
	struct relay_rec rec[GAP_BATCH];
	size_t n;

	if (w->has_refused) {
		int k = writer_relay_call(w, &w->refused, 1);
		if (k <= 0)
			return -k;
		w->has_refused = false;
		writer_settle_idle(w);
	}
	while ((n = writer_relay_due(w, rec, relay_peek(w->relay, rec, GAP_BATCH)))) {
		for (size_t i = 0; i < n;) {
			int k = writer_relay_call(w, rec + i, n - i);
			if (k <= 0)
				return -k;
			relay_pop(w->relay, (size_t)k);
			i += (size_t)k;
		}
		writer_settle_idle(w);
	}
	return 1;
}

/* Store the waiting name and gap records, oldest first. Returns 1 when
 * none is left, 0 to try again, or an exit status. */
static int writer_flush_gaps(struct writer *w)
{
	struct tca_gap g[GAP_BATCH];
	size_t n;
	int nr = writer_flush_names(w);

	if (nr != 1)
		return nr;
	while ((n = gaps_peek(&w->p->gaps, g, GAP_BATCH))) {
		int r = 0;
		if (w->desc->ops.sinker.write_gaps) {
			heartbeat_enter(&w->p->writer_beat, "write_gaps()");
			r = w->desc->ops.sinker.write_gaps(w->state, &w->p->origin, g, n);
			heartbeat_leave(&w->p->writer_beat);
		}
		r = writer_outcome(w, r, "gap records");
		if (r != 1)
			return r;
		gaps_pop(&w->p->gaps, n);
		stats_add(w->p->stats.gaps, n);
		writer_settle_idle(w);
	}
	return w->relay ? writer_flush_relay(w) : 1;
}

/* Store the waiting run records and gap records. */
static int writer_flush_meta(struct writer *w)
{
	int r = writer_records_flush(&w->rec, w->desc, w->state, &w->p->writer_beat);

	r = writer_outcome(w, r, "the run record");
	if (r != 1)
		return r;
	return writer_flush_gaps(w);
}

/* Where ev[i] is in the order of the queue: its seq, or for a relay,
 * whose seqs are per origin, its hseq. */
static uint64_t writer_pos(struct writer *w, const struct tca_event *ev, size_t i)
{
	return w->relay ? queue_tags_of(&w->p->queue, ev)[i].hseq : ev[i].seq;
}

/* A relayed event refused for good is a gap of its origin's run, stored
 * before the next write (and held before the queue pops the event, so
 * that nothing says it is settled before the gap is stored). */
static void writer_relay_refused(struct writer *w, const struct tca_event *ev, struct tca_gap *g)
{
	const struct queue_tag *tag = queue_tags_of(&w->p->queue, ev);
	struct relay_rec rec = { .hseq = tag->hseq, .origin = tag->origin, .type = TCA_RELAY_GAP };

	g->run_id = relay_origin(w->relay, tag->origin)->run_id;
	rec.u.gap = *g;
	/* The last one was stored before this batch was written. */
	if (w->has_refused)
		relay_break(w->relay);
	w->refused = rec;
	w->has_refused = true;
}

/* The store refused ev[0..n) for good. Find the refused events by halving
 * the batch; a single refused event becomes a gap record. */
static void writer_refused(struct writer *w, const struct tca_event *ev, size_t n)
{
	uint64_t now = queue_now_ms();

	if (n > 1) {
		w->limit = n / 2;
		if (writer_pos(w, ev, n - 1) > w->bisect_end_seq)
			w->bisect_end_seq = writer_pos(w, ev, n - 1);
		return;
	}
	struct tca_gap g = {
		.run_id = w->p->origin.run_id,
		.first_seq = ev[0].seq,
		.count = 1,
		.time_ns = processor_realtime_ns(),
		.reason = TCA_GAP_REFUSED,
		.cpu = -1,
	};
	if (w->relay)
		writer_relay_refused(w, ev, &g);
	else
		gaps_add(&w->p->gaps, &g);
	stats_add(w->p->stats.lost_refused, 1);
	queue_pop(&w->p->queue, 1);
	if (now - w->refused_logged_ms >= 10000) {
		log_full(w->desc->name, TCA_LOG_WARNING, 0,
			 "the store refused event %" PRIu64 " for good (%s); it is recorded as a gap "
			 "(reason refused), and the rest goes on", ev[0].seq, writer_reason(w));
		w->refused_logged_ms = now;
	}
}

/* Store one batch. Returns 1 when it moved on, 0 to try again, or an exit status. */
static int writer_store(struct writer *w, const struct tca_event *ev, size_t n)
{
	struct tca_batch b = { .origin = &w->p->origin, .ev = ev, .n = n };
	const struct queue_tag *tags = NULL;
	int r;

	if (n > w->limit)
		b.n = n = w->limit;
	if (w->relay) {
		/* One origin per write: the batch ends where it changes. */
		tags = queue_tags_of(&w->p->queue, ev);
		for (size_t i = 1; i < n; i++)
			if (tags[i].origin != tags[0].origin) {
				b.n = n = i;
				break;
			}
		b.origin = relay_origin(w->relay, tags[0].origin);
	}
	heartbeat_enter(&w->p->writer_beat, "write()");
	r = w->desc->ops.sinker.write(w->state, &b);
	heartbeat_leave(&w->p->writer_beat);
	if (r == -EBADMSG) {
		writer_refused(w, ev, n);
		return 1;
	}
	if (r == 0 && n > 0)
		r = -EAGAIN; /* nothing stored and no reason: a sink's "not now" */
	if (r > 0) {
		size_t stored = (size_t)r < n ? (size_t)r : n;
		queue_pop(&w->p->queue, stored);
		stats_add(w->p->stats.written, stored);
		stats_add(w->p->stats.batches, 1);
		if (tags) {
			writer_relay_durable(w, tags[stored - 1].hseq);
			/* A record handed over after these events may have been
			 * stored before them (records do not wait in the queue):
			 * with both empty now, everything handed over is stored,
			 * and nothing else may come to say so. */
			writer_settle_idle(w);
		} else {
			writer_durable(w, ev[stored - 1].seq);
		}
		if (writer_pos(w, ev, stored - 1) >= w->bisect_end_seq)
			w->limit = SIZE_MAX;
		else if (w->limit < SIZE_MAX / 2)
			w->limit *= 2; /* past the refused event: speed up again */
		/* Progress, even if partial: the rest goes in the next write
		 * at once, and only a write that stores nothing holds. */
		writer_recovered(w);
		return 1;
	}
	return writer_outcome(w, r, "events");
}

/* Events drop-oldest deleted from the spool are lost, like any other;
 * so are the name records deleted with them. */
static void writer_count_drops(struct writer *w)
{
	uint64_t d = w->spool->dropped_events - w->spool_dropped;
	uint64_t dn = w->spool->dropped_names - w->spool_names_dropped;

	if (d) {
		stats_add(w->p->stats.lost_spool, d);
		w->spool_dropped += d;
	}
	if (dn) {
		stats_add(w->p->stats.names_lost, dn);
		w->spool_names_dropped += dn;
	}
}

/* Move the waiting name records to the spool. Called after the queue is
 * peeked, so that the names of every event about to be spooled (added
 * before the event was queued) go in ahead of it. Returns false when the
 * spool took less than all. */
static bool writer_spill_names(struct writer *w)
{
	struct tca_name nm[NAME_BATCH];
	size_t n;

	while ((n = namerecs_peek(&w->p->names, nm, NAME_BATCH))) {
		size_t put = spool_put_names(w->spool, &w->p->origin, nm, n);
		namerecs_pop(&w->p->names, put);
		if (put < n)
			return false;
	}
	return true;
}

/*
 * Move the waiting gap records, then the oldest queued events (each span
 * after the name records waiting for it), to the spool until at most
 * keep events are queued. The spool then holds
 * everything older than the queue, so replaying it first keeps the order.
 * Spooled events are settled for the run-state file: a later run replays
 * them. Returns false when the spool took less than asked.
 */
static bool writer_spill(struct writer *w, size_t keep)
{
	struct queue *q = &w->p->queue;
	const struct tca_event *ev;
	struct tca_gap g[GAP_BATCH];
	uint64_t last = 0, moved = 0;
	bool ok = true;
	size_t n;

	while ((n = gaps_peek(&w->p->gaps, g, GAP_BATCH))) {
		if (spool_put_gaps(w->spool, &w->p->origin, g, n) < 0) {
			ok = false;
			break;
		}
		gaps_pop(&w->p->gaps, n);
	}
	while (ok && queue_count(q) > keep && (n = queue_peek(q, &ev))) {
		size_t over = queue_count(q) - keep, put;
		if (!writer_spill_names(w)) {
			ok = false;
			break;
		}
		n = n < over ? n : over;
		put = spool_put_events(w->spool, &w->p->origin, ev, n);
		if (put) {
			last = ev[put - 1].seq;
			moved += put;
			queue_pop(q, put);
		}
		if (put < n)
			ok = false;
	}
	/* At the end (keep 0), names whose events were lost or stored go too:
	 * later runs' events may carry the same ids. */
	if (ok && keep == 0)
		ok = writer_spill_names(w);
	writer_count_drops(w);
	if (spool_sync(w->spool, false) < 0)
		return false;
	if (moved && keep && !w->spooling_logged) {
		log_notice("the queue is %zu%% full while the store is unavailable: moving its oldest "
			   "events to the spool in %s (%" PRIu64 " now), to be stored first when it is back",
			   (size_t)w->p->spool_high_water, w->spool->dir, moved);
		w->spooling_logged = true;
	}
	/* Any gap before last was recorded before event last was pushed,
	 * so it was in the spool before it. */
	if (last)
		writer_durable(w, last);
	return ok;
}

/* Store the oldest spooled record, with its own origin. Returns 1 when
 * it moved on, 0 to try again, or an exit status. */
static int writer_replay(struct writer *w)
{
	struct spool_item *it;
	struct tca_run run;
	int r = spool_next(w->spool, &it);

	if (r <= 0) {
		if (r < 0) {
			log_error("spool: replay stopped; the spool is left as it is for the next run");
			w->spool->enabled = false;
		}
		return 1;
	}
	switch (it->type) {
	case SPOOL_EVENTS: {
		const struct tca_event *ev = (const struct tca_event *)it->data + it->done;
		struct tca_batch b = { .origin = it->origin, .ev = ev, .n = it->n - it->done };
		/* A record may hold more than this sink takes at once. */
		if (b.n > w->p->queue.batch_max)
			b.n = w->p->queue.batch_max;
		heartbeat_enter(&w->p->writer_beat, "write()");
		r = w->desc->ops.sinker.write(w->state, &b);
		heartbeat_leave(&w->p->writer_beat);
		if (r == -EBADMSG) {
			/* No halving here: a replayed batch is a past run's,
			 * so its refused events are recorded all at once. */
			stats_add(w->p->stats.lost_refused,
				  gaps_add_events(&w->p->gaps, it->origin->run_id, ev, b.n,
						  TCA_GAP_REFUSED, processor_realtime_ns()));
			spool_consume(w->spool, b.n);
			return 1;
		}
		if (r == 0)
			r = -EAGAIN;
		if (r > 0) {
			size_t stored = (size_t)r < b.n ? (size_t)r : b.n;
			spool_consume(w->spool, stored);
			stats_add(w->p->stats.written, stored);
			stats_add(w->p->stats.batches, 1);
			writer_recovered(w);
			return 1;
		}
		return writer_outcome(w, r, "spooled events");
	}
	case SPOOL_GAPS:
		r = 0;
		if (w->desc->ops.sinker.write_gaps) {
			heartbeat_enter(&w->p->writer_beat, "write_gaps()");
			r = w->desc->ops.sinker.write_gaps(w->state, it->origin, it->data, it->n);
			heartbeat_leave(&w->p->writer_beat);
		}
		if (r >= 0) {
			stats_add(w->p->stats.gaps, it->n);
			spool_consume(w->spool, it->n);
		}
		return writer_outcome(w, r, "spooled gap records");
	case SPOOL_NAMES:
		r = writer_call_names(w, it->origin, it->data, it->n);
		if (r >= 0)
			spool_consume(w->spool, it->n);
		return writer_outcome(w, r, "spooled name records");
	case SPOOL_RUN:
		spool_run_get(it->data, &run);
		r = 0;
		if (w->desc->ops.sinker.write_run) {
			heartbeat_enter(&w->p->writer_beat, "write_run()");
			r = w->desc->ops.sinker.write_run(w->state, &run);
			heartbeat_leave(&w->p->writer_beat);
		}
		if (r >= 0)
			spool_consume(w->spool, 1);
		return writer_outcome(w, r, "a spooled run record");
	}
	return 1;
}

static bool writer_out_of_time(struct writer *w)
{
	uint64_t deadline = flag_get(w->p->deadline_ms);

	return deadline && queue_now_ms() >= deadline;
}

/* Returns 0 when the queue is closed and empty, or an exit status. */
static int writer_loop(struct writer *w)
{
	const struct tca_event *ev;
	struct queue *q = &w->p->queue;

	for (;;) {
		size_t n;
		int r;

		if (flag_get(w->p->reopen))
			writer_reopen(w);
		if (flag_get(w->p->force) || writer_out_of_time(w))
			return 0;
		r = writer_flush_meta(w);
		if (r == 0)
			continue;
		if (r != 1)
			return r == EXIT_TEMPFAIL ? 0 : r;
		/* The spool holds older events than the queue: it goes first. */
		if (spool_pending(w->spool)) {
			/* Replaying may be slower than the source: the queue
			 * must not fill up behind it either. */
			writer_relieve(w);
			r = writer_replay(w);
			if (r != 0 && r != 1)
				return r == EXIT_TEMPFAIL ? 0 : r;
			continue;
		}
		n = queue_wait_batch(q, &ev);
		if (n == 0) {
			writer_settle_idle(w);
			/* A relay's last records may follow its last events. */
			if (queue_is_closed(q) && queue_count(q) == 0 &&
			    (!w->relay || relay_count(w->relay) == 0))
				return 0;
			continue;
		}
		/* Gaps before these events were recorded before they were
		 * pushed: store them first, so that "durable up to seq" holds. */
		r = writer_flush_gaps(w);
		if (r == 1)
			r = writer_store(w, ev, n);
		if (r != 0 && r != 1)
			return r == EXIT_TEMPFAIL ? 0 : r;
	}
}

/* What is still queued will never be stored: gap records over it. */
static void writer_unflushed(struct writer *w)
{
	const struct tca_event *ev;
	uint64_t left = 0;
	size_t n;

	while ((n = queue_peek(&w->p->queue, &ev))) {
		left += gaps_add_events(&w->p->gaps, w->p->origin.run_id, ev, n, TCA_GAP_UNFLUSHED,
					processor_realtime_ns());
		queue_pop(&w->p->queue, n);
	}
	if (!left)
		return;
	stats_add(w->p->stats.lost_unflushed, left);
	log_error("%" PRIu64 " events could not be stored before exit (%s); they are recorded as "
		  "gaps (reason unflushed)", left,
		  w->p->writer_status ? "the sink failed" :
		  flag_get(w->p->force) ? "forced exit" :
		  w->outage ? "the store was still unavailable" :
				"shutdown timeout; raise --shutdown-timeout");
}

/* At exit, the relayed items the store did not take are left unsettled,
 * for the source to deliver again: no gap claims them lost, and the
 * queue is empty for the run's own end. */
static void writer_relay_leave(struct writer *w)
{
	const struct tca_event *ev;
	size_t left = relay_count(w->relay), n;

	relay_break(w->relay);
	relay_pop(w->relay, left);
	left += w->has_refused;
	w->has_refused = false;
	while ((n = queue_peek(&w->p->queue, &ev))) {
		left += n;
		queue_pop(&w->p->queue, n);
	}
	if (left)
		log_warning("relay: %zu relayed items could not be stored before exit; they are not "
			    "acknowledged, so the source delivers them again", left);
}

/* At exit, what the store did not take goes to the spool: the queue
 * with the gaps before it, the records the run still owes, and its end.
 * Returns whether the whole end is settled there. */
static bool writer_spool_end(struct writer *w)
{
	struct tca_run end;
	int r;

	if (!writer_spill(w, 0))
		return false;
	writer_records_end_run(&w->p->runstate.cur, &w->p->origin, &end);
	r = writer_records_spool(&w->rec, w->spool, &w->p->origin, &end);
	writer_count_drops(w);
	if (r < 0 || spool_sync(w->spool, true) < 0)
		return false;
	writer_durable(w, w->p->runstate.cur.last_seq);
	log_notice("spool: what the store did not take (events up to %" PRIu64 ", gap records and "
		   "the run's end record) waits in %s for the next start", w->p->runstate.cur.last_seq,
		   w->spool->dir);
	return true;
}

/* At exit, without a spool: the waiting name records, tried once. */
static void writer_names_end(struct writer *w)
{
	struct tca_name nm[NAME_BATCH];
	size_t n;

	while ((n = namerecs_peek(&w->p->names, nm, NAME_BATCH))) {
		if (writer_call_names(w, &w->p->origin, nm, n) < 0)
			return;
		namerecs_pop(&w->p->names, n);
	}
}

/* Name records still waiting at the very end are lost: said and counted. */
static void writer_names_left(struct writer *w)
{
	size_t left = namerecs_count(&w->p->names);

	if (!left)
		return;
	namerecs_pop(&w->p->names, left);
	stats_add(w->p->stats.names_lost, left);
	log_error("%zu name records could not be stored before exit (%s); the store keeps the ids "
		  "of their events without a name", left,
		  w->outage ? "the store was still unavailable" : "the sink failed");
}

/* The end of the run: its last names and gaps and its final record,
 * tried once each, since the store may be why the run ends; with a
 * spool, what the store did not take waits there for the next run. */
static void writer_finish(struct writer *w)
{
	int status = w->p->writer_status ? w->p->writer_status : w->p->reader_status;
	bool stored = false, spooled = false;
	bool to_spool;

	/* The reader's last seq is final only once it has stopped; a closed
	 * queue takes nothing more, so what it reads now becomes a gap. */
	queue_close(&w->p->queue);
	while (!flag_get(w->p->reader_done))
		queue_sleep(&w->p->queue, 10);
	w->p->runstate.cur.last_seq = __atomic_load_n(&w->p->last_seq, __ATOMIC_ACQUIRE);
	w->p->runstate.cur.end_ns = processor_realtime_ns();
	w->p->runstate.cur.state = status ? TCA_RUN_FAILED : TCA_RUN_CLEAN;
	if (w->relay)
		writer_relay_leave(w);
	/* Behind the spool, the store cannot take the rest in order now. */
	to_spool = w->spool->enabled && (queue_count(&w->p->queue) > 0 || spool_pending(w->spool));
	if (to_spool)
		spooled = writer_spool_end(w);
	if (!spooled)
		writer_unflushed(w);
	if (!spooled && w->p->writer_status != EXIT_RUNTIME) {
		struct tca_gap g[GAP_BATCH];
		size_t n;
		int r = 0;
		/* Once each, with no backoff: a store that is down now
		 * cannot take them before the exit. */
		writer_names_end(w);
		while (r >= 0 && (n = gaps_peek(&w->p->gaps, g, GAP_BATCH))) {
			if (!w->desc->ops.sinker.write_gaps)
				break;
			r = w->desc->ops.sinker.write_gaps(w->state, &w->p->origin, g, n);
			if (r >= 0) {
				gaps_pop(&w->p->gaps, n);
				stats_add(w->p->stats.gaps, n);
			}
		}
		if (r >= 0 && gaps_count(&w->p->gaps) == 0 && queue_count(&w->p->queue) == 0) {
			writer_durable(w, w->p->runstate.cur.last_seq);
			stored = writer_records_end(&w->rec, w->desc, w->state, &w->p->runstate.cur,
						    &w->p->origin) >= 0;
		}
	}
	/* The store down at the very end: the gaps and the end record can
	 * still wait in the spool, instead of being rebuilt by the next run. */
	if (!stored && !spooled && w->spool->enabled && !w->spool->full &&
	    queue_count(&w->p->queue) == 0)
		spooled = writer_spool_end(w);
	writer_names_left(w);
	w->p->runstate.cur.end_stored = stored || spooled;
	runstate_save(&w->p->runstate);
	if (w->spool->put_events || w->spool->got_events || w->spool->cut_segments ||
	    w->spool->full_count || w->spool->put_names)
		log_info("spool: %" PRIu64 " events went through the spool (%" PRIu64 " bytes written), "
			 "%" PRIu64 " were replayed from it; it was full %" PRIu64 " times; %" PRIu64
			 " were dropped from it; %" PRIu64 " damaged segments cut", w->spool->put_events,
			 w->spool->put_bytes, w->spool->got_events, w->spool->full_count,
			 w->spool->dropped_events, w->spool->cut_segments);
	if (!stored && !spooled)
		log_warning("the store did not take the end of this run (its last %" PRIu64
			    " events or gaps, and its final record); the next run records it",
			    w->p->runstate.cur.last_seq - w->p->runstate.cur.durable_seq);
}

void *writer_main(void *arg)
{
	struct writer w = { .p = arg, .limit = SIZE_MAX };

	w.sinker = w.p->sinker;
	w.desc = w.sinker->desc;
	w.state = w.sinker->state;
	backoff_init(&w.backoff, 100, 5000, (uint32_t)w.sinker->host.run_id);
	writer_records_start(&w.rec, &w.p->runstate, &w.p->origin, w.p->start_ns, &w.p->gaps);
	w.spool = &w.p->spool;
	w.spool->run_start_ns = w.p->start_ns;
	w.spool->run_prev_id = w.p->runstate.cur.prev_run_id;
	w.spool->gaps = &w.p->gaps;
	w.spool_high = queue_capacity(&w.p->queue) * w.p->spool_high_water / 100;
	w.relay = w.p->relaying ? &w.p->relay : NULL;

	w.p->writer_status = writer_loop(&w);
	/* Nothing more can be stored: the reader must not go on. */
	if (w.p->writer_status)
		processor_stop_reading(w.p);
	writer_finish(&w);
	queue_close(&w.p->queue);
	flag_set(w.p->writer_done, true);
	processor_thread_done(w.p);
	return NULL;
}
