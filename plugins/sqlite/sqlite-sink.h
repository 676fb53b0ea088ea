/* SPDX-License-Identifier: MIT */
/* The sqlite sinker's state, shared by its files: the plugin (sqlite.c),
 * the connection (db.c), the schema (schema.c, migrate.c), events and
 * connections (events.c), gap, run and name records (records.c) and retention
 * (prune.c). */
#ifndef TCA_SQLITE_SINK_H
#define TCA_SQLITE_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>
#include <tcp-audit/plugin.h>

#include "connfold.h"
#include "sqlite-schema.h"

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
	sqlite3_stmt *insert;    /* one event */
	sqlite3_stmt *run_add, *run_key, *run_high, *conn_insert, *conn_update;
	sqlite3_stmt *insert_gap, *upsert_run, *insert_name;
	sqlite3_stmt *begin, *commit, *rollback;
	sqlite3_stmt *prune_end, *prune_count, *prune_delete, *prune_conns;
	sqlite3_stmt *page_count, *freelist, *vacuum;
	int prune_deleted;       /* rows the last step deleted */
	int64_t page_size;

	bool prune_failing;
	uint64_t prune_next_ms;  /* monotonic time of the next retention check */
	char errmsg[256];        /* the message of the last failure */
	int sys_errno;           /* and its errno, if SQLite had one */
	/* A batch's working memory, sized at open for batch_max events. */
	struct connfold fold;
	int32_t *ev_conn;        /* per event: its fold index, or -1 if already stored */
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
/* Prepare a statement that lives as long as the connection. */
int db_prepare(struct sqlite_sink *s, const char *sql, sqlite3_stmt **st);
/* Run fn(s, arg) in one write transaction, rolled back if it fails;
 * returns an SQLite code, with the message in s->errmsg. */
int db_transaction(struct sqlite_sink *s, int (*fn)(struct sqlite_sink *s, const void *arg),
		   const void *arg);

/* Prepare, and finalize, the event and connection statements. */
int events_prepare(struct sqlite_sink *s);
void events_finalize(struct sqlite_sink *s);
/* Store a batch's events and fold them into tcp_connections, inside a
 * transaction: an SQLite code. */
int events_store(struct sqlite_sink *s, const struct tca_batch *b);

/* Prepare, and finalize, the gap, run and name statements (called by db_open/db_close). */
int records_prepare(struct sqlite_sink *s);
void records_finalize(struct sqlite_sink *s);
/* Store gap records, or a run record: SQLite codes, inside a transaction. */
int records_gaps(struct sqlite_sink *s, const struct tca_origin *origin, const struct tca_gap *g,
		 size_t n);
int records_run(struct sqlite_sink *s, const struct tca_run *run);
/* Store name records of the origin's host and boot (the first stored
 * stays): an SQLite code, inside a transaction. */
int records_names(struct sqlite_sink *s, const struct tca_origin *origin,
		  const struct tca_name *name, size_t n);

/* Prepare, and finalize, the retention statements (called by db_open/db_close). */
int prune_prepare(struct sqlite_sink *s);
void prune_finalize(struct sqlite_sink *s);
/* Delete one small step of expired rows if a check is due; with
 * until_done, repeat until nothing is over the limits (at close). */
void prune_run(struct sqlite_sink *s, bool until_done);

#endif
