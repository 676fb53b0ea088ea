/* SPDX-License-Identifier: MIT */
/* Encode events as PostgreSQL COPY binary rows, with a size bound that is
 * built from the same per-field sizes that the encoder writes. */
#include "config.h"

#include <endian.h>
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
#define COPY_UUID_SIZE (COPY_LEN + 16)
#define COPY_INET_MAX (COPY_LEN + 4 + 16)   /* family, bits, is_cidr, len; IPv6 */
#define COPY_COMM_MAX (COPY_LEN + 4 * COPY_COMM_MAX_BYTES) /* every byte \xHH */

/* The row's fields, in order; copy_row() writes exactly these. */
#define COPY_NFIELDS 22
#define COPY_ROW_FIXED_MAX                                                     \
	(2                       /* the field count */                          \
	 + COPY_I64_SIZE         /* time */                                     \
	 + COPY_LEN              /* host, beside its bytes */                   \
	 + COPY_I64_SIZE         /* sock */                                     \
	 + COPY_I32_SIZE         /* pid */                                      \
	 + COPY_COMM_MAX         /* comm */                                     \
	 + 2 * COPY_I16_SIZE     /* family, protocol */                         \
	 + COPY_INET_MAX + COPY_I32_SIZE /* saddr, sport */                     \
	 + COPY_INET_MAX + COPY_I32_SIZE /* daddr, dport */                     \
	 + 2 * COPY_I16_SIZE     /* oldstate, newstate */                       \
	 + COPY_UUID_SIZE        /* boot_id */                                  \
	 + 2 * COPY_I64_SIZE     /* run_id, seq */                              \
	 + 3 * COPY_I64_SIZE     /* netns, cgroup, uid */                       \
	 + 2 * COPY_I64_SIZE     /* bytes_sent, bytes_received */               \
	 + COPY_I64_SIZE)        /* lifetime_ns */

static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
#define COPY_TRAILER_SIZE 2

size_t copy_row_max(size_t host_len)
{
	if (host_len > SIZE_MAX - COPY_ROW_FIXED_MAX)
		return SIZE_MAX;
	return COPY_ROW_FIXED_MAX + host_len;
}

size_t copy_batch_max(size_t host_len, size_t n)
{
	size_t row = copy_row_max(host_len);
	size_t frame = sizeof(copy_header) + COPY_TRAILER_SIZE;

	if (row == SIZE_MAX || (n && row > (SIZE_MAX - frame) / n))
		return SIZE_MAX;
	return frame + n * row;
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

static char *put_bytes(char *p, const void *data, size_t len)
{
	p = put_u32(p, (uint32_t)len);
	memcpy(p, data, len);
	return p + len;
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

static char *copy_row(char *p, const struct copy_origin *o, const struct tca_event *ev)
{
	uint32_t f = ev->flags;

	p = put_u16(p, COPY_NFIELDS);
	/* Microseconds, truncated: timestamptz holds no more. */
	p = put_i64(p, (uint64_t)((int64_t)(ev->time_ns / 1000u) - COPY_PG_EPOCH_US));
	p = put_bytes(p, o->host, o->host_len);
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
	p = put_bytes(p, o->boot_id, sizeof(o->boot_id));
	p = put_i64(p, o->run_id);
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

size_t copy_encode(char *buf, const struct copy_origin *o, const struct tca_event *ev, size_t n)
{
	char *p = buf;

	memcpy(p, copy_header, sizeof(copy_header));
	p += sizeof(copy_header);
	for (size_t i = 0; i < n; i++)
		p = copy_row(p, o, &ev[i]);
	p = put_u16(p, UINT16_MAX); /* the trailer: -1 */
	return (size_t)(p - buf);
}
