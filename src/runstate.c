/* SPDX-License-Identifier: MIT */
/* Reading and rewriting the run-state file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

#include "log.h"
#include "names.h"
#include "runstate.h"

#define RUNSTATE_MAGIC "tcp-audit-run-state 1\n"

/* Numbers are written at a fixed width, so that a rewrite in place never
 * leaves the tail of a longer older record behind. */
int runstate_format(const struct runstate_record *r, char *buf, size_t size)
{
	return snprintf(buf, size,
			RUNSTATE_MAGIC "host=%s\nboot_id=%s\nrun_id=%020" PRIu64 "\nprev_run_id=%020" PRIu64 "\nstart_ns=%020" PRIu64
				       "\nend_ns=%020" PRIu64 "\nlast_seq=%020" PRIu64
				       "\ndurable_seq=%020" PRIu64 "\nstate=%-8s\nend_stored=%d\n",
			r->host, r->boot_id, r->run_id, r->prev_run_id, r->start_ns, r->end_ns, r->last_seq,
			r->durable_seq, names_run_state(r->state), r->end_stored ? 1 : 0);
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int parse_state(const char *v, uint32_t *out)
{
	for (uint32_t s = TCA_RUN_RUNNING; s <= TCA_RUN_UNCLEAN; s++)
		if (strcmp(v, names_run_state(s)) == 0) {
			*out = s;
			return 0;
		}
	return -EINVAL;
}

static int copy_string(char *dst, size_t size, const char *v)
{
	return snprintf(dst, size, "%s", v) < (int)size ? 0 : -EINVAL;
}

static int parse_flag(const char *v, bool *out)
{
	if (strcmp(v, "0") && strcmp(v, "1"))
		return -EINVAL;
	*out = *v == '1';
	return 0;
}

/* One "key=value" line; *seen collects which keys were there. */
static int parse_line(char *line, struct runstate_record *r, unsigned *seen)
{
	static const char *const keys[] = { "host",     "boot_id",     "run_id", "start_ns",
					    "end_ns",   "last_seq",    "durable_seq", "state",
					    "end_stored", "prev_run_id" };
	char *eq = strchr(line, '=');
	size_t len;
	char *v;

	if (!eq)
		return -EINVAL;
	*eq = '\0';
	v = eq + 1;
	len = strlen(v);
	while (len && v[len - 1] == ' ') /* the state is padded to a fixed width */
		v[--len] = '\0';
	for (unsigned k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (strcmp(line, keys[k]) != 0)
			continue;
		*seen |= 1u << k;
		switch (k) {
		case 0: return copy_string(r->host, sizeof(r->host), v);
		case 1: return copy_string(r->boot_id, sizeof(r->boot_id), v);
		case 2: return parse_u64(v, &r->run_id);
		case 3: return parse_u64(v, &r->start_ns);
		case 4: return parse_u64(v, &r->end_ns);
		case 5: return parse_u64(v, &r->last_seq);
		case 6: return parse_u64(v, &r->durable_seq);
		case 7: return parse_state(v, &r->state);
		case 8: return parse_flag(v, &r->end_stored);
		default: return parse_u64(v, &r->prev_run_id);
		}
	}
	return -EINVAL;
}

int runstate_parse(const char *text, struct runstate_record *out)
{
	struct runstate_record r = { 0 };
	char *copy, *line, *save = NULL;
	unsigned seen = 0;
	int ret = 0;

	if (strncmp(text, RUNSTATE_MAGIC, strlen(RUNSTATE_MAGIC)) != 0)
		return -EINVAL;
	copy = strdup(text + strlen(RUNSTATE_MAGIC));
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save))
		ret = parse_line(line, &r, &seen);
	free(copy);
	if (ret || seen != 1023u || !r.run_id)
		return -EINVAL;
	*out = r;
	return 0;
}

static void runstate_read_prev(struct runstate *rs)
{
	char buf[RUNSTATE_SIZE + 1];
	ssize_t n = pread(rs->fd, buf, RUNSTATE_SIZE, 0);

	if (n <= 0)
		return; /* a first run */
	buf[n] = '\0';
	if (runstate_parse(buf, &rs->prev) < 0) {
		log_warning("%s is damaged (a power loss during a rewrite?); this run is not chained "
			    "to the last one, and a crash of the last run cannot be recorded",
			    rs->path);
		return;
	}
	rs->have_prev = true;
}

void runstate_open(struct runstate *rs, const char *dir, const struct runstate_record *cur)
{
	*rs = (struct runstate){ .fd = -1, .cur = *cur };
	if (snprintf(rs->path, sizeof(rs->path), "%s/run.state", dir) >= (int)sizeof(rs->path))
		return;
	/* One level, private: the packages make the default one. */
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_debug("cannot create the state directory %s: %m", dir);
	rs->fd = open(rs->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (rs->fd < 0) {
		log_notice("cannot open the run-state file %s (%m); this run is not chained to the "
			   "last one and a crash will not be recorded (set --state-dir to a writable "
			   "directory)", rs->path);
		return;
	}
	if (flock(rs->fd, LOCK_EX | LOCK_NB) < 0) {
		log_notice("the run-state file %s is in use by another tcp-audit; this run is not "
			   "chained (give each daemon its own --state-dir)", rs->path);
		close(rs->fd);
		rs->fd = -1;
		return;
	}
	runstate_read_prev(rs);
	if (rs->have_prev)
		rs->cur.prev_run_id = rs->prev.run_id;
	if (ftruncate(rs->fd, 0) < 0) {
		/* Rewrites stay the same size, so a failure here is harmless. */
	}
	runstate_save(rs);
}

void runstate_save(struct runstate *rs)
{
	char buf[RUNSTATE_SIZE];
	int len;

	if (rs->fd < 0)
		return;
	len = runstate_format(&rs->cur, buf, sizeof(buf));
	if (len < 0 || len >= (int)sizeof(buf) || pwrite(rs->fd, buf, (size_t)len, 0) != len) {
		log_warning("cannot rewrite the run-state file %s (%m); the next run may take this "
			    "one for a crash", rs->path);
		close(rs->fd);
		rs->fd = -1;
	}
}

void runstate_close(struct runstate *rs)
{
	if (rs->fd >= 0) {
		fsync(rs->fd);
		close(rs->fd);
	}
	rs->fd = -1;
}
