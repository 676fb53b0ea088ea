/* SPDX-License-Identifier: MIT */
/*
 * The instance's per-CPU binary buffers (trace_pipe_raw): one descriptor
 * per CPU, kept open for the whole run, all in one epoll set that the
 * processor polls. Pages are walked by lib/trace-page.c and the CPUs'
 * streams merged in time order by merge.c, so that one socket's events
 * come out in the order they happened even when they were recorded on
 * different CPUs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "tracefs.h"

struct ring_cpu {
	struct tracefs_cpu *tcpu;
	int fd;               /* tcpu's, which libtracefs 1.6 does not expose */
};

/* While busy, the wake-up threshold is up and this timer bounds how long
 * an event can wait in the kernel's buffer. */
#define RING_FLUSH_MS 100
/* Records held back for an empty CPU's next look (merge.c) are this late
 * at most when idle; when busy, RING_FLUSH_MS. */
#define RING_HOLD_MS 6 /* merge.c's margin, and 1 */
#define RING_TIMER_KEY UINT32_MAX

struct ring {
	int epfd;
	int timerfd;
	bool busy;
	bool tai;
	struct tracefs_instance *inst;
	struct tmerge *merge;
	int ncpus;            /* CPUs with a buffer, in cpu[] */
	int subbuf_size;
	struct ring_cpu cpu[];
};

static int ring_subbuf_size(struct tinst *ti)
{
	long long kb = 0;

	/* Linux 6.8 lets the sub-buffer be larger than a page. */
	if (tracefs_instance_file_read_number(ti->inst, "buffer_subbuf_size_kb", &kb) == 0 && kb > 0)
		return (int)kb * 1024;
	return (int)sysconf(_SC_PAGESIZE);
}

static int ring_open_cpu(struct ring *r, struct tinst *ti, int cpu)
{
	struct ring_cpu *rc = &r->cpu[r->ncpus];
	struct epoll_event ee = { .events = EPOLLIN, .data.u32 = (uint32_t)r->ncpus };
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "per_cpu/cpu%d/trace_pipe_raw", cpu);
	fd = tracefs_instance_file_open(ti->inst, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* not a possible CPU */
	rc->tcpu = tracefs_cpu_alloc_fd(fd, r->subbuf_size, true);
	if (!rc->tcpu) {
		close(fd);
		return -ENOMEM;
	}
	rc->fd = fd;
	r->ncpus++;
	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}

static ssize_t ring_fill(void *ctx, int i, void *buf, size_t size)
{
	struct ring *r = ctx;

	(void)size; /* tcpu reads subbuf_size, the size merge.c allocated */
	return tracefs_cpu_read(r->cpu[i].tcpu, buf, true);
}

/* The instance's trace clock (instance.c chose tai or boot). */
static uint64_t ring_now(void *ctx)
{
	const struct ring *r = ctx;
	struct timespec ts;

	clock_gettime(r->tai ? CLOCK_TAI : CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ring_now_ts(struct ring *r)
{
	return ring_now(r);
}

int ring_open(const struct tca_host *host, struct tinst *ti, struct tep_handle *tep, struct ring **rp)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	struct tmerge_src src = { .fill = ring_fill, .now = ring_now };
	int commit_size = tep_get_header_page_size(tep);
	struct ring *r;
	int ret = 0;

	if (n < 1)
		n = 1;
	r = calloc(1, sizeof(*r) + (size_t)n * sizeof(r->cpu[0]));
	if (!r)
		return -ENOMEM;
	r->subbuf_size = ring_subbuf_size(ti);
	r->tai = ti->tai;
	r->inst = ti->inst;
	r->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0 || r->timerfd < 0)
		ret = -errno;
	else {
		struct epoll_event ee = { .events = EPOLLIN, .data.u32 = RING_TIMER_KEY };
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->timerfd, &ee) < 0)
			ret = -errno;
	}
	for (int cpu = 0; ret == 0 && cpu < (int)n; cpu++)
		ret = ring_open_cpu(r, ti, cpu);
	if (ret == 0 && commit_size != 4 && commit_size != 8)
		commit_size = (int)sizeof(long); /* header_page unparsed: the native long */
	src.ctx = r;
	if (ret == 0 && !(r->merge = tmerge_new(r->ncpus, (size_t)r->subbuf_size,
						(size_t)commit_size, &src)))
		ret = -ENOMEM;
	if (ret < 0) {
		tca_log(host, TCA_LOG_ERR, -ret, "cannot open the per-CPU buffers of the tracefs "
			"instance %s", ti->name);
		ring_close(r);
		return ret;
	}
	*rp = r;
	return 0;
}

void ring_close(struct ring *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ncpus; i++)
		tracefs_cpu_close(r->cpu[i].tcpu); /* closes the descriptor too */
	tmerge_free(r->merge);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->timerfd >= 0)
		close(r->timerfd);
	free(r);
}

int ring_fd(const struct ring *r)
{
	return r->epfd;
}

int ring_ncpus(const struct ring *r)
{
	return r->ncpus;
}

uint64_t ring_missed(const struct ring *r)
{
	return tmerge_missed(r->merge);
}

void ring_finish(struct ring *r)
{
	tmerge_finish(r->merge);
}

uint64_t ring_corrupt(const struct ring *r)
{
	return tmerge_corrupt(r->merge);
}

/*
 * Two wake-up modes. Idle: the kernel wakes us at the first event
 * (buffer_percent 0), so an idle system costs no wake-ups and a lone event
 * is read at once. Busy (tracefs.c switches to it as soon as a read finds
 * events, and back when a timer tick finds none came since the last
 * one): it wakes us when a CPU's buffer is wake_percent full, which turns
 * thousands of wake-ups per second into a few (the difference is ten
 * times the CPU per event), and a timer bounds the delay to RING_FLUSH_MS.
 * Waiters keep the threshold they polled with, so the CPUs' descriptors
 * are modified to make epoll poll them again.
 */
void ring_set_busy(struct ring *r, bool busy, int wake_percent)
{
	struct itimerspec its = { 0 };
	char pct[16];

	if (busy == r->busy)
		return;
	r->busy = busy;
	snprintf(pct, sizeof(pct), "%d", busy ? wake_percent : 0);
	tracefs_instance_file_write(r->inst, "buffer_percent", pct);
	if (busy) {
		/* The first tick soon when records are held: a lone event
		 * goes out a few ms after its CPU's watermark passes it. */
		its.it_interval.tv_nsec = RING_FLUSH_MS * 1000000L;
		its.it_value.tv_nsec = (tmerge_holding(r->merge) ? RING_HOLD_MS : RING_FLUSH_MS) * 1000000L;
	}
	timerfd_settime(r->timerfd, 0, &its, NULL);
	for (int i = 0; i < r->ncpus; i++) {
		struct epoll_event ee = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->cpu[i].fd, &ee);
	}
}

bool ring_busy(const struct ring *r)
{
	return r->busy;
}

uint64_t ring_rearm(struct ring *r)
{
	uint64_t ticks;

	/* Consume the timer's ticks, or epoll would report it ready forever. */
	if (read(r->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		ticks = 0;
	tmerge_rearm(r->merge);
	return ticks;
}

void ring_final(struct ring *r)
{
	tmerge_final(r->merge);
}

void ring_done(struct ring *r)
{
	struct itimerspec its = { 0 };

	/* The held records are in our memory, not the kernel's: nothing
	 * else would wake us for them when always woken at once
	 * (wake_percent=0). Busy, the flush timer's next tick takes them (a
	 * tick every 2 ms here cost more than all the rest of the reading). */
	if (!tmerge_holding(r->merge) || r->busy)
		return;
	its.it_value.tv_nsec = RING_HOLD_MS * 1000000L;
	timerfd_settime(r->timerfd, 0, &its, NULL);
}

bool ring_holding(const struct ring *r)
{
	return tmerge_holding(r->merge);
}

const struct trec *ring_peek(struct ring *r)
{
	return tmerge_peek(r->merge);
}

void ring_next(struct ring *r)
{
	tmerge_next(r->merge);
}
