/* SPDX-License-Identifier: MIT */
/*
 * Events and connections for the sqlite sinker. A batch is written in
 * three steps, with prepared statements and no allocation:
 *  1. the run's row gives its key and high_seq, the highest seq stored:
 *     the processor writes the batches of one origin in seq order (a
 *     spool is replayed before the queue behind it, a refused batch is
 *     split in order), so an event at or below it was stored by an
 *     earlier try of the same batch, and is skipped;
 *  2. the new events are folded, one summary per socket (lib/connfold),
 *     and each summary is one INSERT into tcp_connections, or an UPDATE
 *     of the row an earlier batch made;
 *  3. the new events are inserted, keyed by their time, pointing at their
 *     connection, and high_seq moves up.
 * So a retried batch changes nothing, and no index serves idempotency.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite-sink.h"

static const char insert_sql[] =
	"INSERT INTO tcp_events (id, run, seq, conn, oldstate, newstate, saddr, sport, daddr,"
	" dport, pid, comm, owner, uid, netns, cgroup, bytes_sent, bytes_received, lifetime_ns,"
	" time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, ?20) ON CONFLICT (id) DO NOTHING";

/* Holder over listener over unknown, as lib/connfold ranks them. */
#define OWNER_RANK(pid, owner) \
	"(CASE WHEN " pid " IS NULL THEN 0 WHEN " owner " = 1 THEN 3 WHEN " owner " = 2 THEN 2" \
	" ELSE 1 END)"
#define OWNED(col, v) \
	col " = iif(?11 IS NOT NULL AND " OWNER_RANK("?11", "?13") " >= " OWNER_RANK("pid", "owner") \
	", " v ", " col ")"

/* A connection first seen: most are, so this is tried first, and its row
 * holds what was bound. */
static const char conn_insert_sql[] =
	"INSERT INTO tcp_connections (run_key, sock, first_time, last_time, family, protocol,"
	" saddr, sport, daddr, dport, pid, comm, owner, uid, netns, cgroup, state, states, events,"
	" bytes_sent, bytes_received, last_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	" ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"
	" ON CONFLICT (run_key, sock) DO NOTHING";

/* Else this batch's summary merged into its row, with the parameters of
 * the insert: the same rules as lib/connfold's within a batch; an address
 * or port, once not zero, is fixed (events equal to it store NULL). ?23:
 * bit 0, the batch knew the source address; bit 1, the destination. */
static const char conn_update_sql[] =
	"UPDATE tcp_connections SET first_time = min(first_time, ?3),"
	" last_time = max(last_time, ?4), family = ?5, protocol = ?6,"
	" saddr = iif(?23 & 1 AND saddr = zeroblob(length(saddr)), ?7, saddr),"
	" sport = iif(sport = 0, ?8, sport),"
	" daddr = iif(?23 & 2 AND daddr = zeroblob(length(daddr)), ?9, daddr),"
	" dport = iif(dport = 0, ?10, dport),"
	" " OWNED("pid", "?11") ", " OWNED("comm", "?12") ", " OWNED("owner", "?13") ","
	" uid = coalesce(?14, uid), netns = coalesce(?15, netns), cgroup = coalesce(?16, cgroup),"
	" state = iif(?22 >= last_seq, ?17, state), states = states | ?18, events = events + ?19,"
	" bytes_sent = coalesce(?20, bytes_sent), bytes_received = coalesce(?21, bytes_received),"
	" last_seq = max(last_seq, ?22) WHERE run_key = ?1 AND sock = ?2"
	" RETURNING conn, saddr, sport, daddr, dport";

int events_prepare(struct sqlite_sink *s)
{
	int rc = db_prepare(s, insert_sql, &s->insert);

	if (rc == SQLITE_OK)
		rc = db_prepare(s, "INSERT INTO tcp_audit_runs (host, run_id, boot_id)"
			       " VALUES (?1, ?2, ?3) ON CONFLICT (host, run_id) DO NOTHING",
			       &s->run_add);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, "SELECT run_key, high_seq FROM tcp_audit_runs"
			       " WHERE host = ?1 AND run_id = ?2", &s->run_key);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, "UPDATE tcp_audit_runs SET high_seq = ?2"
			       " WHERE run_key = ?1 AND high_seq < ?2", &s->run_high);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, conn_insert_sql, &s->conn_insert);
	if (rc == SQLITE_OK)
		rc = db_prepare(s, conn_update_sql, &s->conn_update);
	return rc;
}

void events_finalize(struct sqlite_sink *s)
{
	sqlite3_stmt **all[] = { &s->insert, &s->run_add, &s->run_key, &s->run_high,
				 &s->conn_insert, &s->conn_update };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
}

static void events_bind_opt(sqlite3_stmt *st, int col, bool known, int64_t v)
{
	if (known)
		sqlite3_bind_int64(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

static int events_alen(unsigned family)
{
	return family == TCA_FAMILY_IPV6 ? 16 : 4;
}

/* The run's key and high_seq, its row made on first sight (state NULL
 * until a run record comes): host and boot id are stored once a run. */
static int events_run(struct sqlite_sink *s, const struct tca_origin *o, int64_t *key,
		      uint64_t *high)
{
	int rc;

	sqlite3_bind_text(s->run_add, 1, o->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->run_add, 2, (int64_t)o->run_id);
	sqlite3_bind_text(s->run_add, 3, o->boot_id, -1, SQLITE_STATIC);
	rc = db_exec_stmt(s->run_add);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s->run_key, 1, o->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->run_key, 2, (int64_t)o->run_id);
	rc = sqlite3_step(s->run_key);
	if (rc == SQLITE_ROW) {
		*key = sqlite3_column_int64(s->run_key, 0);
		*high = (uint64_t)sqlite3_column_int64(s->run_key, 1);
		rc = SQLITE_OK;
	}
	sqlite3_reset(s->run_key);
	return rc;
}

static bool events_known_addr(const uint8_t *a, int len)
{
	for (int i = 0; i < len; i++)
		if (a[i])
			return true;
	return false;
}

static void events_copy_blob(uint8_t dst[16], sqlite3_stmt *st, int col)
{
	int len = sqlite3_column_bytes(st, col);
	const void *p = sqlite3_column_blob(st, col);

	memset(dst, 0, 16);
	if (p && len > 0)
		memcpy(dst, p, len < 16 ? (size_t)len : 16);
}

/* Step 2, for one socket: its row's key into c->store_id. */
static int events_bind_conn(sqlite3_stmt *st, int64_t run_key, const struct connfold_conn *c)
{
	int alen = events_alen(c->family);
	bool pid = c->flags & TCA_EV_PID, bytes = c->flags & TCA_EV_BYTES;

	sqlite3_bind_int64(st, 1, run_key);
	sqlite3_bind_int64(st, 2, (int64_t)c->sock);
	sqlite3_bind_int64(st, 3, (int64_t)c->first_ns);
	sqlite3_bind_int64(st, 4, (int64_t)c->last_ns);
	sqlite3_bind_int(st, 5, c->family);
	sqlite3_bind_int(st, 6, c->protocol);
	sqlite3_bind_blob(st, 7, c->saddr, alen, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, c->sport);
	sqlite3_bind_blob(st, 9, c->daddr, alen, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, c->dport);
	events_bind_opt(st, 11, pid, c->pid);
	if (pid)
		sqlite3_bind_text(st, 12, c->comm, (int)strnlen(c->comm, sizeof(c->comm)),
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int(st, 13, pid ? c->owner : TCA_OWNER_UNKNOWN);
	events_bind_opt(st, 14, c->flags & TCA_EV_UID, c->uid);
	events_bind_opt(st, 15, c->flags & TCA_EV_NETNS, (int64_t)c->netns);
	events_bind_opt(st, 16, c->flags & TCA_EV_CGROUP, (int64_t)c->cgroup);
	sqlite3_bind_int(st, 17, c->state);
	sqlite3_bind_int64(st, 18, c->states);
	sqlite3_bind_int64(st, 19, c->events);
	events_bind_opt(st, 20, bytes, (int64_t)c->bytes_sent);
	events_bind_opt(st, 21, bytes, (int64_t)c->bytes_received);
	sqlite3_bind_int64(st, 22, (int64_t)c->last_seq);
	return sqlite3_bind_int(st, 23, events_known_addr(c->saddr, alen) |
						events_known_addr(c->daddr, alen) << 1);
}

static int events_upsert_conn(struct sqlite_sink *s, int64_t run_key, struct connfold_conn *c)
{
	sqlite3_stmt *st = s->conn_insert;
	int rc;

	events_bind_conn(st, run_key, c);
	rc = db_exec_stmt(st);
	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_changes(s->db) > 0) {
		c->store_id = sqlite3_last_insert_rowid(s->db);
		return SQLITE_OK;
	}
	st = s->conn_update;
	events_bind_conn(st, run_key, c);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* What the row holds now, which events equal to it leave out. */
		c->store_id = sqlite3_column_int64(st, 0);
		events_copy_blob(c->saddr, st, 1);
		c->sport = (uint16_t)sqlite3_column_int(st, 2);
		events_copy_blob(c->daddr, st, 3);
		c->dport = (uint16_t)sqlite3_column_int(st, 4);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* An address of the event, or NULL when it is its connection's. */
static void events_bind_addr(sqlite3_stmt *st, int col, const uint8_t *a, const uint8_t *conn,
			     int len)
{
	if (events_known_addr(a, len) && memcmp(a, conn, (size_t)len) == 0)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_blob(st, col, a, len, SQLITE_STATIC);
}

static void events_bind_port(sqlite3_stmt *st, int col, uint16_t port, uint16_t conn)
{
	if (port && port == conn)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_int(st, col, port);
}

/* Step 3, for one event: the key is its time, or the next free ns after
 * *last (the batch's last key) when taken; the exact time is then kept.
 * The blobs and the comm are bound SQLITE_STATIC: they live in the batch
 * until write() returns. */
static int events_insert(struct sqlite_sink *s, int64_t run_key, const struct connfold_conn *c,
			 const struct tca_event *ev, int64_t *last)
{
	sqlite3_stmt *st = s->insert;
	int alen = events_alen(ev->family), rc;
	bool pid = ev->flags & TCA_EV_PID, bytes = ev->flags & TCA_EV_BYTES;
	int64_t key = (int64_t)ev->time_ns;

	sqlite3_bind_int64(st, 2, run_key);
	sqlite3_bind_int64(st, 3, (int64_t)ev->seq);
	sqlite3_bind_int64(st, 4, c->store_id);
	sqlite3_bind_int(st, 5, ev->oldstate);
	sqlite3_bind_int(st, 6, ev->newstate);
	events_bind_addr(st, 7, ev->saddr, c->saddr, alen);
	events_bind_port(st, 8, ev->sport, c->sport);
	events_bind_addr(st, 9, ev->daddr, c->daddr, alen);
	events_bind_port(st, 10, ev->dport, c->dport);
	events_bind_opt(st, 11, pid, ev->pid);
	if (pid)
		sqlite3_bind_text(st, 12, ev->comm, (int)strnlen(ev->comm, sizeof(ev->comm)),
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int(st, 13, pid ? ev->owner : TCA_OWNER_UNKNOWN);
	events_bind_opt(st, 14, ev->flags & TCA_EV_UID, ev->uid);
	events_bind_opt(st, 15, ev->flags & TCA_EV_NETNS, (int64_t)ev->netns);
	events_bind_opt(st, 16, ev->flags & TCA_EV_CGROUP, (int64_t)ev->cgroup);
	events_bind_opt(st, 17, bytes, (int64_t)ev->bytes_sent);
	events_bind_opt(st, 18, bytes, (int64_t)ev->bytes_received);
	events_bind_opt(st, 19, ev->flags & TCA_EV_LIFETIME, (int64_t)ev->lifetime_ns);
	sqlite3_bind_null(st, 20);
	for (;;) {
		sqlite3_bind_int64(st, 1, key);
		rc = db_exec_stmt(st);
		if (rc != SQLITE_OK || sqlite3_changes(s->db) > 0)
			break;
		if (key == INT64_MAX) {
			rc = SQLITE_FULL;
			break;
		}
		/* Taken: by an event of the same ns, most often the batch's
		 * previous one. */
		key = key <= *last && *last < INT64_MAX ? *last + 1 : key + 1;
		sqlite3_bind_int64(st, 20, (int64_t)ev->time_ns);
	}
	*last = key;
	return rc;
}

/* At most fold.cap events: steps 2 and 3. */
static int events_store_part(struct sqlite_sink *s, int64_t run_key, uint64_t *high,
			     const struct tca_event *ev, size_t n)
{
	int64_t last = INT64_MIN;
	int rc = SQLITE_OK;

	connfold_reset(&s->fold);
	for (size_t i = 0; i < n; i++)
		s->ev_conn[i] = ev[i].seq <= *high ? -1 : (int32_t)connfold_add(&s->fold, &ev[i]);
	for (size_t c = 0; c < s->fold.n && rc == SQLITE_OK; c++)
		rc = events_upsert_conn(s, run_key, &s->fold.conn[c]);
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		if (s->ev_conn[i] < 0)
			continue;
		rc = events_insert(s, run_key, &s->fold.conn[s->ev_conn[i]], &ev[i], &last);
		if (rc == SQLITE_OK && ev[i].seq > *high)
			*high = ev[i].seq;
	}
	return rc;
}

int events_store(struct sqlite_sink *s, const struct tca_batch *b)
{
	int64_t run_key = 0;
	uint64_t high = 0, was;
	int rc = events_run(s, b->origin, &run_key, &high);

	was = high;
	for (size_t at = 0; at < b->n && rc == SQLITE_OK; at += s->fold.cap) {
		size_t n = b->n - at < s->fold.cap ? b->n - at : s->fold.cap;
		rc = events_store_part(s, run_key, &high, b->ev + at, n);
	}
	if (rc == SQLITE_OK && high > was) {
		sqlite3_bind_int64(s->run_high, 1, run_key);
		sqlite3_bind_int64(s->run_high, 2, (int64_t)high);
		rc = db_exec_stmt(s->run_high);
	}
	return rc;
}
