/* SPDX-License-Identifier: MIT */
/* Canonical names of states, families, protocols, gap reasons, run
 * states and name kinds, shared by every plugin. */
#ifndef TCA_LIB_NAMES_H
#define TCA_LIB_NAMES_H

#include <tcp-audit/plugin.h>

/* "ESTABLISHED", ... or "UNKNOWN" for a number the kernel added later. */
const char *names_state(unsigned state);
/* The state number for a name, case-insensitive, with or without "TCP_"; -EINVAL if unknown. */
int names_state_parse(const char *name);
/* "ipv4" / "ipv6" / "unknown" */
const char *names_family(unsigned family);
int names_family_parse(const char *name);
/* "tcp" / "mptcp" / "sctp" / "unknown" */
const char *names_protocol(unsigned protocol);
int names_protocol_parse(const char *name);
/* Why events are missing (enum tca_gap_reason): "kernel", "source",
 * "queue_full", "unflushed", "refused", "unclean_end", or "unknown". */
const char *names_gap_reason(unsigned reason);
/* enum tca_run_state: "running", "clean", "failed", "unclean", or "unknown". */
const char *names_run_state(unsigned state);
/* What a name record names (enum tca_name_kind): "cgroup", or "unknown". */
const char *names_name_kind(unsigned kind);

#endif
