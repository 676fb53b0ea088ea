/* SPDX-License-Identifier: MIT */
/*
 * The bpf eventer: TCP state changes from an eBPF program on the
 * sock/inet_sock_set_state tracepoint, with the socket's cookie as its id
 * and its owner, network namespace, cgroup, uid, bytes and lifetime known
 * in the kernel. This file holds the descriptor, the options and the
 * open/close life cycle; load.c loads the program, read.c reads its ring
 * buffer, hits.c, unseen.c and loss.c count what the kernel lost,
 * recover.c and history.c recover it, lib/cgpath.c names cgroups,
 * tca.bpf.c is the kernel side.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpf.h"

struct bpfev {
	const struct tca_host *host;
	struct tca_bpf *skel;
	struct cgpaths *cg;
	struct breader *rd;
};

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int bpfev_check(const struct tca_host *host, const struct bpf_config *c,
		       struct bpf_filter *f)
{
	if (!is_pow2(c->ring_size) || c->ring_size < 65536 || c->ring_size > (UINT64_C(1) << 30)) {
		tca_log(host, TCA_LOG_ERR, 0, "bad ring_size %" PRIu64 ": give a power of two "
			"from 64K to 1G", c->ring_size);
		return -EINVAL;
	}
	if (c->wake_size == 0 || c->wake_size >= c->ring_size) {
		tca_log(host, TCA_LOG_ERR, 0, "bad wake_size %" PRIu64 ": give more than 0 and "
			"less than ring_size (%" PRIu64 ")", c->wake_size, c->ring_size);
		return -EINVAL;
	}
	if (c->recover_buffer && (c->recover_buffer < 65536 ||
				  c->recover_buffer > (UINT64_C(1) << 30))) {
		tca_log(host, TCA_LOG_ERR, 0, "bad recover_buffer %" PRIu64 ": give 0 (off) or 64K "
			"to 1G (per CPU)", c->recover_buffer);
		return -EINVAL;
	}
	if (c->busy_interval_ms == 0 || c->busy_interval_ms > 1000) {
		tca_log(host, TCA_LOG_ERR, 0, "bad busy_interval %" PRIu64 " ms: give 1ms to 1s",
			c->busy_interval_ms);
		return -EINVAL;
	}
	return bfilter_parse(host, c, f);
}

static void bpfev_close(void *state)
{
	struct bpfev *b = state;

	if (!b)
		return;
	/* The reader first: its last look at the loss counters needs the maps. */
	breader_close(b->rd);
	bload_close(b->skel);
	cgpaths_free(b->cg);
	free(b);
}

static int bpfev_open(const struct tca_host *host, const void *config, void **state)
{
	const struct bpf_config *c = config;
	struct bpf_filter f = { 0 };
	struct bhits *hits = NULL;
	struct bpfev *b;
	int r = bpfev_check(host, c, &f);

	if (r < 0)
		return r;
	/* A run killed before its close leaves its count of the hits, which
	 * costs every state change a write until someone removes it. */
	if (host->struct_size >= offsetof(struct tca_host, flags) + sizeof(host->flags) &&
	    (host->flags & TCA_HOST_RELEASE)) {
		*state = NULL;
		return bhits_release(host);
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->host = host;
	if (c->cgroup_paths && !(b->cg = cgpaths_new(host))) {
		r = -ENOMEM;
		goto fail;
	}
	/* The count of the hits first: its probe then runs before the
	 * programs' on each event (unseen.c). Without it, the eventer runs,
	 * with a warning (hits.c). */
	if (c->hit_count && bhits_open(host, (unsigned)libbpf_num_possible_cpus(),
				       c->recover_buffer, &hits) < 0)
		hits = NULL;
	r = bload_open(host, c, &f, &b->skel);
	if (r < 0) {
		bhits_close(hits);
		goto fail;
	}
	r = breader_open(host, c, &f, b->skel, hits, b->cg, &b->rd);
	if (r < 0)
		goto fail;
	tca_log(host, TCA_LOG_INFO, 0, "capturing with BPF on sock/inet_sock_set_state, "
		"ring buffer %" PRIu64 " KiB", c->ring_size / 1024);
	*state = b;
	return 0;
fail:
	bpfev_close(b);
	return r;
}

static int bpfev_fd(void *state)
{
	return breader_fd(((struct bpfev *)state)->rd);
}

/* Before the final drain: no event enters the ring after this, so the
 * drain reads the last one and the loss count it ends with is final. The
 * last comparison with the tracepoint's own count needs the programs
 * still on. */
static int bpfev_stop(void *state)
{
	struct bpfev *b = state;

	breader_stopping(b->rd);
	bload_detach(b->skel);
	breader_stopped(b->rd);
	return 0;
}

static ssize_t bpfev_read(void *state, struct tca_read *r)
{
	ssize_t n = breader_read(((struct bpfev *)state)->rd, r);

	r->n = n > 0 ? (size_t)n : 0;
	return n;
}

static void bpfev_stats(void *state, struct tca_plugin_stats *st)
{
	st->lost = breader_lost(((struct bpfev *)state)->rd);
}

static const struct tca_option bpfev_options[] = {
	{ .name = "ring_size", .type = TCA_OPT_SIZE, .def = "8M",
	  .help = "the BPF ring buffer, shared by all CPUs (a power of two, 64K to 1G)",
	  .offset = offsetof(struct bpf_config, ring_size) },
	{ .name = "wake_size", .type = TCA_OPT_SIZE, .def = "256K",
	  .help = "under load, the kernel wakes the reader when the ring holds this much",
	  .offset = offsetof(struct bpf_config, wake_size) },
	{ .name = "busy_interval", .type = TCA_OPT_DURATION, .def = "20ms",
	  .help = "under load, the reader also wakes this often (1ms to 1s)",
	  .offset = offsetof(struct bpf_config, busy_interval_ms) },
	{ .name = "family", .type = TCA_OPT_STRING, .def = "any",
	  .help = "ipv4, ipv6 or any (in the kernel)", .offset = offsetof(struct bpf_config, family) },
	{ .name = "ports", .type = TCA_OPT_STRING,
	  .help = "keep events whose local or remote port is in this list (max 16; in the kernel)",
	  .offset = offsetof(struct bpf_config, ports) },
	{ .name = "states", .type = TCA_OPT_STRING,
	  .help = "keep events whose new state is in this comma-separated list (in the kernel)",
	  .offset = offsetof(struct bpf_config, states) },
	{ .name = "addresses", .type = TCA_OPT_STRING,
	  .help = "keep events whose local or remote address is in this list (max 16; in the "
		  "kernel)",
	  .offset = offsetof(struct bpf_config, addresses) },
	{ .name = "netns", .type = TCA_OPT_STRING,
	  .help = "keep events of these network namespaces: inode numbers or files such as "
		  "/run/netns/NAME (max 16; in the kernel)",
	  .offset = offsetof(struct bpf_config, netns) },
	{ .name = "cgroups", .type = TCA_OPT_STRING,
	  .help = "keep events whose owner is in one of these cgroups: v2 ids or directories "
		  "(max 16; in the kernel)",
	  .offset = offsetof(struct bpf_config, cgroups) },
	{ .name = "ipv4_mapped", .type = TCA_OPT_BOOL, .def = "no",
	  .help = "report IPv4 on dual-stack sockets as ::ffff:a.b.c.d (IPv6) instead of IPv4",
	  .offset = offsetof(struct bpf_config, ipv4_mapped) },
	{ .name = "cgroup_paths", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "resolve each new cgroup id to its path once: logged, and stored as a name record",
	  .offset = offsetof(struct bpf_config, cgroup_paths) },
	{ .name = "syscalls", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "owners from accept() and close() (syscall tracepoints); no: only from "
		  "connect() and listen(), faster",
	  .offset = offsetof(struct bpf_config, syscalls) },
	{ .name = "hit_count", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "count the tracepoint's hits in a tracefs instance too, so that an event the "
		  "kernel ran no BPF program for is counted lost even when it counts no miss",
	  .offset = offsetof(struct bpf_config, hit_count) },
	{ .name = "recover_buffer", .type = TCA_OPT_SIZE, .def = "4M",
	  .help = "per CPU, what the count of hits keeps of the last events, to recover those "
		  "the kernel ran no BPF program for (0: count them lost only)",
	  .offset = offsetof(struct bpf_config, recover_buffer) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "bpf",
	.version = PACKAGE_VERSION,
	.description = "TCP state changes from eBPF: exact owners, socket cookies, netns, "
		       "cgroups, uids, bytes and lifetime",
	.options = bpfev_options,
	.config_size = sizeof(struct bpf_config),
	.open = bpfev_open,
	.close = bpfev_close,
	.stats = bpfev_stats,
	.ops.eventer = {
		.fd = bpfev_fd,
		.read = bpfev_read,
		.stop = bpfev_stop,
	},
	/* Drops of the ring buffer are the kernel's; --release removes the
	 * count of the hits that a dead run left (hits.c). */
	.flags = TCA_EVF_KERNEL_LOSS | TCA_EVF_RELEASE,
	.provides = TCA_EV_PID | TCA_EV_NETNS | TCA_EV_CGROUP | TCA_EV_UID | TCA_EV_BYTES |
		    TCA_EV_LIFETIME,
};
