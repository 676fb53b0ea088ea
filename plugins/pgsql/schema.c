/* SPDX-License-Identifier: MIT */
/*
 * The pgsql sinker's schema: read the version the database has, run the
 * newer sections of the embedded tcp-audit-pgsql.sql, or, when the DBA
 * manages the schema, only check it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgsql.h"

/* The shipped DDL file, as a string (generated from tcp-audit-pgsql.sql). */
static const char schema_ddl[] =
#include "pgsql-ddl.h"
	;

#define SCHEMA_MARK "-- tcp-audit schema version "

struct schema_subst {
	const char *token;  /* as psql writes its variables */
	const char *value;
};

/* Append len bytes to the growing string *out. */
static int schema_append(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + n;
		char *p = realloc(*out, ncap);
		if (!p)
			return -ENOMEM;
		*out = p;
		*cap = ncap;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}

/* The sections of the DDL newer than version `from`, with the psql
 * variables replaced by quoted identifiers and literals. */
static char *schema_render(const struct schema_subst *subst, size_t nsubst, int from)
{
	const char *p = schema_ddl;
	char *out = NULL;
	size_t len = 0, cap = 0;
	int section = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);

		if (!strncmp(p, SCHEMA_MARK, strlen(SCHEMA_MARK)))
			section = atoi(p + strlen(SCHEMA_MARK));
		if (section > from) {
			for (const char *q = p; q < p + n;) {
				size_t i;
				for (i = 0; i < nsubst; i++)
					if (!strncmp(q, subst[i].token, strlen(subst[i].token)))
						break;
				if (i < nsubst) {
					if (schema_append(&out, &len, &cap, subst[i].value,
							  strlen(subst[i].value)) < 0)
						goto oom;
					q += strlen(subst[i].token);
				} else {
					if (schema_append(&out, &len, &cap, q, 1) < 0)
						goto oom;
					q++;
				}
			}
		}
		p += n;
	}
	return out;
oom:
	free(out);
	return NULL;
}

/* The version the table has: 0 when there is no table, -1 when there is
 * a table that tcp-audit did not make. */
static int schema_version(struct pgsql *pg, int *version)
{
	char vt[512];
	const char *p[2] = { pg->qtable, vt };
	PGresult *res = NULL;
	bool have_table, have_versions;
	int r;

	snprintf(vt, sizeof(vt), "%s.tcp_audit_schema_version", pg->qschema);
	r = pgconn_query(pg, "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", 2, p, &res);
	if (r < 0)
		return r;
	have_table = PQgetvalue(res, 0, 0)[0] == 't';
	have_versions = PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	*version = have_table ? -1 : 0;
	if (!have_versions)
		return 0;
	{
		char sql[600];
		const char *name[1] = { pg->cfg->table };
		snprintf(sql, sizeof(sql), "SELECT version FROM %s WHERE table_name = $1", vt);
		r = pgconn_query(pg, sql, 1, name, &res);
		if (r < 0)
			return r;
		if (PQntuples(res) == 1)
			*version = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	if (*version > 0 && !have_table)
		*version = 0; /* dropped by hand: start again */
	return 0;
}

static int schema_migrate(struct pgsql *pg, int from)
{
	char view[256], *qview = NULL, *lit = NULL, *slit = NULL, *sql = NULL;
	int r = -ENOMEM;

	snprintf(view, sizeof(view), "%s_named", pg->cfg->table);
	qview = pgconn_ident(pg, view);
	lit = PQescapeLiteral(pg->conn, pg->cfg->table, strlen(pg->cfg->table));
	slit = PQescapeLiteral(pg->conn, pg->cfg->schema, strlen(pg->cfg->schema));
	if (qview && lit && slit) {
		const struct schema_subst subst[] = {
			{ ":\"schema\"", pg->qschema },
			{ ":\"table\"", pg->qtable + strlen(pg->qschema) + 1 },
			{ ":\"view\"", qview },
			{ ":'table'", lit },
			{ ":'schema'", slit },
			{ ":partition", pg->partition != PGSQL_PART_NONE ? "PARTITION BY RANGE (time)" : "" },
		};
		sql = schema_render(subst, sizeof(subst) / sizeof(subst[0]), from);
	}
	if (sql)
		r = pgconn_exec(pg, sql); /* one implicit transaction: all or nothing */
	if (r < 0)
		tca_log(pg->host, TCA_LOG_ERR, 0, "cannot %s the table %s on %s: %s (check the "
			"role's CREATE rights, or create it with tcp-audit-pgsql.sql and set "
			"manage_schema=no)", from ? "migrate" : "create", pg->qtable, pg->where,
			r == -ENOMEM ? "out of memory" : pg->errmsg);
	else if (from)
		tca_log(pg->host, TCA_LOG_NOTICE, 0, "migrated the table %s from schema version %d to %d",
			pg->qtable, from, PGSQL_SCHEMA_VERSION);
	else
		tca_log(pg->host, TCA_LOG_NOTICE, 0, "created the table %s (schema version %d)",
			pg->qtable, PGSQL_SCHEMA_VERSION);
	free(sql);
	free(qview);
	PQfreemem(lit);
	PQfreemem(slit);
	return r == -EAGAIN ? -ECONNREFUSED : r;
}

int schema_prepare(struct pgsql *pg)
{
	int version, r = schema_version(pg, &version);

	if (r < 0) {
		tca_log(pg->host, TCA_LOG_ERR, 0, "cannot read the schema version of %s on %s: %s",
			pg->qtable, pg->where, pg->errmsg);
		return r == -EAGAIN ? -ECONNREFUSED : r;
	}
	if (version == PGSQL_SCHEMA_VERSION)
		return 0;
	if (version > PGSQL_SCHEMA_VERSION) {
		tca_log(pg->host, TCA_LOG_ERR, 0, "the table %s has schema version %d, newer than this "
			"plugin's %d: upgrade tcp-audit, or write to another table (table=)",
			pg->qtable, version, PGSQL_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (version < 0) {
		tca_log(pg->host, TCA_LOG_ERR, 0, "the table %s exists but has no tcp-audit schema "
			"version: choose another table (table=), or record its version in %s.tcp_audit_"
			"schema_version", pg->qtable, pg->qschema);
		return -EEXIST;
	}
	if (!pg->cfg->manage_schema) {
		if (version)
			tca_log(pg->host, TCA_LOG_ERR, 0, "the table %s has schema version %d, older than "
				"this plugin's %d: migrate it with tcp-audit-pgsql.sql, or set "
				"manage_schema=yes", pg->qtable, version, PGSQL_SCHEMA_VERSION);
		else
			tca_log(pg->host, TCA_LOG_ERR, 0, "the table %s does not exist: create it with "
				"tcp-audit-pgsql.sql, or set manage_schema=yes", pg->qtable);
		return -ENOENT;
	}
	return schema_migrate(pg, version);
}
