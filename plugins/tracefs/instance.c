/* SPDX-License-Identifier: MIT */
/*
 * Our private tracefs instance: created at open with the clock, buffer
 * size, wake-up threshold and filter set, removed at close.
 *
 * Its name is "tcp-audit-k" and the random run id of the run that made it
 * in 16 hex digits (the "k": a release that keeps instances across
 * restarts; the release before it, which named them without it, removes
 * every unlocked instance of its own pattern, and so leaves these alone),
 * so that two daemons sharing one tracefs (containers bind-mounting the
 * host's, each daemon pid 1) never share an instance. A run holds an
 * exclusive flock(2) on its instance directory for as long as it lives; an
 * instance whose lock can be taken belongs to no live run and is stale.
 * The kernel drops a flock when its holder dies, however it dies, and the
 * lock is on tracefs's own inode, which every mount of tracefs and every
 * pid namespace sees: unlike a pid number (pid 1 in every container), it
 * cannot name the wrong process.
 *
 * A run that stops for a restart leaves its instance recording, unlocked,
 * with the directory's mtime set to the time until which it is kept (see
 * keep.c); while it runs, the mtime is kept a grace ahead of now, so that
 * after a crash it says the same. An unlocked instance is stale only once
 * that time has passed: until then it waits for its own run's successor,
 * and no other daemon's start may take it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "tracefs.h"

#define INSTANCE_PREFIX "tcp-audit-"
#define INSTANCE_KEPT "k"
#define INSTANCE_ID_LEN 16
#define EVENT_SYSTEM "sock"
#define EVENT_NAME "inet_sock_set_state"

/* 1: a name of ours (prefix, "k" or not, and 16 lower-case hex digits);
 * 2: the "tcp-audit-PID" of an older release, which holds no lock, so
 * whether it is stale cannot be known; 0: someone else's. */
static int tinst_name_kind(const char *name)
{
	const char *id = name + strlen(INSTANCE_PREFIX);
	size_t len;

	if (strncmp(name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) != 0)
		return 0;
	if (strncmp(id, INSTANCE_KEPT, strlen(INSTANCE_KEPT)) == 0 &&
	    strlen(id) == strlen(INSTANCE_KEPT) + INSTANCE_ID_LEN)
		id += strlen(INSTANCE_KEPT);
	len = strlen(id);
	if (len == INSTANCE_ID_LEN && strspn(id, "0123456789abcdef") == len)
		return 1;
	if (len && len <= 10 && strspn(id, "0123456789") == len)
		return 2;
	return 0;
}

int tinst_open_locked(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* The instance directory's descriptor, locked, or -errno: -EWOULDBLOCK
 * when a live run holds it. */
static int tinst_lock(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/instances/%s", tracefs_tracing_dir(), name);
	return tinst_open_locked(path, O_RDONLY | O_DIRECTORY, 0);
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

/* Whether the instance (its locked directory) is kept for a next start:
 * the time it is kept until, its mtime, has not passed. */
static bool tinst_kept(int dir_fd)
{
	struct stat st;

	return fstat(dir_fd, &st) == 0 && st.st_mtime > time(NULL);
}

struct stale_walk {
	const struct tca_host *host;
	size_t n;
	char names[32][64];
};

static int tinst_stale_cb(const char *name, void *ctx)
{
	struct stale_walk *w = ctx;
	int kind = tinst_name_kind(name);

	if (kind == 2)
		tca_log(w->host, TCA_LOG_WARNING, 0, "leaving the tracefs instance %s alone: an older "
			"tcp-audit names its instance by pid, which cannot tell a dead run from a live "
			"one in another pid namespace; if no older tcp-audit runs on this host, remove "
			"it with rmdir", name);
	if (kind == 1 && w->n < sizeof(w->names) / sizeof(w->names[0]))
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
		int fd = tinst_lock(w.names[i]), ret;

		if (fd < 0)
			continue; /* a live run's, or gone already */
		if (tinst_kept(fd)) {
			close(fd); /* waiting for its run's next start */
			continue;
		}
		/* Removed with the lock held, so that no other clean-up
		 * races this one for it. */
		ret = tinst_remove(w.names[i]);
		close(fd);
		if (ret < 0)
			tca_log(host, TCA_LOG_WARNING, -ret, "cannot remove the stale tracefs "
				"instance %s of a dead tcp-audit", w.names[i]);
		else
			tca_log(host, TCA_LOG_NOTICE, 0, "removed the stale tracefs instance %s "
				"of a dead tcp-audit", w.names[i]);
	}
	return 0;
}

/* The hint for a failed mkdir of the instance, by its cause. */
static const char *tinst_create_hint(int e)
{
	switch (e) {
	case EROFS:
		return "tracefs is read-only here: under systemd allow it with "
		       "ReadWritePaths=/sys/kernel/tracing/instances, without "
		       "ProtectKernelTunables=yes, which wins over it; in a container, "
		       "bind-mount tracefs read-write";
	case EACCES:
	case EPERM:
		return "run as root, or with CAP_SYS_ADMIN and write access to tracefs";
	case ENOMEM:
	case ENOSPC:
		return "the kernel has no memory for another trace buffer; lower buffer_size";
	default:
		return "see tcp-audit-tracefs(7)";
	}
}

/* Create our instance and lock it. An instance of that name that exists
 * already is another run's: never ours to share. */
static int tinst_make(const struct tca_host *host, struct tinst *ti)
{
	struct stat by_fd, by_path;
	char path[PATH_MAX];
	int e;

	if (tracefs_instance_exists(ti->name)) {
		tca_log(host, TCA_LOG_ERR, 0, "the tracefs instance %s exists already: another run "
			"owns it, and this one refuses to share it", ti->name);
		return -EEXIST;
	}
	ti->inst = tracefs_instance_create(ti->name);
	if (!ti->inst) {
		e = errno ? errno : EIO;
		tca_log(host, TCA_LOG_ERR, e, "cannot create the tracefs instance %s (%s)", ti->name,
			tinst_create_hint(e));
		return e == EACCES ? -EPERM : -e;
	}
	if (!tracefs_instance_is_new(ti->inst)) {
		tca_log(host, TCA_LOG_ERR, 0, "the tracefs instance %s appeared while this run made "
			"it: another run owns it, and this one refuses to share it", ti->name);
		tracefs_instance_free(ti->inst);
		ti->inst = NULL;
		return -EEXIST;
	}
	ti->lock_fd = tinst_lock(ti->name);
	/* Between our mkdir and our lock, another run's clean-up may have
	 * taken the unlocked instance for stale and removed it: the locked
	 * directory must still be the one at that path. */
	snprintf(path, sizeof(path), "%s/instances/%s", tracefs_tracing_dir(), ti->name);
	if (ti->lock_fd >= 0 && fstat(ti->lock_fd, &by_fd) == 0 && stat(path, &by_path) == 0 &&
	    by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev) {
		tca_log(host, TCA_LOG_DEBUG, 0, "created and locked the tracefs instance %s", ti->name);
		return 0;
	}
	e = ti->lock_fd < 0 ? -ti->lock_fd : ESTALE;
	tinst_destroy(ti);
	return -e;
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

	snprintf(ti->name, sizeof(ti->name), INSTANCE_PREFIX INSTANCE_KEPT "%0*" PRIx64,
		 INSTANCE_ID_LEN, host->run_id);
	ti->lock_fd = -1;
	/* Only a concurrent clean-up makes this fail for no real reason
	 * (see tinst_make); a new try is safe, since clean-ups never remove
	 * a locked instance. */
	for (int tries = 0; tries < 3; tries++) {
		ret = tinst_make(host, ti);
		if (ret != -ESTALE && ret != -EWOULDBLOCK && ret != -ENOENT)
			break;
	}
	if (ret == -ESTALE || ret == -EWOULDBLOCK || ret == -ENOENT)
		tca_log(host, TCA_LOG_ERR, -ret, "cannot lock the tracefs instance %s", ti->name);
	if (ret < 0)
		return ret;
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
	char *why, *old;

	if (!filter)
		return 0;
	old = tracefs_event_file_read(ti->inst, EVENT_SYSTEM, EVENT_NAME, "filter", NULL);
	tracefs_error_clear(ti->inst);
	tracefs_error_clear(NULL);
	if (tracefs_event_file_write(ti->inst, EVENT_SYSTEM, EVENT_NAME, "filter", filter) >= 0) {
		free(old);
		return 0;
	}
	/* The kernel drops the event's filter with a rejected one: an
	 * adopted instance, left for the next start, records on with the
	 * filter it had, not everything. */
	if (old && strncmp(old, "none", 4) != 0)
		tracefs_event_file_write(ti->inst, EVENT_SYSTEM, EVENT_NAME, "filter", old);
	free(old);
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
	if (ti->inst) {
		tracefs_instance_destroy(ti->inst);
		tracefs_instance_free(ti->inst);
		ti->inst = NULL;
	}
	/* Only after the rmdir: until then no clean-up may take it for stale. */
	if (ti->lock_fd >= 0)
		close(ti->lock_fd);
	ti->lock_fd = -1;
}

static uint64_t tinst_stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static uint64_t tinst_sum_stat(struct tinst *ti, int ncpus, const char *key)
{
	uint64_t sum = 0;
	char path[64];

	for (int cpu = 0; cpu < ncpus; cpu++) {
		char *text;
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		text = tracefs_instance_file_read(ti->inst, path, NULL);
		if (!text)
			continue;
		sum += tinst_stat_field(text, key);
		free(text);
	}
	return sum;
}

uint64_t tinst_lost(struct tinst *ti, int ncpus)
{
	/* Overwritten by the writer (overwrite mode), or refused because the
	 * buffer was full (no-overwrite mode). */
	return tinst_sum_stat(ti, ncpus, "\noverrun: ") + tinst_sum_stat(ti, ncpus, "dropped events: ");
}

int tinst_keep_until(struct tinst *ti, time_t until)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = until } };

	if (ti->lock_fd < 0)
		return -EBADF;
	return futimens(ti->lock_fd, ts) < 0 ? -errno : 0;
}

/* The trace clock the instance records with: "[tai]" selected or not. */
static bool tinst_clock_is_tai(struct tinst *ti)
{
	char *clk = tracefs_instance_file_read(ti->inst, "trace_clock", NULL);
	bool tai = clk && strstr(clk, "[tai]");

	free(clk);
	return tai;
}

int tinst_adopt(const struct tca_host *host, const char *name, struct tinst *ti, bool *expired)
{
	int fd;

	*expired = false;
	if (tinst_name_kind(name) != 1 || !tracefs_instance_exists(name))
		return -ENOENT;
	fd = tinst_lock(name);
	if (fd < 0) {
		if (fd == -EWOULDBLOCK)
			tca_log(host, TCA_LOG_WARNING, 0, "the tracefs instance %s of the last run is "
				"locked by a live process; starting a new one (is another tcp-audit "
				"running with this state directory?)", name);
		return fd;
	}
	snprintf(ti->name, sizeof(ti->name), "%s", name);
	ti->lock_fd = fd;
	ti->inst = tracefs_instance_alloc(NULL, name);
	if (!ti->inst) {
		int e = errno ? errno : ENOMEM;
		close(fd);
		ti->lock_fd = -1;
		return -e;
	}
	*expired = !tinst_kept(fd);
	ti->tai = tinst_clock_is_tai(ti);
	return 0;
}

int tinst_resume(const struct tca_host *host, const struct tracefs_config *c, struct tinst *ti)
{
	char *cur = tracefs_instance_file_read(ti->inst, "buffer_size_kb", NULL);
	char want[32];
	int ret = 0;

	/* A new clock would reset the buffer, and with it what it holds. */
	if (strcmp(c->clock, "auto") != 0 && (strcmp(c->clock, "tai") == 0) != ti->tai)
		tca_log(host, TCA_LOG_NOTICE, 0, "clock=%s takes effect with a new instance (after "
			"tcp-audit --release); the kept one records with %s", c->clock,
			ti->tai ? "tai" : "boot");
	/* Growing keeps what the buffer holds. Shrinking drops its oldest
	 * pages, unread and uncounted, and so would a write of the size it
	 * has (the kernel rounds it up to whole pages, and reads back more
	 * than was written): only a larger size is written. */
	snprintf(want, sizeof(want), "%" PRIu64, (c->buffer_size + 1023) / 1024);
	if (cur && strtoull(cur, NULL, 10) < strtoull(want, NULL, 10))
		ret = tinst_write(host, ti, "buffer_size_kb", want);
	else if (cur && strtoull(cur, NULL, 10) > strtoull(want, NULL, 10) + 64)
		tca_log(host, TCA_LOG_NOTICE, 0, "buffer_size=%sK takes effect with a new instance "
			"(after tcp-audit --release); the kept one keeps its %lluK per CPU, since "
			"shrinking it would drop what it holds", want, strtoull(cur, NULL, 10));
	free(cur);
	if (ret == 0)
		ret = tinst_write(host, ti, "buffer_percent", "0");
	if (ret == 0 && tracefs_trace_on(ti->inst) < 0)
		ret = -EIO;
	return ret;
}

void tinst_leave(struct tinst *ti)
{
	if (ti->inst)
		tracefs_instance_free(ti->inst);
	ti->inst = NULL;
	/* The kernel keeps recording; the lock goes, so that the next start
	 * can take it. */
	if (ti->lock_fd >= 0)
		close(ti->lock_fd);
	ti->lock_fd = -1;
}

uint64_t tinst_held(struct tinst *ti, int ncpus)
{
	return tinst_sum_stat(ti, ncpus, "entries: ");
}
