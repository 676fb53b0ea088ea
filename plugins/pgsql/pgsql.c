/* SPDX-License-Identifier: MIT */
/*
 * The pgsql sinker: its options, its descriptor, and its life: open
 * (connect, schema), write (a batch per transaction, "retry later" while
 * the server is away), close.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsql.h"

/* Reconnection attempts back off from this to the maximum. */
#define PGSQL_RETRY_MIN_MS 250
#define PGSQL_RETRY_MAX_MS 10000

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
	if (!c->connect_timeout_ms || !c->statement_timeout_ms) {
		tca_log(host, TCA_LOG_ERR, 0, "connect_timeout and statement_timeout must be above "
			"zero: they bound how long a hung server can hold up shutdown");
		return -EINVAL;
	}
	return 0;
}

/* The boot id as uuid bytes: "1b4e28ba-2fa1-11d2-883f-0016d3cca427". */
static void pgsql_parse_uuid(const char *s, uint8_t out[16])
{
	unsigned n = 0;

	memset(out, 0, 16);
	for (; s && *s && n < 32; s++) {
		char c = *s;
		unsigned v;
		if (c == '-')
			continue;
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = (unsigned)(c - 'A' + 10);
		else
			break;
		out[n / 2] = (uint8_t)(out[n / 2] | (n % 2 ? v : v << 4));
		n++;
	}
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
	free(pg->sql_copy_direct);
	free(pg->sql_copy_stage);
	free(pg->sql_merge_stage);
	free(pg->sql_make_stage);
	free(pg->buf);
	free(pg->host_text);
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
	pgsql_parse_uuid(host->boot_id, pg->origin.boot_id);
	backoff_init(&pg->backoff, PGSQL_RETRY_MIN_MS, PGSQL_RETRY_MAX_MS, (uint32_t)host->run_id);
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

/* Log the start of an outage once, and wait before the next connection. */
static void pgsql_went_down(struct pgsql *pg)
{
	pgconn_close(pg);
	pg->connect_after_ms = pgconn_now_ms() + backoff_next(&pg->backoff);
	if (pg->down)
		return;
	pg->down = true;
	tca_log(pg->host, TCA_LOG_WARNING, 0, "cannot write to %s: %s; reconnecting with backoff",
		pg->where, pg->errmsg);
}

static int pgsql_reconnect(struct pgsql *pg)
{
	if (pgconn_now_ms() < pg->connect_after_ms)
		return -EAGAIN;
	if (pgconn_open(pg) < 0) {
		pgsql_went_down(pg);
		return -EAGAIN;
	}
	return 0;
}

/* The outage is over only when a batch is stored: a server may accept
 * connections and still refuse writes (read-only, disk full). */
static void pgsql_came_back(struct pgsql *pg)
{
	if (!pg->down)
		return;
	tca_log(pg->host, TCA_LOG_NOTICE, 0, "writing to %s again", pg->where);
	pg->down = false;
	backoff_reset(&pg->backoff);
}

static int pgsql_write(void *state, const struct tca_event *ev, size_t n)
{
	struct pgsql *pg = state;
	int r;

	if (!pg->conn && pgsql_reconnect(pg) < 0)
		return -EAGAIN;
	partition_ensure(pg, pgconn_now_ms());
	r = copy_write(pg, ev, n);
	if (r >= 0) {
		pgsql_came_back(pg);
		return 0;
	}
	pg->errors++;
	if (r == -EAGAIN) {
		pgsql_went_down(pg);
		return r;
	}
	if (r != -ENOMEM)
		tca_log(pg->host, TCA_LOG_ERR, 0, "storing %zu events in %s failed: %s%s%s", n,
			pg->qtable, pg->errmsg, pg->sqlstate[0] ? " SQLSTATE " : "", pg->sqlstate);
	return r;
}

/* SIGHUP: connect again before the next batch, so that a changed
 * password file, service file or DNS name takes effect. */
static int pgsql_reopen(void *state)
{
	struct pgsql *pg = state;

	pgconn_close(pg);
	pg->connect_after_ms = 0;
	return 0;
}

static void pgsql_limits(void *state, struct tca_sink_limits *limits)
{
	const struct pgsql *pg = state;

	limits->batch_max = (size_t)pg->cfg->batch_size;
	limits->max_delay_ms = pg->cfg->max_delay_ms;
}

static void pgsql_stats(void *state, struct tca_plugin_stats *stats)
{
	stats->errors = ((const struct pgsql *)state)->errors;
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
	.description = "Events into a PostgreSQL table, in batches with COPY, lossless through outages",
	.options = pgsql_options,
	.config_size = sizeof(struct pgsql_config),
	.open = pgsql_open,
	.close = pgsql_close,
	.stats = pgsql_stats,
	.ops.sinker = {
		.write = pgsql_write,
		.reopen = pgsql_reopen,
		.limits = pgsql_limits,
	},
};
