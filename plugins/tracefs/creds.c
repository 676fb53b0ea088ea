/* SPDX-License-Identifier: MIT */
/*
 * The tracepoints that keep the owners' real uids and cgroups in the same
 * time-ordered stream as the socket events: the entry and exit of
 * setuid, setreuid and setresuid (syscalls/, the only calls that change a
 * real uid; exec keeps it) and cgroup/cgroup_attach_task (a move, with
 * the destination's id). A new task takes its creator's (tasks.c). What
 * is applied where, and when a value is not certain, is pidcache.c's.
 *
 * The syscall tracepoints cost every system call on the host a little
 * (the kernel sends all of them through its tracing path while one is
 * on): uid=no leaves them off.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <tracefs.h>

#include "tracefs.h"

/* cgroup v2's hierarchy (cgrp_dfl_root) has id 0; v1 ones count from 1. */
#define CGROUP_DFL_ROOT 0

static const struct {
	const char *system, *name, *field;
} cred_events[TCRED_NEVENTS] = {
	[TCRED_ENTER_SETUID] = { "syscalls", "sys_enter_setuid", "uid" },
	[TCRED_EXIT_SETUID] = { "syscalls", "sys_exit_setuid", "ret" },
	[TCRED_ENTER_SETREUID] = { "syscalls", "sys_enter_setreuid", "ruid" },
	[TCRED_EXIT_SETREUID] = { "syscalls", "sys_exit_setreuid", "ret" },
	[TCRED_ENTER_SETRESUID] = { "syscalls", "sys_enter_setresuid", "ruid" },
	[TCRED_EXIT_SETRESUID] = { "syscalls", "sys_exit_setresuid", "ret" },
	[TCRED_ATTACH] = { "cgroup", "cgroup_attach_task", "dst_id" },
};

int tcreds_parse(struct tcreds *tc, struct tep_handle *tep, int which, const char *text,
		 size_t size)
{
	struct tcred_fmt *f = &tc->fmt[which];
	struct tep_event *ev;
	bool ok;

	if (tep_parse_event(tep, text, (unsigned long)size, cred_events[which].system) != 0 ||
	    !(ev = tep_find_event_by_name(tep, cred_events[which].system, cred_events[which].name)))
		return -EINVAL;
	f->end = 0;
	/* a: the task (common_pid, or the attach's pid); b: the value. */
	if (which == TCRED_ATTACH)
		ok = tfield_find(ev, "pid", 4, 4, &f->a, &f->end) &&
		     tfield_find(ev, "dst_id", 8, 8, &f->b, &f->end) &&
		     tfield_find(ev, "dst_root", 4, 4, &f->c, &f->end);
	else
		ok = tfield_find(ev, "common_pid", 4, 4, &f->a, &f->end) &&
		     tfield_find(ev, cred_events[which].field, 4, 8, &f->b, &f->end);
	if (!ok)
		return -ENOTSUP;
	f->id = ev->id;
	return 0;
}

static bool tcreds_load(struct tcreds *tc, struct tep_handle *tep, int which)
{
	char path[128], *text;
	int size = 0, ret;

	snprintf(path, sizeof(path), "events/%s/%s/format", cred_events[which].system,
		 cred_events[which].name);
	text = tracefs_instance_file_read(NULL, path, &size);
	if (!text)
		return false;
	ret = tcreds_parse(tc, tep, which, text, (size_t)size);
	free(text);
	return ret == 0;
}

/* Parse and enable events first..end-1, all or none; 0 or the one that failed + 1. */
static int tcreds_enable(struct tcreds *tc, struct tep_handle *tep, struct tinst *ti, int first,
			 int end)
{
	for (int i = first; i < end; i++)
		if (!tcreds_load(tc, tep, i) ||
		    tracefs_event_enable(ti->inst, cred_events[i].system, cred_events[i].name) < 0) {
			for (int j = first; j <= i; j++) {
				tracefs_event_disable(ti->inst, cred_events[j].system, cred_events[j].name);
				tc->fmt[j].id = 0;
			}
			return i + 1;
		}
	return 0;
}

int tcreds_init(const struct tca_host *host, struct tep_handle *tep, struct tinst *ti,
		bool uid, bool cgroup, struct tcreds *tc)
{
	int bad;

	memset(tc, 0, sizeof(*tc));
	if (uid) {
		bad = tcreds_enable(tc, tep, ti, 0, TCRED_UID_EVENTS);
		if (bad)
			tca_log(host, TCA_LOG_NOTICE, 0, "cannot use the %s/%s tracepoint: events "
				"carry no uid", cred_events[bad - 1].system, cred_events[bad - 1].name);
		tc->uid_on = !bad;
	}
	if (cgroup) {
		bad = tcreds_enable(tc, tep, ti, TCRED_ATTACH, TCRED_NEVENTS);
		if (bad)
			tca_log(host, TCA_LOG_NOTICE, 0, "cannot use the cgroup/cgroup_attach_task "
				"tracepoint: events carry no cgroup");
		tc->cg_on = !bad;
	}
	return 0;
}

int tcreds_event(const struct tcreds *tc, struct pidcache *pc, int type, const void *data,
		 size_t size)
{
	const uint8_t *p = data;
	const struct tcred_fmt *f;
	int which;

	if (!tc->uid_on && !tc->cg_on)
		return 0;
	for (which = 0; which < TCRED_NEVENTS; which++)
		if (tc->fmt[which].id && tc->fmt[which].id == type)
			break;
	if (which == TCRED_NEVENTS)
		return 0;
	f = &tc->fmt[which];
	if (!pc || size < f->end)
		return 1; /* ours, but nothing to learn from it */
	switch (which) {
	case TCRED_ATTACH:
		if ((int32_t)tfield_num(f->c, p) == CGROUP_DFL_ROOT)
			pidcache_cgroup_moved(pc, (int32_t)tfield_num(f->a, p), tfield_num(f->b, p));
		break;
	case TCRED_EXIT_SETUID:
	case TCRED_EXIT_SETREUID:
	case TCRED_EXIT_SETRESUID:
		pidcache_uid_done(pc, (int32_t)tfield_num(f->a, p), (int64_t)tfield_num(f->b, p));
		break;
	default:
		/* A uid_t in a long: the kernel takes the low 32 bits. */
		pidcache_uid_call(pc, (int32_t)tfield_num(f->a, p), (enum tcred_call)(which / 2),
				  (uint32_t)tfield_num(f->b, p));
		break;
	}
	return 1;
}
