/* SPDX-License-Identifier: MIT */
/*
 * Task id -> (process id, command name), read from /proc when a task is
 * first seen and then cached: the tracepoint carries neither. Entries are
 * read again after PIDCACHE_TTL_S, because the system may give a dead
 * task's id to a new one. The cache is direct-mapped and bounded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefs.h"

#define PIDCACHE_SLOTS 4096 /* a power of two */
#define PIDCACHE_TTL_S 5

struct pidcache_entry {
	int32_t tid;          /* 0: empty */
	int32_t pid;
	uint64_t read_s;
	char comm[TCA_COMM_LEN];
};

struct pidcache {
	struct pidcache_entry e[PIDCACHE_SLOTS];
};

struct pidcache *pidcache_new(void)
{
	return calloc(1, sizeof(struct pidcache));
}

void pidcache_free(struct pidcache *pc)
{
	free(pc);
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
static bool pidcache_load(struct pidcache_entry *e, int tid)
{
	char path[48], buf[1024], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (pidcache_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nTgid:")))
		return false;
	e->pid = (int32_t)strtol(p + 6, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	n = pidcache_read_file(path, buf, sizeof(buf));
	if (n < 0 || e->pid <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	buf[TCA_COMM_LEN - 1] = '\0';
	memcpy(e->comm, buf, TCA_COMM_LEN);
	e->tid = tid;
	return true;
}

bool pidcache_get(struct pidcache *pc, int tid, uint64_t now_s, int32_t *pid, char comm[TCA_COMM_LEN])
{
	struct pidcache_entry *e;

	if (!pc)
		return false;
	e = &pc->e[(uint32_t)tid * 2654435761u % PIDCACHE_SLOTS];
	if (e->tid != tid || now_s - e->read_s >= PIDCACHE_TTL_S) {
		struct pidcache_entry fresh = { .read_s = now_s };
		if (!pidcache_load(&fresh, tid))
			return false;
		*e = fresh;
	}
	*pid = e->pid;
	memcpy(comm, e->comm, TCA_COMM_LEN);
	return true;
}
