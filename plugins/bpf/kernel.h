/* SPDX-License-Identifier: MIT */
/*
 * The few kernel types the BPF program reads, declared by hand for CO-RE.
 * Only the fields used are named; libbpf relocates every access against
 * the running kernel's BTF at load time, so the build needs neither kernel
 * headers nor the build machine's /sys/kernel/btf/vmlinux (reproducible
 * builds, buildds and containers without BTF), and one object runs on any
 * kernel with BTF.
 */
#ifndef TCA_BPF_KERNEL_H
#define TCA_BPF_KERNEL_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef _Bool bool;
#define true 1
#define false 0

/* libbpf's helper declarations name these. */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_F_NO_PREALLOC = 1u << 0,
	BPF_F_CLONE = 1u << 9,
	BPF_SK_STORAGE_GET_F_CREATE = 1,
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
	BPF_RB_AVAIL_DATA = 0,
};

#define PF_KTHREAD 0x00200000
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

typedef struct {
	__s64 counter;
} atomic64_t;

typedef struct {
	long counter;
} atomic_long_t;

struct sock_common {
	__be32 skc_daddr;      /* in an anonymous union in the kernel */
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	atomic64_t skc_cookie;
	unsigned long skc_flags;      /* in an anonymous union in the kernel */
};

/* Bits of skc_flags; SOCK_DONE: TCP got the peer's FIN (tcp_fin()). */
enum sock_flags {
	SOCK_DEAD = 0,
	SOCK_DONE = 1,
};

struct socket;

typedef struct {
	int owned;             /* a task holds lock_sock() */
} socket_lock_t;

struct sock {
	struct sock_common __sk_common;
	socket_lock_t sk_lock;
	__u16 sk_protocol;
	struct socket *sk_socket;
};

/* The local port as the tracepoint reports it: unlike skc_num it is still
 * set when a closed socket has been unhashed. */
struct inet_sock {
	__be16 inet_sport;
};

struct tcp_sock {
	__u64 bytes_sent;      /* data sent, retransmissions included (4.19) */
	__u64 bytes_retrans;   /* of which retransmitted (4.19) */
	__u64 bytes_received;  /* data received (4.1) */
};

struct file;

struct socket {
	struct file *file;
	struct sock *sk;
};

struct inode {
	unsigned short i_mode;
};

typedef struct {
	atomic64_t refcnt;
} file_ref_t;

/* 6.13 and later: a biased count, 0 means one reference. */
struct file {
	file_ref_t f_ref;
	struct inode *f_inode;
	void *private_data;
};

/* Before 6.13: a plain count. */
struct file___old {
	atomic_long_t f_count;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

typedef struct {
	int counter;
} atomic_t;

struct signal_struct {
	atomic_t live;         /* threads not yet in do_exit() */
};

struct task_struct {
	unsigned int flags;
	int tgid;
	__u64 start_time;      /* CLOCK_MONOTONIC ns at fork */
	struct task_struct *group_leader;
	struct signal_struct *signal;
	struct files_struct *files;
};

#pragma clang attribute pop

/* A syscall tracepoint's record: a fixed layout (the events' format files),
 * not a kernel struct, so not relocated. */
struct syscall_enter_ctx {
	__u64 common;
	long nr;
	unsigned long args[6];
};

struct syscall_exit_ctx {
	__u64 common;
	long nr;
	long ret;
};

#endif /* TCA_BPF_KERNEL_H */
