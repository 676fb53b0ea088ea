/* SPDX-License-Identifier: MIT */
/* Gap and run records for the sqlite sinker: what lets the archive prove,
 * through the view tcp_audit_completeness, that a run is complete; and
 * name records, what the ids in its events stood for. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "names.h"
#include "sqlite-sink.h"

/* A gap is stored once. The processor may write it again having grown
 * it (more events lost right after it, while the first write was under
 * way): the larger count wins; one of unknown size (0) stays unknown. */
static const char insert_gap_sql[] =
	"INSERT INTO tcp_audit_gaps (host, run_id, first_seq, count, reason, time, cpu)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT (host, run_id, first_seq, reason) DO UPDATE SET count = excluded.count"
	" WHERE count <> 0 AND (excluded.count = 0 OR excluded.count > count)";

/*
 * A later state replaces an earlier one, but never with less knowledge:
 * running < unclean < clean or failed, so a replayed RUNNING record never
 * undoes an end, nor an UNCLEAN one (the next run's guess) an exact end.
 * last_seq is known only for an end (clean or failed), where 0 means a run
 * that gave out no seq. A row that its events made (state NULL: no record
 * yet) takes any record.
 */
#define RECORDS_RANK(col) \
	"(CASE " col " WHEN 1 THEN 1 WHEN 4 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 3 ELSE 0 END)"
static const char upsert_run_sql[] =
	"INSERT INTO tcp_audit_runs (host, run_id, boot_id, prev_run_id, state, start_time,"
	" end_time, last_seq) VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, nullif(?6, 0),"
	" nullif(?7, 0), CASE WHEN ?5 IN (2, 3) THEN ?8 END)"
	" ON CONFLICT (host, run_id) DO UPDATE SET boot_id = excluded.boot_id,"
	" prev_run_id = coalesce(excluded.prev_run_id, prev_run_id), state = excluded.state,"
	" start_time = coalesce(excluded.start_time, start_time),"
	" end_time = coalesce(excluded.end_time, end_time),"
	" last_seq = coalesce(excluded.last_seq, last_seq)"
	" WHERE " RECORDS_RANK("excluded.state") " >= " RECORDS_RANK("state");

/* One name per host, boot, kind and id: the first stored stays, so a
 * name written again (a retry, a spool replayed, a later run) is a no-op. */
static const char insert_name_sql[] =
	"INSERT INTO tcp_audit_names (host, boot_id, kind, id, text, time, run_id)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT (host, boot_id, kind, id) DO NOTHING";

int records_prepare(struct sqlite_sink *s)
{
	int rc = db_prepare(s, insert_gap_sql, &s->insert_gap);

	if (rc == SQLITE_OK)
		rc = db_prepare(s, upsert_run_sql, &s->upsert_run);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, insert_name_sql, &s->insert_name);
	return rc;
}

void records_finalize(struct sqlite_sink *s)
{
	sqlite3_finalize(s->insert_gap);
	sqlite3_finalize(s->upsert_run);
	sqlite3_finalize(s->insert_name);
	s->insert_gap = s->upsert_run = s->insert_name = NULL;
}

int records_gaps(struct sqlite_sink *s, const struct tca_origin *origin, const struct tca_gap *g,
		 size_t n)
{
	sqlite3_stmt *st = s->insert_gap;
	int rc = sqlite3_bind_text(st, 1, origin->host, -1, SQLITE_STATIC);

	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		sqlite3_bind_int64(st, 2, (int64_t)g[i].run_id);
		sqlite3_bind_int64(st, 3, (int64_t)g[i].first_seq);
		sqlite3_bind_int64(st, 4, (int64_t)g[i].count);
		sqlite3_bind_int(st, 5, (int)g[i].reason);
		sqlite3_bind_int64(st, 6, (int64_t)g[i].time_ns);
		if (g[i].cpu >= 0)
			sqlite3_bind_int(st, 7, g[i].cpu);
		else
			sqlite3_bind_null(st, 7);
		rc = db_exec_stmt(st);
	}
	sqlite3_clear_bindings(st);
	return rc;
}

int records_run(struct sqlite_sink *s, const struct tca_run *run)
{
	sqlite3_stmt *st = s->upsert_run;
	int rc;

	sqlite3_bind_text(st, 1, run->origin.host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)run->origin.run_id);
	sqlite3_bind_text(st, 3, run->origin.boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)run->prev_run_id);
	sqlite3_bind_int(st, 5, (int)run->state);
	sqlite3_bind_int64(st, 6, (int64_t)run->start_ns);
	sqlite3_bind_int64(st, 7, (int64_t)run->end_ns);
	sqlite3_bind_int64(st, 8, (int64_t)run->last_seq);
	rc = db_exec_stmt(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int records_names(struct sqlite_sink *s, const struct tca_origin *origin,
		  const struct tca_name *name, size_t n)
{
	sqlite3_stmt *st = s->insert_name;
	int rc = sqlite3_bind_text(st, 1, origin->host, -1, SQLITE_STATIC);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, origin->boot_id, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		/* A kind of a newer processor is kept under its number. */
		const char *kind = names_name_kind(name[i].kind);
		char num[16];

		if (name[i].kind < 1 || name[i].kind > TCA_NAME_KIND_MAX) {
			snprintf(num, sizeof(num), "%" PRIu32, name[i].kind);
			kind = num;
		}
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, (int64_t)name[i].id);
		sqlite3_bind_text(st, 5, name[i].text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, (int64_t)name[i].time_ns);
		sqlite3_bind_int64(st, 7, (int64_t)name[i].run_id);
		rc = db_exec_stmt(st);
	}
	sqlite3_clear_bindings(st);
	return rc;
}
