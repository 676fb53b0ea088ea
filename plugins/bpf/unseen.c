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
 * start at different moments; every later one, less the base, is what
 * that CPU lost, which only grows.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "bpf.h"

struct unseen_cpu {
	int64_t diff[3];   /* hits - seen at the last three quiet moments */
	uint64_t quiet;    /* quiet moments so far */
	bool based;
	int64_t base;
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

void unseen_quiet(struct unseen *u, unsigned cpu, uint64_t hits, uint64_t seen)
{
	struct unseen_cpu *c;
	int64_t m;

	if (cpu >= u->ncpus)
		return;
	c = &u->cpu[cpu];
	c->diff[c->quiet++ % 3] = (int64_t)(hits - seen);
	if (c->quiet < 3)
		return;
	m = median3(c->diff);
	if (!c->based) {
		c->base = m;
		c->based = true;
	} else if (m > c->base && (uint64_t)(m - c->base) > c->lost) {
		c->lost = (uint64_t)(m - c->base);
	}
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
