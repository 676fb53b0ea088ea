/* SPDX-License-Identifier: MIT */
/* The eventers' filter options (ports, states, family) parsed from their
 * text form; each eventer compiles the result into what its kernel side
 * takes. */
#ifndef TCA_LIB_FILTEROPT_H
#define TCA_LIB_FILTEROPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "80,443": up to max ports 1-65535 into ports[], their number in *n.
 * NULL or "" gives none. -EINVAL on a bad item, -E2BIG past max. */
int filteropt_ports(const char *list, uint16_t *ports, size_t max, size_t *n);
/* "LISTEN,close": a bit per state number (1u << state) in *mask; NULL or ""
 * gives 0 (all). -EINVAL on an unknown name. */
int filteropt_states(const char *list, uint32_t *mask);
/* "ipv4", "ipv6" or "any"/NULL: TCA_FAMILY_IPV4, TCA_FAMILY_IPV6 or 0. */
int filteropt_family(const char *name, unsigned *family);

/* "127.0.0.1,::1": up to max addresses, each 16 bytes in network order
 * (IPv4 in the first four) with its TCA_FAMILY_* in family[]. -EINVAL on
 * a bad item, -E2BIG past max. */
int filteropt_addresses(const char *list, uint8_t (*addrs)[16], unsigned *family, size_t max,
			size_t *n);
/* "4026531840,/run/netns/x": up to max numbers, each given as such or as
 * the inode number of a path (a namespace file, a cgroup directory) that
 * accept() approves of (NULL: any). -EINVAL on a bad item or a path that
 * does not exist or that accept() refuses, -E2BIG past max. */
int filteropt_inodes(const char *list, uint64_t *ids, size_t max, size_t *n,
		     bool (*accept)(const char *path));

#endif
