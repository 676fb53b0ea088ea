/* SPDX-License-Identifier: MIT */
/* The reader thread: eventer -> queue. It never waits for the writer. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>

#include "exit-status.h"
#include "log.h"
#include "processor.h"

#define READ_BATCH 512
/* At shutdown, what the source already holds is read for at most this
 * long, so that a source that never runs dry cannot hold the exit. */
#define DRAIN_MS 2000

struct reader {
	struct processor *p;
	const struct tca_plugin *desc;
	void *state;
	struct tca_event *buf;
	uint64_t last_full_log_ms;
	uint64_t full_since_log;
};

static void reader_count_full(struct reader *r, size_t lost)
{
	uint64_t now = queue_now_ms();

	stats_add(r->p->stats.lost_queue_full, lost);
	r->full_since_log += lost;
	/* One line per 10 s at most: a loss must show, but not flood. */
	if (now - r->last_full_log_ms >= 10000) {
		log_warning("queue full: %" PRIu64 " events lost since the last report; the sink is "
			    "slower than the source or down (raise --queue-memory, or fix the sink)",
			    r->full_since_log);
		r->last_full_log_ms = now;
		r->full_since_log = 0;
	}
}

static void reader_update_stats(struct reader *r)
{
	struct tca_plugin_stats st = { 0 };

	if (!r->desc->stats)
		return;
	r->desc->stats(r->state, &st);
	stats_set(r->p->stats.lost_source, st.lost);
}

/* Read until the source has nothing more right now. Returns 0, or the
 * negative errno of read(). */
static int reader_drain_once(struct reader *r)
{
	for (;;) {
		ssize_t n = r->desc->ops.eventer.read(r->state, r->buf, READ_BATCH);
		size_t accepted;

		if (n <= 0)
			return (int)n;
		stats_add(r->p->stats.read, (uint64_t)n);
		accepted = queue_push(&r->p->queue, r->buf, (size_t)n);
		if (accepted < (size_t)n)
			reader_count_full(r, (size_t)n - accepted);
		reader_update_stats(r);
		if ((size_t)n < READ_BATCH)
			return 0;
	}
}

static int reader_loop(struct reader *r)
{
	struct pollfd fds[2] = {
		{ .fd = r->desc->ops.eventer.fd(r->state), .events = POLLIN },
		{ .fd = r->p->wake_fd, .events = POLLIN },
	};
	int ret;

	while (!flag_get(r->p->stop_reading)) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(errno, "poll on the eventer failed");
			return -errno;
		}
		if (fds[0].revents & (POLLERR | POLLNVAL)) {
			log_error("eventer '%s': its descriptor failed", r->desc->name);
			return -EIO;
		}
		ret = reader_drain_once(r);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Whatever the source holds when we stop is read too. */
static int reader_final_drain(struct reader *r)
{
	uint64_t end = queue_now_ms() + DRAIN_MS;
	ssize_t n;

	do {
		n = r->desc->ops.eventer.read(r->state, r->buf, READ_BATCH);
		if (n > 0) {
			size_t accepted = queue_push(&r->p->queue, r->buf, (size_t)n);
			stats_add(r->p->stats.read, (uint64_t)n);
			if (accepted < (size_t)n)
				reader_count_full(r, (size_t)n - accepted);
		}
	} while (n > 0 && !flag_get(r->p->force) && queue_now_ms() < end);
	reader_update_stats(r);
	return n == -ENODATA ? 0 : (int)(n < 0 ? n : 0);
}

void *reader_main(void *arg)
{
	struct reader r = { .p = arg };
	int ret;

	r.desc = r.p->eventer->desc;
	r.state = r.p->eventer->state;
	r.buf = calloc(READ_BATCH, sizeof(*r.buf));
	if (!r.buf) {
		r.p->reader_status = EXIT_OSERR;
		goto out;
	}
	ret = reader_loop(&r);
	if (ret == -ENODATA) {
		flag_set(r.p->source_ended, true);
		log_info("eventer '%s' reached the end of its events", r.desc->name);
	} else if (ret < 0) {
		log_full(r.desc->name, TCA_LOG_ERR, -ret, "reading events failed; stopping");
		r.p->reader_status = EXIT_RUNTIME;
	} else if (!flag_get(r.p->force)) {
		ret = reader_final_drain(&r);
		if (ret < 0)
			log_full(r.desc->name, TCA_LOG_WARNING, -ret, "draining at exit failed");
	}
	if (r.full_since_log)
		log_warning("queue full: %" PRIu64 " events lost since the last report", r.full_since_log);
out:
	free(r.buf);
	/* Done before the queue closes: once it is closed and empty the
	 * writer may end, and the main loop must not then take the reader
	 * for still running (it would force the stop). */
	flag_set(r.p->reader_done, true);
	queue_close(&r.p->queue);
	processor_thread_done(r.p);
	return NULL;
}
