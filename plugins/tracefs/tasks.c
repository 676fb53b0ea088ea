/* SPDX-License-Identifier: MIT */
/*
 * The task tracepoints, in the same instance as the socket event so that
 * one time-ordered stream carries both: task/task_newtask (a new process
 * or thread, with its comm), sched/sched_process_exec (a new comm),
 * task/task_rename (prctl or /proc/PID/comm) and sched/sched_process_exit.
 * They keep pidcache.c's map current; without them (an old kernel, or a
 * kernel that refuses) attribution falls back to reading /proc.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <tracefs.h>

#include "tracefs.h"

#define CLONE_THREAD_FLAG 0x00010000 /* include/uapi/linux/sched.h */
#define CLONE_INTO_CGROUP_FLAG UINT64_C(0x200000000)

static const struct {
	const char *system, *name;
} task_events[TTASK_NEVENTS] = {
	[TTASK_NEW] = { "task", "task_newtask" },
	[TTASK_EXEC] = { "sched", "sched_process_exec" },
	[TTASK_RENAME] = { "task", "task_rename" },
	[TTASK_EXIT] = { "sched", "sched_process_exit" },
};

int ttasks_parse(struct ttasks *tk, struct tep_handle *tep, int which, const char *text, size_t size)
{
	struct tep_event *ev;
	struct ttask_fmt *f = &tk->fmt[which];
	bool ok;

	if (tep_parse_event(tep, text, (unsigned long)size, task_events[which].system) != 0 ||
	    !(ev = tep_find_event_by_name(tep, task_events[which].system, task_events[which].name)))
		return -EINVAL;
	f->id = ev->id;
	f->end = 0;
	switch (which) {
	case TTASK_NEW:
		ok = tfield_find(ev, "common_pid", 4, 4, &f->a, &f->end) &&
		     tfield_find(ev, "pid", 4, 4, &f->b, &f->end) &&
		     tfield_find(ev, "comm", 16, 16, &f->s, &f->end) &&
		     tfield_find(ev, "clone_flags", 4, 8, &f->c, &f->end);
		break;
	case TTASK_EXEC:
		ok = tfield_find(ev, "pid", 4, 4, &f->a, &f->end) &&
		     tfield_find(ev, "old_pid", 4, 4, &f->b, &f->end) &&
		     tfield_find(ev, "filename", 4, 4, &f->s, &f->end);
		break;
	case TTASK_RENAME:
		ok = tfield_find(ev, "pid", 4, 4, &f->a, &f->end) &&
		     tfield_find(ev, "newcomm", 16, 16, &f->s, &f->end);
		break;
	default:
		ok = tfield_find(ev, "pid", 4, 4, &f->a, &f->end);
		break;
	}
	if (!ok)
		return -ENOTSUP;
	tk->on = true;
	return 0;
}

/* Read one event's format from tracefs and parse it. */
static bool ttasks_load(struct ttasks *tk, struct tep_handle *tep, int which)
{
	char path[128], *text;
	int size = 0, ret;

	snprintf(path, sizeof(path), "events/%s/%s/format", task_events[which].system,
		 task_events[which].name);
	text = tracefs_instance_file_read(NULL, path, &size);
	if (!text)
		return false;
	ret = ttasks_parse(tk, tep, which, text, (size_t)size);
	free(text);
	return ret == 0;
}

int ttasks_init(const struct tca_host *host, struct tep_handle *tep, struct tinst *ti,
		struct ttasks *tk)
{
	int which;

	memset(tk, 0, sizeof(*tk));
	for (which = 0; which < TTASK_NEVENTS; which++)
		if (!ttasks_load(tk, tep, which))
			break;
	for (int i = 0; which == TTASK_NEVENTS && i < TTASK_NEVENTS; i++)
		if (tracefs_event_enable(ti->inst, task_events[i].system, task_events[i].name) < 0)
			which = i;
	if (which < TTASK_NEVENTS) {
		tca_log(host, TCA_LOG_NOTICE, 0, "cannot use the %s/%s tracepoint: owners' names "
			"come from /proc when first seen, so clients that exit at once may go "
			"unnamed", task_events[which].system, task_events[which].name);
		for (int i = 0; i < TTASK_NEVENTS; i++)
			tracefs_event_disable(ti->inst, task_events[i].system, task_events[i].name);
		memset(tk, 0, sizeof(*tk));
		return 0;
	}
	tk->on = true;
	return 0;
}

int ttasks_event(const struct ttasks *tk, struct pidcache *pc, int type, const void *data,
		 size_t size, int32_t *ended)
{
	const uint8_t *p = data;
	const struct ttask_fmt *f;
	char comm[TCA_COMM_LEN];
	int which;

	*ended = 0;
	if (!tk->on)
		return 0;
	for (which = 0; which < TTASK_NEVENTS; which++)
		if (tk->fmt[which].id == type)
			break;
	if (which == TTASK_NEVENTS)
		return 0;
	f = &tk->fmt[which];
	if (!pc || size < f->end)
		return 1; /* ours, but nothing to learn from it */
	switch (which) {
	case TTASK_NEW: {
		uint64_t flags = tfield_num(f->c, p);
		memcpy(comm, p + f->s.offset, TCA_COMM_LEN);
		pidcache_task_new(pc, (int32_t)tfield_num(f->a, p), (int32_t)tfield_num(f->b, p), comm,
				  (flags & CLONE_THREAD_FLAG) != 0);
		/* A 32-bit field cannot show the flag: then it may be set. */
		if (f->c.size < 8 || (flags & CLONE_INTO_CGROUP_FLAG))
			pidcache_task_into_cgroup(pc, (int32_t)tfield_num(f->b, p));
		break;
	}
	case TTASK_EXEC: {
		/* __data_loc: offset in the low 16 bits, length in the high. */
		uint32_t loc = (uint32_t)tfield_num(f->s, p);
		size_t off = loc & 0xffff, len = loc >> 16;
		if (off > size || len > size - off)
			break;
		len = strnlen((const char *)p + off, len);
		pidcache_task_exec(pc, (int32_t)tfield_num(f->a, p), (int32_t)tfield_num(f->b, p),
				   (const char *)p + off, len);
		break;
	}
	case TTASK_RENAME:
		memcpy(comm, p + f->s.offset, TCA_COMM_LEN);
		pidcache_task_rename(pc, (int32_t)tfield_num(f->a, p), comm);
		break;
	default:
		*ended = pidcache_task_exit(pc, (int32_t)tfield_num(f->a, p));
		break;
	}
	return 1;
}
