/* SPDX-License-Identifier: MIT */
/* Retention for the sqlite sinker: delete the oldest events by ranges of
 * their key, which is their time, a bounded step at a time between
 * batches, sized to keep up with the writer without holding the write
 * lock for long. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sqlite-sink.h"

#define PRUNE_STR_(x) #x
#define PRUNE_STR(x) PRUNE_STR_(x)
/* The most events one step deletes (a few tens of ms). */
#define PRUNE_STEP_ROWS 20000
/* How often to look at max_age while nothing is expired. */
#define PRUNE_INTERVAL_MS 1000
/* At close, at most this many steps (200 million rows). */
#define PRUNE_CLOSE_STEPS 10000
/* An event takes at least this many bytes with its indexes: a step for
 * max_size deletes (over / this) rows, so one step is enough or more. */
#define PRUNE_MIN_EVENT_BYTES 48

static uint64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * A step deletes the events whose key (their time) is at most an end:
 * the ?2-th oldest event's below a cutoff (the max_age limit, or none for
 * max_size), or the last below it if there are fewer. What it counts as
 * pruned, per run, is exactly what it deletes, in the same transaction:
 * the completeness view tells a run thinned by retention from one with a
 * hole (a row deleted by hand is not counted).
 */
int prune_prepare(struct sqlite_sink *s)
{
	static const struct {
		size_t offset;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct sqlite_sink, prune_end),
		  "SELECT coalesce((SELECT id FROM tcp_events WHERE id < ?1 ORDER BY id"
		  " LIMIT 1 OFFSET ?2), (SELECT max(id) FROM tcp_events WHERE id < ?1))" },
		{ offsetof(struct sqlite_sink, prune_count),
		  "INSERT INTO tcp_audit_pruned (host, run_id, count) SELECT r.host, r.run_id, x.n"
		  " FROM (SELECT run, count(*) AS n FROM tcp_events WHERE id <= ?1 GROUP BY run) x"
		  " JOIN tcp_audit_runs r ON r.run_key = x.run WHERE 1"
		  " ON CONFLICT (host, run_id) DO UPDATE SET count = count + excluded.count" },
		{ offsetof(struct sqlite_sink, prune_delete), "DELETE FROM tcp_events WHERE id <= ?1" },
		/* The connections of the range that have no event after it:
		 * each goes with its last event. Bounded by the step, however
		 * old a connection still open is. */
		{ offsetof(struct sqlite_sink, prune_conns),
		  "DELETE FROM tcp_connections WHERE conn IN (SELECT conn FROM tcp_events"
		  " WHERE id <= ?1) AND NOT EXISTS (SELECT 1 FROM tcp_events e"
		  " WHERE e.conn = tcp_connections.conn AND e.id > ?1)" },
		{ offsetof(struct sqlite_sink, page_count), "PRAGMA page_count" },
		{ offsetof(struct sqlite_sink, freelist), "PRAGMA freelist_count" },
		{ offsetof(struct sqlite_sink, vacuum), "PRAGMA incremental_vacuum" },
	};
	int rc = SQLITE_OK;

	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]) && rc == SQLITE_OK; i++)
		rc = db_prepare(s, stmts[i].sql, (sqlite3_stmt **)((char *)s + stmts[i].offset));
	return rc;
}

void prune_finalize(struct sqlite_sink *s)
{
	sqlite3_stmt **all[] = { &s->prune_end, &s->prune_count, &s->prune_delete,
				 &s->prune_conns, &s->page_count, &s->freelist, &s->vacuum };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

static int64_t prune_pragma(sqlite3_stmt *st)
{
	int64_t v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* Bytes in pages that hold data: what max_size limits. */
static int64_t prune_used_bytes(struct sqlite_sink *s)
{
	int64_t pages = prune_pragma(s->page_count);
	int64_t free_pages = prune_pragma(s->freelist);

	if (pages < 0 || free_pages < 0)
		return -1;
	return (pages - free_pages) * s->page_size;
}

struct prune_range {
	int64_t cutoff; /* delete only keys below it */
	int64_t rows;   /* at most this many */
};

/* In the open transaction: find the range's end, count it per run,
 * delete the connections it leaves without events, and it. */
static int prune_range_tx(struct sqlite_sink *s, const void *arg)
{
	const struct prune_range *r = arg;
	int64_t end = 0;
	int rc;

	s->prune_deleted = 0;
	sqlite3_bind_int64(s->prune_end, 1, r->cutoff);
	sqlite3_bind_int64(s->prune_end, 2, r->rows - 1);
	rc = sqlite3_step(s->prune_end);
	if (rc == SQLITE_ROW) {
		end = sqlite3_column_int64(s->prune_end, 0);
		/* NULL: nothing below the cutoff. */
		rc = sqlite3_column_type(s->prune_end, 0) == SQLITE_NULL ? SQLITE_DONE : SQLITE_OK;
	}
	sqlite3_reset(s->prune_end);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s->prune_count, 1, end);
	rc = db_exec_stmt(s->prune_count);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s->prune_conns, 1, end);
		rc = db_exec_stmt(s->prune_conns);
	}
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(s->prune_delete, 1, end);
		rc = db_exec_stmt(s->prune_delete);
	}
	if (rc == SQLITE_OK)
		s->prune_deleted = sqlite3_changes(s->db);
	return rc;
}

/* One range in one transaction: returns how many events, or a negative
 * SQLite code. */
static int prune_range(struct sqlite_sink *s, const struct prune_range *r)
{
	int rc = db_transaction(s, prune_range_tx, r);

	return rc == SQLITE_OK ? s->prune_deleted : -rc;
}

static int prune_by_age(struct sqlite_sink *s)
{
	/* In milliseconds first: a max_age of centuries must not overflow. */
	uint64_t now = clock_ms(CLOCK_REALTIME);
	int64_t cutoff = now > s->max_age_ms ? (int64_t)((now - s->max_age_ms) * 1000000u) : 0;
	struct prune_range r = { cutoff, PRUNE_STEP_ROWS };

	return cutoff > 0 ? prune_range(s, &r) : 0;
}

/* While over max_size: the oldest events, enough to go a little under
 * (so that a step is not needed after every batch). */
static int prune_by_size(struct sqlite_sink *s)
{
	int64_t used = prune_used_bytes(s), rows;
	struct prune_range r = { INT64_MAX, 0 };

	if (used <= (int64_t)s->max_size)
		return 0;
	rows = (used - (int64_t)(s->max_size - s->max_size / 32)) / PRUNE_MIN_EVENT_BYTES;
	r.rows = rows < 256 ? 256 : rows > PRUNE_STEP_ROWS ? PRUNE_STEP_ROWS : rows;
	return prune_range(s, &r);
}

/* One step: returns how many rows it deleted, or a negative SQLite code;
 * *more says whether max_age has expired rows left. */
static int prune_step(struct sqlite_sink *s, bool age_due, bool *more)
{
	int deleted = 0, r;

	*more = false;
	if (s->max_age_ms && age_due) {
		r = prune_by_age(s);
		if (r < 0)
			return r;
		*more = r >= PRUNE_STEP_ROWS;
		deleted += r;
	}
	if (s->max_size) {
		r = prune_by_size(s);
		if (r < 0)
			return r;
		deleted += r;
	}
	return deleted;
}

/* Give free pages back to the file system (a no-op for a database made
 * without auto_vacuum): at close, or when a large purge left the file
 * mostly empty. New rows reuse free pages, so a steady state needs none. */
static int prune_vacuum(struct sqlite_sink *s, bool always)
{
	int64_t pages = prune_pragma(s->page_count), free_pages = prune_pragma(s->freelist);

	if (free_pages <= 0 || (!always && free_pages * 4 < pages))
		return 0;
	return -db_exec_stmt(s->vacuum);
}

void prune_run(struct sqlite_sink *s, bool until_done)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC);
	bool age_due = until_done || now >= s->prune_next_ms, more = false;
	int steps = until_done ? PRUNE_CLOSE_STEPS : 1;
	int r = 0;

	if (!s->db || (!s->max_age_ms && !s->max_size))
		return;
	while (steps-- > 0 && (r = prune_step(s, age_due, &more)) > 0)
		;
	if (r >= 0)
		r = prune_vacuum(s, until_done);
	if (r < 0) {
		/* Retention failing loses nothing: say so once, and keep writing. */
		if (!s->prune_failing)
			tca_log(s->host, TCA_LOG_WARNING, s->sys_errno,
				"pruning old rows from %s failed (%s); will try again", s->path,
				s->errmsg);
		s->prune_failing = true;
		s->prune_next_ms = now + PRUNE_INTERVAL_MS;
		return;
	}
	if (s->prune_failing)
		tca_log(s->host, TCA_LOG_NOTICE, 0, "pruning old rows from %s works again", s->path);
	s->prune_failing = false;
	/* Expired rows left: the next batch takes the next step at once. */
	if (age_due)
		s->prune_next_ms = more ? 0 : now + PRUNE_INTERVAL_MS;
}
