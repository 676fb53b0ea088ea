/* SPDX-License-Identifier: (MIT OR GPL-2.0-only) */
/*
 * The bpf eventer's kernel side: every TCP state change from the
 * inet_sock_set_state tracepoint, with the socket's owner kept in socket
 * storage. The owner is only recorded where the owning task is certainly
 * the one on the CPU: at connect (CLOSE>SYN_SENT) and listen (>LISTEN),
 * which the kernel runs in the caller's context, at accept() returning
 * and a last close() in the process, seen from syscall tracepoints, and at
 * the release of the socket's last reference (a close or an exit), which
 * runs in the releasing task. A listener's owner is given to its accepted
 * sockets only while that process lives (sched_process_exit). Only
 * tracepoints: this must work on kernels without kprobes.
 */
#include "kernel.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "bpf-record.h"

/* "Dual MIT/GPL" is what the kernel accepts as GPL-compatible for the
 * helpers this needs (probe reads, the current task). */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define TCP_SYN_SENT 2

/* Set by the plugin before loading (bpf.h has the same limits). */
const volatile __u32 wake_bytes = 65536; /* in busy mode, wake the reader past this */
const volatile __u32 filter_states;      /* bit per new state; 0: all */
const volatile __u32 filter_family;      /* 0: any, else the reported family (AF_*) */
const volatile __u32 ipv4_mapped;        /* dual-stack IPv4 is reported as IPv6 */
const volatile __u32 filter_nports;
const volatile __u16 filter_ports[BFILTER_MAX];
const volatile __u32 filter_naddrs;
const volatile struct baddr filter_addrs[BFILTER_MAX]; /* IPv4 as ::ffff:a.b.c.d */
const volatile __u32 filter_nnetns;
const volatile __u64 filter_netns[BFILTER_MAX];
const volatile __u32 filter_ncgroups;
const volatile __u64 filter_cgroups[BFILTER_MAX];   /* the owner's, exactly */

/* Written by the plugin at run time through the mmap'd .bss: while the
 * reader is busy it wakes itself by a timer, and the kernel wakes it only
 * when the ring fills past wake_bytes (see read.c). */
__u32 busy;

struct owner {
	__u64 cookie;    /* the socket this was recorded for */
	__u64 born_ns;   /* first state change seen, 0 if before we started */
	__u64 cgroup;
	__u64 start_ns;  /* the owner process's start time: pid plus this is one process */
	__u32 pid;
	__u32 uid;
	char comm[BREC_COMM_LEN];
	__u8 kind;       /* 0: none, else BREC_OWNER_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* set by the plugin */
} ring SEC(".maps");

/* BPF_F_CLONE: an accepted socket starts with a copy of its listener's
 * record, which is how its first events know the listener's owner. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct owner);
} owners SEC(".maps");

/* Owners seen in a syscall, where only a raw socket pointer is at hand and
 * socket storage cannot be reached: applied at the socket's next state
 * change. LRU, so that an entry whose socket is gone cannot fill it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct owner);
} pending SEC(".maps");

/* The processes that own a listener, while they live: pid -> start time,
 * set at listen() and deleted when the whole process has exited. An
 * accepted socket takes its listener's owner only while that process is
 * here: one that exited (nginx's first process, which listens and then
 * daemonizes) holds nothing. A process missing for any reason (evicted
 * from a full map) gives nobody, never a wrong owner; the start time
 * tells a reused pid from the owner. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} listener_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BCOUNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Set while tca_state runs on this CPU: see tca_state_nested. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} running SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &slot);

	/* Atomic although per-CPU: a run of tca_state_nested interrupts a
	 * run of tca_state on the same CPU, between a load and a store. */
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* The current task as an owner; false for kernel threads, which never own
 * a socket on anyone's behalf that we could name. */
static __always_inline bool owner_current(struct owner *o)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return false;
	o->pid = bpf_get_current_pid_tgid() >> 32;
	o->start_ns = BPF_CORE_READ(t, group_leader, start_time);
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->cgroup = bpf_get_current_cgroup_id();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	o->kind = BREC_OWNER_HOLDER;
	return true;
}

static __always_inline void owner_copy(struct owner *dst, const struct owner *src)
{
	dst->pid = src->pid;
	dst->uid = src->uid;
	dst->cgroup = src->cgroup;
	dst->start_ns = src->start_ns;
	__builtin_memcpy(dst->comm, src->comm, sizeof(dst->comm));
	dst->kind = src->kind;
}

/* Whether the process that owned the listener still lives (see
 * listener_owners). */
static __always_inline bool listener_owner_lives(const struct owner *o)
{
	__u64 *start = bpf_map_lookup_elem(&listener_owners, &o->pid);

	return start && *start == o->start_ns;
}

/* The references to the socket's file, or 0 when it has none (not yet
 * accepted, or closed). On 6.13 and later the count is biased: 0 is one. */
static __always_inline long file_refs(struct file *f)
{
	if (!f)
		return 0;
	if (bpf_core_field_exists(f->f_ref))
		return BPF_CORE_READ(f, f_ref.refcnt.counter) + 1;
	return BPF_CORE_READ((struct file___old *)f, f_count.counter);
}

/* An owner seen at accept() is the socket's holder only while its
 * descriptor is the one reference to the socket: once it has forked a
 * child that inherited it (a forking server, between its fork and its
 * close), two processes hold it and naming one would be a guess. */
static __always_inline bool accept_holder_alone(struct sock *sk)
{
	return file_refs(BPF_CORE_READ(sk, sk_socket, file)) == 1;
}

/* Whether this change comes from the last release of the socket's file,
 * in the task that released it: the file has no reference left (it is
 * being torn down, __fput() -> tcp_close()) and the socket is locked by
 * a task (lock_sock()), so the change runs in that task, not in softirq,
 * which only queues to the backlog of a locked socket. That task dropped
 * the last reference, by close() or by exiting (a PostgreSQL backend),
 * so it is the holder. */
static __always_inline bool last_release(struct sock *sk)
{
	struct file *f = BPF_CORE_READ(sk, sk_socket, file);

	return f && file_refs(f) <= 0 && BPF_CORE_READ(sk, sk_lock.owned);
}

/* Bring the socket's record up to date for this change of state. */
static __always_inline void owner_update(struct sock *sk, struct owner *o, __u64 cookie,
					 int oldstate, int newstate, __u64 now)
{
	struct owner *p, cur;
	bool cloned = o->cookie != cookie, told = false;

	if (cloned) {
		/* New storage, or a copy of the listener's (accepted socket):
		 * the listener's owner stays, marked as only that. */
		if (o->cookie && o->kind)
			o->kind = BREC_OWNER_LISTENER;
		else
			o->kind = 0;
		o->cookie = cookie;
		o->born_ns = oldstate == TCP_CLOSE || oldstate == TCP_LISTEN ? now : 0;
	}
	p = bpf_map_lookup_elem(&pending, &cookie);
	if (p) {
		/* A release only counts from the owner we have: after it,
		 * whoever holds the socket now (a child forked after the
		 * accept) is unknown until it shows itself. */
		if (p->kind == BREC_OWNER_RELEASED) {
			if (o->kind && o->pid == p->pid)
				o->kind = 0;
		} else if (p->kind != BREC_OWNER_ACCEPTED) {
			owner_copy(o, p);
		} else if (accept_holder_alone(sk)) {
			owner_copy(o, p);
			o->kind = BREC_OWNER_HOLDER;
		}
		bpf_map_delete_elem(&pending, &cookie);
		told = true;
	}
	/* connect() and listen() change the state in the caller's context. */
	if ((oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) || newstate == TCP_LISTEN) {
		if (owner_current(&cur))
			owner_copy(o, &cur);
		if (newstate == TCP_LISTEN && o->kind == BREC_OWNER_HOLDER)
			bpf_map_update_elem(&listener_owners, &o->pid, &o->start_ns, BPF_ANY);
	} else if (last_release(sk) && owner_current(&cur)) {
		owner_copy(o, &cur);
		told = true;
	}
	/* A listener's owner, for the sockets accepted from it and for the
	 * listener's own end, only while it lives; a closing task that just
	 * showed itself (told) needs no check. */
	if ((o->kind == BREC_OWNER_LISTENER ||
	     (o->kind && oldstate == TCP_LISTEN && !cloned && !told)) &&
	    !listener_owner_lives(o))
		o->kind = 0;
}

static __always_inline void read_addrs(struct sock *sk, __u16 family, struct brec *r)
{
	if (family == AF_INET) {
		__be32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(r->saddr, &s, 4);
		__builtin_memcpy(r->daddr, &d, 4);
	} else {
		BPF_CORE_READ_INTO(&r->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&r->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static __always_inline bool is_v4_mapped(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff);
}

static __always_inline bool is_any(const __u8 *a)
{
	const __u64 *w = (const __u64 *)a;

	return w[0] == 0 && w[1] == 0;
}

/* The family user space reports (see read.c): an IPv6 socket talking IPv4
 * has a mapped peer and a mapped or unspecified local address. */
static __always_inline __u16 reported_family(const struct brec *r)
{
	if (r->family != AF_INET6 || ipv4_mapped)
		return r->family;
	if (is_v4_mapped(r->daddr) && (is_v4_mapped(r->saddr) || is_any(r->saddr)))
		return AF_INET;
	return AF_INET6;
}

/* a in the form of filter_addrs: IPv4 as ::ffff:a.b.c.d. */
static __always_inline bool addr_is(const __u8 *a, __u16 family, const volatile struct baddr *f)
{
	const volatile __u32 *w = f->w;
	__u32 v[4];

	if (family == AF_INET) {
		v[0] = v[1] = 0;
		v[2] = bpf_htonl(0xffff);
		__builtin_memcpy(&v[3], a, 4);
	} else {
		__builtin_memcpy(v, a, 16);
	}
	return v[0] == w[0] && v[1] == w[1] && v[2] == w[2] && v[3] == w[3];
}

static __always_inline bool u64_in(__u64 v, const volatile __u64 *list, __u32 n)
{
	for (__u32 i = 0; i < BFILTER_MAX; i++) {
		if (i >= n)
			return false;
		if (list[i] == v)
			return true;
	}
	return false;
}

/* The filters, on the record as it will be reported; its owner is kept
 * up to date whether it passes or not. */
static __always_inline bool filter_match(const struct brec *r, __u64 cgroup)
{
	__u32 i;

	if (filter_states && !(filter_states & (1u << (r->newstate & 31))))
		return false;
	if (filter_family && reported_family(r) != filter_family)
		return false;
	if (filter_nports) {
		for (i = 0; i < BFILTER_MAX; i++) {
			if (i >= filter_nports)
				return false;
			if (filter_ports[i] == r->sport || filter_ports[i] == r->dport)
				break;
		}
		if (i == BFILTER_MAX)
			return false;
	}
	if (filter_naddrs) {
		for (i = 0; i < BFILTER_MAX; i++) {
			if (i >= filter_naddrs)
				return false;
			if (addr_is(r->saddr, r->family, &filter_addrs[i]) ||
			    addr_is(r->daddr, r->family, &filter_addrs[i]))
				break;
		}
		if (i == BFILTER_MAX)
			return false;
	}
	if (filter_nnetns && !u64_in(r->netns, filter_netns, filter_nnetns))
		return false;
	/* An event with no known owner has no cgroup to match. */
	if (filter_ncgroups && (!cgroup || !u64_in(cgroup, filter_cgroups, filter_ncgroups)))
		return false;
	return true;
}

/* What only a close has: the bytes and the lifetime. */
static __always_inline void read_close(struct sock *sk, const struct owner *o, __u64 now,
				       struct brec *r)
{
	struct tcp_sock *tp = (void *)sk;
	__u64 retrans = BPF_CORE_READ(tp, bytes_retrans);

	/* Each data byte once: a loaded loopback retransmits too. */
	r->bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	r->bytes_sent -= retrans < r->bytes_sent ? retrans : r->bytes_sent;
	r->bytes_received = BPF_CORE_READ(tp, bytes_received);
	/* The kernel counts what rcv_nxt advanced by, and a FIN takes one
	 * sequence number: take it off, to give data bytes. */
	if (r->bytes_received &&
	    (BPF_CORE_READ(sk, __sk_common.skc_flags) >>
	     bpf_core_enum_value(enum sock_flags, SOCK_DONE)) & 1)
		r->bytes_received--;
	r->flags |= BREC_BYTES;
	if (o && o->born_ns) {
		r->lifetime_ns = now - o->born_ns;
		r->flags |= BREC_LIFETIME;
	}
}

/* The record is made on the stack and filtered there, so that what the
 * filters drop never takes room in the ring buffer or wakes the reader;
 * only what passes is copied in. */
static __always_inline void emit(struct sock *sk, const struct owner *o, __u64 cookie,
				 int oldstate, int newstate, __u64 now)
{
	struct brec r;
	__u64 flags;

	/* TCP only: SCTP changes states through the same tracepoint. */
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	__builtin_memset(&r, 0, sizeof(r));
	r.time_ns = now;
	r.cookie = cookie;
	r.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	r.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r.sport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	r.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	r.protocol = IPPROTO_TCP;
	r.oldstate = oldstate;
	r.newstate = newstate;
	r.cpu = bpf_get_smp_processor_id();
	read_addrs(sk, r.family, &r);
	if (!filter_match(&r, o && o->kind ? o->cgroup : 0)) {
		count(BCOUNT_FILTERED);
		return;
	}
	count(BCOUNT_PASSED);
	if (o && o->kind) {
		r.flags |= BREC_OWNER;
		r.owner = o->kind;
		r.pid = o->pid;
		r.uid = o->uid;
		r.cgroup = o->cgroup;
		__builtin_memcpy(r.comm, o->comm, sizeof(r.comm));
	}
	if (newstate == TCP_CLOSE)
		read_close(sk, o, now, &r);
	/* Busy: the reader wakes by its timer, so wake it only when the ring
	 * is filling; idle: the default, a wake-up when it is caught up. */
	flags = 0;
	if (busy)
		flags = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA) >= wake_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&ring, &r, sizeof(r), flags) < 0)
		count(BCOUNT_RING_FULL);
}

static __always_inline void on_state(struct sock *sk, int oldstate, int newstate)
{
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct owner *o;

	o = bpf_sk_storage_get(&owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (o)
		owner_update(sk, o, cookie, oldstate, newstate, now);
	else
		count(BCOUNT_STORAGE);
	emit(sk, o, cookie, oldstate, newstate, now);
}

/* Whether tca_state is running on this CPU. */
static __always_inline __u32 *state_running(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&running, &zero);
}

/* The kernel never runs a program inside a run of itself on the same
 * CPU: a state change in a softirq that interrupts tca_state (a FIN's ACK
 * on loopback, during a connect() in process context) skips it, and only
 * counts a "recursion miss". So a second program is on the tracepoint too,
 * and records exactly the events that interrupt a run of the first; every
 * other event it leaves to the first. The remaining window (the few
 * instructions of the kernel's own before the flag is set and after it is
 * cleared) is counted: the first program's misses less the second's
 * records (read.c). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tca_state, struct sock *sk, int oldstate, int newstate)
{
	__u32 *run = state_running();

	if (run)
		*run = 1;
	on_state(sk, oldstate, newstate);
	if (run)
		*run = 0;
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tca_state_nested, struct sock *sk, int oldstate, int newstate)
{
	__u32 *run = state_running();

	if (!run || !*run)
		return 0;
	count(BCOUNT_NESTED);
	on_state(sk, oldstate, newstate);
	return 0;
}

/* The TCP socket behind a descriptor of the current task, or NULL. Only a
 * raw pointer: it is read, never handed to a helper. */
static __always_inline struct sock *fd_sock(long fd, struct file **filep)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;
	struct socket *so;
	struct sock *sk;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(so, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	*filep = f;
	return sk;
}

/* Record the current task as the owner of fd's socket, to be applied at
 * its next state change. A socket never seen (no cookie yet) or already
 * closed (no more changes to come) is left alone. */
static __always_inline void note_holder(long fd, bool at_close)
{
	struct file *f = NULL;
	struct sock *sk = fd_sock(fd, &f);
	struct owner o = {};
	__u64 cookie;

	if (!sk)
		return;
	cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	if (!cookie || BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_CLOSE)
		return;
	if (!owner_current(&o))
		return;
	/* A close that does not drop the last reference (a forking
	 * server's parent, a dup) does not say who holds it; only that this
	 * task may no longer. */
	if (at_close && file_refs(f) != 1)
		o.kind = BREC_OWNER_RELEASED;
	else if (!at_close)
		o.kind = BREC_OWNER_ACCEPTED;
	o.cookie = cookie;
	if (bpf_map_update_elem(&pending, &cookie, &o, BPF_ANY) < 0)
		count(BCOUNT_PENDING_FULL);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int tca_accept4(struct syscall_exit_ctx *ctx)
{
	note_holder(ctx->ret, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tca_accept(struct syscall_exit_ctx *ctx)
{
	note_holder(ctx->ret, false);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int tca_close(struct syscall_enter_ctx *ctx)
{
	note_holder((long)ctx->args[0], true);
	return 0;
}

/* The end of a whole process (its last thread in do_exit()): it no longer
 * owns its listeners. BTF-typed, so that it needs no tracefs. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tca_exit, struct task_struct *t)
{
	__u32 pid = BPF_CORE_READ(t, tgid);
	__u64 *start;

	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	start = bpf_map_lookup_elem(&listener_owners, &pid);
	if (start && *start == BPF_CORE_READ(t, group_leader, start_time))
		bpf_map_delete_elem(&listener_owners, &pid);
	return 0;
}
