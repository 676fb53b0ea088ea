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
#include <unistd.h>

#include "exit-status.h"
#include "log.h"
#include "notify.h"
#include "processor.h"

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

int processor_init(struct processor *p, struct plugin *eventer, struct plugin *sinker,
		   uint64_t queue_memory)
{
	struct tca_sink_limits limits = { .batch_max = 1024, .max_delay_ms = 100 };
	int r;

	*p = (struct processor){ .eventer = eventer, .sinker = sinker, .wake_fd = -1, .done_fd = -1 };
	r = queue_init(&p->queue, queue_memory);
	if (r < 0)
		return r;
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
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	if (p->done_fd >= 0)
		close(p->done_fd);
	queue_destroy(&p->queue);
}

static void processor_log_stats(struct processor *p, int prio)
{
	char line[512];

	stats_format(&p->stats, queue_count(&p->queue), line, sizeof(line));
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
	flag_set(p->force, true);
	queue_kick(&p->queue);
	eventfd_poke(p->wake_fd);
}

/* One signal from the signalfd. */
static void processor_on_signal(struct processor *p, int signo)
{
	switch (signo) {
	case SIGHUP:
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

static void processor_main_loop(struct processor *p, int sfd, int stats_fd, int wd_fd)
{
	struct pollfd fds[4] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = p->done_fd, .events = POLLIN },
		{ .fd = stats_fd, .events = POLLIN },
		{ .fd = wd_fd, .events = POLLIN },
	};

	while (!(flag_get(p->reader_done) && flag_get(p->writer_done))) {
		if (poll(fds, 4, -1) < 0) {
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
			notify_watchdog();
		}
	}
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

	processor_main_loop(p, sfd, stats_fd, wd_fd);
	pthread_join(reader, NULL);
	pthread_join(writer, NULL);

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
