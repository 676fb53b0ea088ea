/* SPDX-License-Identifier: MIT */
/*
 * The bpf eventer's read path: ring buffer records to struct tca_event, in
 * batches, with adaptive wake-ups. Idle, the kernel wakes the reader when
 * it has caught up (one wake-up per event at a low rate, which costs
 * nothing then). Busy, the kernel stays quiet until the ring holds
 * wake_size bytes and a timer wakes the reader every busy_interval, so a
 * wake-up carries a batch.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf.h"
#include "bpf-record.h"
#include "tca.skel.h"

/* Idle, a read this big, or this many reads in a row that come sooner
 * than busy_interval after the one before, mean the load is up: go busy. */
#define BUSY_EVENTS 64
#define BUSY_QUICK_READS 4
/* Busy, fewer events than this in a whole timer period: go idle. */
#define IDLE_EVENTS 8
/* The loss counts (loss.c): the comparison with the tracepoint's own count
 * needs quiet moments of each CPU, which a look finds more often the more
 * often it comes. About 10 syscalls a look. */
#define LOOK_INTERVAL_MS 100

struct breader {
	const struct tca_host *host;
	struct tca_bpf *skel;
	struct ring_buffer *rb;
	struct cgpaths *cg;
	int epfd, timerfd;
	bool ipv4_mapped;
	bool busy;
	uint64_t interval_ns;
	uint64_t last_read_ns;     /* CLOCK_MONOTONIC of the last read with events */
	unsigned quick_reads;      /* idle: reads in a row sooner than interval_ns apart */
	uint64_t period_events;    /* busy: events since the last timer shot */
	int64_t offset_ns;         /* CLOCK_REALTIME - CLOCK_BOOTTIME, per batch */
	struct bloss *loss;
	struct brecover *rc;       /* NULL: nothing recovered (the loss holds it) */
	bool stopped;              /* the programs are off */
	uint64_t loss_ms;          /* the last look at the loss */
	/* The batch being filled by the ring buffer callback. */
	struct tca_read *r;
	bool names;                /* the processor takes name records in r */
	struct tca_event *ev;
	size_t n, cap;
};

static uint64_t breader_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t breader_offset(void)
{
	struct timespec b, r;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000 + (r.tv_nsec - b.tv_nsec);
}

/* libbpf's callback, one record. Returning < 0 stops the consumption with
 * this record consumed, so it is stored first and the stop comes when the
 * batch is full, or when the room for names is: a consumed record cannot
 * wait for the next read, so the read ends as soon as one more new
 * cgroup could find no room. */
static int breader_record(void *ctx, void *data, size_t size)
{
	struct breader *rd = ctx;
	struct tca_event *e = &rd->ev[rd->n];
	bool names_full = false;

	if (size < sizeof(struct brec))
		return 0;
	if (rd->rc)
		brecover_record(rd->rc, data);
	bdecode(data, rd->ipv4_mapped, rd->offset_ns, e);
	if (e->cgroup && (e->flags & TCA_EV_CGROUP))
		names_full = cgpaths_hand(rd->cg, rd->names, rd->r, e->cgroup);
	return ++rd->n == rd->cap || names_full ? -E2BIG : 0;
}

static void breader_arm(struct breader *rd, bool periodic)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(rd->interval_ns / 1000000000);
	its.it_value.tv_nsec = (long)(rd->interval_ns % 1000000000);
	if (periodic)
		its.it_interval = its.it_value;
	timerfd_settime(rd->timerfd, 0, &its, NULL);
}

static uint64_t breader_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* Switch between the idle and busy modes (see the top of the file). The
 * processor reads until a read comes back short, so one read's size says
 * little: idle, it is the rate of wake-ups that tells; busy, the events
 * of a whole timer period. On the way back to idle one more timer shot
 * comes, for records a CPU submitted quietly while it still saw the busy
 * flag. */
static void breader_adapt(struct breader *rd, size_t n, bool timer_fired)
{
	if (rd->busy) {
		rd->period_events += n;
		if (!timer_fired)
			return;
		if (rd->period_events < IDLE_EVENTS) {
			rd->busy = false;
			rd->quick_reads = 0;
			bload_set_busy(rd->skel, false);
			breader_arm(rd, false);
		}
		rd->period_events = 0;
		return;
	}
	if (n == 0)
		return;
	uint64_t now = breader_mono_ns();
	if (now - rd->last_read_ns < rd->interval_ns)
		rd->quick_reads++;
	else
		rd->quick_reads = 0;
	rd->last_read_ns = now;
	if (n >= BUSY_EVENTS || rd->quick_reads >= BUSY_QUICK_READS) {
		rd->busy = true;
		rd->period_events = 0;
		bload_set_busy(rd->skel, true);
		breader_arm(rd, true);
	}
}

void breader_stopping(struct breader *rd)
{
	bloss_final(rd->loss);
}

void breader_stopped(struct breader *rd)
{
	rd->stopped = true;
	bloss_stopped(rd->loss);
}

static uint64_t breader_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* After a consume (one that emptied the ring began at consumed_from, or
 * 0): settle what can be, and hand out what was recovered in the room
 * left. */
static void breader_recover(struct breader *rd, uint64_t consumed_from)
{
	if (rd->stopped && consumed_from)
		brecover_all_in(rd->rc);
	else if (consumed_from)
		brecover_drained(rd->rc, consumed_from);
	bloss_recover(rd->loss);
	rd->n += brecover_take(rd->rc, rd->ev + rd->n, rd->cap - rd->n, rd->offset_ns);
}

ssize_t breader_read(struct breader *rd, struct tca_read *rq)
{
	uint64_t expirations = 0, now_ms = breader_now_ms(), consumed_from;
	bool timer_fired;
	int r;

	rd->names = cgpaths_read_begin(rd->cg, rd->host, rq);
	if (rq->cap == 0)
		return 0;
	/* Clear a timer shot, so that the descriptor is not readable again
	 * for nothing. Non-blocking: -EAGAIN when it has not fired. */
	if (read(rd->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	timer_fired = expirations > 0;
	rd->offset_ns = breader_offset();
	rd->r = rq;
	rd->ev = rq->ev;
	rd->cap = rq->cap;
	rd->n = 0;
	consumed_from = rd->rc ? breader_boot_ns() : 0;
	r = ring_buffer__consume(rd->rb);
	if (r < 0 && r != -E2BIG)
		return r;
	if (rd->rc)
		breader_recover(rd, rd->n < rd->cap ? consumed_from : 0);
	breader_adapt(rd, rd->n, timer_fired);
	/* Every LOOK_INTERVAL_MS, and when the ring is empty (the end of the final
	 * drain, so that the last count is exact). */
	if (now_ms - rd->loss_ms >= LOOK_INTERVAL_MS || rd->n == 0) {
		bloss_look(rd->loss, false);
		rd->loss_ms = now_ms;
	}
	return (ssize_t)rd->n;
}

int breader_open(const struct tca_host *host, const struct bpf_config *c,
		 const struct bpf_filter *f, struct tca_bpf *skel,
		 struct bhits *hits, struct cgpaths *cg, struct breader **out)
{
	struct epoll_event ee = { .events = EPOLLIN };
	struct breader *rd = calloc(1, sizeof(*rd));
	int r;

	if (!rd) {
		bhits_close(hits);
		return -ENOMEM;
	}
	/* Without it, what the programs miss is counted lost, as before. */
	if (bhits_keeps(hits) &&
	    brecover_open(host, c, f, (unsigned)libbpf_num_possible_cpus(), &rd->rc) < 0)
		rd->rc = NULL;
	r = bloss_open(host, skel, hits, rd->rc, &rd->loss);
	if (r < 0) {
		free(rd);
		return r;
	}
	rd->host = host;
	rd->skel = skel;
	rd->cg = cg;
	rd->ipv4_mapped = c->ipv4_mapped;
	rd->interval_ns = c->busy_interval_ms * 1000000;
	rd->epfd = rd->timerfd = -1;
	rd->loss_ms = breader_now_ms();
	rd->rb = ring_buffer__new(bpf_map__fd(skel->maps.ring), breader_record, rd, NULL);
	if (!rd->rb) {
		r = -errno;
		goto fail;
	}
	/* One descriptor for the processor to poll: the ring and the timer. */
	rd->epfd = epoll_create1(EPOLL_CLOEXEC);
	rd->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (rd->epfd < 0 || rd->timerfd < 0) {
		r = -errno;
		goto fail;
	}
	ee.data.fd = bpf_map__fd(skel->maps.ring);
	if (epoll_ctl(rd->epfd, EPOLL_CTL_ADD, ee.data.fd, &ee) < 0) {
		r = -errno;
		goto fail;
	}
	ee.data.fd = rd->timerfd;
	if (epoll_ctl(rd->epfd, EPOLL_CTL_ADD, rd->timerfd, &ee) < 0) {
		r = -errno;
		goto fail;
	}
	*out = rd;
	return 0;
fail:
	tca_log(host, TCA_LOG_ERR, -r, "cannot set up the reader of the BPF ring buffer");
	breader_close(rd);
	return r;
}

void breader_close(struct breader *rd)
{
	if (!rd)
		return;
	/* The last look needs the maps: before bload_close. */
	bloss_close(rd->loss);
	if (rd->rb)
		ring_buffer__free(rd->rb);
	if (rd->epfd >= 0)
		close(rd->epfd);
	if (rd->timerfd >= 0)
		close(rd->timerfd);
	free(rd);
}

int breader_fd(struct breader *rd)
{
	return rd->epfd;
}

uint64_t breader_lost(struct breader *rd)
{
	return bloss_total(rd->loss);
}
