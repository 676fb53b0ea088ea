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
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf.h"
#include "bpf-record.h"

#define LOSS_LOG_INTERVAL_S 10
/* At the start and before the stop: the quiet moments each CPU should
 * have, and how long to wait for them. */
#define BURST_QUIET 3
#define BURST_WAIT_MS 200
#define BURST_PAUSE_US 2000

struct bloss {
	const struct tca_host *host;
	struct tca_bpf *skel;
	struct bhits *hits;        /* NULL: hit_count=no, no tracefs, or stopped */
	bool checked;              /* the hits were counted */
	struct unseen *unseen;
	unsigned ncpus;
	uint64_t *seen1, *seen2, *hits1; /* per CPU, for a look */
	bool *have1;
	bool stopped;              /* the programs are off: the counts are final */
	uint64_t lost_ring, lost_nested, lost_unseen;
	uint64_t logged_ring, logged_nested, logged_unseen;
	uint64_t misses_seen;      /* tca_state's recursion misses at the last look */
	uint64_t log_s;
};

static void bloss_burst(struct bloss *l, const char *when);

static uint64_t bloss_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

int bloss_open(const struct tca_host *host, struct tca_bpf *skel, struct bhits *hits,
	       struct bloss **out)
{
	int n = libbpf_num_possible_cpus();
	struct bloss *l = n > 0 ? calloc(1, sizeof(*l)) : NULL;

	if (!l) {
		bhits_close(hits);
		return n > 0 ? -ENOMEM : n < 0 ? n : -EINVAL;
	}
	/* Taken first, so that a failure below closes it with the rest. */
	l->hits = hits;
	l->ncpus = (unsigned)n;
	l->seen1 = calloc(l->ncpus, sizeof(*l->seen1));
	l->seen2 = calloc(l->ncpus, sizeof(*l->seen2));
	l->hits1 = calloc(l->ncpus, sizeof(*l->hits1));
	l->have1 = calloc(l->ncpus, sizeof(*l->have1));
	l->unseen = unseen_new(l->ncpus);
	if (!l->seen1 || !l->seen2 || !l->hits1 || !l->have1 || !l->unseen) {
		bloss_close(l); /* no skel yet: no last look */
		return -ENOMEM;
	}
	l->host = host;
	l->skel = skel;
	l->checked = hits != NULL;
	l->log_s = bloss_now_s();
	if (l->hits)
		bloss_burst(l, "at the start");
	*out = l;
	return 0;
}

/* Both counts, twice, in the order seen, hits, seen, hits: a CPU whose
 * counts did not move in between was quiet for the first pair. */
static void bloss_look_unseen(struct bloss *l)
{
	if (!l->hits || bload_seen(l->skel, l->seen1, l->ncpus) < 0)
		return;
	for (unsigned c = 0; c < l->ncpus; c++)
		l->have1[c] = bhits_read(l->hits, c, &l->hits1[c]);
	if (bload_seen(l->skel, l->seen2, l->ncpus) < 0)
		return;
	for (unsigned c = 0; c < l->ncpus; c++) {
		uint64_t h2;

		if (l->have1[c] && l->seen1[c] == l->seen2[c] && bhits_read(l->hits, c, &h2) &&
		    h2 == l->hits1[c])
			unseen_quiet(l->unseen, c, l->hits1[c], l->seen1[c]);
	}
	if (unseen_lost(l->unseen) > l->lost_unseen)
		l->lost_unseen = unseen_lost(l->unseen);
}

/* A miss of tca_state is followed at once by tca_state_nested's record of
 * it, but a look from another CPU can come in between. So while the
 * programs run, the misses of the look before are set against the
 * records of this one; once they are off, both counts are final. */
static void bloss_count(struct bloss *l)
{
	uint64_t c[BCOUNT_MAX], misses, m;
	bool have_misses = bload_state_misses(l->skel, &misses) == 0;

	if (!l->stopped)
		bloss_look_unseen(l);
	if (bload_counters(l->skel, c) < 0)
		return;
	if (c[BCOUNT_RING_FULL] > l->lost_ring)
		l->lost_ring = c[BCOUNT_RING_FULL];
	if (!have_misses)
		return;
	m = l->stopped ? misses : l->misses_seen;
	l->misses_seen = misses;
	if (m > c[BCOUNT_NESTED] && m - c[BCOUNT_NESTED] > l->lost_nested)
		l->lost_nested = m - c[BCOUNT_NESTED];
}

static uint64_t bloss_skipped(const struct bloss *l)
{
	return l->lost_unseen > l->lost_nested ? l->lost_unseen : l->lost_nested;
}

uint64_t bloss_total(const struct bloss *l)
{
	return l->lost_ring + bloss_skipped(l);
}

static void bloss_log(struct bloss *l)
{
	uint64_t extra = bloss_skipped(l) - l->lost_nested;

	if (l->lost_ring != l->logged_ring)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): the ring buffer was full; raise ring_size",
			l->lost_ring - l->logged_ring, l->lost_ring);
	if (l->lost_nested != l->logged_nested)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
			" in all): it ran neither BPF program for them, as they came while "
			"one ran on the same CPU (tcp-audit-bpf(7), Loss)",
			l->lost_nested - l->logged_nested, l->lost_nested);
	if (extra > l->logged_unseen)
		tca_log(l->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " more events (%"
			PRIu64 " in all that ran neither BPF program): the tracepoint's own count "
			"has them, and the kernel counted no miss (tcp-audit-bpf(7), Loss)",
			extra - l->logged_unseen, bloss_skipped(l));
	l->logged_ring = l->lost_ring;
	l->logged_nested = l->lost_nested;
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
			 "neither program", l->lost_unseen);
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
	if (l->skel) {
		bloss_look(l, true);
		bloss_log_counts(l);
	}
	bhits_close(l->hits);
	unseen_free(l->unseen);
	free(l->seen1);
	free(l->seen2);
	free(l->hits1);
	free(l->have1);
	free(l);
}
