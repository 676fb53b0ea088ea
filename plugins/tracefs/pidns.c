/* SPDX-License-Identifier: MIT */
/*
 * Whether the pids the tracepoint reports can be looked up in our /proc.
 * The kernel records every task's pid in the initial PID namespace; in any
 * other (a container, nspawn) those numbers name other processes, or none,
 * in a /proc of that namespace, and a wrong owner is worse than none. What
 * matters is the namespace /proc shows, which may differ from ours either
 * way; it is checked once, at start, by namespace inode, not by any pid.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

/* include/linux/proc_ns.h: the initial PID namespace's fixed inode, below
 * the range the kernel hands out to the namespaces created later. */
#define PIDNS_INIT_INO UINT64_C(0xEFFFFFFC)

static const char pidns_fix[] = "run tcp-audit in the host's PID namespace (for example "
				"docker run --pid=host, or on the host rather than in nspawn)";

/* The PID namespace inode that a nsfs link names (pid:[N]), not from any
 * pid number; 0 if it cannot be read. */
static uint64_t pidns_ino(const char *path)
{
	char link[64];
	unsigned long long ino;
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n < 0)
		return 0;
	link[n] = '\0';
	return sscanf(link, "pid:[%llu]", &ino) == 1 ? ino : 0;
}

/* /proc/self names us by our own pid only if /proc is of our namespace. */
static bool pidns_proc_is_ours(const char *proc)
{
	char path[256], link[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/self", proc);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strtol(link, NULL, 10) == (long)getpid();
}

bool tpidns_usable(const struct tca_host *host, const char *proc)
{
	char path[256];
	bool ours = pidns_proc_is_ours(proc);
	uint64_t self, init;

	snprintf(path, sizeof(path), "%s/self/ns/pid", proc);
	self = ours ? pidns_ino(path) : 0;
	/* /proc's pid 1 is its namespace's init; reading its link may need
	 * CAP_SYS_PTRACE, hence the first test, which needs nothing. */
	snprintf(path, sizeof(path), "%s/1/ns/pid", proc);
	init = pidns_ino(path);
	if ((ours && self == PIDNS_INIT_INO) || init == PIDNS_INIT_INO)
		return true;
	if (ours && self)
		tca_log(host, TCA_LOG_WARNING, 0, "tcp-audit runs in a PID namespace other than "
			"the host's (pid:[%" PRIu64 "]), and %s is this namespace's: the kernel reports "
			"host pids, which would name other processes here, so events carry no pid or "
			"comm; %s", self, proc, pidns_fix);
	else
		tca_log(host, TCA_LOG_WARNING, 0, "%s is not of this process's PID namespace, and "
			"cannot be shown to be the host's: the kernel reports host pids, so events carry "
			"no pid or comm; %s", proc, pidns_fix);
	return false;
}
