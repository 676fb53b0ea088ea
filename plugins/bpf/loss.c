/* SPDX-License-Identifier: MIT */
/*
 * What the kernel lost, three ways, each counted and logged:
 *  - the ring buffer was full: the program's own count;
 *  - an event came while tca_state ran on its CPU and the second program
 *    did not record it either: the kernel's count of tca_state's
 *    recursion misses, less the second program's records;
 *  - the kernel ran neither program for an event and counted no miss: the
 *    tracepoint's own count of its hits in tracefs (hits.c), less the
 *    events the programs ran for, CPU by CPU (unseen.c).
 * The last covers the second wherever both are known (both count every
 * event the programs did not run for, whether it would have passed the
 * filters or not), so what the two programs skipped is the larger of
 * the two.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf.h"
#include "bpf-record.h"

#define LOSS_LOG_INTERVAL_S 10
/* Looks whose misses wait for recover.c: 3 s of them. */
#define NESTED_WAIT_MAX 32
/* At the start and before the stop: the quiet moments each CPU should
 * have, and how long to wait for them. */
#define BURST_QUIET 3
#define BURST_WAIT_MS 200
#define BURST_PAUSE_US 2000

struct bloss {
	const struct tca_host *host;
	struct tca_bpf *skel;
	struct bhits *hits;        /* NULL: hit_count=no, no tracefs, or stopped */
	struct brecover *rc;       /* NULL: nothing recovered */
	uint64_t *recovered;       /* per CPU, for brecover_work() */
	bool checked;              /* the hits were counted */
	struct unseen *unseen;
	unsigned ncpus;
	uint64_t *seen1, *seen2, *hits1; /* per CPU, for a look */
	bool *have1;
	bool *odd;                 /* per CPU: its last quiet moment showed more hits */
	uint64_t *hits_look;       /* per CPU: the hits at the last look */
	bool stopped;              /* the programs are off: the counts are final */
	uint64_t lost_ring, lost_nested, lost_unseen;
	uint64_t logged_ring, logged_nested, logged_unseen;
	uint64_t misses_seen;      /* tca_state's recursion misses at the last look */
	struct {
		uint64_t t, lost;
	} nested_wait[NESTED_WAIT_MAX]; /* the misses' loss of looks, not yet counted */
	unsigned nnested;
	uint64_t total;            /* the most bloss_total() said */
	uint64_t log_s;
};

static void bloss_burst(struct bloss *l, const char *when);

static uint64_t bloss_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t bloss_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

int bloss_open(const struct tca_host *host, struct tca_bpf *skel, struct bhits *hits,
	       struct brecover *rc, struct bloss **out)
{
	int n = libbpf_num_possible_cpus();
	struct bloss *l = n > 0 ? calloc(1, sizeof(*l)) : NULL;

	if (!l) {
		bhits_close(hits);
		brecover_close(rc);
		return n > 0 ? -ENOMEM : n < 0 ? n : -EINVAL;
	}
	/* Taken first, so that a failure below closes them with the rest. */
	l->hits = hits;
	l->rc = rc;
	l->ncpus = (unsigned)n;
	l->recovered = calloc(l->ncpus, sizeof(*l->recovered));
	l->seen1 = calloc(l->ncpus, sizeof(*l->seen1));
	l->seen2 = calloc(l->ncpus, sizeof(*l->seen2));
	l->hits1 = calloc(l->ncpus, sizeof(*l->hits1));
	l->have1 = calloc(l->ncpus, sizeof(*l->have1));
	l->odd = calloc(l->ncpus, sizeof(*l->odd));
	l->hits_look = calloc(l->ncpus, sizeof(*l->hits_look));
	l->unseen = unseen_new(l->ncpus);
	if (!l->seen1 || !l->seen2 || !l->hits1 || !l->have1 || !l->odd || !l->hits_look ||
	    !l->unseen || !l->recovered) {
		bloss_close(l); /* no skel yet: no last look */
		return -ENOMEM;
	}
	l->host = host;
	l->skel = skel;
	l->checked = hits != NULL;
	l->log_s = bloss_now_s();
	if (l->hits)
		bloss_burst(l, "at the start");
	if (l->rc)
		brecover_start(l->rc, bloss_boot_ns());
	*out = l;
	return 0;
}

/* What a look found for one CPU, for recover.c: at a quiet moment, the
 * count is exact, and either shows events to look for or shows that all
 * before it is accounted for; otherwise, the counts bound what can be
 * missing, and a CPU that is never quiet has its kept events looked at
 * before they are overwritten. */
static void bloss_look_cpu(struct bloss *l, unsigned c, bool quiet, uint64_t t)
{
	uint64_t n, h = l->hits1[c];

	brecover_keep(l->rc, l->hits, c);
	if (quiet) {
		/* One quiet moment with more hits is as likely an event whose
		 * two probes an interrupt held apart: a window opens at the
		 * second in a row (the instance holds a second or so). */
		n = unseen_excess(l->unseen, c);
		if (n && l->odd[c])
			brecover_suspect(l->rc, l->hits, c, n, t, h);
		else if (!n)
			brecover_clear(l->rc, c, t, h);
		l->odd[c] = n > 0;
	} else if (l->have1[c] && unseen_based(l->unseen, c)) {
		/* Never more than the counts allow: none, and all up to the
		 * look is accounted for. */
		n = unseen_bound(l->unseen, c, h, l->seen1[c]);
		if (!n)
			brecover_clear(l->rc, c, t, h);
		else if (brecover_stale(l->rc, c, h, h - l->hits_look[c]))
			brecover_suspect(l->rc, l->hits, c, n, t, h);
	}
	l->hits_look[c] = h;
	unseen_settle(l->unseen, c, brecover_good(l->rc, c));
}

/* Both counts, twice, in the order seen, hits, seen, hits: a CPU whose
 * counts did not move in between was quiet for the first pair. */
static void bloss_look_unseen(struct bloss *l)
{
	uint64_t t;

	if (!l->hits || bload_seen(l->skel, l->seen1, l->ncpus) < 0)
		return;
	for (unsigned c = 0; c < l->ncpus; c++)
		l->have1[c] = bhits_read(l->hits, c, &l->hits1[c]);
	t = bloss_boot_ns();
	if (bload_seen(l->skel, l->seen2, l->ncpus) < 0)
		return;
	for (unsigned c = 0; c < l->ncpus; c++) {
		uint64_t h2;
		bool quiet = l->have1[c] && l->seen1[c] == l->seen2[c] &&
			     bhits_read(l->hits, c, &h2) && h2 == l->hits1[c];

		if (quiet)
			unseen_quiet(l->unseen, c, l->hits1[c], l->seen1[c], t);
		if (l->rc)
			bloss_look_cpu(l, c, quiet, t);
		else
			unseen_settle(l->unseen, c, UINT64_MAX);
	}
	if (unseen_lost(l->unseen) > l->lost_unseen)
		l->lost_unseen = unseen_lost(l->unseen);
}

/* The misses' loss of a look, which counts once every CPU has been looked
 * at up to it by recover.c (at once without it, or once the programs are
 * off): some may yet be recovered. */
static void bloss_nested_at(struct bloss *l, uint64_t t, uint64_t lost)
{
	if (l->nnested == NESTED_WAIT_MAX) {
		/* Full: the oldest counts as it is. */
		if (l->nested_wait[0].lost > l->lost_nested)
			l->lost_nested = l->nested_wait[0].lost;
		memmove(l->nested_wait, l->nested_wait + 1,
			(NESTED_WAIT_MAX - 1) * sizeof(l->nested_wait[0]));
		l->nnested--;
	}
	l->nested_wait[l->nnested].t = t;
	l->nested_wait[l->nnested++].lost = lost;
}

static void bloss_nested_settle(struct bloss *l)
{
	uint64_t upto = UINT64_MAX;
	unsigned i = 0;

	for (unsigned c = 0; !l->stopped && l->rc && c < l->ncpus; c++)
		if (brecover_good(l->rc, c) < upto)
			upto = brecover_good(l->rc, c);
	while (i < l->nnested && l->nested_wait[i].t <= upto) {
		if (l->nested_wait[i].lost > l->lost_nested)
			l->lost_nested = l->nested_wait[i].lost;
		i++;
	}
	memmove(l->nested_wait, l->nested_wait + i, (l->nnested - i) * sizeof(l->nested_wait[0]));
	l->nnested -= i;
}

/* A miss of tca_state is followed at once by tca_state_nested's record of
 * it, but a look from another CPU can come in between. So while the
 * programs run, the misses of the look before are set against the
 * records of this one; once they are off, both counts are final. With
 * recovery, they count once it has looked past them (bloss_nested_at). */
static void bloss_count(struct bloss *l)
{
	uint64_t c[BCOUNT_MAX], misses, m;
	bool have_misses = bload_state_misses(l->skel, &misses) == 0;

	if (bload_counters(l->skel, c) < 0)
		return;
	if (c[BCOUNT_RING_FULL] > l->lost_ring)
		l->lost_ring = c[BCOUNT_RING_FULL];
	if (have_misses) {
		m = l->stopped ? misses : l->misses_seen;
		l->misses_seen = misses;
		bloss_nested_at(l, bloss_boot_ns(), m > c[BCOUNT_NESTED] ? m - c[BCOUNT_NESTED] : 0);
	}
	bloss_nested_settle(l);
	if (!l->stopped)
		bloss_look_unseen(l);
}

/* The recursion misses less the second program's records, less what was
 * recovered: some of those may have been such misses. */
static uint64_t bloss_nested(const struct bloss *l)
{
	uint64_t rec = brecover_total(l->rc);

	return l->lost_nested > rec ? l->lost_nested - rec : 0;
}

static uint64_t bloss_skipped(const struct bloss *l)
{
	return l->lost_unseen > bloss_nested(l) ? l->lost_unseen : bloss_nested(l);
}

/* Never less than before: the processor records what grows as a gap. */
uint64_t bloss_total(const struct bloss *l)
{
	struct bloss *w = (struct bloss *)l;
	uint64_t t = l->lost_ring + bloss_skipped(l);

	if (t > w->total)
		w->total = t;
	return w->total;
}

static void bloss_log(struct bloss *l)
{
	uint64_t nested = bloss_nested(l), skipped = bloss_skipped(l);
	uint64_t extra = skipped - nested;

	if (l->lost_ring != l->logged_ring)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): the ring buffer was full; raise ring_size",
			l->lost_ring - l->logged_ring, l->lost_ring);
	if (nested > l->logged_nested)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): it ran neither BPF program for them, as they came while "
			"one ran on the same CPU (tcp-audit-bpf(7), Loss)",
			nested - l->logged_nested, nested);
	if (extra > l->logged_unseen)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " more events (%"
			PRIu64 " in all that ran neither BPF program): the tracepoint's own count "
			"has them, and the kernel counted no miss (tcp-audit-bpf(7), Loss)",
			extra - l->logged_unseen, skipped);
	l->logged_ring = l->lost_ring;
	if (nested > l->logged_nested)
		l->logged_nested = nested;
	if (extra > l->logged_unseen)
		l->logged_unseen = extra;
}

void bloss_look(struct bloss *l, bool force)
{
	uint64_t now = bloss_now_s();

	bloss_count(l);
	if (bloss_total(l) == l->logged_ring + l->logged_nested + l->logged_unseen ||
	    (!force && now - l->log_s < LOSS_LOG_INTERVAL_S))
		return;
	bloss_log(l);
	l->log_s = now;
}

/* Whether every CPU that can be checked has had BURST_QUIET quiet moments
 * since first[]. */
static bool bloss_burst_done(const struct bloss *l, const uint64_t *first)
{
	for (unsigned c = 0; c < l->ncpus; c++)
		if (l->have1[c] && unseen_quiet_moments(l->unseen, c) < first[c] + BURST_QUIET)
			return false;
	return true;
}

/* Looks in a quick row, until each CPU has had the quiet moments of one
 * median: at the start, for the bases, so that the comparison covers the
 * run from its first moments even under load; before the stop, for the
 * last count. */
static void bloss_burst(struct bloss *l, const char *when)
{
	uint64_t *first = calloc(l->ncpus, sizeof(*first));

	if (!first)
		return;
	for (unsigned c = 0; c < l->ncpus; c++)
		first[c] = unseen_quiet_moments(l->unseen, c);
	for (unsigned i = 0; i < BURST_WAIT_MS * 1000 / BURST_PAUSE_US; i++) {
		bloss_look_unseen(l);
		if (bloss_burst_done(l, first))
			break;
		usleep(BURST_PAUSE_US);
	}
	for (unsigned c = 0; c < l->ncpus; c++)
		if (l->have1[c])
			tca_log(l->host, TCA_LOG_DEBUG, 0, "CPU %u: %" PRIu64 " quiet moments "
				"compared with the tracepoint's own count (%" PRIu64 " %s)", c,
				unseen_quiet_moments(l->unseen, c),
				unseen_quiet_moments(l->unseen, c) - first[c], when);
	free(first);
}

void bloss_final(struct bloss *l)
{
	if (!l->hits)
		return;
	bloss_burst(l, "at the stop");
	/* Nothing is compared after this: the count costs no more writes. */
	bhits_close(l->hits);
	l->hits = NULL;
}

void bloss_stopped(struct bloss *l)
{
	l->stopped = true;
}

void bloss_recover(struct bloss *l)
{
	if (!l->rc)
		return;
	memset(l->recovered, 0, l->ncpus * sizeof(*l->recovered));
	brecover_work(l->rc, l->recovered);
	for (unsigned c = 0; c < l->ncpus; c++) {
		if (l->recovered[c])
			unseen_recovered(l->unseen, c, l->recovered[c]);
		unseen_settle(l->unseen, c, brecover_good(l->rc, c));
	}
	if (unseen_lost(l->unseen) > l->lost_unseen)
		l->lost_unseen = unseen_lost(l->unseen);
}

/* The kernel side's account of the run, for whoever checks a filter or
 * a loss: every event it saw either passed the filters (and was written
 * or lost) or was filtered out there. */
static void bloss_log_counts(struct bloss *l)
{
	uint64_t c[BCOUNT_MAX];
	char own[128];

	if (bload_counters(l->skel, c) < 0)
		return;
	if (l->checked)
		snprintf(own, sizeof(own), "the tracepoint's own count found %" PRIu64 " run by "
			 "neither program, %" PRIu64 " recovered; %" PRIu64 " counted lost besides "
			 "the ring's", l->lost_unseen, brecover_total(l->rc),
			 bloss_total(l) - l->lost_ring);
	else
		snprintf(own, sizeof(own), "the tracepoint's own count was off (hit_count)");
	tca_log(l->host, TCA_LOG_INFO, 0, "kernel side: %" PRIu64 " events passed the filters "
		"(%" PRIu64 " written, %" PRIu64 " lost: ring buffer full), %" PRIu64 " filtered "
		"out; %" PRIu64 " came while the program ran on their CPU (%" PRIu64 " run by "
		"the second program, %" PRIu64 " lost); %s", c[BCOUNT_PASSED],
		c[BCOUNT_PASSED] - c[BCOUNT_RING_FULL], c[BCOUNT_RING_FULL], c[BCOUNT_FILTERED],
		c[BCOUNT_NESTED] + l->lost_nested, c[BCOUNT_NESTED], l->lost_nested, own);
}

void bloss_close(struct bloss *l)
{
	if (!l)
		return;
	/* What no window settled counts now, as it is. */
	for (unsigned c = 0; l->unseen && c < l->ncpus; c++)
		unseen_settle(l->unseen, c, UINT64_MAX);
	if (l->unseen && unseen_lost(l->unseen) > l->lost_unseen)
		l->lost_unseen = unseen_lost(l->unseen);
	if (l->skel) {
		bloss_look(l, true);
		bloss_log_counts(l);
	}
	bhits_close(l->hits);
	brecover_close(l->rc);
	unseen_free(l->unseen);
	free(l->recovered);
	free(l->seen1);
	free(l->seen2);
	free(l->hits1);
	free(l->have1);
	free(l->odd);
	free(l->hits_look);
	free(l);
}
