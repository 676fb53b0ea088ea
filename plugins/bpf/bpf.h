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
/* Stop the kernel side: no event is written after it returns. */
void bload_detach(struct tca_bpf *skel);
/* Tell the kernel side whether the reader is busy (see read.c). */
void bload_set_busy(struct tca_bpf *skel, bool busy);

/* cgroup v2 ids -> paths, logged and handed as name records once per new
 * id: lib/cgpath.h */

/* ---- read.c: the ring buffer -> struct tca_event batches */

struct breader;
int breader_open(const struct tca_host *host, const struct bpf_config *c, struct tca_bpf *skel, struct cgpaths *cg, struct breader **rd);
void breader_close(struct breader *rd);
int breader_fd(struct breader *rd);
/* Fills r->ev (up to r->cap) and, for a processor of ABI 2.2 or later,
 * r->name with the paths of the cgroups those events meet first. */
ssize_t breader_read(struct breader *rd, struct tca_read *r);
uint64_t breader_lost(struct breader *rd);
/* The programs are off (bload_detach): the loss counts are final. */
void breader_stopped(struct breader *rd);

#endif
