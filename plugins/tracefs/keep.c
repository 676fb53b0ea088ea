/* SPDX-License-Identifier: MIT */
/*
 * Restarts without a gap: a run that stops for a restart leaves its tracefs
 * instance recording, and the next start adopts it and reads what the
 * kernel recorded in between before anything else. What travels with the
 * instance is in STATE_DIR/tracefs.state (mode 0600: its key makes socket
 * ids predictable): the instance's name, the socket-id key, how much of
 * the kernel's loss counters the run reported, and, after a clean stop,
 * the socket table, so that a socket alive across the restart keeps its
 * id. It is written at start (so that after a crash the next run finds the
 * instance and the key), whenever the loss count moves, and at the stop.
 *
 * STATE_DIR/tracefs.lock is flock'd for the run's life: two daemons given
 * one state directory never adopt one instance.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include "tracefs.h"

#define KEEP_MAGIC "TCATFSK1"
#define KEEP_VERSION 1
/* After a crash the last run's count of socket lives is unknown: the next
 * run numbers its lives from this far on, so that no (key, address, life)
 * gives an id twice. 2^48 lives is years of sockets at a million a second. */
#define KEEP_CRASH_LIVES (UINT64_C(1) << 48)

struct keep_header {
	char magic[8];
	uint32_t version;
	uint32_t clean;            /* written at a clean stop: the table follows */
	char name[64];
	uint8_t key[16];
	uint64_t lives;
	uint64_t kernel_lost;
	uint64_t nsock;
	uint32_t esize;
	uint32_t sum;              /* of the bytes before it: a torn write shows */
};

static uint32_t keep_sum(const struct keep_header *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t s = 2166136261u;

	for (size_t i = 0; i < offsetof(struct keep_header, sum); i++)
		s = (s ^ p[i]) * 16777619u;
	return s;
}

static void keep_path(const struct tkeep *k, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", k->dir, file);
}

static bool keep_read_header(FILE *f, struct keep_header *h)
{
	return fread(h, sizeof(*h), 1, f) == 1 && memcmp(h->magic, KEEP_MAGIC, 8) == 0 &&
	       h->version == KEEP_VERSION && h->sum == keep_sum(h) && h->name[63] == '\0';
}

/* What the last run left, into k->prev_* (have_prev when it is usable). */
static void keep_read_prev(const struct tca_host *host, struct tkeep *k)
{
	char path[4200];
	struct keep_header h;
	FILE *f;

	keep_path(k, "tracefs.state", path, sizeof(path));
	f = fopen(path, "rbe");
	if (!f)
		return; /* a first run, or the last one stopped for good */
	if (!keep_read_header(f, &h)) {
		tca_log(host, TCA_LOG_WARNING, 0, "%s is damaged; not continuing the last run's "
			"tracefs instance (it is removed once its keep time is over)", path);
		fclose(f);
		return;
	}
	fclose(f);
	k->have_prev = true;
	k->prev_clean = h.clean != 0;
	memcpy(k->prev_name, h.name, sizeof(k->prev_name));
	memcpy(k->key, h.key, sizeof(k->key));
	k->lives = h.clean ? h.lives : h.lives + KEEP_CRASH_LIVES;
	k->kernel_lost = h.kernel_lost;
}

/* The lock file, flock'd; -EWOULDBLOCK when a live run holds it. */
static int keep_lock(struct tkeep *k)
{
	char path[4200];

	/* One level, private, as the run-state file's. */
	if (mkdir(k->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	keep_path(k, "tracefs.lock", path, sizeof(path));
	return tinst_open_locked(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
}

int tkeep_open(const struct tca_host *host, const struct tracefs_config *c, struct tkeep *k)
{
	int fd;

	*k = (struct tkeep){ .lock_fd = -1, .grace_s = (c->restart_grace_ms + 999) / 1000 };
	/* A processor of ABI 2.0 gives no state directory. */
	if (host->struct_size < offsetof(struct tca_host, flags) + sizeof(host->flags) ||
	    !host->state_dir || (host->flags & TCA_HOST_CHECK) || !k->grace_s)
		return 0;
	snprintf(k->dir, sizeof(k->dir), "%s", host->state_dir);
	fd = keep_lock(k);
	if (fd < 0) {
		tca_log(host, TCA_LOG_NOTICE, -fd, fd == -EWOULDBLOCK ?
			"another tcp-audit uses the state directory %s; this run neither continues "
			"the last one nor keeps its instance for the next (give each daemon its "
			"own --state-dir)" :
			"cannot use the state directory %s; this run neither continues the last "
			"one nor keeps its instance for the next", k->dir);
		return 0;
	}
	k->lock_fd = fd;
	keep_read_prev(host, k);
	return 0;
}

int tkeep_adopt(const struct tca_host *host, const struct tracefs_config *c, struct tkeep *k,
		struct tinst *ti)
{
	int ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	uint64_t held, lost;
	bool expired;
	int ret;

	if (k->lock_fd < 0 || !k->have_prev)
		return 0;
	ret = tinst_adopt(host, k->prev_name, ti, &expired);
	if (ret == -ENOENT)
		tca_log(host, TCA_LOG_INFO, 0, "the last run's tracefs instance %s is gone (a reboot, "
			"or tcp-audit --release); starting a new one", k->prev_name);
	if (ret < 0)
		return 0;
	held = tinst_held(ti, ncpus);
	lost = tinst_lost(ti, ncpus);
	lost = lost > k->kernel_lost ? lost - k->kernel_lost : 0;
	/* Past its grace any start may remove it; while it is still there,
	 * what it holds is as true as ever, and read. */
	ret = tinst_resume(host, c, ti);
	if (ret < 0)
		return ret;
	k->adopted = true;
	tca_log(host, TCA_LOG_NOTICE, 0, "continuing the %s run's tracefs instance %s%s: %" PRIu64
		" records held while no tcp-audit read them, read first; %" PRIu64 " overwritten "
		"(a kernel gap)", k->prev_clean ? "last" : "crashed", k->prev_name,
		expired ? " (kept past its restart_grace)" : "", held, lost);
	return 1;
}

void tkeep_restore(const struct tca_host *host, struct tkeep *k, struct socktab *st)
{
	char path[4200];
	struct keep_header h;
	FILE *f;
	int ret = 0;

	if (!k->adopted) {
		/* A new instance: new addresses too, so a new key. */
		socktab_get_key(st, k->key, &k->lives);
		return;
	}
	socktab_set_key(st, k->key, k->lives);
	if (!k->prev_clean)
		return;
	keep_path(k, "tracefs.state", path, sizeof(path));
	f = fopen(path, "rbe");
	if (f && keep_read_header(f, &h))
		ret = socktab_load(st, f, h.nsock, h.esize);
	if (f)
		fclose(f);
	if (ret < 0)
		tca_log(host, TCA_LOG_NOTICE, 0, "the socket table in %s is from another build; "
			"sockets alive across this restart get new ids", path);
}

/* Header, then (clean) the table, into an open file. */
static int keep_write(FILE *f, const struct tkeep *k, const struct tinst *ti,
		      const struct socktab *st, bool clean)
{
	struct keep_header h = { .version = KEEP_VERSION, .clean = clean,
				 .kernel_lost = k->kernel_lost, .esize = socktab_saved_size() };
	int ret = 0;

	memcpy(h.magic, KEEP_MAGIC, 8);
	snprintf(h.name, sizeof(h.name), "%s", ti->name);
	socktab_get_key(st, h.key, &h.lives);
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		return -EIO;
	if (clean)
		ret = socktab_save(st, f, &h.nsock);
	if (ret < 0)
		return ret;
	h.sum = keep_sum(&h);
	if (fseek(f, 0, SEEK_SET) < 0 || fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) != 0)
		return -EIO;
	return 0;
}

int tkeep_save(const struct tca_host *host, struct tkeep *k, const struct tinst *ti,
	       const struct socktab *st, bool clean)
{
	char path[4200], tmp[4200];
	FILE *f;
	int fd, ret;

	if (k->lock_fd < 0)
		return 0;
	keep_path(k, "tracefs.state", path, sizeof(path));
	keep_path(k, "tracefs.state.new", tmp, sizeof(tmp));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	ret = keep_write(f, k, ti, st, clean);
	/* Only the clean stop's record must survive a power loss; the rest
	 * is rewritten soon, and a crash of the process keeps it anyway. */
	if (ret == 0 && clean && fsync(fileno(f)) < 0)
		ret = -errno;
	if (fclose(f) != 0 && ret == 0)
		ret = -EIO;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret == 0)
		return 0;
fail:
	unlink(tmp);
	tca_log(host, TCA_LOG_WARNING, -ret, "cannot write %s; the next start cannot continue "
		"this run's tracefs instance (it removes it once its keep time is over)", path);
	return ret;
}

void tkeep_forget(struct tkeep *k)
{
	char path[4200];

	if (k->lock_fd < 0)
		return;
	keep_path(k, "tracefs.state", path, sizeof(path));
	unlink(path);
}

void tkeep_close(struct tkeep *k)
{
	if (k->lock_fd >= 0)
		close(k->lock_fd);
	k->lock_fd = -1;
}

int tkeep_release(const struct tca_host *host)
{
	struct tkeep k = { .lock_fd = -1 };
	struct tinst ti = { .lock_fd = -1 };
	bool expired;
	int ret;

	if (!host->state_dir)
		return 0;
	snprintf(k.dir, sizeof(k.dir), "%s", host->state_dir);
	k.lock_fd = keep_lock(&k);
	if (k.lock_fd == -EWOULDBLOCK) {
		tca_log(host, TCA_LOG_ERR, 0, "a tcp-audit runs with the state directory %s: stop "
			"it first, then release", k.dir);
		return -EBUSY;
	}
	if (k.lock_fd < 0)
		return 0; /* no state directory: nothing was kept */
	keep_read_prev(host, &k);
	ret = k.have_prev ? tinst_adopt(host, k.prev_name, &ti, &expired) : -ENOENT;
	if (ret == 0) {
		tinst_destroy(&ti);
		if (tracefs_instance_exists(k.prev_name))
			tca_log(host, TCA_LOG_WARNING, 0, "cannot remove the tracefs instance %s",
				k.prev_name);
		else
			tca_log(host, TCA_LOG_NOTICE, 0, "released the kept tracefs instance %s; "
				"the next start begins a new one", k.prev_name);
	} else {
		tca_log(host, TCA_LOG_INFO, 0, "no kept tracefs instance to release in %s", k.dir);
	}
	tkeep_forget(&k);
	tkeep_close(&k);
	return ret == -EWOULDBLOCK ? -EBUSY : 0;
}
