/* SPDX-License-Identifier: MIT */
/* What recover.c and history.c share. */
#ifndef TCA_BPF_RECOVER_H
#define TCA_BPF_RECOVER_H

#include <stdbool.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

struct brec;

/* A record is stamped after its event's trace stamp, by microseconds;
 * one CPU's records are in time order to within this. */
#define BHIST_MATCH_BEFORE_NS 20000
#define BHIST_MATCH_AFTER_NS 50000

/* What identifies an event: its change of state and four-tuple. */
struct bkey {
	uint8_t family, oldstate, newstate;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

/* An event the count of hits kept. */
struct kept {
	uint64_t ts;            /* the trace stamp: CLOCK_BOOTTIME */
	struct bkey k;
};

void bkey_of_event(const struct tca_event *e, struct bkey *k);

/* ---- history.c: the records the reader consumed, per CPU */

struct bhist;
/* per_cpu records each (at most 262,144 in all); *size: what each got. */
struct bhist *bhist_new(unsigned ncpus, uint64_t per_cpu, bool ipv4_mapped, uint64_t *size);
void bhist_free(struct bhist *hs);
/* The hot path: a copy. */
void bhist_add(struct bhist *hs, const struct brec *r);
/* The latest stamp of that CPU's records. */
uint64_t bhist_newest(const struct bhist *hs, unsigned cpu);
/* Whether that CPU's history still has what came from t on. */
bool bhist_covers(const struct bhist *hs, unsigned cpu, uint64_t t);
/* A walk of that CPU's records from about t, for bhist_seen() of events
 * in time order. */
uint64_t bhist_walk_from(const struct bhist *hs, unsigned cpu, uint64_t t);
/* Whether the kept event has its record on its CPU; moves *walk on. */
bool bhist_seen(const struct bhist *hs, unsigned cpu, const struct kept *k, uint64_t *walk);
/* Whether a record of that change of that socket is within ns of it, on
 * any CPU. */
bool bhist_near(const struct bhist *hs, const struct kept *k, uint64_t ns);
/* The socket's last record before the event, on any CPU, decoded into e:
 * false when there is none in the history. */
bool bhist_before(const struct bhist *hs, const struct kept *k, struct tca_event *e,
		  const struct brec **rec);
/* Whether the socket's (cookie's) first record after the event, on any
 * CPU, has the same holder: then no accept or close changed the owner in
 * between. */
bool bhist_same_holder_after(const struct bhist *hs, const struct kept *k,
			     const struct brec *before);

#endif
