/* SPDX-License-Identifier: MIT */
/* Encode events, and a batch's connections, as PostgreSQL COPY binary rows,
 * with size bounds built from the same per-field sizes the encoder writes. */
#include "config.h"

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "copy-encode.h"

/* PostgreSQL's epoch is 2000-01-01 UTC; timestamptz counts microseconds. */
#define COPY_PG_EPOCH_US 946684800000000LL

/* inet's address family codes on the wire (PGSQL_AF_INET, _INET6). */
#define COPY_AF_INET 2
#define COPY_AF_INET6 3

/*
 * What each kind of field takes on the wire, length word included. The
 * bound below and the put_* functions use these same names, and the unit
 * test encodes a widest row to check that the bound is exact.
 */
#define COPY_LEN 4                          /* each field's length word */
#define COPY_NULL_SIZE COPY_LEN
#define COPY_I16_SIZE (COPY_LEN + 2)
#define COPY_I32_SIZE (COPY_LEN + 4)
#define COPY_I64_SIZE (COPY_LEN + 8)
#define COPY_INET_MAX (COPY_LEN + 4 + 16)   /* family, bits, is_cidr, len; IPv6 */
#define COPY_COMM_MAX (COPY_LEN + 4 * COPY_COMM_MAX_BYTES) /* every byte \xHH */

/* An event row's fields, in order; copy_row() writes exactly these. */
#define COPY_NFIELDS 21
#define COPY_ROW_MAX                                                           \
	(2                       /* the field count */                          \
	 + COPY_I32_SIZE         /* run */                                      \
	 + 3 * COPY_I64_SIZE     /* seq, time, sock */                          \
	 + COPY_I32_SIZE         /* pid */                                      \
	 + COPY_COMM_MAX         /* comm */                                     \
	 + 3 * COPY_I16_SIZE     /* owner, family, protocol */                  \
	 + COPY_INET_MAX + COPY_I32_SIZE /* saddr, sport */                     \
	 + COPY_INET_MAX + COPY_I32_SIZE /* daddr, dport */                     \
	 + 2 * COPY_I16_SIZE     /* oldstate, newstate */                       \
	 + 3 * COPY_I64_SIZE     /* netns, cgroup, uid */                       \
	 + 2 * COPY_I64_SIZE     /* bytes_sent, bytes_received */               \
	 + COPY_I64_SIZE)        /* lifetime_ns */

/* A connection's fields, each an array element (copy_conn_field()). */
#define COPY_CONN_ROW_MAX                                                      \
	(COPY_I32_SIZE         /* run */                                      \
	 + 3 * COPY_I64_SIZE     /* sock, first_time, last_time */              \
	 + 2 * COPY_I16_SIZE     /* family, protocol */                         \
	 + COPY_INET_MAX + COPY_I32_SIZE /* saddr, sport */                     \
	 + COPY_INET_MAX + COPY_I32_SIZE /* daddr, dport */                     \
	 + 2 * COPY_I16_SIZE     /* first_state, last_state */                  \
	 + COPY_I32_SIZE         /* states */                                   \
	 + COPY_I32_SIZE         /* pid */                                      \
	 + COPY_COMM_MAX         /* comm */                                     \
	 + COPY_I16_SIZE         /* owner */                                    \
	 + 3 * COPY_I64_SIZE     /* uid, netns, cgroup */                       \
	 + 2 * COPY_I64_SIZE)    /* bytes_sent, bytes_received */

static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
#define COPY_TRAILER_SIZE 2

#define COPY_FRAME_SIZE (sizeof(copy_header) + COPY_TRAILER_SIZE)

size_t copy_row_max(void)
{
	return COPY_ROW_MAX;
}

size_t copy_conn_row_max(void)
{
	return COPY_CONN_ROW_MAX;
}

static size_t copy_frame_max(size_t row, size_t n)
{
	if (n && row > (SIZE_MAX - COPY_FRAME_SIZE) / n)
		return SIZE_MAX;
	return COPY_FRAME_SIZE + n * row;
}

size_t copy_batch_max(size_t n)
{
	return copy_frame_max(COPY_ROW_MAX, n);
}

/* The arrays' headers: dimensions, flags, element type, size, lower bound. */
#define COPY_ARRAY_HEADER (5 * 4)

size_t copy_conn_rows_max(size_t n)
{
	return copy_frame_max(COPY_CONN_ROW_MAX + 2, n);
}

size_t copy_conn_batch_max(size_t n)
{
	if (n > (SIZE_MAX - COPY_CONN_NFIELDS * COPY_ARRAY_HEADER) / COPY_CONN_ROW_MAX)
		return SIZE_MAX;
	return COPY_CONN_NFIELDS * COPY_ARRAY_HEADER + n * COPY_CONN_ROW_MAX;
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
	return put_u16(put_u32(p, COPY_I16_SIZE - COPY_LEN), v);
}

static char *put_i32(char *p, uint32_t v)
{
	return put_u32(put_u32(p, COPY_I32_SIZE - COPY_LEN), v);
}

/* A bigint; a uint64_t past INT64_MAX is stored as its two's complement. */
static char *put_i64(char *p, uint64_t v)
{
	p = put_u32(p, COPY_I64_SIZE - COPY_LEN);
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

/*
 * ASCII whatever the server's encoding: a byte the server cannot convert
 * (a UTF-8 character on a LATIN1 server: SQLSTATE 22P05), or one that is
 * not UTF-8 at all (22021), would make the whole batch fail for good, and
 * the daemon with it. The backslash is escaped too, so that the stored
 * text reads back to the exact bytes.
 */
size_t copy_ascii_encode(char *out, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	return (size_t)(o - out);
}

size_t copy_comm_encode(char *out, const char comm[TCA_COMM_LEN])
{
	return copy_ascii_encode(out, comm, strnlen(comm, COPY_COMM_MAX_BYTES));
}

static char *put_comm(char *p, const char comm[TCA_COMM_LEN])
{
	size_t n = copy_comm_encode(p + COPY_LEN, comm);

	put_u32(p, (uint32_t)n);
	return p + COPY_LEN + n;
}

/* Microseconds since PostgreSQL's epoch, truncated: timestamptz holds no more. */
static char *put_time(char *p, uint64_t ns)
{
	return put_i64(p, (uint64_t)((int64_t)(ns / 1000u) - COPY_PG_EPOCH_US));
}

/* pid and comm, or two NULLs. */
static char *put_owner(char *p, const struct tca_event *ev)
{
	if (!(ev->flags & TCA_EV_PID))
		return put_null(put_null(p));
	return put_comm(put_i32(p, (uint32_t)ev->pid), ev->comm);
}

static char *copy_row(char *p, int32_t run, const struct tca_event *ev)
{
	uint32_t f = ev->flags;

	p = put_u16(p, COPY_NFIELDS);
	p = put_i32(p, (uint32_t)run);
	p = put_i64(p, ev->seq);
	p = put_time(p, ev->time_ns);
	p = put_i64(p, ev->sock);
	p = put_owner(p, ev);
	p = put_i16(p, f & TCA_EV_PID ? ev->owner : TCA_OWNER_UNKNOWN);
	p = put_i16(p, ev->family);
	p = put_i16(p, ev->protocol);
	p = put_inet(p, ev->family, ev->saddr);
	p = put_i32(p, ev->sport);
	p = put_inet(p, ev->family, ev->daddr);
	p = put_i32(p, ev->dport);
	p = put_i16(p, ev->oldstate);
	p = put_i16(p, ev->newstate);
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

size_t copy_encode(char *buf, int32_t run, const struct tca_event *ev, size_t n)
{
	char *p = buf;

	memcpy(p, copy_header, sizeof(copy_header));
	p += sizeof(copy_header);
	for (size_t i = 0; i < n; i++)
		p = copy_row(p, run, &ev[i]);
	p = put_u16(p, UINT16_MAX); /* the trailer: -1 */
	return (size_t)(p - buf);
}

/* Each connection column's element type, in the order of copy_conn_field():
 * array_recv() refuses an array whose element type is not the column's. */
#define COPY_OID_INT2 21
#define COPY_OID_INT4 23
#define COPY_OID_INT8 20
#define COPY_OID_TEXT 25
#define COPY_OID_INET 869
#define COPY_OID_TIMESTAMPTZ 1184
static const uint32_t copy_conn_oid[COPY_CONN_NFIELDS] = {
	COPY_OID_INT4, COPY_OID_INT8, COPY_OID_TIMESTAMPTZ, COPY_OID_TIMESTAMPTZ,
	COPY_OID_INT2, COPY_OID_INT2, COPY_OID_INET, COPY_OID_INT4, COPY_OID_INET,
	COPY_OID_INT4, COPY_OID_INT2, COPY_OID_INT2, COPY_OID_INT4, COPY_OID_INT4,
	COPY_OID_TEXT, COPY_OID_INT2, COPY_OID_INT8, COPY_OID_INT8, COPY_OID_INT8,
	COPY_OID_INT8, COPY_OID_INT8,
};

/* Field col of a connection, in the same binary form as a COPY field. */
static char *copy_conn_field(char *p, unsigned col, int32_t run, const struct conn_sum *s)
{
	const struct tca_event *l = s->last, *o = s->owner;
	bool pid = o->flags & TCA_EV_PID;

	switch (col) {
	case 0: return put_i32(p, (uint32_t)run);
	case 1: return put_i64(p, s->sock);
	case 2: return put_time(p, s->first->time_ns);
	case 3: return put_time(p, l->time_ns);
	case 4: return put_i16(p, l->family);
	case 5: return put_i16(p, l->protocol);
	case 6: return put_inet(p, l->family, l->saddr);
	case 7: return put_i32(p, l->sport);
	case 8: return put_inet(p, l->family, l->daddr);
	case 9: return put_i32(p, l->dport);
	case 10: return put_i16(p, s->first->oldstate);
	case 11: return put_i16(p, l->newstate);
	case 12: return put_i32(p, s->states);
	case 13: return pid ? put_i32(p, (uint32_t)o->pid) : put_null(p);
	case 14: return pid ? put_comm(p, o->comm) : put_null(p);
	case 15: return put_i16(p, pid ? o->owner : TCA_OWNER_UNKNOWN);
	case 16: return s->uid ? put_i64(p, s->uid->uid) : put_null(p);
	case 17: return s->netns ? put_i64(p, s->netns->netns) : put_null(p);
	case 18: return s->cgroup ? put_i64(p, s->cgroup->cgroup) : put_null(p);
	case 19: return s->has_bytes ? put_i64(p, s->bytes_sent) : put_null(p);
	default: return s->has_bytes ? put_i64(p, s->bytes_received) : put_null(p);
	}
}

size_t copy_conn_arrays(char *buf, int32_t run, const struct conn_sum *sum, size_t n,
			size_t off[COPY_CONN_NFIELDS + 1])
{
	char *p = buf;

	for (unsigned c = 0; c < COPY_CONN_NFIELDS; c++) {
		char *flags;
		bool nulls = false;

		off[c] = (size_t)(p - buf);
		/* array_send's form: one dimension from 1, then the elements. */
		p = put_u32(p, 1);
		flags = p;
		p = put_u32(p, 0);
		p = put_u32(p, copy_conn_oid[c]);
		p = put_u32(p, (uint32_t)n);
		p = put_u32(p, 1);
		for (size_t i = 0; i < n; i++) {
			char *e = p;
			p = copy_conn_field(p, c, run, &sum[i]);
			nulls |= p - e == COPY_NULL_SIZE && !memcmp(e, "\377\377\377\377", 4);
		}
		put_u32(flags, nulls);
	}
	off[COPY_CONN_NFIELDS] = (size_t)(p - buf);
	return off[COPY_CONN_NFIELDS];
}

size_t copy_conn_rows(char *buf, int32_t run, const struct conn_sum *sum, size_t n)
{
	char *p = buf;

	memcpy(p, copy_header, sizeof(copy_header));
	p += sizeof(copy_header);
	for (size_t i = 0; i < n; i++) {
		p = put_u16(p, COPY_CONN_NFIELDS);
		for (unsigned c = 0; c < COPY_CONN_NFIELDS; c++)
			p = copy_conn_field(p, c, run, &sum[i]);
	}
	p = put_u16(p, UINT16_MAX);
	return (size_t)(p - buf);
}
