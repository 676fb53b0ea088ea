/* SPDX-License-Identifier: MIT */
/*
 * The BPF object embedded in the plugin (a bpftool skeleton): sized,
 * configured, loaded and attached, with errors that name what is missing.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf.h"
#include "bpf-record.h"
#include "tca.skel.h"
#include "tracefs-mount.h"

static const struct tca_host *log_host;

/* libbpf's own messages: its warnings explain a failed load (a missing BTF
 * type, the verifier's log), so they go to the log at debug level. */
static int bload_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char text[16384], *line, *next;

	if (!log_host || level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(text, sizeof(text), fmt, ap);
	/* The verifier's log comes as one message of many lines. */
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line)
			tca_log(log_host, TCA_LOG_DEBUG, 0, "%s", line);
	}
	return 0;
}

static int bload_fail(const struct tca_host *host, int err, const char *what)
{
	if (err == -EPERM || err == -EACCES)
		tca_log(host, TCA_LOG_ERR, -err, "cannot %s: the bpf eventer needs the capabilities "
			"CAP_BPF and CAP_PERFMON (run as root, or see tcp-audit-bpf(7))", what);
	else if (err == -ENOENT || err == -ESRCH || err == -EOPNOTSUPP || err == -EINVAL ||
		 err == -E2BIG)
		tca_log(host, TCA_LOG_ERR, -err, "cannot %s: this kernel lacks what the bpf eventer "
			"needs (BTF in /sys/kernel/btf/vmlinux, BPF ring buffers, socket storage: "
			"Linux 5.11 or later); see tcp-audit-bpf(7)", what);
	else
		tca_log(host, TCA_LOG_ERR, -err, "cannot %s", what);
	/* A kernel that lacks a feature often just says EINVAL (the
	 * verifier): that is not the user's configuration (78) but a
	 * missing piece (69). */
	if (err == -ESRCH || err == -EOPNOTSUPP || err == -EINVAL || err == -E2BIG)
		return -ENODEV;
	return err;
}

/* libbpf looks up the syscall tracepoints in tracefs, which a fresh boot
 * or a container may lack: mount it, or say how to give it. */
static int bload_tracefs(const struct tca_host *host)
{
	char *dir = NULL;
	int r;

	if (access(TRACEFS_DEFAULT "/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	r = tracefs_mount_find(host, true, &dir);
	free(dir);
	if (r < 0)
		tca_log(host, TCA_LOG_ERR, 0, "the syscall tracepoints need tracefs at "
			TRACEFS_DEFAULT ": mount it, or in a container bind-mount it "
			"(-v " TRACEFS_DEFAULT ":" TRACEFS_DEFAULT "), or set syscalls=no");
	return r;
}

/* The filters go in .rodata: the verifier sees them as constants and
 * drops the code of the filters not in use. */
static void bload_filters(struct tca_bpf *skel, const struct bpf_config *c,
			  const struct bpf_filter *f)
{
	skel->rodata->filter_states = f->states;
	skel->rodata->filter_family = f->family == TCA_FAMILY_IPV4 ? 2 :
				      f->family == TCA_FAMILY_IPV6 ? 10 : 0;
	skel->rodata->ipv4_mapped = c->ipv4_mapped;
	skel->rodata->filter_nports = (uint32_t)f->nports;
	memcpy((void *)skel->rodata->filter_ports, f->ports, sizeof(f->ports));
	skel->rodata->filter_naddrs = (uint32_t)f->naddrs;
	memcpy((void *)skel->rodata->filter_addrs, f->addrs, sizeof(f->addrs));
	skel->rodata->filter_nnetns = (uint32_t)f->nnetns;
	memcpy((void *)skel->rodata->filter_netns, f->netns, sizeof(f->netns));
	skel->rodata->filter_ncgroups = (uint32_t)f->ncgroups;
	memcpy((void *)skel->rodata->filter_cgroups, f->cgroups, sizeof(f->cgroups));
}

int bload_open(const struct tca_host *host, const struct bpf_config *c,
	       const struct bpf_filter *f, struct tca_bpf **out)
{
	struct tca_bpf *skel;
	int r;

	log_host = host;
	libbpf_set_print(bload_libbpf_log);
	skel = tca_bpf__open();
	if (!skel)
		return bload_fail(host, -errno, "open the BPF object");
	r = bpf_map__set_max_entries(skel->maps.ring, (uint32_t)c->ring_size);
	if (r < 0)
		goto fail_open;
	skel->rodata->wake_bytes = (uint32_t)c->wake_size;
	bload_filters(skel, c, f);
	if (!c->syscalls) {
		/* Every syscall of every task takes the traced path while a
		 * syscall tracepoint is on: who wants speed over the owners of
		 * accepted sockets can leave them off. */
		bpf_program__set_autoload(skel->progs.tca_accept4, false);
		bpf_program__set_autoload(skel->progs.tca_accept, false);
		bpf_program__set_autoload(skel->progs.tca_close, false);
	}
	if (c->syscalls && (r = bload_tracefs(host)) < 0)
		goto fail;
	r = tca_bpf__load(skel);
	if (r < 0) {
		r = bload_fail(host, r, "load the BPF program");
		goto fail;
	}
	r = tca_bpf__attach(skel);
	if (r < 0) {
		r = bload_fail(host, r, "attach the BPF program to sock/inet_sock_set_state and "
			       "the syscall tracepoints");
		goto fail;
	}
	*out = skel;
	return 0;
fail_open:
	r = bload_fail(host, r, "size the BPF ring buffer");
fail:
	tca_bpf__destroy(skel);
	return r;
}

void bload_close(struct tca_bpf *skel)
{
	if (skel)
		tca_bpf__destroy(skel);
	log_host = NULL;
}

int bload_counters(struct tca_bpf *skel, uint64_t *counts)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t vals[1024];

	if (ncpus <= 0 || ncpus > 1024)
		return -EINVAL;
	for (uint32_t slot = 0; slot < BCOUNT_MAX; slot++) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &slot, vals) < 0)
			return -errno;
		counts[slot] = 0;
		for (int i = 0; i < ncpus; i++)
			counts[slot] += vals[i];
	}
	return 0;
}

int bload_seen(struct tca_bpf *skel, uint64_t *seen, unsigned ncpus)
{
	static const uint32_t slots[] = { BCOUNT_PASSED, BCOUNT_FILTERED };
	uint64_t vals[1024];

	if (ncpus == 0 || ncpus > 1024 || (int)ncpus != libbpf_num_possible_cpus())
		return -EINVAL;
	for (unsigned i = 0; i < ncpus; i++)
		seen[i] = 0;
	for (size_t k = 0; k < sizeof(slots) / sizeof(slots[0]); k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &slots[k], vals) < 0)
			return -errno;
		for (unsigned i = 0; i < ncpus; i++)
			seen[i] += vals[i];
	}
	return 0;
}

int bload_state_misses(struct tca_bpf *skel, uint64_t *misses)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.tca_state), &info, &len) < 0)
		return -errno;
	*misses = info.recursion_misses;
	return 0;
}

void bload_detach(struct tca_bpf *skel)
{
	/* Destroying the links takes the programs off the tracepoints; the
	 * maps stay, for the final drain and the last count. A run of the
	 * state program already under way on another CPU may still write:
	 * it runs inside an RCU read-side section, and MEMBARRIER_CMD_GLOBAL
	 * waits for a grace period (synchronize_rcu), so after it nothing
	 * more comes. Without it (an old kernel) that window stays open. */
	tca_bpf__detach(skel);
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0 && log_host)
		tca_log(log_host, TCA_LOG_DEBUG, errno, "membarrier after detaching");
}

void bload_set_busy(struct tca_bpf *skel, bool busy)
{
	/* A plain store to the mmap'd .bss: no syscall. */
	__atomic_store_n(&skel->bss->busy, busy ? 1u : 0u, __ATOMIC_RELAXED);
}
