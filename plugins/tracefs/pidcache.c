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
 * The owner's real uid and cgroup v2 id are kept the same way (creds.c
 * feeds the changes), each with the trace time from which it is certain:
 * a value is only given for an event at or after that time, and only
 * while the stream keeps the map. See tcp-audit-tracefs(7), "Owner's uid
 * and cgroup", for the rules.
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

#include "cgpath.h"
#include "tracefs.h"

#define PIDCACHE_SLOTS (1u << 17) /* a power of two */
#define PIDCACHE_PROBE 32
#define PIDCACHE_TTL_S 5
/* *_from: never certain; certain from the end of the /proc walk. */
#define FROM_NEVER UINT64_MAX
#define FROM_WALK (UINT64_MAX - 1)
/* A child's cgroup is its creator's, unless the creator was moved this
 * shortly before the child's task_newtask: the kernel picks the child's
 * cgroup a little before that event, under a lock a move waits for, so
 * a move in between shows first in the stream but came after. */
#define PIDCACHE_CG_RACE_NS 10000000

struct pidcache_entry {
	int32_t tid;          /* 0: empty */
	int32_t pid;          /* 0: the process is not known */
	uint64_t read_s;      /* when read from /proc, if !stream */
	bool stream;          /* kept current by the task events */
	bool exited;          /* its slot may be taken */
	bool threads;         /* a leader that made threads (a move may not be theirs) */
	uint8_t pend;         /* a set*uid call under way: enum tcred_call + 1 */
	char comm[TCA_COMM_LEN];
	uint32_t uid;         /* real uid, certain from uid_from on */
	uint32_t pend_uid;    /* the call's uid argument */
	uint64_t uid_from;
	uint64_t cgroup;      /* cgroup v2 id, certain from cg_from on */
	uint64_t cg_from;
	uint64_t cg_moved;    /* trace time of its last move, 0: none seen */
};

struct pidcache {
	bool tracking;        /* the task events are on */
	bool complete;        /* every live task is in the map */
	bool uid_on, cg_on;   /* creds.c feeds uid changes, cgroup moves */
	const struct cgpaths *cg; /* to name walked tasks' cgroups */
	uint64_t walk_ts;     /* trace time after the walk: FROM_WALK means this */
	uint64_t now_ts;      /* the record being applied (pidcache_at) */
	char proc[64];
	struct pidcache_entry e[PIDCACHE_SLOTS];
};

struct pidcache *pidcache_new(void)
{
	struct pidcache *pc = calloc(1, sizeof(struct pidcache));

	if (pc) {
		snprintf(pc->proc, sizeof(pc->proc), "/proc");
		pc->walk_ts = FROM_NEVER;
	}
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
	e->uid_from = e->cg_from = FROM_NEVER;
	if ((p = strstr(buf, "\nUid:")))
		e->uid = (uint32_t)strtoul(p + 5, NULL, 10);
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

static struct pidcache_entry *pidcache_set(struct pidcache *pc, int32_t tid, int32_t pid,
					   const char *comm, size_t len)
{
	struct pidcache_entry *e = pidcache_slot(pc, tid);

	*e = (struct pidcache_entry){ .tid = tid, .pid = pid, .stream = true,
				      .uid_from = FROM_NEVER, .cg_from = FROM_NEVER };
	if (len > TCA_COMM_LEN - 1)
		len = TCA_COMM_LEN - 1;
	memcpy(e->comm, comm, strnlen(comm, len));
	return e;
}

static uint64_t pidcache_from(const struct pidcache *pc, uint64_t from)
{
	return from == FROM_WALK ? pc->walk_ts : from;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* A new task's credentials and cgroup are its creator's (copy_process),
 * known from its birth on if the creator's were by then. */
static void pidcache_inherit(struct pidcache *pc, struct pidcache_entry *child,
			     const struct pidcache_entry *parent)
{
	uint64_t now = pc->now_ts;

	if (!parent || !parent->stream)
		return;
	if (pidcache_from(pc, parent->uid_from) != FROM_NEVER) {
		child->uid = parent->uid;
		child->uid_from = max64(now, pidcache_from(pc, parent->uid_from));
	}
	if (pidcache_from(pc, parent->cg_from) != FROM_NEVER &&
	    !(parent->cg_moved && now - parent->cg_moved < PIDCACHE_CG_RACE_NS)) {
		child->cgroup = parent->cgroup;
		child->cg_from = max64(now, pidcache_from(pc, parent->cg_from));
	}
}

void pidcache_task_new(struct pidcache *pc, int32_t parent, int32_t tid, const char *comm,
		       bool thread)
{
	struct pidcache_entry *p, *e;
	int32_t pid = tid;
	struct pidcache_entry copy;

	if (!pc->tracking || tid <= 0)
		return;
	p = pidcache_find(pc, parent);
	if (thread) {
		/* A thread joins its creator's process, if we know it. */
		pid = p && p->stream ? p->pid : 0;
	}
	/* The creator's entry may move when the child's slot is taken. */
	if (p)
		copy = *p;
	e = pidcache_set(pc, tid, pid, comm, TCA_COMM_LEN);
	pidcache_inherit(pc, e, p ? &copy : NULL);
	if (thread && pid > 0 && (p = pidcache_find(pc, pid)))
		p->threads = true;
}

void pidcache_task_into_cgroup(struct pidcache *pc, int32_t tid)
{
	struct pidcache_entry *e = pidcache_find(pc, tid);

	/* clone3(CLONE_INTO_CGROUP): born in a cgroup no event names. */
	if (e)
		e->cg_from = FROM_NEVER;
}

/* Whether the program now running in tid is a 64-bit one. The kernel
 * traces no system call of a 32-bit program on a 64-bit kernel
 * (compat system calls are left out of syscalls/), so its set*uid calls
 * would go unseen. */
static bool pidcache_exec_native(const struct pidcache *pc, int32_t tid, const char *filename,
				 size_t len)
{
	char path[4200];
	unsigned char ident[5];
	ssize_t n = -1;
	int fd;

	if (sizeof(long) == 4)
		return true;
	snprintf(path, sizeof(path), "%s/%d/exe", pc->proc, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Gone already: the file it ran, if its name is absolute. */
	if (fd < 0 && len > 0 && filename[0] == '/' && len < sizeof(path)) {
		memcpy(path, filename, len);
		path[len] = '\0';
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0) {
		n = read(fd, ident, sizeof(ident));
		close(fd);
	}
	/* ELF, class 2 (64-bit); a script's interpreter is an ELF too, but
	 * a "#!" file is not: its interpreter is unknown here. */
	return n == (ssize_t)sizeof(ident) && memcmp(ident, "\177ELF\2", 5) == 0;
}

void pidcache_task_exec(struct pidcache *pc, int32_t tid, int32_t old_tid, const char *filename,
			size_t len)
{
	const char *base = filename;
	struct pidcache_entry *o, before = { .uid_from = FROM_NEVER, .cg_from = FROM_NEVER }, *e;

	if (!pc->tracking || tid <= 0)
		return;
	/* The comm becomes the file's base name (fs/exec.c); a thread
	 * that executes takes over the leader's id, which is the pid. */
	for (size_t i = 0; i < len; i++)
		if (filename[i] == '/')
			base = filename + i + 1;
	o = pidcache_find(pc, old_tid);
	if (o && o->stream)
		before = *o;
	if (o && old_tid != tid)
		o->exited = true;
	e = pidcache_set(pc, tid, tid, base, len - (size_t)(base - filename));
	/* exec keeps the real uid (a set-user-id file changes the effective
	 * one) and the cgroup. */
	e->uid = before.uid;
	e->uid_from = before.uid_from;
	e->cgroup = before.cgroup;
	e->cg_from = before.cg_from;
	e->cg_moved = before.cg_moved;
	if (pc->uid_on && e->uid_from != FROM_NEVER && !pidcache_exec_native(pc, tid, filename, len))
		e->uid_from = FROM_NEVER;
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

/* The cgroup v2 line of /proc/PID/task/TID/cgroup ("0::/path"), as an id. */
static uint64_t pidcache_read_cgroup(const struct pidcache *pc, int pid, int tid)
{
	char path[128], buf[4096], *line;

	snprintf(path, sizeof(path), "%s/%d/task/%d/cgroup", pc->proc, pid, tid);
	if (pidcache_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			return cgpaths_id_of(pc->cg, line + 3);
		}
	}
	return 0;
}

/* What the walk read is certain from its end on: a change before that
 * is in the stream too, and applied again on top. */
static void pidcache_walk_creds(const struct pidcache *pc, struct pidcache_entry *e, int pid)
{
	if (pc->uid_on)
		e->uid_from = FROM_WALK;
	if (pc->cg_on && (e->cgroup = pidcache_read_cgroup(pc, pid, e->tid)))
		e->cg_from = FROM_WALK;
}

void pidcache_creds_on(struct pidcache *pc, bool uid, const struct cgpaths *cg)
{
	pc->uid_on = uid;
	pc->cg_on = cg && cgpaths_mount(cg);
	pc->cg = cg;
}

void pidcache_walk_done(struct pidcache *pc, uint64_t ts)
{
	pc->walk_ts = ts;
}

void pidcache_at(struct pidcache *pc, uint64_t ts)
{
	pc->now_ts = ts;
}

uint32_t pidcache_creds(struct pidcache *pc, int tid, uint64_t ts, uint32_t *uid, uint64_t *cgroup)
{
	const struct pidcache_entry *e;
	uint32_t known = 0;

	if (!pc || tid <= 0 || !pc->tracking || !(e = pidcache_find(pc, tid)) || !e->stream)
		return 0;
	if (pc->uid_on && pidcache_from(pc, e->uid_from) <= ts) {
		*uid = e->uid;
		known |= TCA_EV_UID;
	}
	if (pc->cg_on && pidcache_from(pc, e->cg_from) <= ts) {
		*cgroup = e->cgroup;
		known |= TCA_EV_CGROUP;
	}
	return known;
}

void pidcache_uid_call(struct pidcache *pc, int32_t tid, enum tcred_call call, uint32_t ruid)
{
	struct pidcache_entry *e;

	if (!pc->tracking || !pc->uid_on || !(e = pidcache_find(pc, tid)) || !e->stream)
		return;
	e->pend = (uint8_t)(call + 1);
	e->pend_uid = ruid;
}

/* setuid(u) by a task whose real uid is not u: a privileged call sets
 * every uid to u, an unprivileged one (u is the saved uid) only the
 * effective one, and capabilities are not in the stream. /proc, read
 * now, tells: all three u. */
static bool pidcache_setuid_privileged(const struct pidcache *pc, int32_t tid, uint32_t u)
{
	char path[128], buf[1024], *p;
	unsigned long r, e, s;

	snprintf(path, sizeof(path), "%s/%d/status", pc->proc, tid);
	if (pidcache_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nUid:")) ||
	    sscanf(p + 5, "%lu %lu %lu", &r, &e, &s) != 3)
		return false;
	return r == u && e == u && s == u;
}

void pidcache_uid_done(struct pidcache *pc, int32_t tid, int64_t ret)
{
	struct pidcache_entry *e;
	enum tcred_call call;
	uint32_t u;

	if (!pc->tracking || !pc->uid_on || !(e = pidcache_find(pc, tid)) || !e->stream || !e->pend)
		return;
	call = (enum tcred_call)(e->pend - 1);
	u = e->pend_uid;
	e->pend = 0;
	if (ret != 0 || u == UINT32_MAX)
		return; /* failed, or the real uid left as it was (-1) */
	if (call == TCRED_SETUID && pidcache_from(pc, e->uid_from) != FROM_NEVER && e->uid == u)
		return; /* the real uid was u already, whatever else changed */
	if (call == TCRED_SETUID && !pidcache_setuid_privileged(pc, tid, u)) {
		e->uid_from = FROM_NEVER;
		return;
	}
	/* The change took effect inside the call: from its end on. */
	e->uid = u;
	e->uid_from = pc->now_ts;
}

void pidcache_cgroup_moved(struct pidcache *pc, int32_t tid, uint64_t id)
{
	struct pidcache_entry *e;

	if (!pc->tracking || !pc->cg_on || !(e = pidcache_find(pc, tid)) || !e->stream)
		return;
	e->cgroup = id;
	e->cg_from = e->cg_moved = pc->now_ts;
	if (!e->threads || e->pid != tid)
		return;
	/* The event does not say whether the whole process moved
	 * (cgroup.procs) or the leader alone (cgroup.threads): its other
	 * threads are no longer known. Rare: moves come before threads. */
	for (size_t i = 0; i < PIDCACHE_SLOTS; i++)
		if (pc->e[i].tid && pc->e[i].tid != tid && pc->e[i].pid == tid)
			pc->e[i].cg_from = FROM_NEVER;
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
		int ntasks = 0;
		struct pidcache_entry *leader;
		while ((te = readdir(td))) {
			struct pidcache_entry fresh = { 0 }, *e;
			int tid = atoi(te->d_name);
			if (tid <= 0 || !pidcache_load(pc, &fresh, tid))
				continue;
			fresh.stream = true;
			pidcache_walk_creds(pc, &fresh, pid);
			e = pidcache_slot(pc, tid);
			*e = fresh;
			ntasks++;
		}
		closedir(td);
		if (ntasks > 1 && (leader = pidcache_find(pc, pid)))
			leader->threads = true;
	}
	closedir(d);
	pc->tracking = true;
	pc->complete = true;
	return 0;
}
