/* SPDX-License-Identifier: MIT */
/* The sqlite sinker: the default archive, one local file that needs no
 * server. Batches go in one transaction each (events.c), with a row per
 * connection beside the events; gap and run records prove what is
 * complete, name records say what the cgroup ids stood for. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "sqlite-sink.h"

#define SQLITE_DEFAULT_PATH LOCALSTATEDIR "/lib/tcp-audit/tcp-audit.db"

struct sqlite_config {
	const char *path;
	uint64_t max_age_ms;
	uint64_t max_size;
	int64_t batch_size;
	uint64_t max_delay_ms;
	uint64_t busy_timeout_ms;
	const char *synchronous;
};

/* Failures that a later attempt may not meet: a reader or a backup
 * holding a lock, a full disk, a file made read-only, an I/O error. */
static bool sqlite_is_transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
	case SQLITE_PROTOCOL:
		return true;
	default:
		return false;
	}
}

/* Whether the connection may be stale after this failure: read-only and
 * I/O errors can leave SQLite's view of the file unusable, so the next
 * attempt starts from a fresh connection. */
static bool sqlite_needs_reopen(int rc)
{
	int primary = rc & 0xff;

	return primary == SQLITE_READONLY || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
}

/* What the user can do about a failure, by its primary code. */
static const char *sqlite_hint(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "another process holds a lock on the database longer than busy_timeout";
	case SQLITE_FULL:
		return "the file system is full; free some space or set max_size";
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		return "make the file, its directory and its mount writable";
	case SQLITE_IOERR:
		return "check that the file is writable and the disk is healthy";
	default:
		return "the database may be damaged; move it away to start a new one";
	}
}

/* The -errno for a failed open, so that the exit status says why
 * (tcp-audit(8)): permission denied is 77, a read-only or full file system
 * 75; anything else is an I/O error (74). */
static int sqlite_open_errno(const struct sqlite_sink *s, int rc)
{
	switch (s->sys_errno) {
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOSPC:
		return -s->sys_errno;
	default:
		break;
	}
	if ((rc & 0xff) == SQLITE_READONLY)
		return -EACCES;
	if ((rc & 0xff) == SQLITE_FULL)
		return -ENOSPC;
	return -EIO;
}

/* Rows the store refuses for good: retrying them cannot help, and the
 * processor records them as a gap instead of stopping. */
static bool sqlite_is_refusal(int rc)
{
	int primary = rc & 0xff;

	return primary == SQLITE_CONSTRAINT || primary == SQLITE_TOOBIG || primary == SQLITE_MISMATCH;
}

/*
 * A transaction failed and was rolled back: say why and what the
 * processor should do. The processor logs an outage and backs off; this
 * only logs a failure that stops tcp-audit, with the fix.
 */
static int sqlite_failed(struct sqlite_sink *s, int rc, const char *what, bool events)
{
	if (sqlite_is_transient(rc)) {
		tca_retry_reason(s->host, s->sys_errno, "%s (SQLite code %d; %s)", s->errmsg, rc,
				 sqlite_hint(rc));
		if (s->db && sqlite_needs_reopen(rc))
			db_close(s);
		return -EAGAIN;
	}
	if (events && sqlite_is_refusal(rc))
		return -EBADMSG;
	tca_log(s->host, TCA_LOG_ERR, s->sys_errno, "cannot store %s in %s: %s (SQLite code %d; %s)",
		what, s->path, s->errmsg, rc, sqlite_hint(rc));
	return -EIO;
}

static int sqlite_insert_events(struct sqlite_sink *s, const void *arg)
{
	return events_store(s, arg);
}

/* Open the database again after a failure that closed it. No failure to
 * open is the batch's fault, so none is a refusal of its rows. */
static int sqlite_ready(struct sqlite_sink *s, const char *what)
{
	int rc = s->db ? SQLITE_OK : db_open(s);

	return rc == SQLITE_OK ? 0 : sqlite_failed(s, rc, what, false);
}

/* All the batch in one transaction, or none: so the count stored is
 * b->n, or nothing and a code. */
static int sqlite_write(void *state, const struct tca_batch *b)
{
	struct sqlite_sink *s = state;
	int r = sqlite_ready(s, "events"), rc;

	if (r < 0)
		return r;
	rc = db_transaction(s, sqlite_insert_events, b);
	if (rc != SQLITE_OK)
		return sqlite_failed(s, rc, "events", true);
	prune_run(s, false);
	return (int)b->n;
}

struct sqlite_gaps {
	const struct tca_origin *origin;
	const struct tca_gap *g;
	size_t n;
};

static int sqlite_insert_gaps(struct sqlite_sink *s, const void *arg)
{
	const struct sqlite_gaps *gaps = arg;

	return records_gaps(s, gaps->origin, gaps->g, gaps->n);
}

static int sqlite_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			     size_t n)
{
	struct sqlite_sink *s = state;
	struct sqlite_gaps gaps = { origin, g, n };
	int r = sqlite_ready(s, "gap records"), rc;

	if (r < 0)
		return r;
	rc = db_transaction(s, sqlite_insert_gaps, &gaps);
	return rc == SQLITE_OK ? 0 : sqlite_failed(s, rc, "gap records", false);
}

static int sqlite_upsert_run(struct sqlite_sink *s, const void *arg)
{
	return records_run(s, arg);
}

static int sqlite_write_run(void *state, const struct tca_run *run)
{
	struct sqlite_sink *s = state;
	int r = sqlite_ready(s, "the run record"), rc;

	if (r < 0)
		return r;
	rc = db_transaction(s, sqlite_upsert_run, run);
	return rc == SQLITE_OK ? 0 : sqlite_failed(s, rc, "the run record", false);
}

struct sqlite_names {
	const struct tca_origin *origin;
	const struct tca_name *name;
	size_t n;
};

static int sqlite_insert_names(struct sqlite_sink *s, const void *arg)
{
	const struct sqlite_names *names = arg;

	return records_names(s, names->origin, names->name, names->n);
}

/* All the names in one transaction, or none. */
static int sqlite_write_names(void *state, const struct tca_origin *origin,
			      const struct tca_name *name, size_t n)
{
	struct sqlite_sink *s = state;
	struct sqlite_names names = { origin, name, n };
	int r = sqlite_ready(s, "name records"), rc;

	if (r < 0)
		return r;
	rc = db_transaction(s, sqlite_insert_names, &names);
	return rc == SQLITE_OK ? 0 : sqlite_failed(s, rc, "name records", false);
}

static void sqlite_limits(void *state, struct tca_sink_limits *limits)
{
	struct sqlite_sink *s = state;

	limits->batch_max = s->batch_max;
	limits->max_delay_ms = s->max_delay_ms;
}

static int sqlite_parse_sync(const struct tca_host *host, const char *v)
{
	static const char *const names[] = { "off", "normal", "full" };

	for (int i = 0; i < 3; i++)
		if (strcasecmp(v, names[i]) == 0)
			return i;
	tca_log(host, TCA_LOG_ERR, 0, "synchronous=%s: use off, normal or full", v);
	return -EINVAL;
}

static void sqlite_free(struct sqlite_sink *s)
{
	connfold_free(&s->fold);
	free(s->ev_conn);
	free(s);
}

/* The batch's working memory, once: nothing is allocated per batch. */
static int sqlite_alloc(struct sqlite_sink *s)
{
	s->ev_conn = calloc(s->batch_max, sizeof(*s->ev_conn));
	if (!s->ev_conn || connfold_init(&s->fold, s->batch_max) < 0)
		return -ENOMEM;
	return 0;
}

static void sqlite_close(void *state)
{
	struct sqlite_sink *s = state;

	/* Leave the file within its limits, even if the last batches were
	 * too quick for the throttled steps. */
	prune_run(s, true);
	db_close(s);
	sqlite_free(s);
}

static int sqlite_open(const struct tca_host *host, const void *config, void **state)
{
	const struct sqlite_config *c = config;
	struct sqlite_sink *s;
	int sync, rc;

	if (!c->path || !*c->path) {
		tca_log(host, TCA_LOG_ERR, 0, "path is empty: give the database file, e.g. path=%s",
			SQLITE_DEFAULT_PATH);
		return -EINVAL;
	}
	if (c->busy_timeout_ms > 600000 || c->max_delay_ms > 60000) {
		tca_log(host, TCA_LOG_ERR, 0, "busy_timeout must be at most 10m and max_delay at "
			"most 1m");
		return -EINVAL;
	}
	sync = sqlite_parse_sync(host, c->synchronous);
	if (sync < 0)
		return sync;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct sqlite_sink){
		.host = host, .path = c->path, .max_age_ms = c->max_age_ms, .max_size = c->max_size,
		.busy_timeout_ms = c->busy_timeout_ms, .max_delay_ms = c->max_delay_ms,
		.batch_max = (size_t)c->batch_size, .synchronous = sync,
	};
	if (sqlite_alloc(s) < 0) {
		sqlite_free(s);
		return -ENOMEM;
	}
	rc = db_open(s);
	if (rc != SQLITE_OK) {
		bool newer = rc == SQLITE_MISMATCH; /* the message says what to do */
		int err = sqlite_open_errno(s, rc);
		tca_log(host, TCA_LOG_ERR, s->sys_errno, "cannot open the database %s: %s%s%s%s",
			s->path, s->errmsg, newer ? "" : " (", newer ? "" : sqlite_hint(rc),
			newer ? "" : ")");
		sqlite_free(s);
		return err;
	}
	*state = s;
	return 0;
}

static const struct tca_option sqlite_options[] = {
	{ .name = "path", .type = TCA_OPT_STRING, .def = SQLITE_DEFAULT_PATH,
	  .help = "the database file; missing directories are created (mode 0750)",
	  .offset = offsetof(struct sqlite_config, path) },
	{ .name = "max_age", .type = TCA_OPT_DURATION, .def = "0",
	  .help = "delete events older than this (0: keep for ever)",
	  .offset = offsetof(struct sqlite_config, max_age_ms) },
	{ .name = "max_size", .type = TCA_OPT_SIZE, .def = "0",
	  .help = "delete the oldest events while the data exceeds this size (0: no limit)",
	  .offset = offsetof(struct sqlite_config, max_size) },
	{ .name = "batch_size", .type = TCA_OPT_INT, .def = "10000",
	  .help = "most events per transaction",
	  .offset = offsetof(struct sqlite_config, batch_size), .min = 1, .max = 100000 },
	{ .name = "max_delay", .type = TCA_OPT_DURATION, .def = "200ms",
	  .help = "longest an event waits for its batch to fill",
	  .offset = offsetof(struct sqlite_config, max_delay_ms) },
	{ .name = "busy_timeout", .type = TCA_OPT_DURATION, .def = "2s",
	  .help = "how long to wait for another process's lock before retrying later",
	  .offset = offsetof(struct sqlite_config, busy_timeout_ms) },
	{ .name = "synchronous", .type = TCA_OPT_STRING, .def = "normal",
	  .help = "off, normal or full: how often SQLite waits for the disk",
	  .offset = offsetof(struct sqlite_config, synchronous) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "sqlite",
	.version = PACKAGE_VERSION,
	.description = "Events into a local SQLite database (the default archive)",
	.options = sqlite_options,
	.config_size = sizeof(struct sqlite_config),
	.open = sqlite_open,
	.close = sqlite_close,
	.ops.sinker = {
		.write = sqlite_write,
		.write_gaps = sqlite_write_gaps,
		.write_run = sqlite_write_run,
		.limits = sqlite_limits,
	},
	.write_names = sqlite_write_names,
};
