/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/nats/subject.c: a host name as one subject token,
 * the subject prefix check, and the Nats-Msg-Id of each kind of record. */
#include "config.h"

#include <string.h>

#include "nats-sink.h"
#include "suites.h"

START_TEST(host_token)
{
	char out[64];

	nats_subject_token(out, sizeof(out), "db1.example.org");
	ck_assert_str_eq(out, "db1_example_org");
	nats_subject_token(out, sizeof(out), "a*b>c d\te\x7f" "f-g_h");
	ck_assert_str_eq(out, "a_b_c_d_e_f-g_h");
	nats_subject_token(out, sizeof(out), "");
	ck_assert_str_eq(out, "_");
	nats_subject_token(out, 4, "abcdef");
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(prefix_check)
{
	ck_assert_int_eq(nats_subject_prefix_check("tcp-audit"), 0);
	ck_assert_int_eq(nats_subject_prefix_check("corp.audit.tcp"), 0);
	ck_assert_int_lt(nats_subject_prefix_check(""), 0);
	ck_assert_int_lt(nats_subject_prefix_check(NULL), 0);
	ck_assert_int_lt(nats_subject_prefix_check(".a"), 0);
	ck_assert_int_lt(nats_subject_prefix_check("a."), 0);
	ck_assert_int_lt(nats_subject_prefix_check("a..b"), 0);
	ck_assert_int_lt(nats_subject_prefix_check("a.*.b"), 0);
	ck_assert_int_lt(nats_subject_prefix_check("a.>"), 0);
	ck_assert_int_lt(nats_subject_prefix_check("a b"), 0);
}
END_TEST

START_TEST(message_ids)
{
	const struct tca_origin o = { .host = "edge1", .boot_id = "b-1", .run_id = 77 };
	const struct tca_gap g = { .run_id = 76, .first_seq = 10, .reason = TCA_GAP_UNCLEAN_END };
	const struct tca_run run = { .origin = o, .state = TCA_RUN_CLEAN };
	char id[NATS_MSGID_MAX];

	ck_assert_uint_eq(nats_msgid_event(id, sizeof(id), &o, 18446744073709551615ull), 33);
	ck_assert_str_eq(id, "edge1:b-1:77:18446744073709551615");
	nats_msgid_gap(id, sizeof(id), &o, &g);
	ck_assert_str_eq(id, "edge1:76:gap:10:6");
	nats_msgid_run(id, sizeof(id), &run);
	ck_assert_str_eq(id, "edge1:77:run:2");
	/* Too small a buffer gives no id rather than a cut one, which could
	 * equal another record's. */
	ck_assert_uint_eq(nats_msgid_event(id, 12, &o, 1), 0);
}
END_TEST

Suite *suite_nats_subject(void)
{
	Suite *s = suite_create("nats_subject");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, host_token);
	tcase_add_test(tc, prefix_check);
	tcase_add_test(tc, message_ids);
	suite_add_tcase(s, tc);
	return s;
}
