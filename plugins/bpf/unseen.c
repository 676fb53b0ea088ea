/* SPDX-License-Identifier: MIT */
/*
 * The events the kernel ran neither BPF program for, CPU by CPU: the
 * tracepoint's own count of its hits (hits.c) less the programs' count of
 * the events they ran for.
 *
 * The two counts move at slightly different moments, since the two probes
 * of one event run one after the other, so they are compared only at a
 * CPU's quiet moments: when neither changed between two reads of both
 * (loss.c). One event whose two probes an interrupt holds apart for longer
 * than those reads can still sit in between, and be counted by one and
 * not yet by the other; such an odd difference stays out of the median of
 * the last three. The first median is the CPU's base, since the counts
 * start at different moments; every later one, less the base and the
 * events recovered (recover.c), is what that CPU lost, which only grows.
 * While a CPU's suspect events are being looked for, its loss is held:
 * what is recovered must never have been counted lost.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf.h"

/* Quiet moments not settled yet: taken in, but not counted until recovery
 * has looked at what came before them. */
#define UNSETTLED_MAX 8

struct moment {
	uint64_t t;
	int64_t diff;
};

struct unseen_cpu {
	int64_t diff[3];   /* hits - seen at the last three settled quiet moments */
	uint64_t quiet;    /* quiet moments so far */
	uint64_t settled;
	struct moment wait[UNSETTLED_MAX];
	unsigned nwait;
	int64_t last;      /* the last quiet moment's diff */
	bool based;
	int64_t base;
	uint64_t recovered;
	uint64_t lost;
};

struct unseen {
	unsigned ncpus;
	struct unseen_cpu cpu[];
};

struct unseen *unseen_new(unsigned ncpus)
{
	struct unseen *u = calloc(1, sizeof(*u) + ncpus * sizeof(u->cpu[0]));

	if (u)
		u->ncpus = ncpus;
	return u;
}

void unseen_free(struct unseen *u)
{
	free(u);
}

static int64_t median3(const int64_t d[3])
{
	int64_t lo = d[0] < d[1] ? d[0] : d[1], hi = d[0] < d[1] ? d[1] : d[0];

	return d[2] < lo ? lo : d[2] > hi ? hi : d[2];
}

/* One settled moment: into the median, then what it says was lost. */
static void unseen_take(struct unseen_cpu *c, int64_t diff)
{
	int64_t lost;

	c->diff[c->settled++ % 3] = diff;
	if (c->settled < 3)
		return;
	if (!c->based) {
		c->base = median3(c->diff);
		c->based = true;
		return;
	}
	lost = median3(c->diff) - c->base - (int64_t)c->recovered;
	if (lost > 0 && (uint64_t)lost > c->lost)
		c->lost = (uint64_t)lost;
}

void unseen_quiet(struct unseen *u, unsigned cpu, uint64_t hits, uint64_t seen, uint64_t t)
{
	struct unseen_cpu *c;

	if (cpu >= u->ncpus)
		return;
	c = &u->cpu[cpu];
	c->quiet++;
	c->last = (int64_t)(hits - seen);
	/* Full: the oldest counts as it is, so that none is ever dropped. */
	if (c->nwait == UNSETTLED_MAX) {
		unseen_take(c, c->wait[0].diff);
		memmove(c->wait, c->wait + 1, (UNSETTLED_MAX - 1) * sizeof(c->wait[0]));
		c->nwait--;
	}
	c->wait[c->nwait].t = t;
	c->wait[c->nwait++].diff = c->last;
}

void unseen_settle(struct unseen *u, unsigned cpu, uint64_t upto)
{
	struct unseen_cpu *c;
	unsigned i = 0;

	if (cpu >= u->ncpus)
		return;
	c = &u->cpu[cpu];
	while (i < c->nwait && c->wait[i].t <= upto)
		unseen_take(c, c->wait[i++].diff);
	memmove(c->wait, c->wait + i, (c->nwait - i) * sizeof(c->wait[0]));
	c->nwait -= i;
}

uint64_t unseen_quiet_moments(const struct unseen *u, unsigned cpu)
{
	return cpu < u->ncpus ? u->cpu[cpu].quiet : 0;
}

uint64_t unseen_lost(const struct unseen *u)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < u->ncpus; i++)
		n += u->cpu[i].lost;
	return n;
}

static uint64_t unseen_over(const struct unseen_cpu *c, int64_t diff)
{
	int64_t e;

	if (!c->based)
		return 0;
	e = diff - c->base - (int64_t)c->recovered - (int64_t)c->lost;
	return e > 0 ? (uint64_t)e : 0;
}

uint64_t unseen_excess(const struct unseen *u, unsigned cpu)
{
	return cpu < u->ncpus ? unseen_over(&u->cpu[cpu], u->cpu[cpu].last) : 0;
}

uint64_t unseen_bound(const struct unseen *u, unsigned cpu, uint64_t hits, uint64_t seen_before)
{
	return cpu < u->ncpus ? unseen_over(&u->cpu[cpu], (int64_t)(hits - seen_before)) : 0;
}

bool unseen_based(const struct unseen *u, unsigned cpu)
{
	return cpu < u->ncpus && u->cpu[cpu].based;
}

void unseen_recovered(struct unseen *u, unsigned cpu, uint64_t n)
{
	if (cpu < u->ncpus)
		u->cpu[cpu].recovered += n;
}
