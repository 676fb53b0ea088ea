/* SPDX-License-Identifier: MIT */
/* The main loop: owns the signals and the lifecycle of the two threads. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "exit-status.h"
#include "log.h"
#include "notify.h"
#include "processor.h"

/* Gap records the ring holds before the store takes them. */
#define GAP_RING 16384
/* Name records: a new cgroup is rare, so the ring starts small; it grows
 * while the store is down, to a bound on memory (each holds its text). */
#define NAME_RING 256
#define NAME_RING_MAX 65536
/* A relay's origins in flight at once, and its records waiting. */
#define RELAY_ORIGINS 1024
#define RELAY_RECORDS 16384
/* How long past the shutdown deadline (or a second signal) a thread may
 * stay inside a plugin call before the process exits without it. */
#define ABANDON_GRACE_MS 2000

static void eventfd_poke(int fd)
{
	uint64_t one = 1;
	ssize_t w = write(fd, &one, sizeof(one));
	(void)w;
}

static void eventfd_clear(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));
	(void)r;
}

void processor_thread_done(struct processor *p)
{
	eventfd_poke(p->done_fd);
}

void processor_relay_settled(struct processor *p)
{
	eventfd_poke(p->settle_fd);
}

void processor_stop_reading(struct processor *p)
{
	flag_set(p->forced_at_ms, queue_now_ms());
	flag_set(p->stop_reading, true);
	flag_set(p->force, true);
	eventfd_poke(p->wake_fd);
}

uint64_t processor_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int processor_block_signals(void)
{
	sigset_t set;

	/* A sink writing to a closed pipe gets EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Threads inherit this mask, so only the main loop's signalfd sees them. */
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* The run's identity, and the run-state file that chains it to the last. */
static void processor_init_run(struct processor *p, const char *state_dir)
{
	const struct tca_host *h = &p->sinker->host;
	struct runstate_record cur = {
		.run_id = h->run_id,
		.start_ns = p->start_ns,
		.state = TCA_RUN_RUNNING,
	};

	p->origin = (struct tca_origin){ .host = h->hostname, .boot_id = h->boot_id, .run_id = h->run_id };
	snprintf(cur.host, sizeof(cur.host), "%s", h->hostname);
	snprintf(cur.boot_id, sizeof(cur.boot_id), "%s", h->boot_id);
	p->runstate.fd = -1;
	if (state_dir)
		runstate_open(&p->runstate, state_dir, &cur);
	else
		p->runstate.cur = cur;
}

/* A relay eventer's events carry their origin: a tag per queue slot, the
 * origin table and record ring, and a wake-up for the reader whenever
 * the settled count moves. */
static int processor_init_relay(struct processor *p)
{
	int r;

	if (!(p->eventer->desc->flags & TCA_EVF_RELAY))
		return 0;
	p->relaying = true;
	r = queue_enable_tags(&p->queue);
	if (r < 0)
		return r;
	r = relay_init(&p->relay, RELAY_ORIGINS, RELAY_RECORDS);
	if (r < 0)
		return r;
	p->settle_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return p->settle_fd < 0 ? -errno : 0;
}

int processor_init(struct processor *p, struct plugin *eventer, struct plugin *sinker,
		   uint64_t queue_memory, const char *state_dir)
{
	struct tca_sink_limits limits = { .batch_max = 1024, .max_delay_ms = 100 };
	int r;

	*p = (struct processor){ .eventer = eventer, .sinker = sinker, .wake_fd = -1, .done_fd = -1,
				 .settle_fd = -1, .spool = { .rfd = -1, .wfd = -1 }, .spool_high_water = 75 };
	p->start_ns = processor_realtime_ns();
	r = queue_init(&p->queue, queue_memory);
	if (r < 0)
		return r;
	r = gaps_init(&p->gaps, GAP_RING);
	if (r < 0)
		return r;
	r = namerecs_init(&p->names, NAME_RING, NAME_RING_MAX);
	if (r < 0)
		return r;
	r = processor_init_relay(p);
	if (r < 0)
		return r;
	processor_init_run(p, state_dir);
	if (sinker->desc->ops.sinker.limits)
		sinker->desc->ops.sinker.limits(sinker->state, &limits);
	queue_set_batching(&p->queue, limits.batch_max, limits.max_delay_ms);
	log_debug("queue: %zu events (%zu bytes each), batches of up to %zu, at most %" PRIu64 " ms late",
		  p->queue.cap, sizeof(struct tca_event), p->queue.batch_max, p->queue.max_delay_ms);

	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->wake_fd < 0 || p->done_fd < 0)
		return -errno;
	return 0;
}

void processor_destroy(struct processor *p)
{
	spool_close(&p->spool);
	runstate_close(&p->runstate);
	gaps_destroy(&p->gaps);
	namerecs_destroy(&p->names);
	relay_destroy(&p->relay);
	if (p->settle_fd >= 0)
		close(p->settle_fd);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	if (p->done_fd >= 0)
		close(p->done_fd);
	queue_destroy(&p->queue);
}

static void processor_log_stats(struct processor *p, int prio)
{
	char line[768];

	stats_format(&p->stats, queue_count(&p->queue), queue_high_water(&p->queue), line, sizeof(line));
	log_full(NULL, prio, 0, "stats: %s", line);
	notify_status(line);
}

static void processor_begin_stop(struct processor *p, const char *why)
{
	if (flag_get(p->stop_reading))
		return;
	log_notice("%s: stopping; draining the eventer and flushing %zu queued events", why,
		   queue_count(&p->queue));
	notify_stopping();
	flag_set(p->deadline_ms, queue_now_ms() + p->shutdown_timeout_ms);
	flag_set(p->stop_reading, true);
	eventfd_poke(p->wake_fd);
}

static void processor_force(struct processor *p)
{
	log_warning("second signal: exiting now without waiting for the store");
	flag_set(p->forced_at_ms, queue_now_ms());
	flag_set(p->force, true);
	queue_kick(&p->queue);
	eventfd_poke(p->wake_fd);
}

/* One signal from the signalfd. */
static void processor_on_signal(struct processor *p, int signo)
{
	switch (signo) {
	case SIGHUP:
		log_info("SIGHUP: asking sinker '%s' to reopen its output", p->sinker->desc->name);
		flag_set(p->reopen, true);
		queue_kick(&p->queue);
		break;
	case SIGINT:
	case SIGTERM:
		if (flag_get(p->stop_reading))
			processor_force(p);
		else
			processor_begin_stop(p, signo == SIGINT ? "SIGINT" : "SIGTERM");
		break;
	default:
		break;
	}
}

/* A thread ended: decide what the other one must do. */
static void processor_on_thread_done(struct processor *p)
{
	eventfd_clear(p->done_fd);
	if (flag_get(p->writer_done) && !flag_get(p->reader_done)) {
		/* Nothing can be stored any more: stop reading. */
		flag_set(p->stop_reading, true);
		flag_set(p->forced_at_ms, queue_now_ms());
		flag_set(p->force, true);
		eventfd_poke(p->wake_fd);
	}
	if (flag_get(p->reader_done) && !flag_get(p->stop_reading)) {
		flag_set(p->deadline_ms, queue_now_ms() + p->shutdown_timeout_ms);
		flag_set(p->stop_reading, true);
	}
}

static int timer_arm(uint64_t period_ms)
{
	struct itimerspec its = { 0 };
	int fd;

	if (!period_ms)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -1;
	its.it_interval.tv_sec = (time_t)(period_ms / 1000);
	its.it_interval.tv_nsec = (long)(period_ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

/* Whether a thread is stuck in a plugin call for longer than limit_ms. */
static bool heartbeat_stalled(const struct heartbeat *hb, uint64_t now, uint64_t limit_ms,
			      uint64_t *for_ms)
{
	uint64_t since = __atomic_load_n(&hb->busy_since_ms, __ATOMIC_ACQUIRE);

	if (!since || now < since || now - since <= limit_ms)
		return false;
	*for_ms = now - since;
	return true;
}

/*
 * The watchdog means "both threads make progress": a thread waiting for
 * events or for the store's backoff is idle by design, but one that has
 * been inside a plugin call for most of the watchdog period is wedged (a
 * blocked library call, a lock), and systemd should restart us.
 */
static void processor_watchdog(struct processor *p, uint64_t wd_ms)
{
	const struct heartbeat *beats[2] = { &p->reader_beat, &p->writer_beat };
	const struct plugin *owners[2] = { p->eventer, p->sinker };
	uint64_t now = queue_now_ms(), stuck;

	for (int i = 0; i < 2; i++) {
		if (!heartbeat_stalled(beats[i], now, wd_ms * 2 / 3, &stuck))
			continue;
		if (!p->wd_stalled)
			log_error("the %s thread has been inside %s '%s' %s for %.1f s; no longer "
				  "pinging the watchdog, so that the service is restarted",
				  i ? "writer" : "reader", plugin_kind_name(owners[i]->desc->kind),
				  owners[i]->desc->name, __atomic_load_n(&beats[i]->call, __ATOMIC_RELAXED),
				  (double)stuck / 1000.0);
		p->wd_stalled = true;
		return;
	}
	p->wd_stalled = false;
	notify_watchdog();
}

/* Past the deadline, or after a second signal, a thread that is still
 * inside a plugin call will not come back in time: exit without it, and
 * leave the run-state file saying so. */
static void processor_abandon_if_stuck(struct processor *p)
{
	uint64_t deadline = flag_get(p->deadline_ms), now = queue_now_ms(), stuck;
	uint64_t since = flag_get(p->force) ? flag_get(p->forced_at_ms) : deadline;

	if (!since || now < since + ABANDON_GRACE_MS)
		return;
	if (!heartbeat_stalled(&p->writer_beat, now, ABANDON_GRACE_MS, &stuck) &&
	    !heartbeat_stalled(&p->reader_beat, now, ABANDON_GRACE_MS, &stuck))
		return;
	log_error("a plugin call has not returned for %.1f s, past the shutdown deadline; exiting "
		  "without it: %zu queued events are not stored, and the next run records them as "
		  "a gap", (double)stuck / 1000.0, queue_count(&p->queue));
	p->runstate.cur.last_seq = __atomic_load_n(&p->last_seq, __ATOMIC_ACQUIRE);
	p->runstate.cur.end_ns = processor_realtime_ns();
	p->runstate.cur.state = TCA_RUN_FAILED;
	p->runstate.cur.end_stored = false;
	runstate_save(&p->runstate);
	runstate_close(&p->runstate);
	processor_log_stats(p, TCA_LOG_WARNING);
	_exit(EXIT_RUNTIME);
}

static void processor_main_loop(struct processor *p, int sfd, int stats_fd, int wd_fd,
				uint64_t wd_ms)
{
	struct pollfd fds[4] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = p->done_fd, .events = POLLIN },
		{ .fd = stats_fd, .events = POLLIN },
		{ .fd = wd_fd, .events = POLLIN },
	};

	while (!(flag_get(p->reader_done) && flag_get(p->writer_done))) {
		/* While stopping, look every 200 ms for a thread stuck for good. */
		int timeout = flag_get(p->stop_reading) ? 200 : -1;

		if (poll(fds, 4, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(errno, "poll in the main loop failed");
			processor_force(p);
			break;
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				processor_on_signal(p, (int)si.ssi_signo);
		}
		if (fds[1].revents & POLLIN)
			processor_on_thread_done(p);
		if (fds[2].revents & POLLIN) {
			eventfd_clear(stats_fd);
			processor_log_stats(p, TCA_LOG_INFO);
		}
		if (fds[3].revents & POLLIN) {
			eventfd_clear(wd_fd);
			processor_watchdog(p, wd_ms);
		}
		if (flag_get(p->stop_reading))
			processor_abandon_if_stuck(p);
	}
}

/* A relay acknowledges upstream what the writer settled last, before it
 * is closed: both threads are done, so the count is final. */
static void processor_final_settle(struct processor *p)
{
	if (!p->relaying)
		return;
	log_info("relay: %" PRIu64 " items handed over, %" PRIu64 " settled; the rest is delivered "
		 "again by the source", relay_handed(&p->relay), relay_durable(&p->relay));
	if (p->eventer->desc->settle)
		p->eventer->desc->settle(p->eventer->state, relay_durable(&p->relay));
}

int processor_run(struct processor *p)
{
	pthread_t reader, writer;
	sigset_t set;
	uint64_t wd_ms = notify_watchdog_ms();
	int sfd, stats_fd, wd_fd, status;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_error_errno(errno, "signalfd failed");
		return EXIT_OSERR;
	}
	stats_fd = timer_arm(p->stats_interval_ms);
	wd_fd = timer_arm(wd_ms / 2);

	if (pthread_create(&writer, NULL, writer_main, p) != 0) {
		log_error("cannot start the writer thread");
		status = EXIT_OSERR;
		goto out;
	}
	if (pthread_create(&reader, NULL, reader_main, p) != 0) {
		log_error("cannot start the reader thread");
		queue_close(&p->queue);
		pthread_join(writer, NULL);
		status = EXIT_OSERR;
		goto out;
	}
	log_notice("capturing: eventer '%s' -> sinker '%s'", p->eventer->desc->name,
		   p->sinker->desc->name);
	notify_ready();

	processor_main_loop(p, sfd, stats_fd, wd_fd, wd_ms);
	pthread_join(reader, NULL);
	pthread_join(writer, NULL);
	processor_final_settle(p);

	status = p->writer_status ? p->writer_status : p->reader_status;
	processor_log_stats(p, stats_lost(&p->stats) ? TCA_LOG_WARNING : TCA_LOG_NOTICE);
out:
	close(sfd);
	if (stats_fd >= 0)
		close(stats_fd);
	if (wd_fd >= 0)
		close(wd_fd);
	return status;
}
