/* SPDX-License-Identifier: MIT */
/* The pgsql sinker's state and the interfaces between its files. */
#ifndef TCA_PGSQL_H
#define TCA_PGSQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <tcp-audit/plugin.h>

#include "conn-agg.h"
#include "conn-seen.h"
#include "copy-encode.h"

struct pgsql_config {
	const char *conninfo;
	const char *schema;
	const char *table;
	bool manage_schema;
	const char *partition;
	int64_t partition_ahead;
	uint64_t retention_ms;   /* drop partitions that ended this long ago; 0: keep */
	int64_t batch_size;
	uint64_t max_delay_ms;
	uint64_t connect_timeout_ms;
	uint64_t statement_timeout_ms;
};

enum pgsql_partition {
	PGSQL_PART_NONE,
	PGSQL_PART_DAILY,
	PGSQL_PART_MONTHLY,
};

struct pgsql {
	const struct tca_host *host;
	const struct pgsql_config *cfg;
	PGconn *conn;
	char *where;            /* the conninfo for logs: no password */
	char *qschema;          /* quoted identifiers */
	char *qtable;           /* "schema"."table" */
	char *sql_copy_direct;  /* COPY straight into the table */
	char *sql_copy_stage;   /* COPY into the events' staging table */
	char *sql_merge_stage;  /* INSERT the staged events not stored yet */
	char *sql_make_stage;   /* the per-connection staging table */
	char *sql_merge_conns;  /* merge the batch's connections into tcp_connections */
	char *sql_copy_conns;   /* COPY the batch's new connections into it */
	char *sql_lock_run;     /* a run's stored_seq, locked until the commit */
	char *sql_stored;       /* move a run's stored_seq */
	char *sql_run_key;      /* an origin's key in tcp_audit_runs, made if new */
	char *sql_gaps;         /* gap records, all in one statement */
	char *sql_run;          /* a run record's upsert */
	char *sql_names;        /* name records, all in one statement */
	enum pgsql_partition partition;
	uint64_t partition_next_ms; /* when to look for partitions to create */
	bool stage_ready;       /* the staging table exists on this connection */
	int32_t run;            /* tcp_audit_runs.run of the last batch's origin; 0: none */
	char origin_host[256];  /* the origin that run is for, to see a change */
	uint64_t origin_run_id;
	char boot_text[40];
	char *buf;              /* one batch in COPY binary format */
	size_t buf_cap;
	char *cbuf;             /* its connections, likewise */
	size_t cbuf_cap;
	struct conn_agg agg;    /* the batch's connections */
	struct conn_seen seen;  /* this run's sockets that may have a row there */
	char sqlstate[6];       /* of the last failure; "" when not from the server */
	char errmsg[256];       /* of the last failure: one line */
};

/* conn.c: the connection, and every command with a bounded wait. */
uint64_t pgconn_now_ms(void);
char *pgconn_describe(const char *conninfo, char *err, size_t errsize);
int pgconn_open(struct pgsql *pg);
void pgconn_close(struct pgsql *pg);
int pgconn_exec(struct pgsql *pg, const char *sql);
int pgconn_query(struct pgsql *pg, const char *sql, int nparams, const char *const *params,
		 PGresult **out);
/* The same, with every parameter in binary form, and no result rows kept. */
int pgconn_query_binary(struct pgsql *pg, const char *sql, int nparams, const char *const *params,
			const int *lengths);
int pgconn_copy(struct pgsql *pg, const char *sql, const char *data, size_t len);
char *pgconn_ident(struct pgsql *pg, const char *name);

/* schema.c: create, migrate or check the table. */
#define PGSQL_SCHEMA_VERSION 5
int schema_prepare(struct pgsql *pg);

/* partition.c: partitions by time, created ahead. */
int partition_parse(const char *name, enum pgsql_partition *out);
void partition_ensure(struct pgsql *pg, uint64_t now_ms);

/* copy.c: a batch in COPY binary format, and its transaction. */
int copy_prepare(struct pgsql *pg);
int copy_write(struct pgsql *pg, const struct tca_batch *b);
void copy_free(struct pgsql *pg);

/* records.c: gap, run and name records. */
/* A boot id as uuid bytes: "1b4e28ba-2fa1-11d2-883f-0016d3cca427". */
void records_parse_uuid(const char *s, uint8_t out[16]);
int records_prepare(struct pgsql *pg);
int records_gaps(struct pgsql *pg, const struct tca_origin *origin, const struct tca_gap *g,
		 size_t n);
int records_run(struct pgsql *pg, const struct tca_run *run);
/* Name records of the origin's host and boot, all in one statement. */
int records_names(struct pgsql *pg, const struct tca_origin *origin, const struct tca_name *name,
		  size_t n);
/* The key (tcp_audit_runs.run) of an origin, its row made if it has none. */
int records_run_key(struct pgsql *pg, const struct tca_origin *origin, int32_t *key);

#endif
