/* SPDX-License-Identifier: MIT */
/*
 * The tracepoint's own count of its hits, kept beside the BPF programs: a
 * private tracefs instance with sock/inet_sock_set_state enabled for TCP,
 * and a buffer of a few pages per CPU that nobody reads. Per CPU, what it
 * wrote (entries + overrun) and what it dropped is then every hit. The
 * kernel has been seen to run the tracefs probe of an event and neither
 * BPF program, without counting a miss (tcp-audit-bpf(7), Loss): this
 * count is what shows such an event (unseen.c sets the two against each
 * other).
 *
 * The instance is "tcp-audit-hits-" and 16 hex digits, a name the tracefs
 * eventer's clean-up never takes for its own. A run holds flock(2) on the
 * directory for as long as it lives, and the kernel drops that lock when
 * the run dies, however it dies: an instance whose lock can be taken is a
 * dead run's, and the next open removes it, since each instance costs
 * every state change a write.
 *
 * With a buffer of its own (recover_buffer), the instance also keeps the
 * last events of each CPU, on the programs' clock (boot), for recover.c
 * to take what the programs missed from; nothing reads it otherwise, and
 * the oldest are overwritten, so the count stays the same.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf.h"
#include "tracefs-mount.h"

#define HITS_PREFIX "tcp-audit-hits-"
#define HITS_EVENT "events/sock/inet_sock_set_state/"
/* Per CPU, for the count alone: the buffer only has to hold an event
 * while it is written. */
#define HITS_BUFFER_KB 8

struct bhits {
	char *dir;      /* the instance's directory */
	int lock_fd;    /* the directory, locked */
	unsigned ncpus;
	int *stats_fd;  /* per_cpu/cpuN/stats, -1 where the kernel has none */
	int *raw_fd;    /* per_cpu/cpuN/trace_pipe_raw when it keeps events, or -1 */
	bool keeps;
};

static int hits_write(int dir_fd, const char *file, const char *text)
{
	int fd = openat(dir_fd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	e = n < 0 ? errno : 0;
	close(fd);
	return n < 0 ? -e : 0;
}

/* Remove the instances of dead runs: those whose lock can be taken. */
static void hits_clean_stale(const struct tca_host *host, const char *instances)
{
	DIR *d = opendir(instances);
	char names[32][64];
	size_t n = 0;
	struct dirent *de;

	if (!d)
		return;
	/* Collect first: rmdir while walking changes what the walk reads. */
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, HITS_PREFIX, strlen(HITS_PREFIX)) == 0 &&
		    len < sizeof(names[0]))
			memcpy(names[n++], de->d_name, len + 1);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", instances, names[i]);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Removed with the lock held, so that no other start races
		 * this one for it. */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && rmdir(path) == 0)
			tca_log(host, TCA_LOG_NOTICE, 0, "removed the tracefs instance %s of a dead "
				"run", names[i]);
		close(fd);
	}
}

int bhits_release(const struct tca_host *host)
{
	char *tracefs = tracefs_mount_dir(), *instances = NULL;

	/* Not mounted: no instance to remove, and none to mount it for. */
	if (!tracefs)
		return 0;
	if (asprintf(&instances, "%s/instances", tracefs) >= 0) {
		hits_clean_stale(host, instances);
		free(instances);
	}
	free(tracefs);
	return 0;
}

static int hits_make(struct bhits *h, const char *instances, uint64_t buffer_size)
{
	uint64_t kb = buffer_size ? (buffer_size + 1023) / 1024 : HITS_BUFFER_KB;
	char size[32];
	uint64_t id;
	int r;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		return -errno;
	if (asprintf(&h->dir, "%s/" HITS_PREFIX "%016" PRIx64, instances, id) < 0) {
		h->dir = NULL;
		return -ENOMEM;
	}
	if (mkdir(h->dir, 0700) < 0)
		return -errno;
	h->lock_fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->lock_fd < 0 || flock(h->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return -errno;
	snprintf(size, sizeof(size), "%" PRIu64, kb);
	/* The programs' clock, so that an event and its record compare. */
	if (buffer_size && (r = hits_write(h->lock_fd, "trace_clock", "boot")) < 0)
		return r;
	if ((r = hits_write(h->lock_fd, "buffer_size_kb", size)) < 0 ||
	    (r = hits_write(h->lock_fd, HITS_EVENT "filter", "protocol == 6")) < 0 ||
	    (r = hits_write(h->lock_fd, HITS_EVENT "enable", "1")) < 0)
		return r;
	return 0;
}

static int hits_open_stats(struct bhits *h, unsigned ncpus, bool keep)
{
	h->stats_fd = malloc(ncpus * sizeof(*h->stats_fd));
	h->raw_fd = malloc(ncpus * sizeof(*h->raw_fd));
	if (!h->stats_fd || !h->raw_fd)
		return -ENOMEM;
	h->ncpus = ncpus;
	h->keeps = keep;
	for (unsigned c = 0; c < ncpus; c++) {
		char file[64];

		snprintf(file, sizeof(file), "per_cpu/cpu%u/stats", c);
		h->stats_fd[c] = openat(h->lock_fd, file, O_RDONLY | O_CLOEXEC);
		h->raw_fd[c] = -1;
		if (!keep)
			continue;
		snprintf(file, sizeof(file), "per_cpu/cpu%u/trace_pipe_raw", c);
		h->raw_fd[c] = openat(h->lock_fd, file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	}
	return 0;
}

int bhits_open(const struct tca_host *host, unsigned ncpus, uint64_t buffer_size,
	       struct bhits **out)
{
	struct bhits *h = calloc(1, sizeof(*h));
	char *tracefs = NULL, *instances = NULL;
	int r;

	if (!h)
		return -ENOMEM;
	h->lock_fd = -1;
	r = tracefs_mount_find(host, true, &tracefs);
	if (r < 0)
		goto fail;
	if (asprintf(&instances, "%s/instances", tracefs) < 0) {
		instances = NULL;
		r = -ENOMEM;
		goto fail;
	}
	hits_clean_stale(host, instances);
	r = hits_make(h, instances, buffer_size);
	if (r == 0)
		r = hits_open_stats(h, ncpus, buffer_size > 0);
	if (r < 0) {
		tca_log(host, TCA_LOG_WARNING, -r, "cannot count the tracepoint's hits in %s: an "
			"event for which the kernel runs neither BPF program, and counts no miss, "
			"would not be counted lost (tcp-audit-bpf(7), Loss); give write access to "
			"it, or set hit_count=no", h->dir ? h->dir : instances);
		goto fail;
	}
	tca_log(host, TCA_LOG_DEBUG, 0, "counting the tracepoint's hits in %s", h->dir);
	free(tracefs);
	free(instances);
	*out = h;
	return 0;
fail:
	free(tracefs);
	free(instances);
	bhits_close(h);
	return r;
}

/* One CPU's hits: what the instance wrote, kept, overwritten or read
 * (recover.c reads it), and what it dropped (a write nested in one under
 * way that found the buffer full). */
static int hits_parse(const char *text, uint64_t *hits)
{
	static const char *const fields[] = { "entries:", "overrun:", "commit overrun:",
					      "dropped events:", "read events:" };
	unsigned found = 0;

	*hits = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strncmp(line, fields[i], strlen(fields[i])) == 0) {
				*hits += strtoull(line + strlen(fields[i]), NULL, 10);
				found++;
			}
		if (!end)
			break;
		line = end + 1;
	}
	/* entries and overrun at least, or the format is not the one known. */
	return found >= 2 ? 0 : -EPROTO;
}

bool bhits_read(struct bhits *h, unsigned cpu, uint64_t *hits)
{
	char text[1024];
	ssize_t n;

	if (cpu >= h->ncpus || h->stats_fd[cpu] < 0)
		return false;
	n = pread(h->stats_fd[cpu], text, sizeof(text) - 1, 0);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return hits_parse(text, hits) == 0;
}

ssize_t bhits_read_page(struct bhits *h, unsigned cpu, void *buf, size_t size)
{
	ssize_t n;

	if (cpu >= h->ncpus || h->raw_fd[cpu] < 0)
		return -EBADF;
	n = read(h->raw_fd[cpu], buf, size);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n;
}

bool bhits_keeps(const struct bhits *h)
{
	return h && h->keeps;
}

void bhits_close(struct bhits *h)
{
	if (!h)
		return;
	for (unsigned c = 0; h->stats_fd && c < h->ncpus; c++)
		if (h->stats_fd[c] >= 0)
			close(h->stats_fd[c]);
	for (unsigned c = 0; h->raw_fd && c < h->ncpus; c++)
		if (h->raw_fd[c] >= 0)
			close(h->raw_fd[c]);
	free(h->stats_fd);
	free(h->raw_fd);
	/* Open files hold the instance; the lock's directory does not, and
	 * is let go only after, so that no start takes it for a dead run's
	 * in between. */
	if (h->dir)
		rmdir(h->dir);
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	free(h->dir);
	free(h);
}
