/* SPDX-License-Identifier: MIT */
/*
 * Partitions by time for the pgsql sinker: the current day or month and
 * the next ones are created ahead, so that inserts never wait on DDL, and
 * a DEFAULT partition keeps events outside every range (a replayed old
 * file, a clock far off) instead of failing the batch. With retention=,
 * the partitions that ended longer ago than it are dropped whole: never
 * a delete row by row behind the writer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgsql.h"

/* Look again this often, so that a daemon running for months keeps
 * making partitions ahead. */
#define PARTITION_CHECK_MS (3600u * 1000u)

int partition_parse(const char *name, enum pgsql_partition *out)
{
	if (!name || !*name || !strcmp(name, "none"))
		*out = PGSQL_PART_NONE;
	else if (!strcmp(name, "daily"))
		*out = PGSQL_PART_DAILY;
	else if (!strcmp(name, "monthly"))
		*out = PGSQL_PART_MONTHLY;
	else
		return -EINVAL;
	return 0;
}

/* The bounds of period i from now (0: the current one), in UTC. */
static void partition_bounds(enum pgsql_partition kind, time_t now, int i, struct tm *from,
			     struct tm *to)
{
	gmtime_r(&now, from);
	from->tm_hour = from->tm_min = from->tm_sec = 0;
	if (kind == PGSQL_PART_MONTHLY) {
		from->tm_mday = 1;
		from->tm_mon += i;
	} else {
		from->tm_mday += i;
	}
	*to = *from;
	if (kind == PGSQL_PART_MONTHLY)
		to->tm_mon++;
	else
		to->tm_mday++;
	/* Normalise the overflowed day or month. */
	{
		time_t a = timegm(from), b = timegm(to);
		gmtime_r(&a, from);
		gmtime_r(&b, to);
	}
}

/* Is the table partitioned at all? One made before partition= was set is not. */
static int partition_is_partitioned(struct pgsql *pg)
{
	const char *p[1] = { pg->qtable };
	PGresult *res = NULL;
	int r = pgconn_query(pg, "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass($1)",
			     1, p, &res);

	if (r >= 0)
		r = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

static int partition_create(struct pgsql *pg, const char *suffix, const char *bounds)
{
	char name[256], *q, *sql;
	int r = -ENOMEM;

	snprintf(name, sizeof(name), "%s_%s", pg->cfg->table, suffix);
	q = pgconn_ident(pg, name);
	if (!q)
		return r;
	/* DDL takes no parameters; the bounds are our own formatted dates. */
	if (asprintf(&sql, "CREATE TABLE IF NOT EXISTS %s.%s PARTITION OF %s %s", pg->qschema, q,
		     pg->qtable, bounds) >= 0) {
		r = pgconn_exec(pg, sql);
		free(sql);
	}
	free(q);
	return r;
}

/* When partition `name` (TABLE_YYYYMMDD or TABLE_YYYYMM, as made here)
 * ends; 0 for any other name, such as the DEFAULT partition. */
static time_t partition_end(const struct pgsql *pg, const char *name)
{
	size_t tl = strlen(pg->cfg->table), dl = pg->partition == PGSQL_PART_MONTHLY ? 6 : 8;
	struct tm tm = { 0 };
	const char *d = name + tl + 1;

	if (strncmp(name, pg->cfg->table, tl) || name[tl] != '_' || strlen(d) != dl ||
	    strspn(d, "0123456789") != dl)
		return 0;
	tm.tm_year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') - 1900;
	tm.tm_mon = (d[4] - '0') * 10 + (d[5] - '0') - 1;
	tm.tm_mday = dl == 8 ? (d[6] - '0') * 10 + (d[7] - '0') : 1;
	if (dl == 8)
		tm.tm_mday++;
	else
		tm.tm_mon++;
	return timegm(&tm);
}

/* Drop the partitions that ended more than retention ago. */
static int partition_expire(struct pgsql *pg, time_t now)
{
	const char *p[1] = { pg->qtable };
	PGresult *res = NULL;
	time_t cutoff = now - (time_t)(pg->cfg->retention_ms / 1000u);
	int r;

	if (!pg->cfg->retention_ms)
		return 0;
	r = pgconn_query(pg, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
			 " WHERE i.inhparent = to_regclass($1) ORDER BY 1", 1, p, &res);
	for (int i = 0; r >= 0 && i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		time_t end = partition_end(pg, name);
		char *q, *sql = NULL;

		if (!end || end > cutoff)
			continue;
		q = pgconn_ident(pg, name);
		r = q && asprintf(&sql, "DROP TABLE %s.%s", pg->qschema, q) >= 0 ? pgconn_exec(pg, sql)
									  : -ENOMEM;
		if (r >= 0)
			tca_log(pg->host, TCA_LOG_NOTICE, 0, "dropped the partition %s.%s: it ended "
				"longer ago than retention", pg->qschema, q);
		free(sql);
		free(q);
	}
	PQclear(res);
	return r;
}

void partition_ensure(struct pgsql *pg, uint64_t now_ms)
{
	time_t now = time(NULL);
	int r, ahead = (int)pg->cfg->partition_ahead;

	if (pg->partition == PGSQL_PART_NONE || !pg->cfg->manage_schema || now_ms < pg->partition_next_ms)
		return;
	pg->partition_next_ms = now_ms + PARTITION_CHECK_MS;
	r = partition_is_partitioned(pg);
	if (r == 0) {
		tca_log(pg->host, TCA_LOG_WARNING, 0, "the table %s is not partitioned, so partition= "
			"is ignored; partitioning applies to a table the plugin creates", pg->qtable);
		pg->partition = PGSQL_PART_NONE;
		return;
	}
	if (r > 0)
		r = partition_create(pg, "default", "DEFAULT");
	for (int i = 0; r >= 0 && i <= ahead; i++) {
		struct tm from, to;
		char suffix[16], bounds[128];

		partition_bounds(pg->partition, now, i, &from, &to);
		strftime(suffix, sizeof(suffix), pg->partition == PGSQL_PART_MONTHLY ? "%Y%m" : "%Y%m%d",
			 &from);
		snprintf(bounds, sizeof(bounds), "FOR VALUES FROM ('%04d-%02d-%02d 00:00:00+00') "
			 "TO ('%04d-%02d-%02d 00:00:00+00')", from.tm_year + 1900, from.tm_mon + 1,
			 from.tm_mday, to.tm_year + 1900, to.tm_mon + 1, to.tm_mday);
		r = partition_create(pg, suffix, bounds);
	}
	if (r >= 0 && partition_expire(pg, now) < 0)
		tca_log(pg->host, TCA_LOG_WARNING, 0, "cannot drop the expired partitions of %s: %s; "
			"retrying in an hour", pg->qtable, pg->errmsg);
	if (r < 0) {
		/* Not fatal: the DEFAULT partition takes the rows meanwhile. */
		tca_log(pg->host, TCA_LOG_WARNING, 0, "cannot create the partitions of %s ahead: %s; "
			"retrying in an hour", pg->qtable, pg->errmsg);
	}
}
