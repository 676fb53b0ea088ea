/* SPDX-License-Identifier: MIT */
/* Deterministic synthetic events for tests and benchmarks. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "replay.h"

void replay_synth(uint64_t i, struct tca_event *ev)
{
	uint64_t sock = i / 4 + 1;

	memset(ev, 0, sizeof(*ev));
	ev->time_ns = REPLAY_EPOCH_NS + i * 1000u;
	ev->sock = sock;
	ev->protocol = TCA_PROTO_TCP;
	ev->oldstate = (uint8_t)(i % TCA_STATE_MAX + 1);
	ev->newstate = (uint8_t)((i + 1) % TCA_STATE_MAX + 1);
	if (i % 7 != 6) {
		ev->flags |= TCA_EV_PID;
		ev->owner = TCA_OWNER_HOLDER;
		ev->pid = (int32_t)(1000 + i % 50);
		snprintf(ev->comm, sizeof(ev->comm), "proc-%u", (unsigned)(i % 50));
	}
	ev->sport = (uint16_t)(1024 + i % 60000);
	ev->dport = (uint16_t)(i % 3 == 0 ? 443 : i % 3 == 1 ? 80 : 5432);
	if (sock % 2) {
		/* 192.0.2.0/24 and 198.51.100.0/24: documentation networks. */
		ev->family = TCA_FAMILY_IPV4;
		ev->saddr[0] = 192, ev->saddr[1] = 0, ev->saddr[2] = 2;
		ev->saddr[3] = (uint8_t)(i % 250 + 1);
		ev->daddr[0] = 198, ev->daddr[1] = 51, ev->daddr[2] = 100;
		ev->daddr[3] = (uint8_t)(i % 200 + 1);
	} else {
		/* 2001:db8::/32 */
		ev->family = TCA_FAMILY_IPV6;
		ev->saddr[0] = 0x20, ev->saddr[1] = 0x01, ev->saddr[2] = 0x0d, ev->saddr[3] = 0xb8;
		ev->saddr[14] = (uint8_t)(i >> 8), ev->saddr[15] = (uint8_t)i;
		memcpy(ev->daddr, ev->saddr, 14);
		ev->daddr[15] = 1;
	}
}
