/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/pgsql/copy-encode.c: the COPY binary rows, their
 * size bound (exact for the widest row, never overrun), the comm's ASCII
 * encoding, and a batch's connections (conn-agg.c) as arrays. */
#include "config.h"

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn-seen.h"
#include "copy-encode.h"
#include "suites.h"

#define GUARD 64

#define RUN 0x01234567

/* The widest event there is: IPv6, every optional field, and a comm of 16
 * bytes that each need an escape (no NUL: an eventer's bug). */
static struct tca_event widest(void)
{
	struct tca_event ev = { 0 };

	ev.time_ns = UINT64_MAX;
	ev.sock = UINT64_MAX;
	ev.seq = UINT64_MAX;
	ev.flags = TCA_EV_PID | TCA_EV_NETNS | TCA_EV_CGROUP | TCA_EV_UID | TCA_EV_BYTES |
		   TCA_EV_LIFETIME;
	ev.pid = INT32_MAX;
	memset(ev.comm, 0xff, sizeof(ev.comm));
	ev.family = TCA_FAMILY_IPV6;
	ev.protocol = TCA_PROTO_TCP;
	memset(ev.saddr, 0xee, sizeof(ev.saddr));
	memset(ev.daddr, 0xdd, sizeof(ev.daddr));
	return ev;
}

/* Encode into a buffer of exactly the bound, followed by guard bytes:
 * ASan sees an overrun of the heap block, a plain build the guard. */
static char *encode(const struct tca_event *ev, size_t n, size_t *len)
{
	size_t max = copy_batch_max(n);
	char *buf = malloc(max + GUARD);

	ck_assert_ptr_nonnull(buf);
	memset(buf + max, 0xa5, GUARD);
	*len = copy_encode(buf, RUN, ev, n);
	ck_assert_uint_le(*len, max);
	for (size_t i = 0; i < GUARD; i++)
		ck_assert_uint_eq((unsigned char)buf[max + i], 0xa5);
	return buf;
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

#define NF 21

/* Walk nf fields, each a length (or -1, NULL) and its bytes; fields[i]
 * points at field i's bytes (NULL for NULL), lens[i] its length. */
static const char *walk_fields(const char *p, int nf, const char **fields, uint32_t *lens)
{
	for (int i = 0; i < nf; i++) {
		lens[i] = get_u32(p);
		p += 4;
		fields[i] = lens[i] == UINT32_MAX ? NULL : p;
		if (fields[i])
			p += lens[i];
	}
	return p;
}

/* Walk one event row: its field count, then NF fields. */
static const char *walk_row(const char *p, const char *fields[NF], uint32_t lens[NF])
{
	uint16_t nf;

	memcpy(&nf, p, 2);
	ck_assert_uint_eq(be16toh(nf), NF);
	return walk_fields(p + 2, NF, fields, lens);
}

START_TEST(test_copy_bound_exact)
{
	struct tca_event ev[3] = { widest(), widest(), widest() };
	size_t len;
	char *buf = encode(ev, 3, &len);

	/* The bound is not a guess: the widest rows fill it to the byte. */
	ck_assert_uint_eq(len, copy_batch_max(3));
	ck_assert_uint_eq(copy_batch_max(3) - copy_batch_max(2), copy_row_max());
	free(buf);

	/* No rows: the header and the trailer. */
	buf = encode(NULL, 0, &len);
	ck_assert_uint_eq(len, 19 + 2);
	ck_assert_int_eq(memcmp(buf, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0\377\377", 21), 0);
	free(buf);
}
END_TEST

START_TEST(test_copy_bound_overflow)
{
	ck_assert_uint_eq(copy_batch_max(SIZE_MAX / 100), SIZE_MAX);
	ck_assert_uint_eq(copy_conn_batch_max(SIZE_MAX / 100), SIZE_MAX);
	ck_assert_uint_lt(copy_batch_max(100000), SIZE_MAX);
	ck_assert_uint_lt(copy_conn_batch_max(100000), SIZE_MAX);
}
END_TEST

START_TEST(test_copy_row_fields)
{
	struct tca_event ev[2] = { widest(), { 0 } };
	const char *f[NF];
	uint32_t l[NF];
	size_t len;
	char *buf;
	const char *p;

	ev[0].time_ns = 946684800000000000ull + 1234567; /* 2000-01-01 + 1.234567 ms */
	ev[0].pid = 4242;
	ev[0].owner = TCA_OWNER_LISTENER;
	memcpy(ev[0].comm, "curl", 5);
	/* A bare IPv4 event with nothing optional: NULLs, not zeros. */
	ev[1].family = TCA_FAMILY_IPV4;
	ev[1].saddr[0] = 127;
	ev[1].saddr[3] = 1;
	ev[1].seq = 9;
	ev[1].owner = TCA_OWNER_HOLDER; /* without TCA_EV_PID: no owner */
	buf = encode(ev, 2, &len);

	/* run, seq, time, sock, pid, comm, owner, family, protocol, saddr,
	 * sport, daddr, dport, oldstate, newstate, then the optional ones. */
	p = walk_row(buf + 19, f, l);
	ck_assert_uint_eq(l[0], 4);
	ck_assert_uint_eq(get_u32(f[0]), RUN);
	ck_assert_uint_eq(l[2], 8);
	ck_assert_uint_eq(get_u32(f[2] + 4), 1234); /* microseconds since 2000 */
	ck_assert_uint_eq(l[4], 4);
	ck_assert_uint_eq(get_u32(f[4]), 4242);
	ck_assert_uint_eq(l[5], 4);
	ck_assert_int_eq(memcmp(f[5], "curl", 4), 0);
	ck_assert_uint_eq(l[6], 2);
	ck_assert_int_eq(f[6][1], TCA_OWNER_LISTENER);
	ck_assert_uint_eq(l[9], 4 + 16);
	ck_assert_int_eq(f[9][0], 3); /* PGSQL_AF_INET6 */
	ck_assert_int_eq((unsigned char)f[9][1], 128);
	for (int i = 15; i < NF; i++)
		ck_assert_ptr_nonnull(f[i]);

	p = walk_row(p, f, l);
	ck_assert_ptr_null(f[4]); /* pid */
	ck_assert_ptr_null(f[5]); /* comm */
	ck_assert_int_eq(f[6][1], TCA_OWNER_UNKNOWN);
	ck_assert_uint_eq(l[9], 4 + 4);
	ck_assert_int_eq(f[9][0], 2); /* PGSQL_AF_INET */
	ck_assert_int_eq(memcmp(f[9] + 4, "\177\0\0\1", 4), 0);
	ck_assert_uint_eq(get_u32(f[1] + 4), 9);
	for (int i = 15; i < NF; i++)
		ck_assert_ptr_null(f[i]);
	/* Then the trailer, and nothing after it. */
	ck_assert_int_eq(memcmp(p, "\377\377", 2), 0);
	ck_assert_uint_eq((size_t)(p + 2 - buf), len);
	free(buf);
}
END_TEST

/* Three sockets in one batch: their summaries keep the earliest start,
 * the latest addresses and state, the best owner, every state seen. */
START_TEST(test_conn_agg)
{
	struct tca_event ev[6] = { { 0 } };
	struct conn_agg a = { 0 };

	for (int i = 0; i < 6; i++) {
		ev[i].sock = i < 4 ? 7 : (uint64_t)i;
		ev[i].time_ns = 1000 + (uint64_t)i;
		ev[i].seq = (uint64_t)i + 1;
		ev[i].family = TCA_FAMILY_IPV4;
	}
	ev[0].oldstate = TCA_STATE_CLOSE, ev[0].newstate = TCA_STATE_SYN_SENT;
	ev[1].oldstate = TCA_STATE_SYN_SENT, ev[1].newstate = TCA_STATE_ESTABLISHED;
	ev[1].sport = 40000;
	ev[1].flags = TCA_EV_PID | TCA_EV_BYTES, ev[1].owner = TCA_OWNER_HOLDER, ev[1].pid = 10;
	ev[1].bytes_sent = 500;
	ev[2].flags = TCA_EV_PID | TCA_EV_BYTES, ev[2].owner = TCA_OWNER_LISTENER, ev[2].pid = 11;
	ev[2].bytes_sent = 100;
	ev[2].oldstate = ev[2].newstate = TCA_STATE_ESTABLISHED;
	ev[3].oldstate = TCA_STATE_ESTABLISHED, ev[3].newstate = TCA_STATE_CLOSE;
	ev[3].sport = 40001;
	ck_assert_int_eq(conn_agg_batch(&a, ev, 6), 0);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_uint_eq(a.sum[0].sock, 7);
	ck_assert_ptr_eq(a.sum[0].first, &ev[0]);
	ck_assert_ptr_eq(a.sum[0].last, &ev[3]);
	ck_assert_ptr_eq(a.sum[0].owner, &ev[1]); /* a holder beats a later listener's owner */
	ck_assert_uint_eq(a.sum[0].bytes_sent, 500);
	ck_assert_uint_eq(a.sum[0].states, (1u << TCA_STATE_CLOSE) | (1u << TCA_STATE_SYN_SENT) |
			  (1u << TCA_STATE_ESTABLISHED));
	ck_assert_uint_eq(a.sum[1].sock, 4);
	ck_assert_uint_eq(a.sum[2].sock, 5);
	ck_assert_ptr_eq(a.sum[2].owner, &ev[5]);
	ck_assert_uint_eq(a.sum[2].has_bytes, 0);

	/* Encoded as one array per column, each of the three elements. */
	{
		size_t off[COPY_CONN_NFIELDS + 1], max = copy_conn_batch_max(a.n), len;
		char *buf = malloc(max + GUARD);
		const char *f[3];
		uint32_t l[3];

		ck_assert_ptr_nonnull(buf);
		memset(buf + max, 0xa5, GUARD);
		len = copy_conn_arrays(buf, RUN, a.sum, a.n, off);
		ck_assert_uint_le(len, max);
		for (size_t i = 0; i < GUARD; i++)
			ck_assert_uint_eq((unsigned char)buf[max + i], 0xa5);
		ck_assert_uint_eq(off[0], 0);
		ck_assert_uint_eq(off[COPY_CONN_NFIELDS], len);
		/* sport (column 7): ndim 1, no NULLs, int4, 3 from 1. */
		ck_assert_uint_eq(get_u32(buf + off[7]), 1);
		ck_assert_uint_eq(get_u32(buf + off[7] + 4), 0);
		ck_assert_uint_eq(get_u32(buf + off[7] + 8), 23);
		ck_assert_uint_eq(get_u32(buf + off[7] + 12), 3);
		walk_fields(buf + off[7] + 20, 3, f, l);
		ck_assert_uint_eq(get_u32(f[0]), 40001);
		/* pid (column 13): NULLs flagged. */
		ck_assert_uint_eq(get_u32(buf + off[13] + 4), 1);
		walk_fields(buf + off[13] + 20, 3, f, l);
		ck_assert_uint_eq(get_u32(f[0]), 10);
		ck_assert_ptr_null(f[1]);
		free(buf);
	}
	/* And as COPY rows: the widest fill the bound to the byte. */
	{
		size_t max = copy_conn_rows_max(a.n), len;
		char *buf = malloc(max);

		ck_assert_ptr_nonnull(buf);
		len = copy_conn_rows(buf, RUN, a.sum, a.n);
		ck_assert_uint_le(len, max);
		ck_assert_int_eq(memcmp(buf + len - 2, "\377\377", 2), 0);
		free(buf);
	}
	conn_agg_free(&a);
}
END_TEST

/* The set of sockets that may have a row: adds, deletes that keep every
 * other key reachable (colliding ones included), and its bound. */
START_TEST(test_conn_seen)
{
	struct conn_seen s;

	ck_assert_int_eq(conn_seen_init(&s, 1000), 0);
	for (uint64_t k = 1; k <= 1000; k++)
		conn_seen_add(&s, k * 4096);
	ck_assert_uint_eq(s.n, 1000);
	for (uint64_t k = 1; k <= 1000; k += 2)
		conn_seen_del(&s, k * 4096);
	ck_assert_uint_eq(s.n, 500);
	for (uint64_t k = 1; k <= 1000; k++)
		ck_assert(conn_seen_has(&s, k * 4096) == (k % 2 == 0));
	ck_assert(!conn_seen_has(&s, 7));
	ck_assert(conn_seen_has(&s, 0)); /* cannot be held: taken as seen */
	for (uint64_t k = 1; k <= 501; k++)
		conn_seen_add(&s, k * 3);
	ck_assert(s.full); /* past 1000: every sock may have a row */
	ck_assert(conn_seen_has(&s, 7));
	conn_seen_free(&s);
}
END_TEST

static void assert_comm(const char *comm, size_t n, const char *want)
{
	char in[TCA_COMM_LEN] = { 0 };
	char out[4 * TCA_COMM_LEN + 1];
	size_t len;

	memcpy(in, comm, n);
	len = copy_comm_encode(out, in);
	ck_assert_uint_le(len, 4 * COPY_COMM_MAX_BYTES);
	out[len] = '\0';
	ck_assert_str_eq(out, want);
}

START_TEST(test_copy_comm)
{
	assert_comm("sshd", 4, "sshd");
	assert_comm("", 0, "");
	/* Quotes as they are; the backslash, controls and every byte past
	 * ASCII escaped, so that any server encoding takes it. */
	assert_comm("a\"b'c\\d\te\xc3\xa9\xff", 12, "a\"b'c\\x5cd\\x09e\\xc3\\xa9\\xff");
	assert_comm("\xe4\xb8\xad", 3, "\\xe4\\xb8\\xad");
	assert_comm("\x7f\x1f ~", 4, "\\x7f\\x1f ~");
	/* Any text, such as the host name, the same way. */
	char out[32];
	ck_assert_uint_eq(copy_ascii_encode(out, "h\xc3\xa9st.lan", 9), 15);
	ck_assert_int_eq(memcmp(out, "h\\xc3\\xa9st.lan", 15), 0);
	/* 16 bytes and no NUL: cut at the kernel's 15. */
	assert_comm("0123456789abcdef", 16, "0123456789abcde");
	assert_comm("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16,
		    "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff");
}
END_TEST

Suite *suite_copy_encode(void)
{
	Suite *s = suite_create("copy-encode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_copy_bound_exact);
	tcase_add_test(tc, test_copy_bound_overflow);
	tcase_add_test(tc, test_copy_row_fields);
	tcase_add_test(tc, test_conn_agg);
	tcase_add_test(tc, test_conn_seen);
	tcase_add_test(tc, test_copy_comm);
	suite_add_tcase(s, tc);
	return s;
}
