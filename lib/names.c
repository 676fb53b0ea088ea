/* SPDX-License-Identifier: MIT */
/* Canonical names of states, families and protocols. */
#include "config.h"

#include <errno.h>
#include <strings.h>

#include "names.h"

static const char *const state_names[TCA_STATE_MAX + 1] = {
	[TCA_STATE_ESTABLISHED] = "ESTABLISHED",
	[TCA_STATE_SYN_SENT] = "SYN_SENT",
	[TCA_STATE_SYN_RECV] = "SYN_RECV",
	[TCA_STATE_FIN_WAIT1] = "FIN_WAIT1",
	[TCA_STATE_FIN_WAIT2] = "FIN_WAIT2",
	[TCA_STATE_TIME_WAIT] = "TIME_WAIT",
	[TCA_STATE_CLOSE] = "CLOSE",
	[TCA_STATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCA_STATE_LAST_ACK] = "LAST_ACK",
	[TCA_STATE_LISTEN] = "LISTEN",
	[TCA_STATE_CLOSING] = "CLOSING",
	[TCA_STATE_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

const char *names_state(unsigned state)
{
	if (state > TCA_STATE_MAX || !state_names[state])
		return "UNKNOWN";
	return state_names[state];
}

int names_state_parse(const char *name)
{
	if (strncasecmp(name, "TCP_", 4) == 0)
		name += 4;
	for (unsigned i = 1; i <= TCA_STATE_MAX; i++)
		if (strcasecmp(name, state_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *names_family(unsigned family)
{
	switch (family) {
	case TCA_FAMILY_IPV4:
		return "ipv4";
	case TCA_FAMILY_IPV6:
		return "ipv6";
	default:
		return "unknown";
	}
}

int names_family_parse(const char *name)
{
	if (strcasecmp(name, "ipv4") == 0 || strcasecmp(name, "inet") == 0)
		return TCA_FAMILY_IPV4;
	if (strcasecmp(name, "ipv6") == 0 || strcasecmp(name, "inet6") == 0)
		return TCA_FAMILY_IPV6;
	return -EINVAL;
}

const char *names_protocol(unsigned protocol)
{
	switch (protocol) {
	case TCA_PROTO_TCP:
		return "tcp";
	case TCA_PROTO_MPTCP:
		return "mptcp";
	case TCA_PROTO_SCTP:
		return "sctp";
	default:
		return "unknown";
	}
}

int names_protocol_parse(const char *name)
{
	if (strcasecmp(name, "tcp") == 0)
		return TCA_PROTO_TCP;
	if (strcasecmp(name, "mptcp") == 0)
		return TCA_PROTO_MPTCP;
	if (strcasecmp(name, "sctp") == 0)
		return TCA_PROTO_SCTP;
	return -EINVAL;
}

const char *names_gap_reason(unsigned reason)
{
	static const char *const names[TCA_GAP_REASON_MAX + 1] = {
		[TCA_GAP_KERNEL] = "kernel",         [TCA_GAP_SOURCE] = "source",
		[TCA_GAP_QUEUE_FULL] = "queue_full", [TCA_GAP_UNFLUSHED] = "unflushed",
		[TCA_GAP_REFUSED] = "refused",       [TCA_GAP_UNCLEAN_END] = "unclean_end",
		[TCA_GAP_SPOOL] = "spool",
	};

	return reason <= TCA_GAP_REASON_MAX && names[reason] ? names[reason] : "unknown";
}

const char *names_run_state(unsigned state)
{
	switch (state) {
	case TCA_RUN_RUNNING:
		return "running";
	case TCA_RUN_CLEAN:
		return "clean";
	case TCA_RUN_FAILED:
		return "failed";
	case TCA_RUN_UNCLEAN:
		return "unclean";
	default:
		return "unknown";
	}
}

const char *names_name_kind(unsigned kind)
{
	return kind == TCA_NAME_CGROUP ? "cgroup" : "unknown";
}
