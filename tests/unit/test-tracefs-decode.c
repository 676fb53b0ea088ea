/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/trace-decode.c: records of Linux 6.18's format,
 * IPv4, IPv6 and dual stack, the interrupt context bits, and records too
 * short or of another event. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

static struct fix_rec v4_rec(void)
{
	struct fix_rec r = { .pid = 4242, .skaddr = 0xffff888012345678ULL, .oldstate = 2,
			     .newstate = 1, .sport = 40000, .dport = 80, .family = 2,
			     .protocol = 6, .saddr = { 127, 0, 0, 1 }, .daddr = { 127, 0, 0, 2 } };
	return r;
}

START_TEST(test_decode_ipv4)
{
	struct tdecode d;
	struct fix_rec r = v4_rec();
	uint8_t rec[FIX_RECORD_SIZE];
	struct tca_event ev;
	struct traw raw;

	ck_assert_int_eq(fix_decoder(&d, false), 0);
	ck_assert_uint_eq(d.min_size, FIX_RECORD_SIZE);
	fix_record(rec, &r);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 1);
	ck_assert_int_eq(ev.family, TCA_FAMILY_IPV4);
	ck_assert_int_eq(ev.oldstate, TCA_STATE_SYN_SENT);
	ck_assert_int_eq(ev.newstate, TCA_STATE_ESTABLISHED);
	ck_assert_int_eq(ev.sport, 40000);
	ck_assert_int_eq(ev.dport, 80);
	ck_assert_int_eq(ev.protocol, 6);
	ck_assert_mem_eq(ev.saddr, "\x7f\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	ck_assert_mem_eq(ev.daddr, "\x7f\0\0\x02", 4);
	ck_assert_uint_eq(raw.skaddr, 0xffff888012345678ULL);
	ck_assert_int_eq(raw.pid, 4242);
	ck_assert(raw.process_ctx);
	/* No kernel address in the event itself. */
	ck_assert_uint_eq(ev.sock, 0);
}
END_TEST

START_TEST(test_decode_context)
{
	static const uint8_t irq_bits[] = { 0x08, 0x10, 0x40, 0x80 };
	struct tdecode d;
	struct fix_rec r = v4_rec();
	uint8_t rec[FIX_RECORD_SIZE];
	struct tca_event ev;
	struct traw raw;

	ck_assert_int_eq(fix_decoder(&d, false), 0);
	for (size_t i = 0; i < sizeof(irq_bits); i++) {
		r.flags = irq_bits[i];
		fix_record(rec, &r);
		ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 1);
		ck_assert(!raw.process_ctx);
	}
	/* The idle task (pid 0) is never an owner. */
	r.flags = 0;
	r.pid = 0;
	fix_record(rec, &r);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 1);
	ck_assert(!raw.process_ctx);
}
END_TEST

START_TEST(test_decode_ipv6_and_dual_stack)
{
	struct tdecode d, dm;
	struct fix_rec r = v4_rec();
	uint8_t rec[FIX_RECORD_SIZE];
	struct tca_event ev;
	struct traw raw;

	ck_assert_int_eq(fix_decoder(&d, false), 0);
	ck_assert_int_eq(fix_decoder(&dm, true), 0);
	r.family = 10;
	inet_pton(AF_INET6, "2001:db8::1", r.saddr6);
	inet_pton(AF_INET6, "2001:db8::2", r.daddr6);
	fix_record(rec, &r);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 1);
	ck_assert_int_eq(ev.family, TCA_FAMILY_IPV6);
	ck_assert_mem_eq(ev.saddr, r.saddr6, 16);
	ck_assert_mem_eq(ev.daddr, r.daddr6, 16);
	/* An IPv6 socket carrying IPv4: IPv4, or mapped if asked. */
	inet_pton(AF_INET6, "::ffff:127.0.0.1", r.saddr6);
	inet_pton(AF_INET6, "::ffff:127.0.0.2", r.daddr6);
	fix_record(rec, &r);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 1);
	ck_assert_int_eq(ev.family, TCA_FAMILY_IPV4);
	ck_assert_mem_eq(ev.saddr, "\x7f\0\0\x01\0\0\0\0", 8);
	ck_assert_int_eq(tdecode_event(&dm, rec, sizeof(rec), &ev, &raw), 1);
	ck_assert_int_eq(ev.family, TCA_FAMILY_IPV6);
	ck_assert_mem_eq(ev.saddr, r.saddr6, 16);
}
END_TEST

START_TEST(test_decode_rejects)
{
	struct tdecode d;
	struct fix_rec r = v4_rec();
	uint8_t rec[FIX_RECORD_SIZE];
	uint16_t other = FIX_EVENT_ID + 1;
	struct tca_event ev;
	struct traw raw;

	ck_assert_int_eq(fix_decoder(&d, false), 0);
	fix_record(rec, &r);
	/* Too short for the last field, by one byte or by all. */
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec) - 1, &ev, &raw), 0);
	ck_assert_int_eq(tdecode_event(&d, rec, 0, &ev, &raw), 0);
	/* Another event's record. */
	memcpy(rec, &other, 2);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 0);
	/* A family the tracepoint does not report. */
	r.family = 1;
	fix_record(rec, &r);
	ck_assert_int_eq(tdecode_event(&d, rec, sizeof(rec), &ev, &raw), 0);
}
END_TEST

START_TEST(test_decode_unsupported_format)
{
	struct tep_handle *tep = tep_alloc();
	struct tdecode d;
	char *fmt = strdup(fix_format);
	char *p = strstr(fmt, "saddr_v6");

	ck_assert_ptr_nonnull(p);
	memcpy(p, "saddr_v7", 8); /* a kernel without the field */
	ck_assert_int_eq(tep_parse_event(tep, fmt, strlen(fmt), "sock"), 0);
	ck_assert_int_eq(tdecode_init(&fix_host, tep, false, &d), -ENOTSUP);
	tep_free(tep);
	free(fmt);
}
END_TEST

Suite *suite_tracefs_decode(void)
{
	Suite *s = suite_create("tracefs-decode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_decode_ipv4);
	tcase_add_test(tc, test_decode_context);
	tcase_add_test(tc, test_decode_ipv6_and_dual_stack);
	tcase_add_test(tc, test_decode_rejects);
	tcase_add_test(tc, test_decode_unsupported_format);
	suite_add_tcase(s, tc);
	return s;
}
