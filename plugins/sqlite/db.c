/* SPDX-License-Identifier: MIT */
/* The sqlite sinker's connection: directory, pragmas, schema, statements. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "sqlite-sink.h"

/*
 * The schema, as the steps that take a database from one version to the
 * next; a new file runs them all, an older one the steps it lacks, in one
 * transaction, so an archive is migrated in place or not at all.
 *
 * Version 1: the events. time is nanoseconds since the epoch (UTC), so
 * that no precision is lost and range queries use the index on integers;
 * the view tcp_events_named shows it as RFC 3339 text. An event's
 * identity is (boot_id, run_id, seq), and ON CONFLICT DO NOTHING on a
 * unique key makes a retried batch harmless. The key leaves boot_id out: run_id is 63
 * random bits, new at every start, so (run_id, seq) is as unique in one
 * file, and the index is a third of the size (64 to 20 bytes an event).
 */
static const char schema_v1[] =
	"CREATE TABLE IF NOT EXISTS tcp_events ("
	" time INTEGER NOT NULL,"
	" host TEXT NOT NULL,"
	" sock INTEGER NOT NULL,"
	" pid INTEGER,"
	" comm TEXT,"
	" family TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" saddr TEXT NOT NULL,"
	" sport INTEGER NOT NULL,"
	" daddr TEXT NOT NULL,"
	" dport INTEGER NOT NULL,"
	" oldstate TEXT NOT NULL,"
	" newstate TEXT NOT NULL,"
	" netns INTEGER,"
	" cgroup INTEGER,"
	" uid INTEGER,"
	" bytes_sent INTEGER,"
	" bytes_received INTEGER,"
	" lifetime_ns INTEGER,"
	" boot_id TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" UNIQUE (run_id, seq));"
	"CREATE INDEX IF NOT EXISTS tcp_events_time ON tcp_events (time);"
	"CREATE INDEX IF NOT EXISTS tcp_events_daddr ON tcp_events (daddr, dport);"
	"CREATE INDEX IF NOT EXISTS tcp_events_saddr ON tcp_events (saddr, sport);"
	"CREATE INDEX IF NOT EXISTS tcp_events_sock ON tcp_events (sock);"
	/* The columns and names of the pgsql sinker's view of the same name,
	 * so that a query moves between the two; time as RFC 3339 text. */
	"CREATE VIEW IF NOT EXISTS tcp_events_named AS SELECT"
	" strftime('%Y-%m-%dT%H:%M:%S', time / 1000000000, 'unixepoch')"
	" || printf('.%09dZ', time % 1000000000) AS time, host, sock, pid, comm, family,"
	" protocol, saddr, sport, daddr, dport, oldstate, newstate, netns, cgroup, uid,"
	" bytes_sent, bytes_received, lifetime_ns, boot_id, run_id, seq FROM tcp_events;";

/* RFC 3339 text of a column of nanoseconds, for the views. */
#define DB_RFC3339(col)                                                    \
	"strftime('%Y-%m-%dT%H:%M:%S', " col " / 1000000000, 'unixepoch')" \
	" || printf('.%09dZ', " col " % 1000000000)"

/*
 * Version 2: what lets the archive prove its own completeness. Gap and
 * run records (struct tca_gap, struct tca_run: reason and state are the
 * header's numbers; the _named views give their names), and the view
 * tcp_audit_completeness, one row per run, whose verdict is documented in
 * tcp-audit-sqlite(7). Both tables are keyed by what makes a rewrite
 * idempotent, WITHOUT ROWID since the key is the row.
 */
static const char schema_v2[] =
	"CREATE TABLE tcp_audit_gaps ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" first_seq INTEGER NOT NULL,"
	" count INTEGER NOT NULL CHECK (count >= 0)," /* 0: unknown */
	" reason INTEGER NOT NULL,"
	" time INTEGER NOT NULL,"
	" cpu INTEGER,"
	" PRIMARY KEY (host, run_id, first_seq, reason)) WITHOUT ROWID;"
	"CREATE TABLE tcp_audit_runs ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" prev_run_id INTEGER,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),"
	" start_time INTEGER,"
	" end_time INTEGER,"
	" last_seq INTEGER,"
	" PRIMARY KEY (host, run_id)) WITHOUT ROWID;"
	/* Events that retention (max_age, max_size) deleted, per run. */
	"CREATE TABLE tcp_audit_pruned ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" count INTEGER NOT NULL,"
	" PRIMARY KEY (host, run_id)) WITHOUT ROWID;"
	"CREATE VIEW tcp_audit_gaps_named AS SELECT host, run_id, first_seq,"
	" nullif(count, 0) AS count,"
	" CASE reason WHEN 1 THEN 'kernel' WHEN 2 THEN 'source' WHEN 3 THEN 'queue_full'"
	" WHEN 4 THEN 'unflushed' WHEN 5 THEN 'refused' WHEN 6 THEN 'unclean_end'"
	" WHEN 7 THEN 'spool'"
	" ELSE 'unknown' END AS reason, " DB_RFC3339("time") " AS time, cpu"
	" FROM tcp_audit_gaps;"
	"CREATE VIEW tcp_audit_runs_named AS SELECT host, boot_id, run_id, prev_run_id,"
	" CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'"
	" WHEN 4 THEN 'unclean' END AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	" " DB_RFC3339("end_time") " AS end_time, last_seq FROM tcp_audit_runs;"
	/* Runs with events but no record (written before version 2, or
	 * whose record was lost) are shown too, as 'no run record'. */
	"CREATE VIEW tcp_audit_completeness AS"
	" WITH ev AS (SELECT host, run_id, min(boot_id) AS boot_id, count(*) AS stored"
	"  FROM tcp_events GROUP BY run_id, host),"
	" gp AS (SELECT host, run_id, sum(count) AS gap_events,"
	"  sum(count = 0) AS unknown_gaps FROM tcp_audit_gaps GROUP BY host, run_id),"
	" r AS (SELECT host, boot_id, run_id, prev_run_id, state, start_time, end_time, last_seq"
	"  FROM tcp_audit_runs UNION ALL SELECT host, boot_id, run_id, NULL, NULL, NULL, NULL,"
	"  NULL FROM ev WHERE NOT EXISTS (SELECT 1 FROM tcp_audit_runs x"
	"  WHERE x.host = ev.host AND x.run_id = ev.run_id)),"
	" c AS (SELECT r.*, coalesce(ev.stored, 0) AS stored, coalesce(pr.count, 0) AS pruned,"
	"  coalesce(gp.gap_events, 0) AS gap_events, coalesce(gp.unknown_gaps, 0) AS unknown_gaps,"
	"  CASE WHEN r.prev_run_id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM r p"
	"  WHERE p.host = r.host AND p.run_id = r.prev_run_id) END AS prev_present"
	"  FROM r LEFT JOIN ev ON ev.host = r.host AND ev.run_id = r.run_id"
	"  LEFT JOIN gp ON gp.host = r.host AND gp.run_id = r.run_id"
	"  LEFT JOIN tcp_audit_pruned pr ON pr.host = r.host AND pr.run_id = r.run_id)"
	" SELECT host, boot_id, run_id, prev_run_id,"
	" CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'"
	" WHEN 4 THEN 'unclean' END AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	" " DB_RFC3339("end_time") " AS end_time, last_seq, stored, pruned, gap_events,"
	" unknown_gaps,"
	" CASE WHEN state IN (2, 3) THEN last_seq - stored - pruned - gap_events END AS missing,"
	" prev_present,"
	" CASE"
	"  WHEN state IS NULL THEN 'no run record'"
	"  WHEN state = 1 THEN 'running'"
	"  WHEN state IN (2, 3) AND last_seq - stored - pruned - gap_events <> 0 THEN 'incomplete'"
	"  WHEN unknown_gaps > 0 THEN 'unknown-size gap'"
	"  WHEN state = 4 THEN 'incomplete'"
	"  WHEN prev_present = 0 THEN 'chain hole'"
	"  WHEN pruned > 0 THEN 'pruned'"
	"  WHEN gap_events > 0 THEN 'accounted'"
	"  ELSE 'complete' END AS verdict"
	" FROM c;";

/* schema_steps[i] takes a database from version i to i + 1. */
static const char *const schema_steps[SQLITE_SCHEMA_VERSION] = { schema_v1, schema_v2 };

/* Only the identity's conflict is ignored: OR IGNORE would also skip,
 * silently, a row that a NOT NULL or CHECK constraint refuses. */
static const char insert_sql[] =
	"INSERT INTO tcp_events (time, host, sock, pid, comm, family, protocol,"
	" saddr, sport, daddr, dport, oldstate, newstate, netns, cgroup, uid, bytes_sent,"
	" bytes_received, lifetime_ns, boot_id, run_id, seq)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, ?20, ?21, ?22) ON CONFLICT (run_id, seq) DO NOTHING";

void db_save_error(struct sqlite_sink *s, int rc)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s",
		 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	/* Only I/O and open failures carry an errno worth showing. */
	s->sys_errno = 0;
	if (s->db && ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN))
		s->sys_errno = sqlite3_system_errno(s->db);
}

int db_exec_stmt(sqlite3_stmt *st)
{
	int rc;

	do
		rc = sqlite3_step(st);
	while (rc == SQLITE_ROW);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Create the missing directories above the database (mode 0750: the
 * archive says who talked to whom, which not every user should read). */
static int db_make_parents(const char *path)
{
	char dir[4096];
	size_t len = strlen(path);

	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int db_exec(struct sqlite_sink *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		db_save_error(s, rc);
	return rc;
}

static int db_user_version(struct sqlite_sink *s, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Create the schema, or migrate an older one forward, in one transaction;
 * or check that an existing one is a version we know. */
static int db_schema(struct sqlite_sink *s)
{
	char sql[64];
	int version = 0, rc;

	rc = db_exec(s, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return rc;
	rc = db_user_version(s, &version);
	if (rc != SQLITE_OK)
		db_save_error(s, rc);
	if (rc == SQLITE_OK && version > SQLITE_SCHEMA_VERSION) {
		snprintf(s->errmsg, sizeof(s->errmsg), "the database has schema version %d, newer "
			 "than this tcp-audit knows (%d); upgrade tcp-audit or choose another path",
			 version, SQLITE_SCHEMA_VERSION);
		s->sys_errno = 0;
		rc = SQLITE_MISMATCH;
	}
	for (int v = version < 0 ? 0 : version; rc == SQLITE_OK && v < SQLITE_SCHEMA_VERSION; v++)
		rc = db_exec(s, schema_steps[v]);
	if (rc == SQLITE_OK && version < SQLITE_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SQLITE_SCHEMA_VERSION);
		rc = db_exec(s, sql);
	}
	if (rc == SQLITE_OK) {
		rc = db_exec(s, "COMMIT");
		if (rc == SQLITE_OK && version > 0 && version < SQLITE_SCHEMA_VERSION)
			tca_log(s->host, TCA_LOG_NOTICE, 0, "migrated %s from schema version %d to %d",
				s->path, version, SQLITE_SCHEMA_VERSION);
		return rc;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int db_prepare(struct sqlite_sink *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);

	if (rc != SQLITE_OK)
		db_save_error(s, rc);
	return rc;
}

static int db_pragmas(struct sqlite_sink *s)
{
	static const char *const sync_names[] = { "OFF", "NORMAL", "FULL" };
	char sql[256];
	int rc;

	sqlite3_busy_timeout(s->db, (int)s->busy_timeout_ms);
	/* auto_vacuum only takes effect before the first table exists: a new
	 * archive gives deleted pages back to the file system as it prunes.
	 * journal_size_limit stops the WAL from keeping the size of its
	 * largest burst for ever. A 16 MiB page cache holds the hot pages of
	 * the four indexes, whose keys (addresses) arrive in no order: it
	 * cuts the cost of an insert by about a third. */
	snprintf(sql, sizeof(sql), "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL;"
		 " PRAGMA synchronous = %s; PRAGMA journal_size_limit = 16777216;"
		 " PRAGMA cache_size = -16384;",
		 sync_names[s->synchronous]);
	rc = db_exec(s, sql);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_stmt *st;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		s->page_size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int db_transaction(struct sqlite_sink *s, int (*fn)(struct sqlite_sink *s, const void *arg),
		   const void *arg)
{
	int rc = db_exec_stmt(s->begin);

	if (rc == SQLITE_OK)
		rc = fn(s, arg);
	if (rc == SQLITE_OK)
		rc = db_exec_stmt(s->commit);
	if (rc == SQLITE_OK)
		return rc;
	db_save_error(s, rc);
	if (!sqlite3_get_autocommit(s->db))
		db_exec_stmt(s->rollback);
	return rc;
}

int db_open(struct sqlite_sink *s)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc, r;

#ifdef SQLITE_OPEN_EXRESCODE
	flags |= SQLITE_OPEN_EXRESCODE;
#endif
	r = db_make_parents(s->path);
	if (r < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot create the directory of %s", s->path);
		s->sys_errno = -r;
		return SQLITE_CANTOPEN;
	}
	/* SQLite would create the file 0644 & ~umask, and its -wal and -shm
	 * with the database's mode: make the database first, with ours. */
	r = file_open_archive(s->path, O_RDWR);
	if (r < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot create or open %s", s->path);
		s->sys_errno = -r;
		return SQLITE_CANTOPEN;
	}
	close(r);
	rc = sqlite3_open_v2(s->path, &s->db, flags, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(s->db, 1);
		rc = db_pragmas(s);
	} else {
		db_save_error(s, rc);
	}
	if (rc == SQLITE_OK)
		rc = db_schema(s);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, insert_sql, &s->insert);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, "BEGIN IMMEDIATE", &s->begin);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, "COMMIT", &s->commit);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, "ROLLBACK", &s->rollback);
	if (rc == SQLITE_OK)
		rc = prune_prepare(s);
	if (rc == SQLITE_OK)
		rc = records_prepare(s);
	if (rc != SQLITE_OK)
		db_close(s);
	return rc;
}

void db_close(struct sqlite_sink *s)
{
	prune_finalize(s);
	records_finalize(s);
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	s->insert = s->begin = s->commit = s->rollback = NULL;
	sqlite3_close(s->db);
	s->db = NULL;
}
