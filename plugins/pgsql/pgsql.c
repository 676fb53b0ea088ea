/* SPDX-License-Identifier: MIT */
/*
 * The pgsql sinker: its options, its descriptor, and its life: open
 * (connect, schema), write (a batch per transaction, gap, run and name records;
 * "retry later" while the server is away, reconnecting at the next call),
 * close.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsql.h"

static int pgsql_check(const struct tca_host *host, const struct pgsql_config *c,
		       enum pgsql_partition *part)
{
	if (!c->table || !*c->table || !c->schema || !*c->schema) {
		tca_log(host, TCA_LOG_ERR, 0, "the table and schema options must not be empty");
		return -EINVAL;
	}
	if (partition_parse(c->partition, part) < 0) {
		tca_log(host, TCA_LOG_ERR, 0, "partition=%s is not known: use none, daily or monthly",
			c->partition);
		return -EINVAL;
	}
	if (c->retention_ms && *part == PGSQL_PART_NONE) {
		tca_log(host, TCA_LOG_ERR, 0, "retention= drops whole partitions: set partition=daily "
			"or monthly too (for a new table), or leave retention at 0");
		return -EINVAL;
	}
	if (!c->connect_timeout_ms || !c->statement_timeout_ms) {
		tca_log(host, TCA_LOG_ERR, 0, "connect_timeout and statement_timeout must be above "
			"zero: they bound how long a hung server can hold up shutdown");
		return -EINVAL;
	}
	return 0;
}

static const char *pgsql_connect_hint(int err)
{
	switch (-err) {
	case ENOENT:
		return "create the database (createdb), or fix dbname in conninfo";
	case EACCES:
		return "check the user and its password (conninfo, PGPASSWORD, ~/.pgpass) and pg_hba.conf";
	case EINVAL:
		return "fix the host or port in conninfo";
	default:
		return "is the server running? check host and port in conninfo";
	}
}

static void pgsql_close(void *state)
{
	struct pgsql *pg = state;

	pgconn_close(pg);
	free(pg->where);
	free(pg->qschema);
	free(pg->qtable);
	copy_free(pg);
	free(pg->sql_gaps);
	free(pg->sql_run);
	free(pg->sql_run_key);
	free(pg->sql_names);
	free(pg);
}

static int pgsql_names(struct pgsql *pg)
{
	char *t = pgconn_ident(pg, pg->cfg->table);
	int r = -ENOMEM;

	pg->qschema = pgconn_ident(pg, pg->cfg->schema);
	if (t && pg->qschema && asprintf(&pg->qtable, "%s.%s", pg->qschema, t) >= 0)
		r = 0;
	else
		pg->qtable = NULL;
	free(t);
	return r;
}

static int pgsql_open(const struct tca_host *host, const void *config, void **state)
{
	const struct pgsql_config *c = config;
	struct pgsql *pg;
	char err[256];
	int r;

	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return -ENOMEM;
	pg->host = host;
	pg->cfg = c;
	r = pgsql_check(host, c, &pg->partition);
	if (r < 0)
		goto fail;
	pg->where = pgconn_describe(c->conninfo, err, sizeof(err));
	if (!pg->where) {
		/* The text is not shown: it may hold a password. */
		tca_log(host, TCA_LOG_ERR, 0, "the conninfo option is not a valid libpq connection "
			"string or URI (%s); see \"Connection Strings\" in the libpq manual", err);
		r = -EINVAL;
		goto fail;
	}
	r = pgconn_open(pg);
	if (r < 0) {
		if (r == -EAGAIN)
			r = -ECONNREFUSED;
		tca_log(host, TCA_LOG_ERR, 0, "cannot connect to %s: %s (%s)", pg->where, pg->errmsg,
			pgsql_connect_hint(r));
		goto fail;
	}
	r = pgsql_names(pg);
	if (r >= 0)
		r = schema_prepare(pg);
	if (r >= 0)
		r = copy_prepare(pg);
	if (r >= 0)
		r = records_prepare(pg);
	if (r < 0)
		goto fail;
	partition_ensure(pg, pgconn_now_ms());
	tca_log(host, TCA_LOG_INFO, 0, "writing to %s on %s", pg->qtable, pg->where);
	*state = pg;
	return 0;
fail:
	pgsql_close(pg);
	return r;
}

/* Connect again after a failure: at once, since the processor decides
 * when to retry; a failed attempt is an outage that goes on. */
static int pgsql_ready(struct pgsql *pg)
{
	if (pg->conn)
		return 0;
	if (pgconn_open(pg) < 0) {
		tca_retry_reason(pg->host, 0, "cannot connect to %s: %s", pg->where, pg->errmsg);
		return -EAGAIN;
	}
	return 0;
}

/*
 * A command failed: say what the processor should do. An outage closes
 * the connection, so the next call connects afresh; after a refusal the
 * connection stays, out of any transaction the failure left open.
 */
static int pgsql_failed(struct pgsql *pg, int r, const char *what, bool events)
{
	if (r == -EAGAIN) {
		tca_retry_reason(pg->host, 0, "cannot write to %s: %s%s%s", pg->where, pg->errmsg,
				 pg->sqlstate[0] ? " SQLSTATE " : "", pg->sqlstate);
		pgconn_close(pg);
		return r;
	}
	if (pg->conn && PQtransactionStatus(pg->conn) != PQTRANS_IDLE &&
	    pgconn_exec(pg, "ROLLBACK") < 0)
		pgconn_close(pg);
	if (r == -EBADMSG && events)
		return r;
	if (r != -ENOMEM)
		tca_log(pg->host, TCA_LOG_ERR, 0, "storing %s in %s failed: %s%s%s", what, pg->qtable,
			pg->errmsg, pg->sqlstate[0] ? " SQLSTATE " : "", pg->sqlstate);
	return r == -EBADMSG ? -EIO : r;
}

/* One transaction per batch, so the count stored is b->n or nothing. */
static int pgsql_write(void *state, const struct tca_batch *b)
{
	struct pgsql *pg = state;
	int r = pgsql_ready(pg);

	if (r < 0)
		return r;
	partition_ensure(pg, pgconn_now_ms());
	r = copy_write(pg, b);
	return r < 0 ? pgsql_failed(pg, r, "events", true) : (int)b->n;
}

static int pgsql_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			    size_t n)
{
	struct pgsql *pg = state;
	int r = pgsql_ready(pg);

	if (r >= 0)
		r = records_gaps(pg, origin, g, n);
	return r < 0 ? pgsql_failed(pg, r, "gap records", false) : 0;
}

static int pgsql_write_run(void *state, const struct tca_run *run)
{
	struct pgsql *pg = state;
	int r = pgsql_ready(pg);

	if (r >= 0)
		r = records_run(pg, run);
	return r < 0 ? pgsql_failed(pg, r, "the run record", false) : 0;
}

static int pgsql_write_names(void *state, const struct tca_origin *origin,
			     const struct tca_name *name, size_t n)
{
	struct pgsql *pg = state;
	int r = pgsql_ready(pg);

	if (r >= 0)
		r = records_names(pg, origin, name, n);
	return r < 0 ? pgsql_failed(pg, r, "name records", false) : 0;
}

/* SIGHUP: connect again before the next batch, so that a changed
 * password file, service file or DNS name takes effect. */
static int pgsql_reopen(void *state)
{
	struct pgsql *pg = state;

	pgconn_close(pg);
	return 0;
}

static void pgsql_limits(void *state, struct tca_sink_limits *limits)
{
	const struct pgsql *pg = state;

	limits->batch_max = (size_t)pg->cfg->batch_size;
	limits->max_delay_ms = pg->cfg->max_delay_ms;
}

static const struct tca_option pgsql_options[] = {
	{ .name = "conninfo", .type = TCA_OPT_STRING, .def = "", .flags = TCA_OPTF_SECRET,
	  .help = "libpq connection string or URI; empty: PG* variables, service file, local socket",
	  .offset = offsetof(struct pgsql_config, conninfo) },
	{ .name = "schema", .type = TCA_OPT_STRING, .def = "public",
	  .help = "PostgreSQL schema of the table",
	  .offset = offsetof(struct pgsql_config, schema) },
	{ .name = "table", .type = TCA_OPT_STRING, .def = "tcp_events",
	  .help = "table of the events",
	  .offset = offsetof(struct pgsql_config, table) },
	{ .name = "manage_schema", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "create and migrate the table; no: only check its version",
	  .offset = offsetof(struct pgsql_config, manage_schema) },
	{ .name = "partition", .type = TCA_OPT_STRING, .def = "none",
	  .help = "partition a new table by time: none, daily or monthly",
	  .offset = offsetof(struct pgsql_config, partition) },
	{ .name = "partition_ahead", .type = TCA_OPT_INT, .def = "3", .min = 1, .max = 366,
	  .help = "partitions to create ahead of the current one",
	  .offset = offsetof(struct pgsql_config, partition_ahead) },
	{ .name = "retention", .type = TCA_OPT_DURATION, .def = "0",
	  .help = "drop the partitions that ended longer ago than this; 0: keep all",
	  .offset = offsetof(struct pgsql_config, retention_ms) },
	{ .name = "batch_size", .type = TCA_OPT_INT, .def = "5000", .min = 1, .max = 1000000,
	  .help = "most events in one transaction",
	  .offset = offsetof(struct pgsql_config, batch_size) },
	{ .name = "max_delay", .type = TCA_OPT_DURATION, .def = "200ms",
	  .help = "longest an event waits for its batch to fill",
	  .offset = offsetof(struct pgsql_config, max_delay_ms) },
	{ .name = "connect_timeout", .type = TCA_OPT_DURATION, .def = "5s",
	  .help = "longest wait for a connection",
	  .offset = offsetof(struct pgsql_config, connect_timeout_ms) },
	{ .name = "statement_timeout", .type = TCA_OPT_DURATION, .def = "5s",
	  .help = "longest a batch may take on the server (the client gives up 2 s later)",
	  .offset = offsetof(struct pgsql_config, statement_timeout_ms) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "pgsql",
	.version = PACKAGE_VERSION,
	.description = "Events into a PostgreSQL table, in batches with COPY, with gap, run and "
		       "name records",
	.options = pgsql_options,
	.config_size = sizeof(struct pgsql_config),
	.open = pgsql_open,
	.close = pgsql_close,
	.ops.sinker = {
		.write = pgsql_write,
		.write_gaps = pgsql_write_gaps,
		.write_run = pgsql_write_run,
		.reopen = pgsql_reopen,
		.limits = pgsql_limits,
	},
	.write_names = pgsql_write_names,
};
