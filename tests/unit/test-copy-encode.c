/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/pgsql/copy-encode.c: the COPY binary rows, their
 * size bound (exact for the widest row, never overrun) and the comm's
 * ASCII encoding. */
#include "config.h"

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "copy-encode.h"
#include "suites.h"

#define GUARD 64

static const struct copy_origin origin = {
	.host = "host.example", .host_len = 12,
	.boot_id = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		     0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
	.run_id = 0x0123456789abcdefull,
};

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
	size_t max = copy_batch_max(origin.host_len, n);
	char *buf = malloc(max + GUARD);

	ck_assert_ptr_nonnull(buf);
	memset(buf + max, 0xa5, GUARD);
	*len = copy_encode(buf, &origin, ev, n);
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

/* Walk one row: 22 fields, each a length (or -1, NULL) and its bytes;
 * fields[i] points at field i's bytes (NULL for NULL), lens[i] its length. */
static const char *walk_row(const char *p, const char *fields[22], uint32_t lens[22])
{
	uint16_t nf;

	memcpy(&nf, p, 2);
	ck_assert_uint_eq(be16toh(nf), 22);
	p += 2;
	for (int i = 0; i < 22; i++) {
		lens[i] = get_u32(p);
		p += 4;
		fields[i] = lens[i] == UINT32_MAX ? NULL : p;
		if (fields[i])
			p += lens[i];
	}
	return p;
}

START_TEST(test_copy_bound_exact)
{
	struct tca_event ev[3] = { widest(), widest(), widest() };
	size_t len;
	char *buf = encode(ev, 3, &len);

	/* The bound is not a guess: the widest rows fill it to the byte. */
	ck_assert_uint_eq(len, copy_batch_max(origin.host_len, 3));
	ck_assert_uint_eq(copy_batch_max(origin.host_len, 3) - copy_batch_max(origin.host_len, 2),
			  copy_row_max(origin.host_len));
	ck_assert_uint_eq(copy_row_max(100) - copy_row_max(0), 100);
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
	ck_assert_uint_eq(copy_row_max(SIZE_MAX), SIZE_MAX);
	ck_assert_uint_eq(copy_row_max(SIZE_MAX - 100), SIZE_MAX);
	ck_assert_uint_eq(copy_batch_max(10, SIZE_MAX / 100), SIZE_MAX);
	ck_assert_uint_eq(copy_batch_max(SIZE_MAX, 1), SIZE_MAX);
	ck_assert_uint_lt(copy_batch_max(64, 100000), SIZE_MAX);
}
END_TEST

START_TEST(test_copy_row_fields)
{
	struct tca_event ev[2] = { widest(), { 0 } };
	const char *f[22];
	uint32_t l[22];
	size_t len;
	char *buf;
	const char *p;

	ev[0].time_ns = 946684800000000000ull + 1234567; /* 2000-01-01 + 1.234567 ms */
	ev[0].pid = 4242;
	memcpy(ev[0].comm, "curl", 5);
	/* A bare IPv4 event with nothing optional: NULLs, not zeros. */
	ev[1].family = TCA_FAMILY_IPV4;
	ev[1].saddr[0] = 127;
	ev[1].saddr[3] = 1;
	ev[1].seq = 9;
	buf = encode(ev, 2, &len);

	p = walk_row(buf + 19, f, l);
	ck_assert_uint_eq(l[0], 8);
	ck_assert_uint_eq(get_u32(f[0] + 4), 1234); /* microseconds since 2000 */
	ck_assert_uint_eq(l[1], 12);
	ck_assert_int_eq(memcmp(f[1], "host.example", 12), 0);
	ck_assert_uint_eq(l[3], 4);
	ck_assert_uint_eq(get_u32(f[3]), 4242);
	ck_assert_uint_eq(l[4], 4);
	ck_assert_int_eq(memcmp(f[4], "curl", 4), 0);
	ck_assert_uint_eq(l[7], 4 + 16);
	ck_assert_int_eq(f[7][0], 3); /* PGSQL_AF_INET6 */
	ck_assert_int_eq((unsigned char)f[7][1], 128);
	ck_assert_uint_eq(l[13], 16);
	ck_assert_int_eq(memcmp(f[13], origin.boot_id, 16), 0);
	for (int i = 16; i < 22; i++)
		ck_assert_ptr_nonnull(f[i]);

	p = walk_row(p, f, l);
	ck_assert_ptr_null(f[3]); /* pid */
	ck_assert_ptr_null(f[4]); /* comm */
	ck_assert_uint_eq(l[7], 4 + 4);
	ck_assert_int_eq(f[7][0], 2); /* PGSQL_AF_INET */
	ck_assert_int_eq(memcmp(f[7] + 4, "\177\0\0\1", 4), 0);
	ck_assert_uint_eq(get_u32(f[15] + 4), 9);
	for (int i = 16; i < 22; i++)
		ck_assert_ptr_null(f[i]);
	/* Then the trailer, and nothing after it. */
	ck_assert_int_eq(memcmp(p, "\377\377", 2), 0);
	ck_assert_uint_eq((size_t)(p + 2 - buf), len);
	free(buf);
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
	tcase_add_test(tc, test_copy_comm);
	suite_add_tcase(s, tc);
	return s;
}
