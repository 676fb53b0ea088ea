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
#define LOSS_LOG_INTERVAL_S 10

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
	uint64_t loss_s, loss_log_s;
	/* Lost: the ring buffer full, and state changes that neither program
	 * ran for (tca.bpf.c, tca_state_nested). */
	uint64_t lost_ring, lost_ring_logged, lost_nested, lost_nested_logged;
	uint64_t misses_seen;      /* tca_state's recursion misses at the last look */
	bool stopped;              /* the programs are off: the counts are final */
	/* The batch being filled by the ring buffer callback. */
	struct tca_read *r;
	bool names;                /* the processor takes name records in r */
	struct tca_event *ev;
	size_t n, cap;
};

static uint64_t breader_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

static int64_t breader_offset(void)
{
	struct timespec b, r;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000 + (r.tv_nsec - b.tv_nsec);
}

static bool is_v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, 12) == 0;
}

/* An IPv6 socket talking IPv4 has both addresses mapped, or the local
 * one unspecified (a listener on ::). */
static void breader_addrs(const struct breader *rd, const struct brec *r, struct tca_event *e)
{
	static const uint8_t any[16];

	if (r->family == 2) {
		e->family = TCA_FAMILY_IPV4;
		memcpy(e->saddr, r->saddr, 4);
		memcpy(e->daddr, r->daddr, 4);
		return;
	}
	if (!rd->ipv4_mapped && is_v4_mapped(r->daddr) &&
	    (is_v4_mapped(r->saddr) || memcmp(r->saddr, any, 16) == 0)) {
		e->family = TCA_FAMILY_IPV4;
		memcpy(e->saddr, r->saddr + 12, 4);
		memcpy(e->daddr, r->daddr + 12, 4);
		return;
	}
	e->family = TCA_FAMILY_IPV6;
	memcpy(e->saddr, r->saddr, 16);
	memcpy(e->daddr, r->daddr, 16);
}

static void breader_decode(struct breader *rd, const struct brec *r, struct tca_event *e)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = (uint64_t)((int64_t)r->time_ns + rd->offset_ns);
	e->sock = r->cookie;
	e->oldstate = r->oldstate;
	e->newstate = r->newstate;
	e->protocol = r->protocol;
	e->sport = r->sport;
	e->dport = r->dport;
	breader_addrs(rd, r, e);
	e->netns = r->netns;
	e->flags = TCA_EV_NETNS;
	if (r->flags & BREC_OWNER) {
		e->flags |= TCA_EV_PID | TCA_EV_UID | TCA_EV_CGROUP;
		e->owner = r->owner;
		e->pid = (int32_t)r->pid;
		e->uid = r->uid;
		e->cgroup = r->cgroup;
		memcpy(e->comm, r->comm, sizeof(e->comm));
		e->comm[TCA_COMM_LEN - 1] = '\0';
	}
	if (r->flags & BREC_BYTES) {
		e->flags |= TCA_EV_BYTES;
		e->bytes_sent = r->bytes_sent;
		e->bytes_received = r->bytes_received;
	}
	if (r->flags & BREC_LIFETIME) {
		e->flags |= TCA_EV_LIFETIME;
		e->lifetime_ns = r->lifetime_ns;
	}
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
	breader_decode(rd, data, e);
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

/* A miss of tca_state is followed at once by tca_state_nested's record of
 * it, but a look from another CPU can come in between. So while the
 * programs run, the misses of the look before are set against the
 * records of this one; once they are off, both counts are final. */
static void breader_count_loss(struct breader *rd)
{
	uint64_t c[BCOUNT_MAX], misses, m;
	bool have_misses = bload_state_misses(rd->skel, &misses) == 0;

	if (bload_counters(rd->skel, c) < 0)
		return;
	if (c[BCOUNT_RING_FULL] > rd->lost_ring)
		rd->lost_ring = c[BCOUNT_RING_FULL];
	if (!have_misses)
		return;
	m = rd->stopped ? misses : rd->misses_seen;
	rd->misses_seen = misses;
	if (m > c[BCOUNT_NESTED] && m - c[BCOUNT_NESTED] > rd->lost_nested)
		rd->lost_nested = m - c[BCOUNT_NESTED];
}

static void breader_check_loss(struct breader *rd, bool force)
{
	uint64_t now = breader_now_s();

	breader_count_loss(rd);
	if ((rd->lost_ring == rd->lost_ring_logged && rd->lost_nested == rd->lost_nested_logged) ||
	    (!force && now - rd->loss_log_s < LOSS_LOG_INTERVAL_S))
		return;
	if (rd->lost_ring != rd->lost_ring_logged)
		tca_log(rd->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): the ring buffer was full; raise ring_size",
			rd->lost_ring - rd->lost_ring_logged, rd->lost_ring);
	if (rd->lost_nested != rd->lost_nested_logged)
		tca_log(rd->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): it ran neither BPF program for them, as they came while "
			"one ran on the same CPU (tcp-audit-bpf(7), Loss)",
			rd->lost_nested - rd->lost_nested_logged,
			rd->lost_nested);
	rd->lost_ring_logged = rd->lost_ring;
	rd->lost_nested_logged = rd->lost_nested;
	rd->loss_log_s = now;
}

void breader_stopped(struct breader *rd)
{
	rd->stopped = true;
}

ssize_t breader_read(struct breader *rd, struct tca_read *rq)
{
	uint64_t expirations = 0, now_s = breader_now_s();
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
	r = ring_buffer__consume(rd->rb);
	if (r < 0 && r != -E2BIG)
		return r;
	breader_adapt(rd, rd->n, timer_fired);
	/* Once a second, and when the ring is empty (the end of the final
	 * drain, so that the last count is exact). */
	if (now_s != rd->loss_s || rd->n == 0) {
		breader_check_loss(rd, false);
		rd->loss_s = now_s;
	}
	return (ssize_t)rd->n;
}

int breader_open(const struct tca_host *host, const struct bpf_config *c, struct tca_bpf *skel, struct cgpaths *cg, struct breader **out)
{
	struct epoll_event ee = { .events = EPOLLIN };
	struct breader *rd = calloc(1, sizeof(*rd));
	int r;

	if (!rd)
		return -ENOMEM;
	rd->host = host;
	rd->skel = skel;
	rd->cg = cg;
	rd->ipv4_mapped = c->ipv4_mapped;
	rd->interval_ns = c->busy_interval_ms * 1000000;
	rd->epfd = rd->timerfd = -1;
	rd->loss_s = rd->loss_log_s = breader_now_s();
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

/* The kernel side's account of the run, for whoever checks a filter or
 * a loss: every event it saw either passed the filters (and was written
 * or lost) or was filtered out there. */
static void breader_log_counts(struct breader *rd)
{
	uint64_t c[BCOUNT_MAX];

	if (bload_counters(rd->skel, c) < 0)
		return;
	tca_log(rd->host, TCA_LOG_INFO, 0, "kernel side: %" PRIu64 " events passed the filters "
		"(%" PRIu64 " written, %" PRIu64 " lost: ring buffer full), %" PRIu64 " filtered "
		"out; %" PRIu64 " came while the program ran on their CPU (%" PRIu64 " run by "
		"the second program, %" PRIu64 " lost)", c[BCOUNT_PASSED],
		c[BCOUNT_PASSED] - c[BCOUNT_RING_FULL], c[BCOUNT_RING_FULL], c[BCOUNT_FILTERED],
		c[BCOUNT_NESTED] + rd->lost_nested, c[BCOUNT_NESTED], rd->lost_nested);
}

void breader_close(struct breader *rd)
{
	if (!rd)
		return;
	if (rd->rb) {
		breader_check_loss(rd, true);
		breader_log_counts(rd);
		ring_buffer__free(rd->rb);
	}
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
	return rd->lost_ring + rd->lost_nested;
}
