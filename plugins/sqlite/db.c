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
	/* Before SQLite's first use in the process (later, a no-op): no
	 * global mutex around every allocation for statistics nobody reads. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
		rc = migrate_register(s->db);
		if (rc == SQLITE_OK)
			rc = db_pragmas(s);
		else
			db_save_error(s, rc);
	} else {
		db_save_error(s, rc);
	}
	if (rc == SQLITE_OK)
		rc = db_schema(s);
	if (rc == SQLITE_OK)
		rc = events_prepare(s);
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
	events_finalize(s);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	s->begin = s->commit = s->rollback = NULL;
	sqlite3_close(s->db);
	s->db = NULL;
}
