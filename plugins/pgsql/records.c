/* SPDX-License-Identifier: MIT */
/* Gap and run records for the pgsql sinker: what lets the archive prove,
 * through the view tcp_audit_completeness, that a run is complete; and
 * name records, what the ids in its events stood for. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "names.h"
#include "pgsql.h"

/* ns since the epoch (0: unknown) as timestamptz, which keeps µs. */
#define RECORDS_TS(p) "'epoch'::timestamptz + nullif(" p "::bigint, 0) / 1000 * interval '1 microsecond'"

/* A later state replaces an earlier one, but never with less knowledge:
 * running < unclean < clean or failed. */
#define RECORDS_RANK(col) "(CASE " col " WHEN 1 THEN 1 WHEN 4 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 3 ELSE 0 END)"

void records_parse_uuid(const char *s, uint8_t out[16])
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

int records_prepare(struct pgsql *pg)
{
	const char *s = pg->qschema;

	/* All the gaps in one statement, so they are stored all or none. A
	 * gap is stored once; the processor may write it again having grown
	 * it, and the larger count wins, while one of unknown size (0) stays
	 * unknown. Duplicates within the call are merged first: one
	 * statement may not update a row twice. */
	if (asprintf(&pg->sql_gaps, "INSERT INTO %s.tcp_audit_gaps AS o (host, run_id, first_seq,"
		     " count, reason, time, cpu) SELECT $1, g.r, g.f,"
		     " CASE WHEN min(g.c) = 0 THEN 0 ELSE max(g.c) END, g.re, " RECORDS_TS("min(g.t)") ","
		     " nullif(min(g.cpu), -1) FROM unnest($2::bigint[], $3::bigint[], $4::bigint[],"
		     " $5::smallint[], $6::bigint[], $7::integer[]) AS g(r, f, c, re, t, cpu)"
		     " GROUP BY g.r, g.f, g.re"
		     " ON CONFLICT (host, run_id, first_seq, reason) DO UPDATE SET count = EXCLUDED.count"
		     " WHERE o.count <> 0 AND (EXCLUDED.count = 0 OR EXCLUDED.count > o.count)", s) < 0) {
		pg->sql_gaps = NULL;
		return -ENOMEM;
	}
	/* last_seq is known only for an end (clean or failed), where 0 means
	 * a run that gave out no seq. */
	if (asprintf(&pg->sql_run, "INSERT INTO %s.tcp_audit_runs AS r (host, run_id, boot_id,"
		     " prev_run_id, state, start_time, end_time, last_seq) VALUES ($1, $2, $3::uuid,"
		     " nullif($4::bigint, 0), $5::smallint, " RECORDS_TS("$6") ", " RECORDS_TS("$7") ","
		     " CASE WHEN $5::smallint IN (2, 3) THEN $8::bigint END)"
		     " ON CONFLICT (host, run_id) DO UPDATE SET boot_id = EXCLUDED.boot_id,"
		     " prev_run_id = coalesce(EXCLUDED.prev_run_id, r.prev_run_id),"
		     " state = EXCLUDED.state, start_time = coalesce(EXCLUDED.start_time, r.start_time),"
		     " end_time = coalesce(EXCLUDED.end_time, r.end_time),"
		     " last_seq = coalesce(EXCLUDED.last_seq, r.last_seq), updated = now()"
		     " WHERE " RECORDS_RANK("EXCLUDED.state") " >= " RECORDS_RANK("r.state"), s) < 0) {
		pg->sql_run = NULL;
		return -ENOMEM;
	}
	/* All the names in one statement, all or none. One per host, boot,
	 * kind and id: the first stored stays, so a rewrite is a no-op (also
	 * for a duplicate within the call, taken in the order given). */
	if (asprintf(&pg->sql_names, "INSERT INTO %s.tcp_audit_names (host, boot_id, kind, id,"
		     " text, time, run_id) SELECT $1, $2::uuid, n.k, n.i, n.t, " RECORDS_TS("n.tm") ","
		     " n.r FROM unnest($3::text[], $4::bigint[], $5::text[], $6::bigint[],"
		     " $7::bigint[]) WITH ORDINALITY AS n(k, i, t, tm, r, o) ORDER BY n.o"
		     " ON CONFLICT (host, boot_id, kind, id) DO NOTHING", s) < 0) {
		pg->sql_names = NULL;
		return -ENOMEM;
	}
	/* The events' origin gets its row (with no state: no run record yet)
	 * the first time one of its batches comes. */
	if (asprintf(&pg->sql_run_key, "WITH n AS (INSERT INTO %s.tcp_audit_runs (host, run_id, "
		     "boot_id) VALUES ($1, $2, $3::uuid) ON CONFLICT (host, run_id) DO NOTHING "
		     "RETURNING run) SELECT run FROM n UNION ALL SELECT run FROM %s.tcp_audit_runs "
		     "WHERE host = $1 AND run_id = $2", s, s) < 0) {
		pg->sql_run_key = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A boot id as the uuid text the server takes, parsed as leniently as
 * ever, so that every row of one origin names the same boot. */
static void records_boot_text(const char *boot_id, char out[40])
{
	uint8_t u[16];

	records_parse_uuid(boot_id, u);
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
		 u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int records_run_key(struct pgsql *pg, const struct tca_origin *origin, int32_t *key)
{
	char run[24], boot[40];
	const char *params[3] = { origin->host, run, boot };
	PGresult *res = NULL;
	int r;

	records_boot_text(origin->boot_id, boot);
	snprintf(run, sizeof(run), "%" PRId64, (int64_t)origin->run_id);
	r = pgconn_query(pg, pg->sql_run_key, 3, params, &res);
	if (r >= 0 && PQntuples(res) < 1) {
		/* Made by another writer after our insert looked: the next try finds it. */
		snprintf(pg->errmsg, sizeof(pg->errmsg), "the run's row in tcp_audit_runs is not there yet");
		pg->sqlstate[0] = '\0';
		r = -EAGAIN;
	}
	if (r >= 0)
		*key = (int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return r;
}

/* Growing text arrays "{1,2,3}", one per column of the gaps. */
struct records_array {
	char *text;
	size_t len;
};

static void records_add(struct records_array *a, int64_t v, bool last)
{
	a->len += (size_t)sprintf(a->text + a->len, "%" PRId64 "%s", v, last ? "}" : ",");
}

int records_gaps(struct pgsql *pg, const struct tca_origin *origin, const struct tca_gap *g,
		 size_t n)
{
	enum { COLS = 6 };
	struct records_array col[COLS] = { 0 };
	const char *params[1 + COLS] = { origin->host };
	PGresult *res = NULL;
	int r = -ENOMEM;

	if (!n)
		return 0;
	for (int c = 0; c < COLS; c++) {
		/* 20 digits, a sign and a comma per number, the braces. */
		col[c].text = malloc(n * 22 + 3);
		if (!col[c].text)
			goto out;
		col[c].text[0] = '{';
		col[c].len = 1;
		params[1 + c] = col[c].text;
	}
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n;
		records_add(&col[0], (int64_t)g[i].run_id, last);
		records_add(&col[1], (int64_t)g[i].first_seq, last);
		records_add(&col[2], (int64_t)g[i].count, last);
		records_add(&col[3], g[i].reason, last);
		records_add(&col[4], (int64_t)g[i].time_ns, last);
		records_add(&col[5], g[i].cpu, last);
	}
	r = pgconn_query(pg, pg->sql_gaps, 1 + COLS, params, &res);
	PQclear(res);
out:
	for (int c = 0; c < COLS; c++)
		free(col[c].text);
	return r;
}

int records_run(struct pgsql *pg, const struct tca_run *run)
{
	char num[6][24], boot[40];
	const char *params[8] = { run->origin.host, num[0], boot, num[1], num[2], num[3], num[4],
				  num[5] };
	PGresult *res = NULL;
	int r;

	records_boot_text(run->origin.boot_id, boot);
	snprintf(num[0], sizeof(num[0]), "%" PRId64, (int64_t)run->origin.run_id);
	snprintf(num[1], sizeof(num[1]), "%" PRId64, (int64_t)run->prev_run_id);
	snprintf(num[2], sizeof(num[2]), "%" PRIu32, run->state);
	snprintf(num[3], sizeof(num[3]), "%" PRId64, (int64_t)run->start_ns);
	snprintf(num[4], sizeof(num[4]), "%" PRId64, (int64_t)run->end_ns);
	snprintf(num[5], sizeof(num[5]), "%" PRId64, (int64_t)run->last_seq);
	r = pgconn_query(pg, pg->sql_run, 8, params, &res);
	PQclear(res);
	return r;
}

/*
 * A name's text as the server can store it: as it is when it is UTF-8
 * with no control byte and the server holds it (pure ASCII, or a UTF8
 * server); otherwise as the comm column is, printable ASCII with every
 * other byte and the backslash as \xHH (copy_ascii_encode()), since one
 * byte the server refuses would make the names fail for good.
 */
static bool records_text_as_is(const struct pgsql *pg, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);
	bool ascii = true;

	for (size_t i = 0; i < len;) {
		size_t n = p[i] >= 0x80 ? fmt_utf8_seq_len(p + i, len - i) : 1;
		if (n == 0 || p[i] < 0x20 || p[i] == 0x7f)
			return false;
		ascii &= p[i] < 0x80;
		i += n;
	}
	if (ascii)
		return true;
	const char *enc = pg->conn ? PQparameterStatus(pg->conn, "server_encoding") : NULL;
	return enc && strcmp(enc, "UTF8") == 0;
}

/* Append text to the text[] literal at a->text as one quoted element. */
static void records_add_text(struct records_array *a, const char *text, bool last)
{
	a->text[a->len++] = '"';
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			a->text[a->len++] = '\\';
		a->text[a->len++] = *text;
	}
	a->text[a->len++] = '"';
	a->text[a->len++] = last ? '}' : ',';
	a->text[a->len] = '\0';
}

int records_names(struct pgsql *pg, const struct tca_origin *origin, const struct tca_name *name,
		  size_t n)
{
	enum { COLS = 5, KIND = 0, ID, TEXT, TIME, RUN };
	struct records_array col[COLS] = { 0 };
	char boot[40], *enc = NULL;
	const char *params[2 + COLS] = { origin->host, boot };
	size_t text_max = 3;
	PGresult *res = NULL;
	int r = -ENOMEM;

	if (!n)
		return 0;
	records_boot_text(origin->boot_id, boot);
	/* Each byte may become \xHH, whose backslash the literal doubles. */
	for (size_t i = 0; i < n; i++)
		text_max += 5 * strlen(name[i].text) + 3;
	enc = malloc(4 * TCA_NAME_MAX + 1);
	for (int c = 0; c < COLS; c++) {
		/* Numbers: 20 digits, a sign and a comma; kinds: a short word,
		 * quoted, or a number. */
		col[c].text = malloc(c == TEXT ? text_max : n * 24 + 3);
		if (!col[c].text)
			goto out;
		col[c].text[0] = '{';
		col[c].len = 1;
		params[2 + c] = col[c].text;
	}
	if (!enc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *kind = names_name_kind(name[i].kind), *text = name[i].text;
		bool last = i + 1 == n;
		char num[16];

		if (name[i].kind < 1 || name[i].kind > TCA_NAME_KIND_MAX) {
			/* A kind of a newer processor is kept under its number. */
			snprintf(num, sizeof(num), "%" PRIu32, name[i].kind);
			kind = num;
		}
		records_add_text(&col[KIND], kind, last);
		records_add(&col[ID], (int64_t)name[i].id, last);
		if (!records_text_as_is(pg, text)) {
			size_t len = strnlen(text, TCA_NAME_MAX - 1);
			enc[copy_ascii_encode(enc, text, len)] = '\0';
			text = enc;
		}
		records_add_text(&col[TEXT], text, last);
		records_add(&col[TIME], (int64_t)name[i].time_ns, last);
		records_add(&col[RUN], (int64_t)name[i].run_id, last);
	}
	r = pgconn_query(pg, pg->sql_names, 2 + COLS, params, &res);
	PQclear(res);
out:
	for (int c = 0; c < COLS; c++)
		free(col[c].text);
	free(enc);
	return r;
}
