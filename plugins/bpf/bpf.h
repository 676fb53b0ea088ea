/* SPDX-License-Identifier: MIT */
/* The bpf eventer's internal interfaces, one section per source file. */
#ifndef TCA_BPF_H
#define TCA_BPF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <tcp-audit/plugin.h>

#include "cgpath.h"

struct tca_bpf;
struct ring_buffer;
struct bhits;
struct brec;
struct brecover;

#define BPF_FILTER_MAX 16 /* BFILTER_MAX of bpf-record.h */

/* The options, as the processor stores them (see the table in bpf.c). */
struct bpf_config {
	uint64_t ring_size;
	uint64_t wake_size;
	uint64_t busy_interval_ms;
	const char *family;
	const char *ports;
	const char *states;
	const char *addresses;
	const char *netns;
	const char *cgroups;
	bool ipv4_mapped;
	bool cgroup_paths;
	bool syscalls;
	bool hit_count;
	uint64_t recover_buffer;
};

/* ---- load.c: the BPF object, loaded and attached */

/* The filters, all applied in the kernel (see filter.c). */
struct bpf_filter {
	unsigned family;           /* 0, or TCA_FAMILY_* to keep */
	uint32_t states;
	uint16_t ports[BPF_FILTER_MAX];
	size_t nports;
	uint8_t addrs[BPF_FILTER_MAX][16]; /* IPv4 as ::ffff:a.b.c.d */
	size_t naddrs;
	uint64_t netns[BPF_FILTER_MAX];
	size_t nnetns;
	uint64_t cgroups[BPF_FILTER_MAX];
	size_t ncgroups;
};

/* ---- filter.c: the filter options, parsed into struct bpf_filter */

/* Logs the bad option and returns -EINVAL. */
int bfilter_parse(const struct tca_host *host, const struct bpf_config *c, struct bpf_filter *f);

int bload_open(const struct tca_host *host, const struct bpf_config *c,
	       const struct bpf_filter *f, struct tca_bpf **skel);
void bload_close(struct tca_bpf *skel);
/* The state changes that the kernel did not run tca_state for, because it
 * was running on that CPU already (its "recursion misses"). */
int bload_state_misses(struct tca_bpf *skel, uint64_t *misses);
/* What the kernel side counted, summed over CPUs: the slots of enum
 * brec_counter, BCOUNT_MAX of them. */
int bload_counters(struct tca_bpf *skel, uint64_t *counts);
/* Per CPU (ncpus of them, libbpf_num_possible_cpus()), the events that the
 * programs ran for: those that passed the filters and those they dropped. */
int bload_seen(struct tca_bpf *skel, uint64_t *seen, unsigned ncpus);
/* Stop the kernel side: no event is written after it returns. */
void bload_detach(struct tca_bpf *skel);
/* Tell the kernel side whether the reader is busy (see read.c). */
void bload_set_busy(struct tca_bpf *skel, bool busy);

/* cgroup v2 ids -> paths, logged and handed as name records once per new
 * id: lib/cgpath.h */

/* ---- decode.c: a ring buffer record as the event it reports */

void bdecode(const struct brec *r, bool ipv4_mapped, int64_t offset_ns, struct tca_event *e);

/* ---- hits.c: the tracepoint's own count of its hits, per CPU */

/* Logs why not (a warning: the eventer runs without the count).
 * buffer_size: per CPU, what the instance keeps of the events for
 * recover.c (trace clock boot, as the programs' time); 0: only the count. */
int bhits_open(const struct tca_host *host, unsigned ncpus, uint64_t buffer_size,
	       struct bhits **h);
/* False when that CPU's count cannot be read. */
bool bhits_read(struct bhits *h, unsigned cpu, uint64_t *hits);
/* The instance's next page of that CPU's events, consumed (trace_pipe_raw),
 * into buf of the page size: bytes, 0 when none is left, or -errno. */
ssize_t bhits_read_page(struct bhits *h, unsigned cpu, void *buf, size_t size);
/* Whether the instance keeps the events (buffer_size > 0 and readable). */
bool bhits_keeps(const struct bhits *h);
void bhits_close(struct bhits *h);
/* --release: remove the instances of dead runs (a live run's stays). */
int bhits_release(const struct tca_host *host);

/* ---- unseen.c: hits less the events the programs ran for, per CPU */

struct unseen;
struct unseen *unseen_new(unsigned ncpus);
void unseen_free(struct unseen *u);
/* Both counts of one CPU at its quiet moment t (CLOCK_BOOTTIME). It is
 * taken in at once, but counts only once settled: when recovery has looked
 * at all that came before it (recover.c), so that a recovered event is
 * never also counted lost. */
void unseen_quiet(struct unseen *u, unsigned cpu, uint64_t hits, uint64_t seen, uint64_t t);
void unseen_settle(struct unseen *u, unsigned cpu, uint64_t upto);
/* At the CPU's last quiet moment, the events the programs did not run for
 * that are neither recovered nor counted lost yet (0 before its base). */
uint64_t unseen_excess(const struct unseen *u, unsigned cpu);
/* The most events the programs can have missed up to a read of the hits,
 * with the programs' count read before it, less what is known. */
uint64_t unseen_bound(const struct unseen *u, unsigned cpu, uint64_t hits, uint64_t seen_before);
bool unseen_based(const struct unseen *u, unsigned cpu);
/* Of those, n were recovered: they are no loss. */
void unseen_recovered(struct unseen *u, unsigned cpu, uint64_t n);
uint64_t unseen_quiet_moments(const struct unseen *u, unsigned cpu);
/* The events all CPUs lost since their bases. */
uint64_t unseen_lost(const struct unseen *u);

/* ---- recover.c: events the programs missed, taken from the count of hits */

int brecover_open(const struct tca_host *host, const struct bpf_config *c,
		  const struct bpf_filter *f, unsigned ncpus, struct brecover **rc);
void brecover_close(struct brecover *rc);
/* Each record the reader consumed, in ring order (the hot path: a copy). */
void brecover_record(struct brecover *rc, const struct brec *r);
/* A consume that emptied the ring began at this CLOCK_BOOTTIME: every
 * record of an event before it, less a margin, is in. */
void brecover_drained(struct brecover *rc, uint64_t boot_ns);
/* The programs are off and the ring is empty: every record is in. */
void brecover_all_in(struct brecover *rc);
/* The bases are set at t (CLOCK_BOOTTIME): what is looked for came later. */
void brecover_start(struct brecover *rc, uint64_t t);
/* That CPU's count shows `excess` events the programs did not run for, at
 * its quiet moment t (CLOCK_BOOTTIME; its hits then cpu_hits): take its
 * kept events in from hits. */
void brecover_suspect(struct brecover *rc, struct bhits *hits, unsigned cpu, uint64_t excess,
		      uint64_t t, uint64_t cpu_hits);
/* That CPU's count showed nothing to look for at t (its hits then
 * cpu_hits): what it kept up to t needs no look. */
void brecover_clear(struct brecover *rc, unsigned cpu, uint64_t t, uint64_t cpu_hits);
/* While that CPU's window waits for its records, its kept events are read
 * in at each look, before they are overwritten. */
void brecover_keep(struct brecover *rc, struct bhits *hits, unsigned cpu);
/* What came on that CPU up to this CLOCK_BOOTTIME has been looked at
 * (UINT64_MAX for a NULL rc: nothing to wait for). */
uint64_t brecover_good(const struct brecover *rc, unsigned cpu);
/* Whether so many events came on that CPU (its hits now, per_look since
 * the last look) since its last look that its kept events are to be
 * looked at now, before they are overwritten. */
bool brecover_stale(const struct brecover *rc, unsigned cpu, uint64_t cpu_hits,
		    uint64_t per_look);
/* Settle the windows whose records are in: the events recovered, per CPU,
 * are added to recovered[] (ncpus of them). */
void brecover_work(struct brecover *rc, uint64_t *recovered);
/* Hand out up to cap recovered events (time: CLOCK_BOOTTIME + offset_ns). */
size_t brecover_take(struct brecover *rc, struct tca_event *ev, size_t cap, int64_t offset_ns);
uint64_t brecover_total(const struct brecover *rc);

/* ---- loss.c: what the kernel lost, counted and logged */

struct bloss;
/* Takes hits (NULL: no count of the tracepoint's own) and rc (NULL: no
 * recovery), even on failure. */
int bloss_open(const struct tca_host *host, struct tca_bpf *skel, struct bhits *hits,
	       struct brecover *rc, struct bloss **l);
/* Count (every 100 ms or so, read.c), and log what is new every 10 s or
 * when forced. */
void bloss_look(struct bloss *l, bool force);
/* Before the programs stop: the last comparison with the hits. */
void bloss_final(struct bloss *l);
/* The programs are off (bload_detach): the counts are final. */
void bloss_stopped(struct bloss *l);
/* Settle what recover.c can, and take what it recovered off the loss. */
void bloss_recover(struct bloss *l);
uint64_t bloss_total(const struct bloss *l);
/* The last look, the kernel side's account in the log, and free. */
void bloss_close(struct bloss *l);

/* ---- read.c: the ring buffer -> struct tca_event batches */

struct breader;
/* Takes hits, even on failure. */
int breader_open(const struct tca_host *host, const struct bpf_config *c,
		 const struct bpf_filter *f, struct tca_bpf *skel,
		 struct bhits *hits, struct cgpaths *cg, struct breader **rd);
void breader_close(struct breader *rd);
int breader_fd(struct breader *rd);
/* Fills r->ev (up to r->cap) and, for a processor of ABI 2.2 or later,
 * r->name with the paths of the cgroups those events meet first. */
ssize_t breader_read(struct breader *rd, struct tca_read *r);
uint64_t breader_lost(struct breader *rd);
/* Before bload_detach, and after it. */
void breader_stopping(struct breader *rd);
void breader_stopped(struct breader *rd);

#endif
