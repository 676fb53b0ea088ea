/* SPDX-License-Identifier: MIT */
/* The eventers' filter options (ports, states, family) parsed from their
 * text form; each eventer compiles the result into what its kernel side
 * takes. */
#ifndef TCA_LIB_FILTEROPT_H
#define TCA_LIB_FILTEROPT_H

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

#endif
