/* SPDX-License-Identifier: MIT */
/* The writer thread: queue -> sinker, in batches, holding a batch and
 * retrying with backoff for as long as the sink says "retry later". */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "backoff.h"
#include "exit-status.h"
#include "log.h"
#include "processor.h"

struct writer {
	struct processor *p;
	const struct tca_plugin *desc;
	void *state;
	struct backoff backoff;
	bool outage;             /* the last write said "retry later" */
	uint64_t outage_since_ms;
	uint64_t lost_at_write;  /* stats_lost() at the last stored batch */
};

static void writer_update_stats(struct writer *w)
{
	struct tca_plugin_stats st = { 0 };

	if (!w->desc->stats)
		return;
	w->desc->stats(w->state, &st);
	stats_set(w->p->stats.lost_store, st.lost);
}

static void writer_reopen(struct writer *w)
{
	int r;

	flag_set(w->p->reopen, false);
	if (!w->desc->ops.sinker.reopen)
		return;
	r = w->desc->ops.sinker.reopen(w->state);
	if (r < 0)
		log_full(w->desc->name, TCA_LOG_ERR, -r, "reopening the output on SIGHUP failed");
	else
		log_info("sinker '%s' reopened its output", w->desc->name);
}

/* "Retry later": log once when the outage starts, then wait. Returns
 * false when the writer must give up (forced, or out of time at exit). */
static bool writer_hold(struct writer *w)
{
	uint64_t deadline = flag_get(w->p->deadline_ms);
	uint64_t delay;

	stats_add(w->p->stats.retries, 1);
	if (!w->outage) {
		w->outage = true;
		w->outage_since_ms = queue_now_ms();
		log_full(w->desc->name, TCA_LOG_WARNING, 0,
			 "the store is unavailable; holding events in memory and retrying");
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
	queue_sleep(&w->p->queue, delay);
	return !flag_get(w->p->force);
}

static void writer_recovered(struct writer *w)
{
	uint64_t lost;

	if (!w->outage)
		return;
	/* The held batch is never lost, but an outage may fill the
	 * queue: then "nothing was lost" would be false. */
	lost = stats_lost(&w->p->stats) - w->lost_at_write;
	if (lost)
		log_full(w->desc->name, TCA_LOG_WARNING, 0,
			 "the store is available again after %.1f s and %u retries; %" PRIu64
			 " events were lost since the last stored batch (see the stats)",
			 (double)(queue_now_ms() - w->outage_since_ms) / 1000.0, w->backoff.attempts, lost);
	else
		log_full(w->desc->name, TCA_LOG_NOTICE, 0,
			 "the store is available again after %.1f s and %u retries; nothing was lost",
			 (double)(queue_now_ms() - w->outage_since_ms) / 1000.0, w->backoff.attempts);
	w->outage = false;
	backoff_reset(&w->backoff);
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
		if (flag_get(w->p->force))
			return 0;
		n = queue_wait_batch(q, &ev);
		if (n == 0) {
			if (queue_is_closed(q) && queue_count(q) == 0)
				return 0;
			continue;
		}
		r = w->desc->ops.sinker.write(w->state, ev, n);
		writer_update_stats(w);
		if (r >= 0) {
			queue_pop(q, n);
			stats_add(w->p->stats.written, n);
			stats_add(w->p->stats.batches, 1);
			writer_recovered(w);
			w->lost_at_write = stats_lost(&w->p->stats);
			if (w->desc->ops.sinker.flush && queue_count(q) == 0)
				w->desc->ops.sinker.flush(w->state);
		} else if (r == -EAGAIN) {
			if (!writer_hold(w))
				return 0;
		} else {
			log_full(w->desc->name, TCA_LOG_ERR, -r, "storing events failed; stopping");
			return EXIT_RUNTIME;
		}
	}
}

void *writer_main(void *arg)
{
	struct writer w = { .p = arg };
	size_t left;

	w.desc = w.p->sinker->desc;
	w.state = w.p->sinker->state;
	backoff_init(&w.backoff, 100, 5000, (uint32_t)w.p->sinker->host.run_id);

	w.p->writer_status = writer_loop(&w);
	if (w.desc->ops.sinker.flush) {
		int r = w.desc->ops.sinker.flush(w.state);
		if (r < 0)
			log_full(w.desc->name, TCA_LOG_ERR, -r, "final flush failed");
	}
	writer_update_stats(&w);
	/* Whatever is still queued now will never be stored: say so. */
	queue_close(&w.p->queue);
	left = queue_count(&w.p->queue);
	if (left) {
		stats_add(w.p->stats.lost_unflushed, left);
		log_error("%zu events could not be stored before exit (%s)", left,
			  flag_get(w.p->force) ? "forced exit" :
			  w.p->writer_status ? "the sink failed" : "shutdown timeout; raise --shutdown-timeout");
	}
	flag_set(w.p->writer_done, true);
	processor_thread_done(w.p);
	return NULL;
}
