/* SPDX-License-Identifier: MIT */
/* What the tracefs eventer's tests and fuzz harness share: the event's
 * format as Linux 6.18 publishes it, a decoder set up from it, and
 * builders for records and ring-buffer pages the way the kernel lays
 * them out (kernel/trace/ring_buffer.c). Header-only, so that the fuzz
 * harness builds from one clang command. */
#ifndef TCA_TRACEFS_FIXTURE_H
#define TCA_TRACEFS_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "tracefs.h"

#define FIX_EVENT_ID 2287
#define FIX_RECORD_SIZE 72
#define FIX_PAGE_SIZE 4096
#define FIX_COMMIT_SIZE 8
#define FIX_PAGE_HDR 16

static const char fix_format[] =
	"name: inet_sock_set_state\n"
	"ID: 2287\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:const void * skaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:int oldstate;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:int newstate;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\tfield:__u16 sport;\toffset:24;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 dport;\toffset:26;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 family;\toffset:28;\tsize:2;\tsigned:0;\n"
	"\tfield:__u16 protocol;\toffset:30;\tsize:2;\tsigned:0;\n"
	"\tfield:__u8 saddr[4];\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:__u8 daddr[4];\toffset:36;\tsize:4;\tsigned:0;\n"
	"\tfield:__u8 saddr_v6[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:__u8 daddr_v6[16];\toffset:56;\tsize:16;\tsigned:0;\n"
	"\n"
	"print fmt: \"family=%d\", REC->family\n";

static void fix_log(const struct tca_host *host, int prio, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fix_log(const struct tca_host *host, int prio, int errnum, const char *fmt, ...)
{
	va_list ap;

	(void)host;
	(void)prio;
	(void)errnum;
	if (!getenv("FIX_LOG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct tca_host fix_host = {
	.abi_major = TCA_ABI_MAJOR,
	.struct_size = sizeof(struct tca_host),
	.log = fix_log,
	.hostname = "testhost",
};

/* A decoder for fix_format, as tfs_load_format() makes one; 0 or -errno. */
static inline int fix_decoder(struct tdecode *d, bool ipv4_mapped)
{
	struct tep_handle *tep = tep_alloc();
	int ret;

	if (!tep)
		return -1;
	tep_set_long_size(tep, 8);
	tep_set_page_size(tep, FIX_PAGE_SIZE);
	ret = tep_parse_event(tep, fix_format, sizeof(fix_format) - 1, "sock");
	if (ret == 0)
		ret = tdecode_init(&fix_host, tep, ipv4_mapped, d);
	tep_free(tep);
	return ret;
}

/* The task events' formats as Linux 6.18 publishes them (tasks.c). */
static const char *const fix_task_formats[TTASK_NEVENTS] = {
	[TTASK_NEW] =
		"name: task_newtask\n"
		"ID: 205\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:char comm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
		"\tfield:u64 clone_flags;\toffset:32;\tsize:8;\tsigned:0;\n"
		"\tfield:short oom_score_adj;\toffset:40;\tsize:2;\tsigned:1;\n"
		"print fmt: \"x\"\n",
	[TTASK_EXEC] =
		"name: sched_process_exec\n"
		"ID: 365\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
		"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
		"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
		"print fmt: \"x\"\n",
	[TTASK_RENAME] =
		"name: task_rename\n"
		"ID: 204\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:char oldcomm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
		"\tfield:char newcomm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
		"\tfield:short oom_score_adj;\toffset:44;\tsize:2;\tsigned:1;\n"
		"print fmt: \"x\"\n",
	[TTASK_EXIT] =
		"name: sched_process_exit\n"
		"ID: 369\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
		"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
		"\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n"
		"print fmt: \"x\"\n",
};

/* The task events' decoders, as ttasks_init() makes them; 0 or -errno. */
static inline int fix_tasks(struct ttasks *tk)
{
	struct tep_handle *tep = tep_alloc();
	int ret = tep ? 0 : -1;

	memset(tk, 0, sizeof(*tk));
	for (int i = 0; ret == 0 && i < TTASK_NEVENTS; i++)
		ret = ttasks_parse(tk, tep, i, fix_task_formats[i], strlen(fix_task_formats[i]));
	tep_free(tep);
	return ret;
}

/* The uid and cgroup events' formats as Linux 6.18 publishes them (creds.c). */
static const char *const fix_cred_formats[TCRED_NEVENTS] = {
	[TCRED_ENTER_SETUID] =
		"name: sys_enter_setuid\n"
		"ID: 323\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:uid_t uid;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_EXIT_SETUID] =
		"name: sys_exit_setuid\n"
		"ID: 322\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_ENTER_SETREUID] =
		"name: sys_enter_setreuid\n"
		"ID: 325\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:uid_t ruid;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:uid_t euid;\toffset:24;\tsize:8;\tsigned:0;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_EXIT_SETREUID] =
		"name: sys_exit_setreuid\n"
		"ID: 324\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_ENTER_SETRESUID] =
		"name: sys_enter_setresuid\n"
		"ID: 321\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:uid_t ruid;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:uid_t euid;\toffset:24;\tsize:8;\tsigned:0;\n"
		"\tfield:uid_t suid;\toffset:32;\tsize:8;\tsigned:0;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_EXIT_SETRESUID] =
		"name: sys_exit_setresuid\n"
		"ID: 320\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
		"\n"
		"print fmt: \"x\"\n",
	[TCRED_ATTACH] =
		"name: cgroup_attach_task\n"
		"ID: 538\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:int dst_root;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:int dst_level;\toffset:12;\tsize:4;\tsigned:1;\n"
		"\tfield:u64 dst_id;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:int pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		"\tfield:__data_loc char[] dst_path;\toffset:28;\tsize:4;\tsigned:0;\n"
		"\tfield:__data_loc char[] comm;\toffset:32;\tsize:4;\tsigned:0;\n"
		"\n"
		"print fmt: \"x\"\n",
};

/* The uid and cgroup events' decoders, as tcreds_init() makes them. */
static inline int fix_creds(struct tcreds *tc)
{
	struct tep_handle *tep = tep_alloc();
	int ret = tep ? 0 : -1;

	memset(tc, 0, sizeof(*tc));
	for (int i = 0; ret == 0 && i < TCRED_NEVENTS; i++)
		ret = tcreds_parse(tc, tep, i, fix_cred_formats[i], strlen(fix_cred_formats[i]));
	tc->uid_on = tc->cg_on = ret == 0;
	tep_free(tep);
	return ret;
}

struct fix_rec {
	uint8_t flags;      /* common_flags: 0x10 softirq */
	int32_t pid;
	uint64_t skaddr;
	int32_t oldstate, newstate;
	uint16_t sport, dport, family, protocol;
	uint8_t saddr[4], daddr[4], saddr6[16], daddr6[16];
};

/* The 72-byte record the kernel writes for r. */
static inline void fix_record(uint8_t out[FIX_RECORD_SIZE], const struct fix_rec *r)
{
	uint16_t type = FIX_EVENT_ID;

	memset(out, 0, FIX_RECORD_SIZE);
	memcpy(out, &type, 2);
	out[2] = r->flags;
	memcpy(out + 4, &r->pid, 4);
	memcpy(out + 8, &r->skaddr, 8);
	memcpy(out + 16, &r->oldstate, 4);
	memcpy(out + 20, &r->newstate, 4);
	memcpy(out + 24, &r->sport, 2);
	memcpy(out + 26, &r->dport, 2);
	memcpy(out + 28, &r->family, 2);
	memcpy(out + 30, &r->protocol, 2);
	memcpy(out + 32, r->saddr, 4);
	memcpy(out + 36, r->daddr, 4);
	memcpy(out + 40, r->saddr6, 16);
	memcpy(out + 56, r->daddr6, 16);
}

/* A page under construction: header, then events appended. */
struct fix_page {
	uint8_t b[FIX_PAGE_SIZE];
	size_t len;         /* bytes used, header included */
	uint64_t flags;     /* missed-events bits for the commit word */
};

static inline void fix_page_init(struct fix_page *p, uint64_t ts)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->b, &ts, 8);
	p->len = FIX_PAGE_HDR;
}

static inline void fix_put4(struct fix_page *p, uint32_t v)
{
	if (p->len + 4 <= sizeof(p->b))
		memcpy(p->b + p->len, &v, 4);
	p->len += 4;
}

static inline uint32_t fix_hdr(unsigned type, uint32_t delta)
{
	return (type & 31) | (delta << 5);
}

/* A data event of size bytes (a multiple of 4 uses the short form). */
static inline void fix_page_event(struct fix_page *p, uint32_t delta, const void *data, size_t size,
				  bool long_form)
{
	if (!long_form && size % 4 == 0 && size <= 28 * 4) {
		fix_put4(p, fix_hdr((unsigned)(size / 4), delta));
	} else {
		fix_put4(p, fix_hdr(0, delta));
		fix_put4(p, (uint32_t)size + 4);
	}
	if (p->len + size <= sizeof(p->b))
		memcpy(p->b + p->len, data, size);
	p->len += (size + 3) & ~(size_t)3;
}

static inline void fix_page_extend(struct fix_page *p, uint64_t delta)
{
	fix_put4(p, fix_hdr(30, (uint32_t)(delta & ((1u << 27) - 1))));
	fix_put4(p, (uint32_t)(delta >> 27));
}

/* The commit word: the events' length and the missed-events flags; with
 * a stored count, the count after the events. */
static inline size_t fix_page_finish(struct fix_page *p, long missed)
{
	uint64_t commit = p->len - FIX_PAGE_HDR;

	if (missed) {
		commit |= UINT64_C(1) << 31;
		if (missed > 0) {
			uint64_t n = (uint64_t)missed;
			commit |= UINT64_C(1) << 30;
			memcpy(p->b + p->len, &n, 8);
		}
	}
	memcpy(p->b + 8, &commit, 8);
	return FIX_PAGE_SIZE;
}

#endif
