/* SPDX-License-Identifier: MIT */
/* One summary per socket life out of a batch of events (see connfold.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connfold.h"

int connfold_init(struct connfold *f, size_t cap)
{
	size_t slots = 16;

	while (slots < 2 * cap)
		slots <<= 1;
	*f = (struct connfold){ .cap = cap, .mask = slots - 1 };
	f->slot = calloc(slots, sizeof(*f->slot));
	f->conn = calloc(cap, sizeof(*f->conn));
	if (!f->slot || !f->conn) {
		connfold_free(f);
		return -ENOMEM;
	}
	return 0;
}

void connfold_free(struct connfold *f)
{
	free(f->slot);
	free(f->conn);
	*f = (struct connfold){ 0 };
}

void connfold_reset(struct connfold *f)
{
	/* At least 2 slots per event of a full batch: clearing them all
	 * costs a few ns per event, less than tracking which were used. */
	memset(f->slot, 0, (f->mask + 1) * sizeof(*f->slot));
	f->n = 0;
}

static bool connfold_zero(const uint8_t *a, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i])
			return false;
	return true;
}

/* Holder over listener over unknown (enum tca_owner). */
static int connfold_owner_rank(const struct tca_event *ev)
{
	if (!(ev->flags & TCA_EV_PID))
		return 0;
	return ev->owner == TCA_OWNER_HOLDER ? 3 : ev->owner == TCA_OWNER_LISTENER ? 2 : 1;
}

static int connfold_conn_rank(const struct connfold_conn *c)
{
	if (!(c->flags & TCA_EV_PID))
		return 0;
	return c->owner == TCA_OWNER_HOLDER ? 3 : c->owner == TCA_OWNER_LISTENER ? 2 : 1;
}

static void connfold_merge(struct connfold_conn *c, const struct tca_event *ev)
{
	size_t alen = ev->family == TCA_FAMILY_IPV6 ? 16 : 4;

	if (ev->time_ns < c->first_ns)
		c->first_ns = ev->time_ns;
	if (ev->time_ns > c->last_ns)
		c->last_ns = ev->time_ns;
	c->last_seq = ev->seq;
	c->state = ev->newstate;
	if (ev->oldstate < 32)
		c->states |= 1u << ev->oldstate;
	if (ev->newstate < 32)
		c->states |= 1u << ev->newstate;
	c->events++;
	c->family = ev->family;
	c->protocol = ev->protocol;
	if (connfold_zero(c->saddr, alen))
		memcpy(c->saddr, ev->saddr, sizeof(c->saddr));
	if (connfold_zero(c->daddr, alen))
		memcpy(c->daddr, ev->daddr, sizeof(c->daddr));
	if (!c->sport)
		c->sport = ev->sport;
	if (!c->dport)
		c->dport = ev->dport;
	if (connfold_owner_rank(ev) && connfold_owner_rank(ev) >= connfold_conn_rank(c)) {
		c->pid = ev->pid;
		c->owner = ev->owner;
		memcpy(c->comm, ev->comm, sizeof(c->comm));
		c->flags |= TCA_EV_PID;
	}
	if (ev->flags & TCA_EV_UID)
		c->uid = ev->uid;
	if (ev->flags & TCA_EV_NETNS)
		c->netns = ev->netns;
	if (ev->flags & TCA_EV_CGROUP)
		c->cgroup = ev->cgroup;
	if (ev->flags & TCA_EV_BYTES) {
		c->bytes_sent = ev->bytes_sent;
		c->bytes_received = ev->bytes_received;
	}
	c->flags |= ev->flags & (TCA_EV_UID | TCA_EV_NETNS | TCA_EV_CGROUP | TCA_EV_BYTES);
}

long connfold_add(struct connfold *f, const struct tca_event *ev)
{
	/* sock ids are hashes already (tracefs, bpf) or small counters
	 * (replay): mix them so that counters spread too. */
	uint64_t k = ev->sock * 0x9e3779b97f4a7c15ull;
	size_t h = (size_t)(k >> 32) & f->mask;
	struct connfold_conn *c;

	while (f->slot[h]) {
		c = &f->conn[f->slot[h] - 1];
		if (c->sock == ev->sock) {
			connfold_merge(c, ev);
			return (long)(f->slot[h] - 1);
		}
		h = (h + 1) & f->mask;
	}
	if (f->n >= f->cap)
		return -1;
	c = &f->conn[f->n];
	memset(c, 0, sizeof(*c));
	c->sock = ev->sock;
	c->first_ns = c->last_ns = ev->time_ns;
	f->slot[h] = (uint32_t)++f->n;
	connfold_merge(c, ev);
	return (long)(f->n - 1);
}
