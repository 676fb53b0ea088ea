/* SPDX-License-Identifier: MIT */
/*
 * One batch of the pgsql sinker: the events in COPY binary format, then
 * one transaction. The fast path copies straight into the table; after a
 * failure whose outcome is unknown (the connection broke during the
 * commit), the batch goes through a staging table and
 * INSERT ... ON CONFLICT DO NOTHING, so that no event is stored twice.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "pgsql.h"

#define COPY_COLUMNS "time, host, sock, pid, comm, family, protocol, saddr, sport, daddr, " \
	"dport, oldstate, newstate, boot_id, run_id, seq, netns, cgroup, uid, bytes_sent, "  \
	"bytes_received, lifetime_ns"
#define COPY_NFIELDS 22

/* The largest encoded row, beside the host name: 22 length words and
 * the widest values (a comm of escaped bytes, two IPv6 inets). */
#define COPY_ROW_MAX (2 + COPY_NFIELDS * 4 + 8 * 9 + 4 * 6 + 2 * 20 + TCA_COMM_LEN * 4 + 16)

/* PostgreSQL's epoch is 2000-01-01 UTC; timestamptz counts microseconds. */
#define COPY_PG_EPOCH_US 946684800000000LL

/* inet's address family codes on the wire (PGSQL_AF_INET, _INET6). */
#define COPY_AF_INET 2
#define COPY_AF_INET6 3

static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

int copy_prepare(struct pgsql *pg)
{
	const char *t = pg->qtable;

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

static char *put_u16(char *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static char *put_u32(char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static char *put_i16(char *p, uint16_t v)
{
	return put_u16(put_u32(p, 2), v);
}

static char *put_i32(char *p, uint32_t v)
{
	return put_u32(put_u32(p, 4), v);
}

/* A bigint; a uint64_t past INT64_MAX is stored as its two's complement. */
static char *put_i64(char *p, uint64_t v)
{
	p = put_u32(p, 8);
	v = htobe64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

static char *put_null(char *p)
{
	return put_u32(p, UINT32_MAX);
}

static char *put_inet(char *p, unsigned family, const uint8_t addr[16])
{
	size_t n = family == TCA_FAMILY_IPV6 ? 16 : 4;

	p = put_u32(p, (uint32_t)(4 + n));
	*p++ = family == TCA_FAMILY_IPV6 ? COPY_AF_INET6 : COPY_AF_INET;
	*p++ = (char)(n * 8); /* netmask bits: a host address */
	*p++ = 0;             /* not cidr */
	*p++ = (char)n;
	memcpy(p, addr, n);
	return p + n;
}

/* The comm as text: the server rejects bytes that are not UTF-8, so those
 * (and only those) are written as \xHH. */
static char *put_comm(char *p, const char *comm)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)comm;
	size_t len = strnlen(comm, TCA_COMM_LEN);
	char *start = p + 4;
	char *o = start;

	for (size_t i = 0; i < len;) {
		size_t n = fmt_utf8_seq_len(s + i, len - i);
		if (n) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[s[i] >> 4];
			*o++ = hex[s[i] & 15];
			i++;
		}
	}
	put_u32(p, (uint32_t)(o - start));
	return o;
}

static char *copy_row(struct pgsql *pg, char *p, const struct tca_event *ev)
{
	uint32_t f = ev->flags;

	p = put_u16(p, COPY_NFIELDS);
	/* Microseconds, truncated: timestamptz holds no more. */
	p = put_i64(p, (uint64_t)((int64_t)(ev->time_ns / 1000u) - COPY_PG_EPOCH_US));
	p = put_u32(p, (uint32_t)pg->host_len);
	memcpy(p, pg->origin->host, pg->host_len);
	p += pg->host_len;
	p = put_i64(p, ev->sock);
	if (f & TCA_EV_PID) {
		p = put_i32(p, (uint32_t)ev->pid);
		p = put_comm(p, ev->comm);
	} else {
		p = put_null(put_null(p));
	}
	p = put_i16(p, ev->family);
	p = put_i16(p, ev->protocol);
	p = put_inet(p, ev->family, ev->saddr);
	p = put_i32(p, ev->sport);
	p = put_inet(p, ev->family, ev->daddr);
	p = put_i32(p, ev->dport);
	p = put_i16(p, ev->oldstate);
	p = put_i16(p, ev->newstate);
	p = put_u32(p, 16);
	memcpy(p, pg->boot_id, 16);
	p += 16;
	p = put_i64(p, pg->origin->run_id);
	p = put_i64(p, ev->seq);
	p = f & TCA_EV_NETNS ? put_i64(p, ev->netns) : put_null(p);
	p = f & TCA_EV_CGROUP ? put_i64(p, ev->cgroup) : put_null(p);
	p = f & TCA_EV_UID ? put_i64(p, ev->uid) : put_null(p);
	if (f & TCA_EV_BYTES) {
		p = put_i64(p, ev->bytes_sent);
		p = put_i64(p, ev->bytes_received);
	} else {
		p = put_null(put_null(p));
	}
	return f & TCA_EV_LIFETIME ? put_i64(p, ev->lifetime_ns) : put_null(p);
}

/* The batch in COPY binary format, in pg->buf; returns its length. */
static ssize_t copy_encode(struct pgsql *pg, const struct tca_event *ev, size_t n)
{
	size_t need = sizeof(copy_header) + 2 + n * (COPY_ROW_MAX + pg->host_len);
	char *p;

	/* Grows to the largest batch once, then is reused. */
	if (need > pg->buf_cap) {
		char *b = realloc(pg->buf, need);
		if (!b)
			return -ENOMEM;
		pg->buf = b;
		pg->buf_cap = need;
	}
	p = pg->buf;
	memcpy(p, copy_header, sizeof(copy_header));
	p += sizeof(copy_header);
	for (size_t i = 0; i < n; i++)
		p = copy_row(pg, p, &ev[i]);
	p = put_u16(p, UINT16_MAX); /* the trailer: -1 */
	return p - pg->buf;
}

/* The batch's origin goes in every row: parse its boot id only when it
 * changes, which for a live capture is never. */
static void copy_origin(struct pgsql *pg, const struct tca_origin *o)
{
	pg->origin = o;
	pg->host_len = strlen(o->host);
	if (strncmp(pg->boot_text, o->boot_id, sizeof(pg->boot_text))) {
		snprintf(pg->boot_text, sizeof(pg->boot_text), "%s", o->boot_id);
		records_parse_uuid(o->boot_id, pg->boot_id);
	}
}

int copy_write(struct pgsql *pg, const struct tca_batch *b)
{
	ssize_t len;
	int r;

	copy_origin(pg, b->origin);
	len = copy_encode(pg, b->ev, b->n);

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
