/* SPDX-License-Identifier: MIT */
/*
 * What recover.c looks events up in: the records the reader consumed, a
 * ring per CPU (the CPU the record says its event ran on). One CPU's
 * records come in the order its events came, but for the few that
 * interrupt a run of the first program, which the lookups allow for; the
 * newest stamp of a CPU tells up to when its records are all in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf.h"
#include "bpf-record.h"
#include "recover.h"

#define HISTORY_MIN 4096
#define HISTORY_ALL (1u << 18) /* records of all CPUs: 32 MiB */

/* One CPU's records, r[i & mask] for the last mask + 1 of n. */
struct hring {
	struct brec *r;
	uint64_t n, mask;
	uint64_t newest;        /* the latest stamp among them */
};

struct bhist {
	unsigned ncpus;
	bool ipv4_mapped;
	struct hring cpu[];
};

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

struct bhist *bhist_new(unsigned ncpus, uint64_t per_cpu, bool ipv4_mapped, uint64_t *size)
{
	struct bhist *hs = calloc(1, sizeof(*hs) + ncpus * sizeof(hs->cpu[0]));
	uint64_t n = pow2_at_least(per_cpu);

	if (!hs)
		return NULL;
	/* All CPUs' together at most HISTORY_ALL: a machine of many CPUs
	 * has fewer events a CPU. */
	if (n > HISTORY_ALL / ncpus)
		n = pow2_at_least(HISTORY_ALL / ncpus + 1) / 2;
	if (n < HISTORY_MIN)
		n = HISTORY_MIN;
	hs->ncpus = ncpus;
	hs->ipv4_mapped = ipv4_mapped;
	for (unsigned c = 0; c < ncpus; c++) {
		hs->cpu[c].mask = n - 1;
		hs->cpu[c].r = malloc(n * sizeof(struct brec));
		if (!hs->cpu[c].r) {
			bhist_free(hs);
			return NULL;
		}
	}
	*size = n;
	return hs;
}

void bhist_free(struct bhist *hs)
{
	for (unsigned c = 0; hs && c < hs->ncpus; c++)
		free(hs->cpu[c].r);
	free(hs);
}

void bhist_add(struct bhist *hs, const struct brec *r)
{
	struct hring *h = &hs->cpu[r->cpu < hs->ncpus ? r->cpu : 0];

	memcpy(&h->r[h->n++ & h->mask], r, sizeof(*r));
	if (r->time_ns > h->newest)
		h->newest = r->time_ns;
}

uint64_t bhist_newest(const struct bhist *hs, unsigned cpu)
{
	return cpu < hs->ncpus ? hs->cpu[cpu].newest : 0;
}

void bkey_of_event(const struct tca_event *e, struct bkey *k)
{
	memset(k, 0, sizeof(*k));
	k->family = e->family;
	k->oldstate = e->oldstate;
	k->newstate = e->newstate;
	k->sport = e->sport;
	k->dport = e->dport;
	memcpy(k->saddr, e->saddr, 16);
	memcpy(k->daddr, e->daddr, 16);
}

/* The same four-tuple; with states too if `states`. The ports first:
 * they tell most records apart without a decode. */
static bool record_is(const struct bhist *hs, const struct brec *r, const struct bkey *k,
		      bool states, struct tca_event *e)
{
	if (r->sport != k->sport || r->dport != k->dport)
		return false;
	if (states && (r->oldstate != k->oldstate || r->newstate != k->newstate))
		return false;
	bdecode(r, hs->ipv4_mapped, 0, e);
	return e->family == k->family && memcmp(e->saddr, k->saddr, 16) == 0 &&
	       memcmp(e->daddr, k->daddr, 16) == 0;
}

static uint64_t ring_oldest(const struct hring *h)
{
	return h->n > h->mask + 1 ? h->n - h->mask - 1 : 0;
}

static const struct brec *ring_at(const struct hring *h, uint64_t i)
{
	return &h->r[i & h->mask];
}

/* The first record stamped at or after t. One CPU's records are in time
 * order but for the few that interrupt a run of the first program, which
 * the callers allow for. */
static uint64_t ring_find(const struct hring *h, uint64_t t)
{
	uint64_t lo = ring_oldest(h), hi = h->n;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ring_at(h, mid)->time_ns < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool bhist_covers(const struct bhist *hs, unsigned cpu, uint64_t t)
{
	const struct hring *h = &hs->cpu[cpu < hs->ncpus ? cpu : 0];

	return h->n <= h->mask + 1 ||
	       ring_at(h, ring_oldest(h))->time_ns + BHIST_MATCH_BEFORE_NS < t;
}

static bool rec_same_change(const struct brec *r, const struct bkey *k)
{
	return r->sport == k->sport && r->dport == k->dport && r->oldstate == k->oldstate &&
	       r->newstate == k->newstate;
}

/* A record of this change of this socket on the CPU of ring h, stamped
 * within [ts - before, ts + after]; *from (if not NULL) starts the search
 * and is moved on, for a walk in time order. */
static bool ring_has(const struct bhist *hs, const struct hring *h, const struct kept *k,
		     uint64_t before, uint64_t after, uint64_t *from)
{
	uint64_t lo = k->ts > before + BHIST_MATCH_BEFORE_NS ? k->ts - before - BHIST_MATCH_BEFORE_NS : 0;
	uint64_t i = from ? *from : ring_find(h, lo);
	struct tca_event e;

	if (i < ring_oldest(h))
		i = ring_oldest(h);
	while (from && i < h->n && ring_at(h, i)->time_ns < lo)
		i++;
	if (from)
		*from = i;
	for (; i < h->n; i++) {
		const struct brec *r = ring_at(h, i);

		if (r->time_ns > k->ts + after + BHIST_MATCH_BEFORE_NS)
			break;
		if (r->time_ns + before < k->ts || r->time_ns > k->ts + after ||
		    !rec_same_change(r, &k->k))
			continue;
		/* On its own CPU, within microseconds, the ports and states
		 * tell the event's record; elsewhere, the addresses too. */
		if (from || record_is(hs, r, &k->k, true, &e))
			return true;
	}
	return false;
}

bool bhist_near(const struct bhist *hs, const struct kept *k, uint64_t ns)
{
	for (unsigned c = 0; c < hs->ncpus; c++)
		if (ring_has(hs, &hs->cpu[c], k, ns, ns, NULL))
			return true;
	return false;
}

bool bhist_seen(const struct bhist *hs, unsigned cpu, const struct kept *k, uint64_t *walk)
{
	return cpu < hs->ncpus &&
	       ring_has(hs, &hs->cpu[cpu], k, BHIST_MATCH_BEFORE_NS, BHIST_MATCH_AFTER_NS, walk);
}

uint64_t bhist_walk_from(const struct bhist *hs, unsigned cpu, uint64_t t)
{
	return cpu < hs->ncpus ? ring_find(&hs->cpu[cpu], t > 2 * BHIST_MATCH_BEFORE_NS ?
					   t - 2 * BHIST_MATCH_BEFORE_NS : 0) : 0;
}

bool bhist_before(const struct bhist *hs, const struct kept *k, struct tca_event *e,
		  const struct brec **rec)
{
	const struct brec *best = NULL;

	for (unsigned c = 0; c < hs->ncpus; c++) {
		const struct hring *h = &hs->cpu[c];
		uint64_t oldest = ring_oldest(h);

		for (uint64_t i = ring_find(h, k->ts + BHIST_MATCH_BEFORE_NS); i-- > oldest;) {
			const struct brec *r = ring_at(h, i);

			if (r->time_ns >= k->ts || r->sport != k->k.sport || r->dport != k->k.dport ||
			    !record_is(hs, r, &k->k, false, e))
				continue;
			if (!best || r->time_ns > best->time_ns)
				best = r;
			break;
		}
	}
	if (!best)
		return false;
	bdecode(best, hs->ipv4_mapped, 0, e);
	*rec = best;
	return true;
}

bool bhist_same_holder_after(const struct bhist *hs, const struct kept *k,
			     const struct brec *before)
{
	const struct brec *first = NULL;

	for (unsigned c = 0; c < hs->ncpus; c++) {
		const struct hring *h = &hs->cpu[c];

		for (uint64_t i = ring_find(h, k->ts); i < h->n; i++) {
			const struct brec *r = ring_at(h, i);

			if (r->cookie != before->cookie || r->time_ns < k->ts)
				continue;
			if (!first || r->time_ns < first->time_ns)
				first = r;
			break;
		}
	}
	return first && (first->flags & BREC_OWNER) && first->owner == BREC_OWNER_HOLDER &&
	       first->pid == before->pid;
}
