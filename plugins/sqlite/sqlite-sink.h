/* SPDX-License-Identifier: MIT */
/* The sqlite sinker's state, shared by its three files: the plugin
 * (sqlite.c), the connection and schema (db.c) and retention (prune.c). */
#ifndef TCA_SQLITE_SINK_H
#define TCA_SQLITE_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>
#include <tcp-audit/plugin.h>

#include "fmt.h"

/* PRAGMA user_version of the schema this code writes. */
#define SQLITE_SCHEMA_VERSION 1

struct sqlite_sink {
	const struct tca_host *host;
	const char *path;
	uint64_t max_age_ms;     /* 0: keep for ever */
	uint64_t max_size;       /* bytes of live pages; 0: no limit */
	uint64_t busy_timeout_ms;
	uint64_t max_delay_ms;
	size_t batch_max;
	int synchronous;         /* 0 off, 1 normal, 2 full */

	sqlite3 *db;             /* NULL after a failure that needs a reopen */
	sqlite3_stmt *insert;    /* identity columns bound once, at prepare */
	sqlite3_stmt *begin, *commit, *rollback;
	sqlite3_stmt *prune_age, *prune_oldest, *page_count, *freelist, *vacuum;
	int64_t page_size;

	int fail_rc;             /* extended code of the current outage, 0 if none */
	uint64_t fail_attempts;
	bool prune_failing;
	uint64_t prune_next_ms;  /* monotonic time of the next retention check */
	struct tca_plugin_stats stats;
	char errmsg[256];        /* the message of the last failure */
	int sys_errno;           /* and its errno, if SQLite had one */
	char saddr[FMT_ADDR_LEN], daddr[FMT_ADDR_LEN];
};

/* Open the database, apply the pragmas, create or check the schema and
 * prepare the statements. Returns an SQLite result code; on failure the
 * message is in s->errmsg and s->db is NULL. */
int db_open(struct sqlite_sink *s);
void db_close(struct sqlite_sink *s);
/* Step a statement that returns no rows (or whose rows we ignore) and reset it. */
int db_exec_stmt(sqlite3_stmt *st);
/* Copy the connection's error message into s->errmsg. */
void db_save_error(struct sqlite_sink *s, int rc);

/* Prepare, and finalize, the retention statements (called by db_open/db_close). */
int prune_prepare(struct sqlite_sink *s);
void prune_finalize(struct sqlite_sink *s);
/* Delete one small step of expired rows if a check is due; with
 * until_done, repeat until nothing is over the limits (at close). */
void prune_run(struct sqlite_sink *s, bool until_done);

#endif
