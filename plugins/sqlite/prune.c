/* SPDX-License-Identifier: MIT */
/* Retention for the sqlite sinker: delete expired rows a small step at a
 * time between batches, so that a large backlog of old rows never holds
 * the write lock long enough to stall the writer. */
#include "config.h"

#include <stddef.h>
#include <time.h>

#include "sqlite-sink.h"

/* Rows deleted per step, and how often to look while under the limits. */
#define PRUNE_STEP_ROWS 1000
#define PRUNE_STR_(x) #x
#define PRUNE_STR(x) PRUNE_STR_(x)
#define PRUNE_INTERVAL_MS 1000
/* At close, at most this many steps (10 million rows). */
#define PRUNE_CLOSE_STEPS 10000

static uint64_t clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * A step picks the rows to delete into a temporary table first, so that
 * what it counts as pruned, per run, is exactly what it deletes: the
 * completeness view tells a run thinned by retention from one with a hole
 * (a row deleted by hand is not counted, and shows as missing).
 */
int prune_prepare(struct sqlite_sink *s)
{
	static const struct {
		size_t offset;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct sqlite_sink, pick_age),
		  "INSERT INTO temp.tca_prune SELECT rowid FROM tcp_events"
		  " WHERE time < ?1 LIMIT " PRUNE_STR(PRUNE_STEP_ROWS) },
		/* rowid grows with insertion, so the smallest are the oldest. */
		{ offsetof(struct sqlite_sink, pick_oldest),
		  "INSERT INTO temp.tca_prune SELECT rowid FROM tcp_events"
		  " ORDER BY rowid LIMIT " PRUNE_STR(PRUNE_STEP_ROWS) },
		{ offsetof(struct sqlite_sink, count_picked),
		  "INSERT INTO tcp_audit_pruned (host, run_id, count) SELECT host, run_id, count(*)"
		  " FROM tcp_events WHERE rowid IN temp.tca_prune GROUP BY host, run_id"
		  " ON CONFLICT (host, run_id) DO UPDATE SET count = count + excluded.count" },
		{ offsetof(struct sqlite_sink, delete_picked),
		  "DELETE FROM tcp_events WHERE rowid IN temp.tca_prune" },
		{ offsetof(struct sqlite_sink, clear_picked), "DELETE FROM temp.tca_prune" },
		{ offsetof(struct sqlite_sink, page_count), "PRAGMA page_count" },
		{ offsetof(struct sqlite_sink, freelist), "PRAGMA freelist_count" },
		{ offsetof(struct sqlite_sink, vacuum), "PRAGMA incremental_vacuum" },
	};
	int rc = sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS tca_prune"
			      " (id INTEGER PRIMARY KEY)", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		db_save_error(s, rc);
		return rc;
	}
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **st = (sqlite3_stmt **)((char *)s + stmts[i].offset);
		rc = sqlite3_prepare_v3(s->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
		if (rc != SQLITE_OK) {
			db_save_error(s, rc);
			return rc;
		}
	}
	return SQLITE_OK;
}

void prune_finalize(struct sqlite_sink *s)
{
	sqlite3_stmt **all[] = { &s->pick_age, &s->pick_oldest, &s->count_picked, &s->delete_picked,
				 &s->clear_picked, &s->page_count, &s->freelist, &s->vacuum };

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

/* Count and delete the rows that pick chose, in the open transaction. */
static int prune_picked(struct sqlite_sink *s, const void *arg)
{
	sqlite3_stmt *pick = (sqlite3_stmt *)arg;
	int rc = db_exec_stmt(pick), n = 0;

	if (rc == SQLITE_OK)
		n = sqlite3_changes(s->db);
	if (rc == SQLITE_OK && n > 0)
		rc = db_exec_stmt(s->count_picked);
	if (rc == SQLITE_OK && n > 0)
		rc = db_exec_stmt(s->delete_picked);
	if (rc == SQLITE_OK)
		rc = db_exec_stmt(s->clear_picked);
	s->prune_deleted = n;
	return rc;
}

/* One batch of picked rows, counted and deleted in one transaction:
 * returns how many, or a negative SQLite code. */
static int prune_delete(struct sqlite_sink *s, sqlite3_stmt *pick)
{
	int rc = db_transaction(s, prune_picked, pick);

	return rc == SQLITE_OK ? s->prune_deleted : -rc;
}

/* One step: returns how many rows it deleted, or a negative SQLite code. */
static int prune_step(struct sqlite_sink *s)
{
	int deleted = 0, r, rc;

	if (s->max_age_ms) {
		/* In milliseconds first: a max_age of centuries must not overflow. */
		uint64_t now = clock_ms(CLOCK_REALTIME);
		int64_t cutoff = now > s->max_age_ms ? (int64_t)((now - s->max_age_ms) * 1000000u) : 0;

		sqlite3_bind_int64(s->pick_age, 1, cutoff);
		r = prune_delete(s, s->pick_age);
		if (r < 0)
			return r;
		deleted += r;
	}
	if (s->max_size && deleted < PRUNE_STEP_ROWS) {
		int64_t used = prune_used_bytes(s);
		if (used > (int64_t)s->max_size) {
			r = prune_delete(s, s->pick_oldest);
			if (r < 0)
				return r;
			deleted += r;
		}
	}
	if (deleted > 0) {
		/* Give the freed pages back to the file system (a no-op for
		 * a database created without auto_vacuum). */
		rc = db_exec_stmt(s->vacuum);
		if (rc != SQLITE_OK)
			return -rc;
	}
	return deleted;
}

void prune_run(struct sqlite_sink *s, bool until_done)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC);
	int steps = until_done ? PRUNE_CLOSE_STEPS : 1;
	int r = 0;

	if (!s->db || (!s->max_age_ms && !s->max_size) || (!until_done && now < s->prune_next_ms))
		return;
	while (steps-- > 0 && (r = prune_step(s)) > 0)
		;
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
	/* Still over a limit: the next batch takes the next step at once. */
	s->prune_next_ms = r > 0 ? 0 : now + PRUNE_INTERVAL_MS;
}
