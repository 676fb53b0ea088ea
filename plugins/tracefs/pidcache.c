/* SPDX-License-Identifier: MIT */
/*
 * Task id -> (process id, command name). With the task tracepoints on
 * (tasks.c), the stream itself keeps the map current and in order: a
 * new task, an exec, a rename each update it at their place among the
 * socket events, so a short-lived client is named even when it is gone
 * before we read its events, and a reused task id never inherits a dead
 * task's name. /proc is walked once at start for what already runs.
 *
 * Without them, or after the kernel lost events (the map may have
 * missed a change), an unknown task is read from /proc when first seen,
 * and that entry is read again after PIDCACHE_TTL_S, because the system
 * may give a dead task's id to a new one.
 *
 * The table is open-addressed with short bounded probes; an exited
 * task's entry stays (its last events, a close at exit, come after the
 * exit event) until its slot is needed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefs.h"

#define PIDCACHE_SLOTS (1u << 17) /* a power of two */
#define PIDCACHE_PROBE 32
#define PIDCACHE_TTL_S 5

struct pidcache_entry {
	int32_t tid;          /* 0: empty */
	int32_t pid;          /* 0: the process is not known */
	uint64_t read_s;      /* when read from /proc, if !stream */
	bool stream;          /* kept current by the task events */
	bool exited;          /* its slot may be taken */
	char comm[TCA_COMM_LEN];
};

struct pidcache {
	bool tracking;        /* the task events are on */
	bool complete;        /* every live task is in the map */
	char proc[64];
	struct pidcache_entry e[PIDCACHE_SLOTS];
};

struct pidcache *pidcache_new(void)
{
	struct pidcache *pc = calloc(1, sizeof(struct pidcache));

	if (pc)
		snprintf(pc->proc, sizeof(pc->proc), "/proc");
	return pc;
}

void pidcache_free(struct pidcache *pc)
{
	free(pc);
}

static size_t pidcache_home(int32_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (PIDCACHE_SLOTS - 1);
}

static struct pidcache_entry *pidcache_find(struct pidcache *pc, int32_t tid)
{
	size_t i = pidcache_home(tid);

	for (int n = 0; n < PIDCACHE_PROBE; n++, i = (i + 1) & (PIDCACHE_SLOTS - 1)) {
		if (pc->e[i].tid == tid)
			return &pc->e[i];
		if (!pc->e[i].tid)
			return NULL;
	}
	return NULL;
}

/* The slot for tid: its own, an empty one, an exited task's, or (the
 * table crowded) the home slot, whose live task is then forgotten. */
static struct pidcache_entry *pidcache_slot(struct pidcache *pc, int32_t tid)
{
	struct pidcache_entry *free_slot = NULL;
	size_t i = pidcache_home(tid);

	for (int n = 0; n < PIDCACHE_PROBE; n++, i = (i + 1) & (PIDCACHE_SLOTS - 1)) {
		struct pidcache_entry *e = &pc->e[i];
		if (e->tid == tid)
			return e;
		if (!e->tid)
			return free_slot ? free_slot : e;
		if (e->exited && !free_slot)
			free_slot = e;
	}
	if (free_slot)
		return free_slot;
	pc->complete = false;
	return &pc->e[pidcache_home(tid)];
}

static ssize_t pidcache_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* Fill e from /proc; false when the task is already gone. */
static bool pidcache_load(const struct pidcache *pc, struct pidcache_entry *e, int tid)
{
	char path[128], buf[1024], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/status", pc->proc, tid);
	if (pidcache_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nTgid:")))
		return false;
	e->pid = (int32_t)strtol(p + 6, NULL, 10);
	snprintf(path, sizeof(path), "%s/%d/comm", pc->proc, tid);
	n = pidcache_read_file(path, buf, sizeof(buf));
	if (n < 0 || e->pid <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	buf[TCA_COMM_LEN - 1] = '\0';
	memset(e->comm, 0, TCA_COMM_LEN);
	memcpy(e->comm, buf, strlen(buf));
	e->tid = tid;
	return true;
}

bool pidcache_get(struct pidcache *pc, int tid, uint64_t now_s, int32_t *pid, char comm[TCA_COMM_LEN])
{
	struct pidcache_entry *e;

	if (!pc || tid <= 0)
		return false;
	e = pidcache_find(pc, tid);
	if (!e || !(e->stream || now_s - e->read_s < PIDCACHE_TTL_S)) {
		struct pidcache_entry fresh = { .read_s = now_s };
		/* A complete map knows every task: /proc, read later than
		 * the event, could only show a later task with this id. */
		if (pc->complete || !pidcache_load(pc, &fresh, tid))
			return false;
		e = pidcache_slot(pc, tid);
		*e = fresh;
	}
	if (e->pid <= 0)
		return false;
	*pid = e->pid;
	memcpy(comm, e->comm, TCA_COMM_LEN);
	return true;
}

static void pidcache_set(struct pidcache *pc, int32_t tid, int32_t pid, const char *comm, size_t len)
{
	struct pidcache_entry *e = pidcache_slot(pc, tid);

	*e = (struct pidcache_entry){ .tid = tid, .pid = pid, .stream = true };
	if (len > TCA_COMM_LEN - 1)
		len = TCA_COMM_LEN - 1;
	memcpy(e->comm, comm, strnlen(comm, len));
}

void pidcache_task_new(struct pidcache *pc, int32_t parent, int32_t tid, const char *comm,
		       bool thread)
{
	const struct pidcache_entry *p;
	int32_t pid = tid;

	if (!pc->tracking || tid <= 0)
		return;
	if (thread) {
		/* A thread joins its creator's process, if we know it. */
		p = pidcache_find(pc, parent);
		pid = p && p->stream ? p->pid : 0;
	}
	pidcache_set(pc, tid, pid, comm, TCA_COMM_LEN);
}

void pidcache_task_exec(struct pidcache *pc, int32_t tid, int32_t old_tid, const char *filename,
			size_t len)
{
	const char *base = filename;

	if (!pc->tracking || tid <= 0)
		return;
	/* The comm becomes the file's base name (fs/exec.c); a thread
	 * that executes takes over the leader's id, which is the pid. */
	for (size_t i = 0; i < len; i++)
		if (filename[i] == '/')
			base = filename + i + 1;
	if (old_tid != tid) {
		struct pidcache_entry *o = pidcache_find(pc, old_tid);
		if (o)
			o->exited = true;
	}
	pidcache_set(pc, tid, tid, base, len - (size_t)(base - filename));
}

void pidcache_task_rename(struct pidcache *pc, int32_t tid, const char *comm)
{
	struct pidcache_entry *e;

	if (!pc->tracking || tid <= 0)
		return;
	/* Not known: the next lookup reads /proc (or names nobody). */
	e = pidcache_find(pc, tid);
	if (e && e->stream) {
		memset(e->comm, 0, TCA_COMM_LEN);
		memcpy(e->comm, comm, strnlen(comm, TCA_COMM_LEN - 1));
	}
}

int32_t pidcache_task_exit(struct pidcache *pc, int32_t tid)
{
	struct pidcache_entry *e;

	if (!pc->tracking || tid <= 0)
		return 0;
	e = pidcache_find(pc, tid);
	if (!e)
		return 0;
	e->exited = true;
	return e->stream && e->pid == tid ? tid : 0;
}

void pidcache_lost(struct pidcache *pc)
{
	/* A change may be among the lost events: trust /proc again, with
	 * its time-to-live, until the next start. */
	pc->complete = false;
	for (size_t i = 0; i < PIDCACHE_SLOTS; i++)
		pc->e[i].stream = false;
	pc->tracking = false;
}

int pidcache_track(struct pidcache *pc, const char *proc)
{
	char path[128];
	DIR *d, *td;
	struct dirent *de, *te;

	snprintf(pc->proc, sizeof(pc->proc), "%s", proc);
	d = opendir(proc);
	if (!d)
		return -errno;
	/* After the task events are on: what starts from now on is in the
	 * stream, which is applied on top of this. */
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%d/task", proc, pid);
		if (!(td = opendir(path)))
			continue;
		while ((te = readdir(td))) {
			struct pidcache_entry fresh = { 0 }, *e;
			int tid = atoi(te->d_name);
			if (tid <= 0 || !pidcache_load(pc, &fresh, tid))
				continue;
			fresh.stream = true;
			e = pidcache_slot(pc, tid);
			*e = fresh;
		}
		closedir(td);
	}
	closedir(d);
	pc->tracking = true;
	pc->complete = true;
	return 0;
}
