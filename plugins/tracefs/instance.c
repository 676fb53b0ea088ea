/* SPDX-License-Identifier: MIT */
/*
 * Our private tracefs instance, "tcp-audit-<pid>": created at open with the
 * clock, buffer size, wake-up threshold and filter set, removed at close.
 * The pid in the name lets the next start remove what a crashed run left.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "tracefs.h"

#define INSTANCE_PREFIX "tcp-audit-"
#define EVENT_SYSTEM "sock"
#define EVENT_NAME "inet_sock_set_state"

/* The pid in an instance name of ours, or 0 when it is not one. */
static pid_t tinst_name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) != 0)
		return 0;
	name += strlen(INSTANCE_PREFIX);
	errno = 0;
	pid = strtol(name, &end, 10);
	if (*name == '\0' || *end || errno || pid <= 0 || pid > INT32_MAX)
		return 0;
	return (pid_t)pid;
}

static int tinst_remove(const char *name)
{
	struct tracefs_instance *inst = tracefs_instance_alloc(NULL, name);
	int ret;

	if (!inst)
		return -errno;
	ret = tracefs_instance_destroy(inst) < 0 ? -errno : 0;
	tracefs_instance_free(inst);
	return ret;
}

struct stale_walk {
	const struct tca_host *host;
	size_t n;
	char names[32][64];
};

static int tinst_stale_cb(const char *name, void *ctx)
{
	struct stale_walk *w = ctx;
	pid_t pid = tinst_name_pid(name);

	/* Our own pid here is a leftover of an earlier process that had it. */
	if (!pid || (pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH)))
		return 0;
	if (w->n < sizeof(w->names) / sizeof(w->names[0]))
		snprintf(w->names[w->n++], sizeof(w->names[0]), "%s", name);
	return 0;
}

int tinst_clean_stale(const struct tca_host *host)
{
	struct stale_walk w = { .host = host };

	/* Collect first, remove after: rmdir while walking the directory
	 * would change what the walk reads. */
	tracefs_instances_walk(tinst_stale_cb, &w);
	for (size_t i = 0; i < w.n; i++) {
		int ret = tinst_remove(w.names[i]);
		if (ret < 0)
			tca_log(host, TCA_LOG_WARNING, -ret, "cannot remove the stale tracefs "
				"instance %s of a dead tcp-audit", w.names[i]);
		else
			tca_log(host, TCA_LOG_NOTICE, 0, "removed the stale tracefs instance %s "
				"of a dead tcp-audit", w.names[i]);
	}
	return 0;
}

static int tinst_write(const struct tca_host *host, struct tinst *ti, const char *file,
		       const char *val)
{
	if (tracefs_instance_file_write(ti->inst, file, val) < 0) {
		int e = errno ? errno : EIO;
		tca_log(host, TCA_LOG_ERR, e, "cannot write '%s' to %s of the tracefs instance %s",
			val, file, ti->name);
		return -e;
	}
	return 0;
}

/* "auto" takes tai when the kernel offers it (see clock.c). */
static int tinst_set_clock(const struct tca_host *host, struct tinst *ti, const char *want)
{
	char *avail = tracefs_instance_file_read(ti->inst, "trace_clock", NULL);
	bool has_tai = avail && (strstr(avail, " tai ") || strstr(avail, "[tai]") ||
				 strstr(avail, " tai\n"));

	free(avail);
	if (strcmp(want, "tai") == 0 && !has_tai) {
		tca_log(host, TCA_LOG_ERR, 0, "this kernel has no 'tai' trace clock (Linux 5.10 or "
			"later); use clock=boot or clock=auto");
		return -EINVAL;
	}
	ti->tai = strcmp(want, "boot") != 0 && has_tai;
	return tinst_write(host, ti, "trace_clock", ti->tai ? "tai" : "boot");
}

int tinst_create(const struct tca_host *host, const struct tracefs_config *c, struct tinst *ti)
{
	char buf[32];
	int ret;

	snprintf(ti->name, sizeof(ti->name), INSTANCE_PREFIX "%ld", (long)getpid());
	if (tracefs_instance_exists(ti->name))
		tinst_remove(ti->name);
	ti->inst = tracefs_instance_create(ti->name);
	if (!ti->inst) {
		ret = errno ? -errno : -EIO;
		tca_log(host, TCA_LOG_ERR, -ret, "cannot create the tracefs instance %s (run as root, "
			"or with CAP_SYS_ADMIN and write access to tracefs)", ti->name);
		return ret == -EACCES ? -EPERM : ret;
	}
	ret = tinst_set_clock(host, ti, c->clock);
	if (ret < 0)
		return ret;
	snprintf(buf, sizeof(buf), "%" PRIu64, (c->buffer_size + 1023) / 1024);
	ret = tinst_write(host, ti, "buffer_size_kb", buf);
	if (ret < 0)
		return ret;
	/* Start idle: wake at the first event (see ring.c). */
	return tinst_write(host, ti, "buffer_percent", "0");
}

/* The kernel's last error_log entry about our filter, as one line: the
 * "[uptime]" prefix and the "Command:" echo with its caret dropped (the
 * caller prints the filter itself). */
static char *tinst_kernel_error(struct tinst *ti)
{
	char *msg = tracefs_error_last(ti->inst), *p, *o;

	if (!msg || !*msg) {
		free(msg);
		msg = tracefs_error_last(NULL);
	}
	if (!msg)
		return NULL;
	p = msg;
	if (*p == '[' && (o = strchr(p, ']')))
		p = o + 1;
	if ((o = strstr(p, "Command:")))
		*o = '\0';
	for (o = msg; *p; p++) {
		bool space = *p == ' ' || *p == '\n' || *p == '\t';
		if (space && (o == msg || o[-1] == ' '))
			continue;
		*o++ = space ? ' ' : *p;
	}
	while (o > msg && o[-1] == ' ')
		o--;
	*o = '\0';
	return msg;
}

int tinst_set_filter(const struct tca_host *host, struct tinst *ti, const char *filter)
{
	char *why;

	if (!filter)
		return 0;
	tracefs_error_clear(ti->inst);
	tracefs_error_clear(NULL);
	if (tracefs_event_file_write(ti->inst, EVENT_SYSTEM, EVENT_NAME, "filter", filter) >= 0)
		return 0;
	why = tinst_kernel_error(ti);
	tca_log(host, TCA_LOG_ERR, 0, "the kernel rejected the event filter \"%s\": %s (fix the "
		"filter, ports, states or protocol option)", filter, why && *why ? why : "invalid");
	free(why);
	return -EINVAL;
}

int tinst_enable(const struct tca_host *host, struct tinst *ti)
{
	if (tracefs_event_enable(ti->inst, EVENT_SYSTEM, EVENT_NAME) < 0) {
		int e = errno ? errno : EIO;
		tca_log(host, TCA_LOG_ERR, e, "cannot enable " EVENT_SYSTEM "/" EVENT_NAME
			" in the tracefs instance %s", ti->name);
		return -e;
	}
	return 0;
}

void tinst_destroy(struct tinst *ti)
{
	if (!ti->inst)
		return;
	tracefs_instance_destroy(ti->inst);
	tracefs_instance_free(ti->inst);
	ti->inst = NULL;
}

static uint64_t tinst_stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

uint64_t tinst_lost(struct tinst *ti, int ncpus)
{
	uint64_t lost = 0;
	char path[64];

	for (int cpu = 0; cpu < ncpus; cpu++) {
		char *text;
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		text = tracefs_instance_file_read(ti->inst, path, NULL);
		if (!text)
			continue;
		/* Overwritten by the writer (overwrite mode), or refused
		 * because the buffer was full (no-overwrite mode). */
		lost += tinst_stat_field(text, "\noverrun: ");
		lost += tinst_stat_field(text, "dropped events: ");
		free(text);
	}
	return lost;
}
