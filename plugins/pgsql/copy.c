/* SPDX-License-Identifier: MIT */
/*
 * One batch of the pgsql sinker: the events in COPY binary format, then
 * one transaction. The fast path copies straight into the table; after a
 * failure whose outcome is unknown (the connection broke during the
 * commit), the batch goes through a staging table and
 * INSERT ... ON CONFLICT DO NOTHING, so that no event is stored twice.
 * The rows themselves are encoded by copy-encode.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy-encode.h"
#include "pgsql.h"

#define COPY_COLUMNS "time, host, sock, pid, comm, family, protocol, saddr, sport, daddr, " \
	"dport, oldstate, newstate, boot_id, run_id, seq, netns, cgroup, uid, bytes_sent, "  \
	"bytes_received, lifetime_ns"

/* The longest host name (HOST_NAME_MAX and its NUL), encoded. */
#define COPY_HOST_TEXT_MAX (4 * 256 + 1)

int copy_prepare(struct pgsql *pg)
{
	const char *t = pg->qtable;

	pg->host_text = malloc(COPY_HOST_TEXT_MAX);
	if (!pg->host_text)
		return -ENOMEM;
	if (asprintf(&pg->sql_copy_direct, "COPY %s (" COPY_COLUMNS ") FROM STDIN (FORMAT binary)", t) < 0 ||
	    asprintf(&pg->sql_make_stage, "CREATE TEMP TABLE IF NOT EXISTS tca_stage (LIKE %s) "
		     "ON COMMIT DELETE ROWS", t) < 0 ||
	    asprintf(&pg->sql_copy_stage, "BEGIN; COPY pg_temp.tca_stage (" COPY_COLUMNS ") "
		     "FROM STDIN (FORMAT binary)") < 0 ||
	    asprintf(&pg->sql_merge_stage, "INSERT INTO %s (" COPY_COLUMNS ") SELECT " COPY_COLUMNS
		     " FROM pg_temp.tca_stage ON CONFLICT DO NOTHING; COMMIT", t) < 0)
		return -ENOMEM;
	return 0;
}

/* The batch in COPY binary format, in pg->buf; returns its length. */
static ssize_t copy_encode_batch(struct pgsql *pg, const struct tca_event *ev, size_t n)
{
	size_t need = copy_batch_max(pg->origin.host_len, n);

	if (need == SIZE_MAX || need > SSIZE_MAX)
		return -E2BIG;
	/* Grows to the largest batch once, then is reused. */
	if (need > pg->buf_cap) {
		char *b = realloc(pg->buf, need);
		if (!b)
			return -ENOMEM;
		pg->buf = b;
		pg->buf_cap = need;
	}
	return (ssize_t)copy_encode(pg->buf, &pg->origin, ev, n);
}

/*
 * The batch's origin goes in every row. The host name is text set by
 * whoever is root: the same encoding as comm. Both it and the boot id are
 * converted only when the origin changes, which for a live capture is
 * never.
 */
static void copy_set_origin(struct pgsql *pg, const struct tca_origin *o)
{
	size_t len = strnlen(o->host, 255);

	if (pg->origin_host != o->host || pg->origin.run_id != o->run_id ||
	    strncmp(pg->boot_text, o->boot_id, sizeof(pg->boot_text))) {
		pg->origin_host = o->host;
		pg->origin.host = pg->host_text;
		pg->origin.host_len = copy_ascii_encode(pg->host_text, o->host, len);
		pg->origin.run_id = o->run_id;
		snprintf(pg->boot_text, sizeof(pg->boot_text), "%s", o->boot_id);
		records_parse_uuid(o->boot_id, pg->origin.boot_id);
	}
}

int copy_write(struct pgsql *pg, const struct tca_batch *b)
{
	ssize_t len;
	int r;

	copy_set_origin(pg, b->origin);
	len = copy_encode_batch(pg, b->ev, b->n);

	if (len < 0)
		return (int)len;
	if (!pg->dedup) {
		r = pgconn_copy(pg, pg->sql_copy_direct, pg->buf, (size_t)len);
		/* A unique violation: part of this batch was committed by an
		 * attempt whose answer was lost. Merge it instead. */
		if (r != -EEXIST)
			goto out;
	}
	if (!pg->stage_ready) {
		r = pgconn_exec(pg, pg->sql_make_stage);
		if (r < 0)
			goto out;
		pg->stage_ready = true;
	}
	r = pgconn_copy(pg, pg->sql_copy_stage, pg->buf, (size_t)len);
	if (r >= 0)
		r = pgconn_exec(pg, pg->sql_merge_stage);
out:
	/* After any failure the outcome may be unknown: merge next time. */
	pg->dedup = r < 0;
	return r;
}
