/* SPDX-License-Identifier: MIT */
/*
 * The pgsql sinker's connection: connect, describe the server without its
 * password, and run commands with a client-side deadline, so that a hung
 * server (or a network that swallows packets) cannot block the writer,
 * and so shutdown, for longer than the configured time-outs.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgsql.h"

/* How long past statement_timeout the client waits for a server that
 * should have cancelled the statement itself. */
#define PGCONN_GRACE_MS 2000

uint64_t pgconn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Keep one line of a libpq message, with what is between double quotes
 * replaced by "...": conninfo parse errors quote pieces of the string,
 * and those may be a password. */
static void pgconn_set_msg(struct pgsql *pg, const char *msg, bool hide_quoted)
{
	size_t o = 0;
	bool quoted = false;

	/* The server's severity adds nothing to a line that has its own. */
	if (!strncmp(msg, "FATAL:  ", 8) || !strncmp(msg, "ERROR:  ", 8))
		msg += 8;
	for (; *msg && *msg != '\n' && o + 4 < sizeof(pg->errmsg); msg++) {
		if (hide_quoted && *msg == '"') {
			quoted = !quoted;
			if (quoted) {
				memcpy(pg->errmsg + o, "\"...", 4);
				o += 4;
			} else {
				pg->errmsg[o++] = '"';
			}
			continue;
		}
		if (!quoted)
			pg->errmsg[o++] = *msg == '\t' ? ' ' : *msg;
	}
	pg->errmsg[o] = '\0';
}

#define PGCONN_DEFAULT_SERVER "the default server (libpq defaults)"

static bool pgconn_is_uri(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

/*
 * A URI whose password holds an unencoded '@' or '/' still parses, but
 * wrongly: the rest of the password becomes the host, the port or the
 * database name, and those are shown (in our logs and in libpq's errors).
 * Such a URI is refused, saying nothing of it beyond what to fix.
 */
static const char *pgconn_check_uri(const char *conninfo)
{
	const char *auth = strstr(conninfo, "://") + 3;
	size_t end = strcspn(auth, "?#");
	size_t slash = strcspn(auth, "/?#");
	const char *at = memchr(auth, '@', end);

	if (!at)
		return NULL;
	if ((size_t)(at - auth) > slash || memchr(at + 1, '@', end - (size_t)(at + 1 - auth)))
		return "the URI has an '@' or '/' that is not percent-encoded: in a password, write "
		       "%40 and %2F, or keep the password in a passfile";
	return NULL;
}

/* libpq expands a connection string or URI given as dbname only once: one
 * nested in our conninfo's dbname would be taken as a database name, and
 * shown whole (password and all) in "database ... does not exist". */
static bool pgconn_is_nested(const PQconninfoOption *opts)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && strcmp(o->keyword, "dbname") == 0)
			return strchr(o->val, '=') || pgconn_is_uri(o->val);
	return false;
}

char *pgconn_describe(const char *conninfo, char *err, size_t errsize)
{
	static const char *const shown[] = { "service", "host", "hostaddr", "port", "dbname", "user" };
	char *perr = NULL, *out;
	const char *bad = conninfo && pgconn_is_uri(conninfo) ? pgconn_check_uri(conninfo) : NULL;
	PQconninfoOption *opts;
	size_t len = 1, pos = 0;

	if (bad) {
		snprintf(err, errsize, "%s", bad);
		return NULL;
	}
	opts = PQconninfoParse(conninfo ? conninfo : "", &perr);
	if (opts && pgconn_is_nested(opts)) {
		snprintf(err, errsize, "its dbname is itself a connection string or URI, which libpq "
			 "does not expand there; give that as conninfo");
		PQconninfoFree(opts);
		return NULL;
	}
	if (!opts) {
		struct pgsql tmp = { 0 };
		pgconn_set_msg(&tmp, perr ? perr : "out of memory", true);
		snprintf(err, errsize, "%s", tmp.errmsg);
		PQfreemem(perr);
		return NULL;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val)
			len += strlen(o->keyword) + strlen(o->val) + 2;
	out = malloc(len + sizeof(PGCONN_DEFAULT_SERVER));
	if (out) {
		out[0] = '\0';
		/* Only the keys that say where: never password, nor sslpassword. */
		for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			for (PQconninfoOption *o = opts; o->keyword; o++)
				if (o->val && *o->val && strcmp(o->keyword, shown[i]) == 0)
					pos += (size_t)sprintf(out + pos, "%s%s=%s", pos ? " " : "",
							       o->keyword, o->val);
		if (!pos)
			strcpy(out, PGCONN_DEFAULT_SERVER);
	}
	PQconninfoFree(opts);
	if (!out)
		snprintf(err, errsize, "out of memory");
	return out;
}

/* A failed connection has no SQLSTATE for the client to read, so its
 * cause is told by libpq's and the server's (C locale) message. */
static int pgconn_connect_errno(const char *msg)
{
	if (strstr(msg, "database") && strstr(msg, "does not exist"))
		return -ENOENT;
	if (strstr(msg, "password") || strstr(msg, "authentication failed") ||
	    strstr(msg, "no pg_hba.conf entry") || strstr(msg, "permission denied") ||
	    (strstr(msg, "role") && strstr(msg, "does not exist")))
		return -EACCES;
	if (strstr(msg, "timeout") || strstr(msg, "timed out"))
		return -ETIMEDOUT;
	if (strstr(msg, "could not translate host name") || strstr(msg, "invalid"))
		return -EINVAL;
	/* Refused, no socket, starting up, shutting down, too many clients. */
	return -ECONNREFUSED;
}

/* Wait for the socket, at most until deadline. */
static int pgconn_wait(struct pgsql *pg, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = PQsocket(pg->conn), .events = events };

	for (;;) {
		uint64_t now = pgconn_now_ms();
		int r;

		if (p.fd < 0)
			return -ECONNRESET;
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline - now));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int pgconn_connect(struct pgsql *pg)
{
	const struct pgsql_config *c = pg->cfg;
	const char *keys[] = { "fallback_application_name", "client_encoding", "dbname", NULL };
	const char *vals[] = { "tcp-audit", "UTF8", c->conninfo ? c->conninfo : "", NULL };
	uint64_t deadline = pgconn_now_ms() + c->connect_timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	/* dbname is expanded as a conninfo string or URI; an empty one leaves
	 * everything to the PG* variables, the service file and defaults. */
	pg->conn = PQconnectStartParams(keys, vals, 1);
	if (!pg->conn)
		return -ENOMEM;
	while (PQstatus(pg->conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		int r = pgconn_wait(pg, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
		if (r == -ETIMEDOUT) {
			snprintf(pg->errmsg, sizeof(pg->errmsg),
				 "no answer within connect_timeout (%" PRIu64 " ms)", c->connect_timeout_ms);
			return r;
		}
		if (r < 0)
			break;
		st = PQconnectPoll(pg->conn);
	}
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pgconn_set_msg(pg, PQerrorMessage(pg->conn), false);
		return pgconn_connect_errno(pg->errmsg);
	}
	return 0;
}

/* Server notices ("schema already exists, skipping") would go to stderr:
 * keep them for debugging only. */
static void pgconn_notice(void *arg, const char *msg)
{
	struct pgsql *pg = arg;

	tca_log(pg->host, TCA_LOG_DEBUG, 0, "server: %.*s", (int)strcspn(msg, "\n"), msg);
}

int pgconn_open(struct pgsql *pg)
{
	char ms[32];
	const char *p[] = { ms };
	PGresult *res = NULL;
	int r;

	pg->sqlstate[0] = '\0';
	r = pgconn_connect(pg);
	if (r < 0)
		goto fail;
	PQsetNoticeProcessor(pg->conn, pgconn_notice, pg);
	if (PQsetnonblocking(pg->conn, 1) != 0) {
		pgconn_set_msg(pg, PQerrorMessage(pg->conn), false);
		r = -EIO;
		goto fail;
	}
	snprintf(ms, sizeof(ms), "%" PRIu64, pg->cfg->statement_timeout_ms);
	r = pgconn_query(pg, "SELECT set_config('statement_timeout', $1, false)", 1, p, &res);
	PQclear(res);
	if (r < 0)
		goto fail;
	pg->stage_ready = false;
	return 0;
fail:
	pgconn_close(pg);
	return r;
}

void pgconn_close(struct pgsql *pg)
{
	PQfinish(pg->conn);
	pg->conn = NULL;
}

/* Record why a command failed, and say whether to retry later. */
static int pgconn_fail(struct pgsql *pg, const PGresult *res, int err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s", state ? state : "");
	if (err == -ETIMEDOUT)
		snprintf(pg->errmsg, sizeof(pg->errmsg), "no answer within statement_timeout");
	else
		pgconn_set_msg(pg, msg ? msg : PQerrorMessage(pg->conn), false);
	if (!state || PQstatus(pg->conn) != CONNECTION_OK)
		return -EAGAIN;
	/* Classes that pass: connection, operator intervention (shutdown,
	 * cancel), insufficient resources (disk full), read-only standby,
	 * serialization and deadlock, lock not available, I/O error. */
	if (!strncmp(state, "08", 2) || !strncmp(state, "57", 2) || !strncmp(state, "53", 2) ||
	    !strcmp(state, "25006") || !strncmp(state, "40", 2) || !strcmp(state, "55P03") ||
	    !strcmp(state, "58030"))
		return -EAGAIN;
	if (!strcmp(state, "23505"))
		return -EEXIST;
	/* Data exceptions and the rows a constraint rejects (a CHECK, NOT
	 * NULL): the same rows would fail again, so the processor records
	 * them as a refused gap and goes on. */
	if (!strncmp(state, "22", 2) || !strcmp(state, "23502") || !strcmp(state, "23514"))
		return -EBADMSG;
	if (!strcmp(state, "42501"))
		return -EACCES;
	if (!strcmp(state, "42P01") || !strcmp(state, "42703") || !strcmp(state, "3F000"))
		return -ENOENT;
	return -EIO;
}

static int pgconn_flush(struct pgsql *pg, uint64_t deadline)
{
	int r;

	while ((r = PQflush(pg->conn)) == 1) {
		int w = pgconn_wait(pg, POLLOUT | POLLIN, deadline);
		if (w < 0)
			return w;
		/* The server may be sending, e.g. an error: read it, or both
		 * sides wait on full buffers. */
		if (!PQconsumeInput(pg->conn))
			return -ECONNRESET;
	}
	return r < 0 ? -ECONNRESET : 0;
}

/* The next result, or NULL when the command is complete. */
static int pgconn_result(struct pgsql *pg, uint64_t deadline, PGresult **res)
{
	while (PQisBusy(pg->conn)) {
		int r = pgconn_wait(pg, POLLIN, deadline);
		if (r < 0)
			return r;
		if (!PQconsumeInput(pg->conn))
			return -ECONNRESET;
	}
	*res = PQgetResult(pg->conn);
	return 0;
}

/*
 * Collect the results of what was sent, up to a COPY IN (when stop_at_copy)
 * or the end. The first failure is kept and returned; the rest are read
 * off so that the connection is ready for the next command.
 */
static int pgconn_collect(struct pgsql *pg, uint64_t deadline, bool stop_at_copy, PGresult **keep)
{
	int ret = 0;

	for (;;) {
		PGresult *res = NULL;
		int r = pgconn_result(pg, deadline, &res);
		ExecStatusType st;

		if (r < 0)
			return pgconn_fail(pg, NULL, r);
		if (!res)
			return ret;
		st = PQresultStatus(res);
		if (st == PGRES_COPY_IN && stop_at_copy && ret == 0) {
			PQclear(res);
			return 1;
		}
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
			PQclear(res);
			return pgconn_fail(pg, NULL, -EPROTO);
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			if (ret == 0)
				ret = pgconn_fail(pg, res, -EIO);
		} else if (keep && !*keep) {
			*keep = res;
			continue;
		}
		PQclear(res);
	}
}

static uint64_t pgconn_deadline(const struct pgsql *pg)
{
	return pgconn_now_ms() + pg->cfg->statement_timeout_ms + PGCONN_GRACE_MS;
}

static int pgconn_sent(struct pgsql *pg, int ok, uint64_t deadline)
{
	int r;

	if (!ok)
		return pgconn_fail(pg, NULL, -ECONNRESET);
	r = pgconn_flush(pg, deadline);
	return r < 0 ? pgconn_fail(pg, NULL, r) : 0;
}

int pgconn_exec(struct pgsql *pg, const char *sql)
{
	uint64_t deadline = pgconn_deadline(pg);
	int r = pgconn_sent(pg, PQsendQuery(pg->conn, sql), deadline);

	return r < 0 ? r : pgconn_collect(pg, deadline, false, NULL);
}

int pgconn_query(struct pgsql *pg, const char *sql, int nparams, const char *const *params,
		 PGresult **out)
{
	uint64_t deadline = pgconn_deadline(pg);
	int r = pgconn_sent(pg, PQsendQueryParams(pg->conn, sql, nparams, NULL, params, NULL,
						  NULL, 0), deadline);

	*out = NULL;
	if (r >= 0)
		r = pgconn_collect(pg, deadline, false, out);
	if (r < 0) {
		PQclear(*out);
		*out = NULL;
	}
	return r;
}

int pgconn_query_binary(struct pgsql *pg, const char *sql, int nparams, const char *const *params,
			const int *lengths)
{
	enum { MAX_PARAMS = 64 };
	int formats[MAX_PARAMS];
	uint64_t deadline = pgconn_deadline(pg);
	int r;

	if (nparams > MAX_PARAMS)
		return -E2BIG;
	for (int i = 0; i < nparams; i++)
		formats[i] = 1;
	r = pgconn_sent(pg, PQsendQueryParams(pg->conn, sql, nparams, NULL, params, lengths,
					      formats, 0), deadline);
	return r < 0 ? r : pgconn_collect(pg, deadline, false, NULL);
}

/* Run sql, which ends in a COPY FROM STDIN, and send data as its rows. */
int pgconn_copy(struct pgsql *pg, const char *sql, const char *data, size_t len)
{
	uint64_t deadline = pgconn_deadline(pg);
	int r = pgconn_sent(pg, PQsendQuery(pg->conn, sql), deadline);

	if (r < 0)
		return r;
	r = pgconn_collect(pg, deadline, true, NULL);
	if (r <= 0)
		return r < 0 ? r : pgconn_fail(pg, NULL, -EPROTO);
	/* Non-blocking: PQputCopyData queues, or returns 0 while libpq's
	 * buffer is full; flushing then makes room. */
	while ((r = PQputCopyData(pg->conn, data, (int)len)) == 0) {
		int f = pgconn_flush(pg, deadline);
		if (f < 0)
			return pgconn_fail(pg, NULL, f);
	}
	if (r < 0)
		return pgconn_fail(pg, NULL, -ECONNRESET);
	while ((r = PQputCopyEnd(pg->conn, NULL)) == 0) {
		int f = pgconn_flush(pg, deadline);
		if (f < 0)
			return pgconn_fail(pg, NULL, f);
	}
	r = pgconn_sent(pg, r > 0, deadline);
	return r < 0 ? r : pgconn_collect(pg, deadline, false, NULL);
}

/* A quoted identifier, for the few names SQL cannot take as parameters. */
char *pgconn_ident(struct pgsql *pg, const char *name)
{
	char *q = PQescapeIdentifier(pg->conn, name, strlen(name));
	char *copy = q ? strdup(q) : NULL;

	PQfreemem(q);
	return copy;
}
