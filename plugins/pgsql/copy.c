/* SPDX-License-Identifier: MIT */
/*
 * One batch of the pgsql sinker, in one transaction:
 * - lock the run's row in tcp_audit_runs and read its stored_seq, the
 *   highest seq stored for that origin;
 * - a batch wholly above it is new: COPY it straight into the table; one
 *   that is not (a retry after a commit whose answer was lost, a spool
 *   replayed twice) goes through a staging table, and only the rows that
 *   are not stored yet are inserted, so that no event is stored twice and
 *   none is dropped, whatever order batches come in;
 * - the batch's connections (conn-agg.c): those of this run's sockets that
 *   the sinker never wrote (conn-seen.c), most of them, are copied in as
 *   new rows; the others are merged in, sent as one array per column;
 * - move stored_seq, and commit.
 * The rows themselves are encoded by copy-encode.c.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copy-encode.h"
#include "pgsql.h"

#define COPY_COLUMNS "run, seq, time, sock, pid, comm, owner, family, protocol, saddr, sport, " \
	"daddr, dport, oldstate, newstate, netns, cgroup, uid, bytes_sent, bytes_received, "    \
	"lifetime_ns"

/* The most sockets of this run that the sinker keeps track of: open ones,
 * since a closed one is forgotten; past it, every connection is merged. */
#define COPY_SEEN_MAX (256u * 1024u)

#define COPY_CONN_COLUMNS "run, sock, first_time, last_time, family, protocol, saddr, sport, " \
	"daddr, dport, first_state, last_state, states, pid, comm, owner, uid, netns, cgroup, "   \
	"bytes_sent, bytes_received"

/* The parameters of the merge: one array per column, in that order. Set
 * functions in the select list run in step without a tuplestore, which
 * unnest() in FROM fills first. */
#define U(n, type) "unnest($" #n "::" type "[])"
#define COPY_CONN_ARRAYS U(1, "integer") ", " U(2, "bigint") ", " U(3, "timestamptz") ", "    \
	U(4, "timestamptz") ", " U(5, "smallint") ", " U(6, "smallint") ", " U(7, "inet") ", " \
	U(8, "integer") ", " U(9, "inet") ", " U(10, "integer") ", " U(11, "smallint") ", "    \
	U(12, "smallint") ", " U(13, "integer") ", " U(14, "integer") ", " U(15, "text") ", "  \
	U(16, "smallint") ", " U(17, "bigint") ", " U(18, "bigint") ", " U(19, "bigint") ", "  \
	U(20, "bigint") ", " U(21, "bigint")

/* The merge keeps what the batch-side summary keeps (conn-agg.h): the
 * earliest start, the latest addresses and state, the best owner, every
 * state seen, the most bytes. Each rule gives the same row when a batch
 * is merged twice. */
#define LATER "EXCLUDED.last_time >= c.last_time"
#define LATEST(col) col " = CASE WHEN " LATER " THEN EXCLUDED." col " ELSE c." col " END"
#define RANK(t) "(CASE WHEN " t ".pid IS NULL THEN 0 WHEN " t ".owner = 1 THEN 2 ELSE 1 END)"
#define BETTER "(" RANK("EXCLUDED") " > " RANK("c") " OR (" RANK("EXCLUDED") " = " RANK("c") \
	" AND " LATER "))"
#define OWNER(col) col " = CASE WHEN " BETTER " THEN EXCLUDED." col " ELSE c." col " END"
#define KNOWN(col) col " = coalesce(EXCLUDED." col ", c." col ")"
#define MOST(col) col " = greatest(EXCLUDED." col ", c." col ")"

static const char copy_conn_merge[] =
	" ON CONFLICT (run, sock) DO UPDATE SET"
	" first_time = least(EXCLUDED.first_time, c.first_time),"
	" first_state = CASE WHEN EXCLUDED.first_time < c.first_time THEN EXCLUDED.first_state"
	" ELSE c.first_state END,"
	" last_time = greatest(EXCLUDED.last_time, c.last_time), "
	LATEST("family") ", " LATEST("protocol") ", " LATEST("saddr") ", " LATEST("sport") ", "
	LATEST("daddr") ", " LATEST("dport") ", " LATEST("last_state") ","
	" states = EXCLUDED.states | c.states, "
	OWNER("pid") ", " OWNER("comm") ", " OWNER("owner") ", "
	KNOWN("uid") ", " KNOWN("netns") ", " KNOWN("cgroup") ", "
	MOST("bytes_sent") ", " MOST("bytes_received");

int copy_prepare(struct pgsql *pg)
{
	const char *t = pg->qtable, *s = pg->qschema;

	if (asprintf(&pg->sql_copy_direct, "COPY %s (" COPY_COLUMNS ") FROM STDIN (FORMAT binary)", t) < 0 ||
	    asprintf(&pg->sql_make_stage, "CREATE TEMP TABLE IF NOT EXISTS tca_stage (LIKE %s) "
		     "ON COMMIT DELETE ROWS", t) < 0 ||
	    asprintf(&pg->sql_copy_stage, "COPY pg_temp.tca_stage (" COPY_COLUMNS ") "
		     "FROM STDIN (FORMAT binary)") < 0 ||
	    /* The stored rows of the batch's seq and time range, found through
	     * the BRIN indexes, and in each partition of its times only. */
	    asprintf(&pg->sql_merge_stage, "INSERT INTO %s (" COPY_COLUMNS ") SELECT " COPY_COLUMNS
		     " FROM pg_temp.tca_stage WHERE seq NOT IN (SELECT seq FROM %s WHERE run = $1"
		     " AND seq BETWEEN $2 AND $3 AND time BETWEEN $4::timestamptz AND $5::timestamptz)",
		     t, t) < 0 ||
	    asprintf(&pg->sql_merge_conns, "INSERT INTO %s.tcp_connections AS c (" COPY_CONN_COLUMNS
		     ") SELECT " COPY_CONN_ARRAYS "%s", s, copy_conn_merge) < 0 ||
	    asprintf(&pg->sql_copy_conns, "COPY %s.tcp_connections (" COPY_CONN_COLUMNS ") FROM "
		     "STDIN (FORMAT binary)", s) < 0 ||
	    asprintf(&pg->sql_lock_run, "SELECT coalesce(stored_seq, 0) FROM %s.tcp_audit_runs "
		     "WHERE run = $1 FOR UPDATE", s) < 0 ||
	    asprintf(&pg->sql_stored, "UPDATE %s.tcp_audit_runs SET stored_seq = "
		     "greatest(stored_seq, $2::bigint) WHERE run = $1", s) < 0)
		return -ENOMEM;
	return conn_seen_init(&pg->seen, COPY_SEEN_MAX);
}

void copy_free(struct pgsql *pg)
{
	free(pg->sql_copy_direct);
	free(pg->sql_copy_stage);
	free(pg->sql_merge_stage);
	free(pg->sql_make_stage);
	free(pg->sql_merge_conns);
	free(pg->sql_copy_conns);
	free(pg->sql_lock_run);
	free(pg->sql_stored);
	free(pg->buf);
	free(pg->cbuf);
	conn_agg_free(&pg->agg);
	conn_seen_free(&pg->seen);
}

/* Grow *buf to need bytes once, then reuse it. */
static int copy_reserve(char **buf, size_t *cap, size_t need)
{
	char *b;

	if (need == SIZE_MAX || need > INT_MAX)
		return -E2BIG; /* PQputCopyData takes an int */
	if (need <= *cap)
		return 0;
	b = realloc(*buf, need);
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = need;
	return 0;
}

/* The key of the batch's origin: looked up when the origin changes, which
 * for a live capture is once. */
static int copy_set_origin(struct pgsql *pg, const struct tca_origin *o)
{
	int r;

	if (pg->run && pg->origin_run_id == o->run_id &&
	    !strncmp(pg->origin_host, o->host, sizeof(pg->origin_host)) &&
	    !strncmp(pg->boot_text, o->boot_id, sizeof(pg->boot_text)))
		return 0;
	pg->run = 0;
	r = records_run_key(pg, o, &pg->run);
	if (r < 0)
		return r;
	snprintf(pg->origin_host, sizeof(pg->origin_host), "%s", o->host);
	snprintf(pg->boot_text, sizeof(pg->boot_text), "%s", o->boot_id);
	pg->origin_run_id = o->run_id;
	return 0;
}

/* The highest seq stored for the run, its row locked until the commit, so
 * that two writers of one origin take turns. */
static int copy_lock_run(struct pgsql *pg, uint64_t *stored)
{
	char key[16];
	const char *p[1] = { key };
	PGresult *res = NULL;
	int r;

	snprintf(key, sizeof(key), "%" PRId32, pg->run);
	r = pgconn_exec(pg, "BEGIN");
	if (r >= 0)
		r = pgconn_query(pg, pg->sql_lock_run, 1, p, &res);
	if (r >= 0 && PQntuples(res) != 1) {
		/* The row went (deleted by hand): the next try makes it again. */
		snprintf(pg->errmsg, sizeof(pg->errmsg), "the run's row in tcp_audit_runs is gone");
		pg->sqlstate[0] = '\0';
		pg->run = 0;
		r = -EAGAIN;
	}
	if (r >= 0)
		*stored = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return r;
}

static int copy_set_stored(struct pgsql *pg, uint64_t seq)
{
	char key[16], s[24];
	const char *p[2] = { key, s };
	PGresult *res = NULL;
	int r;

	snprintf(key, sizeof(key), "%" PRId32, pg->run);
	snprintf(s, sizeof(s), "%" PRId64, (int64_t)seq);
	r = pgconn_query(pg, pg->sql_stored, 2, p, &res);
	PQclear(res);
	return r;
}

/* The staged events whose seq is not stored yet, into the table. */
static int copy_merge_events(struct pgsql *pg, const struct tca_batch *b, uint64_t lo, uint64_t hi)
{
	char v[5][40];
	const char *p[5] = { v[0], v[1], v[2], v[3], v[4] };
	uint64_t tlo = UINT64_MAX, thi = 0;
	PGresult *res = NULL;
	int r;

	for (size_t i = 0; i < b->n; i++) {
		if (b->ev[i].time_ns < tlo)
			tlo = b->ev[i].time_ns;
		if (b->ev[i].time_ns > thi)
			thi = b->ev[i].time_ns;
	}
	snprintf(v[0], sizeof(v[0]), "%" PRId32, pg->run);
	snprintf(v[1], sizeof(v[1]), "%" PRId64, (int64_t)lo);
	snprintf(v[2], sizeof(v[2]), "%" PRId64, (int64_t)hi);
	/* Whole seconds around the range: timestamptz takes the epoch form. */
	snprintf(v[3], sizeof(v[3]), "epoch");
	snprintf(v[4], sizeof(v[4]), "infinity");
	if (thi >= tlo) {
		time_t a = (time_t)(tlo / 1000000000u), z = (time_t)(thi / 1000000000u) + 1;
		struct tm ta, tz;
		gmtime_r(&a, &ta);
		gmtime_r(&z, &tz);
		strftime(v[3], sizeof(v[3]), "%Y-%m-%d %H:%M:%S+00", &ta);
		strftime(v[4], sizeof(v[4]), "%Y-%m-%d %H:%M:%S+00", &tz);
	}
	r = pgconn_query(pg, pg->sql_merge_stage, 5, p, &res);
	PQclear(res);
	return r;
}

/* The events; returns 1 when they were all new (above stored_seq). */
static int copy_events(struct pgsql *pg, const struct tca_batch *b, uint64_t stored)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t len;
	int r;

	for (size_t i = 0; i < b->n; i++) {
		if (b->ev[i].seq < lo)
			lo = b->ev[i].seq;
		if (b->ev[i].seq > hi)
			hi = b->ev[i].seq;
	}
	r = copy_reserve(&pg->buf, &pg->buf_cap, copy_batch_max(b->n));
	if (r < 0)
		return r;
	len = copy_encode(pg->buf, pg->run, b->ev, b->n);
	if (lo > stored)
		r = pgconn_copy(pg, pg->sql_copy_direct, pg->buf, len);
	else if ((r = pgconn_copy(pg, pg->sql_copy_stage, pg->buf, len)) >= 0)
		r = copy_merge_events(pg, b, lo, hi);
	if (r >= 0 && hi > stored)
		r = copy_set_stored(pg, hi);
	return r < 0 ? r : lo > stored;
}

/* Is the batch of the run this process captures? Only its sockets can be
 * known never to have been written, by this process, which is its only
 * writer. */
static bool copy_is_this_run(const struct pgsql *pg, const struct tca_origin *o)
{
	return o->run_id == pg->host->run_id && pg->host->hostname &&
	       !strcmp(o->host, pg->host->hostname);
}

/*
 * Put the sockets this run never wrote first, and return how many: their
 * rows are new. Every socket of the batch may have a row once the batch
 * is sent, whatever comes of it, except one whose life ended in it (which
 * the set forgets, so that it stays small).
 */
static size_t copy_split_new(struct pgsql *pg, bool fast)
{
	struct conn_sum *sum = pg->agg.sum;
	size_t nnew = 0;

	for (size_t i = 0; i < pg->agg.n; i++) {
		if (fast && !conn_seen_has(&pg->seen, sum[i].sock)) {
			struct conn_sum t = sum[nnew];
			sum[nnew++] = sum[i];
			sum[i] = t;
		}
	}
	for (size_t i = 0; fast && i < pg->agg.n; i++) {
		if (sum[i].last->newstate == TCA_STATE_CLOSE)
			conn_seen_del(&pg->seen, sum[i].sock);
		else
			conn_seen_add(&pg->seen, sum[i].sock);
	}
	return nnew;
}

static int copy_merge_conns(struct pgsql *pg, const struct conn_sum *sum, size_t n)
{
	size_t off[COPY_CONN_NFIELDS + 1];
	const char *params[COPY_CONN_NFIELDS];
	int lengths[COPY_CONN_NFIELDS];
	int r = copy_reserve(&pg->cbuf, &pg->cbuf_cap, copy_conn_batch_max(n));

	if (r < 0)
		return r;
	copy_conn_arrays(pg->cbuf, pg->run, sum, n, off);
	for (int c = 0; c < COPY_CONN_NFIELDS; c++) {
		params[c] = pg->cbuf + off[c];
		lengths[c] = (int)(off[c + 1] - off[c]);
	}
	return pgconn_query_binary(pg, pg->sql_merge_conns, COPY_CONN_NFIELDS, params, lengths);
}

static int copy_connections(struct pgsql *pg, const struct tca_batch *b, bool fast)
{
	size_t nnew;
	int r = conn_agg_batch(&pg->agg, b->ev, b->n);

	if (r < 0)
		return r;
	nnew = copy_split_new(pg, fast && copy_is_this_run(pg, b->origin));
	if (nnew) {
		r = copy_reserve(&pg->cbuf, &pg->cbuf_cap, copy_conn_rows_max(nnew));
		if (r >= 0)
			r = pgconn_copy(pg, pg->sql_copy_conns, pg->cbuf,
					copy_conn_rows(pg->cbuf, pg->run, pg->agg.sum, nnew));
	}
	if (r >= 0 && nnew < pg->agg.n)
		r = copy_merge_conns(pg, pg->agg.sum + nnew, pg->agg.n - nnew);
	return r < 0 ? r : pgconn_exec(pg, "COMMIT");
}

static int copy_write_once(struct pgsql *pg, const struct tca_batch *b, bool fast)
{
	uint64_t stored = 0;
	int r;

	r = copy_set_origin(pg, b->origin);
	if (r >= 0 && !pg->stage_ready) {
		r = pgconn_exec(pg, pg->sql_make_stage);
		pg->stage_ready = r >= 0;
	}
	if (r >= 0)
		r = copy_lock_run(pg, &stored);
	if (r >= 0)
		r = copy_events(pg, b, stored);
	/* Events that may be stored already: their sockets too. */
	if (r >= 0)
		r = copy_connections(pg, b, fast && r == 1);
	return r;
}

/* A socket taken for new had a row (its id was used again after its
 * close): the batch again, with every connection merged. */
int copy_write(struct pgsql *pg, const struct tca_batch *b)
{
	int r;

	if (!b->n)
		return 0;
	r = copy_write_once(pg, b, true);
	if (r != -EEXIST)
		return r;
	if (pgconn_exec(pg, "ROLLBACK") < 0)
		return -EAGAIN;
	return copy_write_once(pg, b, false);
}
