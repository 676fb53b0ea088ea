/* SPDX-License-Identifier: MIT */
/*
 * The instance's per-CPU binary buffers (trace_pipe_raw): one descriptor
 * per CPU, kept open for the whole run, all in one epoll set that the
 * processor polls. Pages are walked with kbuffer, and the CPUs' streams
 * are merged by timestamp so that one socket's events come out in the
 * order they happened even when they were recorded on different CPUs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "tracefs.h"

struct ring_cpu {
	struct tracefs_cpu *tcpu;
	int fd;               /* tcpu's, which libtracefs 1.6 does not expose */
	struct kbuffer *kbuf;
	void *page;
	const void *rec;      /* the current record, if has_rec */
	unsigned long long ts;
	bool has_rec;
	bool dry;             /* read found nothing during this read() call */
	bool present;
};

/* While busy, the wake-up threshold is up and this timer bounds how long
 * an event can wait in the kernel's buffer. */
#define RING_FLUSH_MS 100
#define RING_TIMER_KEY UINT32_MAX

struct ring {
	int epfd;
	int timerfd;
	bool busy;
	struct tracefs_instance *inst;
	int ncpus;
	int subbuf_size;
	int cur;              /* the CPU ring_peek chose */
	uint64_t missed;
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

static int ring_open_cpu(struct ring *r, struct tinst *ti, struct tep_handle *tep, int cpu)
{
	struct ring_cpu *rc = &r->cpu[cpu];
	struct epoll_event ee = { .events = EPOLLIN, .data.u32 = (uint32_t)cpu };
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
	rc->present = true;
	rc->fd = fd;
	rc->kbuf = tep_kbuffer(tep);
	rc->page = malloc((size_t)r->subbuf_size);
	if (!rc->kbuf || !rc->page)
		return -ENOMEM;
	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ee) < 0 ? -errno : 0;
}

int ring_open(const struct tca_host *host, struct tinst *ti, struct tep_handle *tep, struct ring **rp)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	struct ring *r;
	int ret = 0;

	if (n < 1)
		n = 1;
	r = calloc(1, sizeof(*r) + (size_t)n * sizeof(r->cpu[0]));
	if (!r)
		return -ENOMEM;
	r->ncpus = (int)n;
	r->subbuf_size = ring_subbuf_size(ti);
	r->cur = -1;
	r->timerfd = -1;
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
	for (int cpu = 0; ret == 0 && cpu < r->ncpus; cpu++)
		ret = ring_open_cpu(r, ti, tep, cpu);
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
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		struct ring_cpu *rc = &r->cpu[cpu];
		if (rc->tcpu)
			tracefs_cpu_close(rc->tcpu); /* closes the descriptor too */
		if (rc->kbuf)
			kbuffer_free(rc->kbuf);
		free(rc->page);
	}
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
	return r->missed;
}

/*
 * Two wake-up modes. Idle: the kernel wakes us at the first event
 * (buffer_percent 0), so an idle system costs no wake-ups and a lone event
 * is read at once. Busy: it wakes us when a CPU's buffer is wake_percent
 * full, which turns thousands of wake-ups per second into a few (the
 * difference is ten times the CPU per event), and a timer bounds the delay
 * to RING_FLUSH_MS. Waiters keep the threshold they polled with, so the
 * CPUs' descriptors are modified to make epoll poll them again.
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
		its.it_interval.tv_nsec = RING_FLUSH_MS * 1000000L;
		its.it_value.tv_nsec = RING_FLUSH_MS * 1000000L;
	}
	timerfd_settime(r->timerfd, 0, &its, NULL);
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		struct epoll_event ee = { .events = EPOLLIN, .data.u32 = (uint32_t)cpu };
		if (r->cpu[cpu].present)
			epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->cpu[cpu].fd, &ee);
	}
}

bool ring_busy(const struct ring *r)
{
	return r->busy;
}

void ring_rearm(struct ring *r)
{
	uint64_t ticks;

	/* Consume the timer's ticks, or epoll would report it ready forever. */
	if (r->busy && read(r->timerfd, &ticks, sizeof(ticks)) < 0)
		ticks = 0;
	for (int cpu = 0; cpu < r->ncpus; cpu++)
		r->cpu[cpu].dry = false;
}

/* Load the CPU's next page that holds a record; false when it has none now. */
static bool ring_fill(struct ring *r, struct ring_cpu *rc)
{
	for (;;) {
		int missed, n = tracefs_cpu_read(rc->tcpu, rc->page, true);

		if (n <= 0) {
			rc->dry = true;
			return false;
		}
		if (kbuffer_load_subbuffer(rc->kbuf, rc->page) < 0)
			continue;
		/* The kernel flags a page that follows overwritten events,
		 * with their count when there was room to store it. */
		missed = kbuffer_missed_events(rc->kbuf);
		if (missed > 0)
			r->missed += (uint64_t)missed;
		else if (missed < 0)
			r->missed++;
		rc->rec = kbuffer_read_event(rc->kbuf, &rc->ts);
		if (rc->rec) {
			rc->has_rec = true;
			return true;
		}
	}
}

const void *ring_peek(struct ring *r, uint64_t *ts, int *size)
{
	int best = -1;

	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		struct ring_cpu *rc = &r->cpu[cpu];
		if (!rc->present || (!rc->has_rec && (rc->dry || !ring_fill(r, rc))))
			continue;
		if (best < 0 || rc->ts < r->cpu[best].ts)
			best = cpu;
	}
	r->cur = best;
	if (best < 0)
		return NULL;
	*ts = r->cpu[best].ts;
	*size = kbuffer_event_size(r->cpu[best].kbuf);
	return r->cpu[best].rec;
}

void ring_next(struct ring *r)
{
	struct ring_cpu *rc;

	if (r->cur < 0)
		return;
	rc = &r->cpu[r->cur];
	rc->rec = kbuffer_next_event(rc->kbuf, &rc->ts);
	rc->has_rec = rc->rec != NULL;
	r->cur = -1;
}
