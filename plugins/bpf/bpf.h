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

#define BPF_FILTER_MAX_PORTS 16

/* The options, as the processor stores them (see the table in bpf.c). */
struct bpf_config {
	uint64_t ring_size;
	uint64_t wake_size;
	uint64_t busy_interval_ms;
	const char *family;
	const char *ports;
	const char *states;
	bool ipv4_mapped;
	bool cgroup_paths;
	bool syscalls;
};

/* ---- load.c: the BPF object, loaded and attached */

struct bpf_filter {
	unsigned family;           /* 0, or TCA_FAMILY_* to keep (checked in read.c) */
	uint32_t states;
	uint16_t ports[BPF_FILTER_MAX_PORTS];
	size_t nports;
};

int bload_open(const struct tca_host *host, const struct bpf_config *c,
	       const struct bpf_filter *f, struct tca_bpf **skel);
void bload_close(struct tca_bpf *skel);
/* Events the kernel side lost so far (ring buffer full), summed over CPUs. */
int bload_lost(struct tca_bpf *skel, uint64_t *lost);
/* Tell the kernel side whether the reader is busy (see read.c). */
void bload_set_busy(struct tca_bpf *skel, bool busy);

/* cgroup v2 ids -> paths, logged once per new id: lib/cgpath.h */

/* ---- read.c: the ring buffer -> struct tca_event batches */

struct breader;
int breader_open(const struct tca_host *host, const struct bpf_config *c, unsigned family,
		 struct tca_bpf *skel, struct cgpaths *cg, struct breader **rd);
void breader_close(struct breader *rd);
int breader_fd(struct breader *rd);
ssize_t breader_read(struct breader *rd, struct tca_event *ev, size_t cap);
uint64_t breader_lost(struct breader *rd);

#endif
