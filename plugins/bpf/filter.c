/* SPDX-License-Identifier: MIT */
/*
 * The bpf eventer's filter options, parsed into what the kernel side
 * applies (struct bpf_filter, set in its .rodata before load): ports,
 * states, family, addresses, network namespaces and owners' cgroups.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/vfs.h>

#include "bpf.h"
#include "filteropt.h"

#define CGROUP2_MAGIC 0x63677270 /* CGROUP2_SUPER_MAGIC */

static int bfilter_bad(const struct tca_host *host, const char *opt, const char *val,
		       const char *want)
{
	tca_log(host, TCA_LOG_ERR, 0, "bad %s '%s': give %s", opt, val ? val : "", want);
	return -EINVAL;
}

/* A cgroup filter names cgroup2 directories, not any directory. */
static bool bfilter_is_cgroup(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_MAGIC;
}

/* The kernel side compares 16 bytes: IPv4 as ::ffff:a.b.c.d, which is
 * also how a dual-stack socket holds it. */
static int bfilter_addresses(const char *list, struct bpf_filter *f)
{
	unsigned family[BPF_FILTER_MAX];
	int r = filteropt_addresses(list, f->addrs, family, BPF_FILTER_MAX, &f->naddrs);

	if (r < 0)
		return r;
	for (size_t i = 0; i < f->naddrs; i++) {
		if (family[i] != TCA_FAMILY_IPV4)
			continue;
		memmove(f->addrs[i] + 12, f->addrs[i], 4);
		memset(f->addrs[i], 0, 10);
		f->addrs[i][10] = f->addrs[i][11] = 0xff;
	}
	return 0;
}

int bfilter_parse(const struct tca_host *host, const struct bpf_config *c, struct bpf_filter *f)
{
	if (filteropt_family(c->family, &f->family) < 0)
		return bfilter_bad(host, "family", c->family, "ipv4, ipv6 or any");
	if (filteropt_ports(c->ports, f->ports, BPF_FILTER_MAX, &f->nports) < 0)
		return bfilter_bad(host, "ports", c->ports, "a comma-separated list of at most 16 "
				   "ports 1-65535");
	if (filteropt_states(c->states, &f->states) < 0)
		return bfilter_bad(host, "states", c->states, "a comma-separated list of state "
				   "names (LISTEN, ESTABLISHED, CLOSE, ...)");
	if (bfilter_addresses(c->addresses, f) < 0)
		return bfilter_bad(host, "addresses", c->addresses, "a comma-separated list of at "
				   "most 16 IPv4 or IPv6 addresses");
	if (filteropt_inodes(c->netns, f->netns, BPF_FILTER_MAX, &f->nnetns, NULL) < 0)
		return bfilter_bad(host, "netns", c->netns, "a comma-separated list of at most 16 "
				   "namespace inode numbers or files (/run/netns/NAME, "
				   "/proc/PID/ns/net)");
	if (filteropt_inodes(c->cgroups, f->cgroups, BPF_FILTER_MAX, &f->ncgroups,
			     bfilter_is_cgroup) < 0)
		return bfilter_bad(host, "cgroups", c->cgroups, "a comma-separated list of at most "
				   "16 cgroup v2 ids or directories (/sys/fs/cgroup/system.slice/"
				   "x.service)");
	return 0;
}
