/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/nats/subject.c: a host name as one subject token,
 * the subject prefix check, the subjects of a host, and the Nats-Msg-Id
 * of each kind of record. */
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
	const struct tca_name nm = { .kind = TCA_NAME_CGROUP, .id = (1ull << 32) + 1, .run_id = 77,
				     .text = "/system.slice/x.service" };
	char id[NATS_MSGID_MAX];

	ck_assert_uint_eq(nats_msgid_event(id, sizeof(id), &o, 18446744073709551615ull), 33);
	ck_assert_str_eq(id, "edge1:b-1:77:18446744073709551615");
	nats_msgid_gap(id, sizeof(id), &o, &g);
	ck_assert_str_eq(id, "edge1:76:gap:10:6");
	nats_msgid_run(id, sizeof(id), &run);
	ck_assert_str_eq(id, "edge1:77:run:2");
	/* A name's id has no run: the same name from a later run of the
	 * boot is the same record. */
	ck_assert_uint_eq(nats_msgid_name(id, sizeof(id), &o, &nm), 27);
	ck_assert_str_eq(id, "edge1:b-1:name:1:4294967297");
	/* Too small a buffer gives no id rather than a cut one, which could
	 * equal another record's. */
	ck_assert_uint_eq(nats_msgid_event(id, 12, &o, 1), 0);
}
END_TEST

/* The longest host and boot id still give a whole name id. */
START_TEST(longest_name_id)
{
	char host[WIRE_STR_MAX + 1], boot[WIRE_STR_MAX + 1], id[NATS_MSGID_MAX];
	const struct tca_origin o = { .host = host, .boot_id = boot, .run_id = UINT64_MAX };
	const struct tca_name nm = { .kind = UINT32_MAX, .id = UINT64_MAX, .text = "/" };

	memset(host, 'h', WIRE_STR_MAX);
	host[WIRE_STR_MAX] = '\0';
	memset(boot, 'b', WIRE_STR_MAX);
	boot[WIRE_STR_MAX] = '\0';
	ck_assert_uint_eq(nats_msgid_name(id, sizeof(id), &o, &nm),
			  2 * WIRE_STR_MAX + strlen(":name:4294967295:18446744073709551615") + 1);
}
END_TEST

/* Each record goes to its host's subject of its kind. */
START_TEST(subjects_of_a_host)
{
	const struct nats_config cfg = { .subject = "corp.audit" };
	static struct nats_sink ns;

	ns.cfg = &cfg;
	nats_subjects_for(&ns, "db1.example.org");
	ck_assert_str_eq(ns.subj_events, "corp.audit.db1_example_org.events");
	ck_assert_str_eq(ns.subj_gaps, "corp.audit.db1_example_org.gaps");
	ck_assert_str_eq(ns.subj_runs, "corp.audit.db1_example_org.runs");
	ck_assert_str_eq(ns.subj_names, "corp.audit.db1_example_org.names");
}
END_TEST

Suite *suite_nats_subject(void)
{
	Suite *s = suite_create("nats_subject");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, host_token);
	tcase_add_test(tc, prefix_check);
	tcase_add_test(tc, message_ids);
	tcase_add_test(tc, longest_name_id);
	tcase_add_test(tc, subjects_of_a_host);
	suite_add_tcase(s, tc);
	return s;
}
