/* SPDX-License-Identifier: MIT */
/* A ring buffer record (struct brec) as the event it reports. */
#include "config.h"

#include <string.h>

#include <linux/types.h>

#include "bpf.h"
#include "bpf-record.h"

static bool is_v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, 12) == 0;
}

/* An IPv6 socket talking IPv4 has both addresses mapped, or the local
 * one unspecified (a listener on ::). */
static void bdecode_addrs(bool ipv4_mapped, const struct brec *r, struct tca_event *e)
{
	static const uint8_t any[16];

	if (r->family == 2) {
		e->family = TCA_FAMILY_IPV4;
		memcpy(e->saddr, r->saddr, 4);
		memcpy(e->daddr, r->daddr, 4);
		return;
	}
	if (!ipv4_mapped && is_v4_mapped(r->daddr) &&
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

void bdecode(const struct brec *r, bool ipv4_mapped, int64_t offset_ns, struct tca_event *e)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = (uint64_t)((int64_t)r->time_ns + offset_ns);
	e->sock = r->cookie;
	e->oldstate = r->oldstate;
	e->newstate = r->newstate;
	e->protocol = r->protocol;
	e->sport = r->sport;
	e->dport = r->dport;
	bdecode_addrs(ipv4_mapped, r, e);
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
