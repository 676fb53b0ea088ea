/* SPDX-License-Identifier: MIT */
/*
 * What the BPF program and the plugin share: the ring buffer record, the
 * loss counters' slots and the owner kinds. Included by both sides, so
 * only fixed-size types.
 */
#ifndef TCA_BPF_RECORD_H
#define TCA_BPF_RECORD_H

#define BREC_COMM_LEN 16

/* brec.flags */
#define BREC_OWNER    (1u << 0) /* pid, uid, comm, cgroup, owner */
#define BREC_BYTES    (1u << 1) /* bytes_sent, bytes_received */
#define BREC_LIFETIME (1u << 2) /* lifetime_ns */

/* brec.owner: the values of enum tca_owner in <tcp-audit/plugin.h>. */
#define BREC_OWNER_HOLDER 1
#define BREC_OWNER_LISTENER 2
/* Only in the kernel's pending map: the task let go of the socket; the
 * task accepted it (a holder if it is still the only one, see tca.bpf.c). */
#define BREC_OWNER_RELEASED 255
#define BREC_OWNER_ACCEPTED 254

/* Slots of the per-CPU "counters" map. */
enum brec_counter {
	BCOUNT_RING_FULL = 0,   /* an event lost: no room in the ring buffer */
	BCOUNT_PENDING_FULL,    /* an owner seen at accept/close not recorded */
	BCOUNT_STORAGE,         /* socket storage could not be allocated */
	BCOUNT_PASSED,          /* events that passed the filters (written or lost) */
	BCOUNT_FILTERED,        /* events the filters dropped */
	BCOUNT_NESTED,          /* events recorded by tca_state_nested */
	BCOUNT_MAX,
};

/* The most ports, addresses, netns and cgroups each filter takes. */
#define BFILTER_MAX 16

/* An address in a filter: IPv4 as ::ffff:a.b.c.d, in network order. */
struct baddr {
	__u32 w[4];
};

struct brec {
	__u64 time_ns;          /* CLOCK_BOOTTIME */
	__u64 cookie;           /* the socket's cookie */
	__u64 netns;
	__u64 cgroup;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 lifetime_ns;
	__u32 pid;
	__u32 uid;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[BREC_COMM_LEN];
	__u16 sport;            /* host order */
	__u16 dport;            /* host order */
	__u16 protocol;
	__u16 family;           /* AF_INET or AF_INET6 */
	__u8 oldstate;
	__u8 newstate;
	__u8 owner;             /* BREC_OWNER_* if BREC_OWNER */
	__u8 flags;             /* BREC_* */
	__u32 cpu;              /* where the tracepoint ran (recover.c matches by it) */
};

#endif /* TCA_BPF_RECORD_H */
