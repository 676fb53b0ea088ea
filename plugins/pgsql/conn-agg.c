/* SPDX-License-Identifier: MIT */
/* A batch's events folded into one summary per socket (conn-agg.h), with
 * a hash table that is sized once and cleared per batch, so that the hot
 * path allocates nothing. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn-agg.h"

unsigned conn_owner_rank(const struct tca_event *ev)
{
	if (!(ev->flags & TCA_EV_PID))
		return 0;
	return ev->owner == TCA_OWNER_HOLDER ? 2 : 1;
}

static int conn_agg_reserve(struct conn_agg *a, size_t n)
{
	size_t nslots = 16;
	struct conn_sum *sum;
	uint32_t *slot;

	if (n <= a->cap)
		return 0;
	if (n > UINT32_MAX / 4)
		return -ENOMEM;
	while (nslots < 2 * n)
		nslots *= 2;
	sum = malloc(n * sizeof(*sum));
	slot = malloc(nslots * sizeof(*slot));
	if (!sum || !slot) {
		free(sum);
		free(slot);
		return -ENOMEM;
	}
	conn_agg_free(a);
	a->sum = sum;
	a->slot = slot;
	a->nslots = nslots;
	a->cap = n;
	return 0;
}

/* The summary of ev's socket, new if it has none yet. */
static struct conn_sum *conn_agg_find(struct conn_agg *a, const struct tca_event *ev)
{
	/* Fibonacci hashing: sock ids are often small and dense. */
	size_t mask = a->nslots - 1;
	size_t i = (size_t)((ev->sock * 0x9e3779b97f4a7c15ull) >> 32) & mask;
	struct conn_sum *s;

	for (;; i = (i + 1) & mask) {
		uint32_t v = a->slot[i];
		if (!v)
			break;
		if (a->sum[v - 1].sock == ev->sock)
			return &a->sum[v - 1];
	}
	s = &a->sum[a->n++];
	a->slot[i] = (uint32_t)a->n;
	memset(s, 0, sizeof(*s));
	s->sock = ev->sock;
	s->first = s->last = s->owner = ev;
	return s;
}

static void conn_sum_add(struct conn_sum *s, const struct tca_event *ev)
{
	if (ev->time_ns < s->first->time_ns)
		s->first = ev;
	if (ev->time_ns >= s->last->time_ns)
		s->last = ev;
	if (conn_owner_rank(ev) > conn_owner_rank(s->owner) ||
	    (conn_owner_rank(ev) == conn_owner_rank(s->owner) && ev->time_ns >= s->owner->time_ns))
		s->owner = ev;
	if (ev->flags & TCA_EV_UID)
		s->uid = ev;
	if (ev->flags & TCA_EV_NETNS)
		s->netns = ev;
	if (ev->flags & TCA_EV_CGROUP)
		s->cgroup = ev;
	if (ev->flags & TCA_EV_BYTES) {
		if (!s->has_bytes || ev->bytes_sent > s->bytes_sent)
			s->bytes_sent = ev->bytes_sent;
		if (!s->has_bytes || ev->bytes_received > s->bytes_received)
			s->bytes_received = ev->bytes_received;
		s->has_bytes = 1;
	}
	/* States past 31 are an eventer's bug: kept in the events, not here. */
	if (ev->oldstate < 32)
		s->states |= 1u << ev->oldstate;
	if (ev->newstate < 32)
		s->states |= 1u << ev->newstate;
}

int conn_agg_batch(struct conn_agg *a, const struct tca_event *ev, size_t n)
{
	int r = conn_agg_reserve(a, n);

	if (r < 0)
		return r;
	a->n = 0;
	if (a->slot)
		memset(a->slot, 0, a->nslots * sizeof(*a->slot));
	for (size_t i = 0; i < n; i++)
		conn_sum_add(conn_agg_find(a, &ev[i]), &ev[i]);
	return 0;
}

void conn_agg_free(struct conn_agg *a)
{
	free(a->sum);
	free(a->slot);
	a->sum = NULL;
	a->slot = NULL;
	a->n = a->nslots = a->cap = 0;
}
