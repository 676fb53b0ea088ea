/* SPDX-License-Identifier: MIT */
/* Unit tests of src/runstate.c: the record round-trips, a damaged file is
 * not trusted, a rewrite never leaves an old tail, and the lock keeps a
 * second daemon from chaining into the same file. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tcp-audit/plugin.h>

#include "runstate.h"
#include "suites.h"

static struct runstate_record record(void)
{
	struct runstate_record r = {
		.run_id = 123456789012345ull,
		.prev_run_id = 42,
		.start_ns = 1767225600000000000ull,
		.end_ns = 1767225601000000000ull,
		.last_seq = 1000,
		.durable_seq = 998,
		.state = TCA_RUN_CLEAN,
		.end_stored = false,
	};
	strcpy(r.host, "db1.example.com");
	strcpy(r.boot_id, "ee32cc19-6448-44cc-a0af-dc1ab298fb49");
	return r;
}

START_TEST(test_runstate_roundtrip)
{
	struct runstate_record a = record(), b;
	char buf[RUNSTATE_SIZE];

	ck_assert_int_gt(runstate_format(&a, buf, sizeof(buf)), 0);
	ck_assert_int_eq(runstate_parse(buf, &b), 0);
	ck_assert_str_eq(b.host, a.host);
	ck_assert_str_eq(b.boot_id, a.boot_id);
	ck_assert_uint_eq(b.run_id, a.run_id);
	ck_assert_uint_eq(b.prev_run_id, 42);
	ck_assert_uint_eq(b.start_ns, a.start_ns);
	ck_assert_uint_eq(b.end_ns, a.end_ns);
	ck_assert_uint_eq(b.last_seq, 1000);
	ck_assert_uint_eq(b.durable_seq, 998);
	ck_assert_uint_eq(b.state, TCA_RUN_CLEAN);
	ck_assert(!b.end_stored);
}
END_TEST

START_TEST(test_runstate_damaged)
{
	struct runstate_record a = record(), b;
	char buf[RUNSTATE_SIZE];
	int len = runstate_format(&a, buf, sizeof(buf));

	/* Cut short (a power loss during a rewrite): not trusted. */
	buf[len / 2] = '\0';
	ck_assert_int_eq(runstate_parse(buf, &b), -EINVAL);
	ck_assert_int_eq(runstate_parse("", &b), -EINVAL);
	ck_assert_int_eq(runstate_parse("tcp-audit-run-state 1\nstate=clean\n", &b), -EINVAL);
	runstate_format(&a, buf, sizeof(buf));
	strstr(buf, "state=clean")[6] = 'x';
	ck_assert_int_eq(runstate_parse(buf, &b), -EINVAL);
}
END_TEST

START_TEST(test_runstate_chain_and_lock)
{
	char *dir = make_tmpdir(), *path = path_join(dir, "run.state"), *text;
	struct runstate_record first = record(), second = record();
	struct runstate a, b, c;

	first.state = TCA_RUN_RUNNING;
	runstate_open(&a, dir, &first);
	ck_assert_int_ge(a.fd, 0);
	ck_assert(!a.have_prev);
	/* A second daemon on the same directory: refused the file, not the run. */
	capture_begin(TCA_LOG_NOTICE);
	runstate_open(&b, dir, &second);
	free(capture_end());
	ck_assert_int_eq(b.fd, -1);
	a.cur.durable_seq = 77;
	runstate_save(&a);
	runstate_close(&a);

	/* The next run sees the last one still "running": a crash. */
	second.run_id = 5;
	runstate_open(&c, dir, &second);
	ck_assert(c.have_prev);
	ck_assert_uint_eq(c.prev.run_id, first.run_id);
	ck_assert_uint_eq(c.prev.state, TCA_RUN_RUNNING);
	ck_assert_uint_eq(c.prev.durable_seq, 77);
	ck_assert_uint_eq(c.cur.prev_run_id, first.run_id);
	/* A shorter record replaces a longer one whole. */
	c.cur.host[0] = 'x';
	c.cur.host[1] = '\0';
	runstate_save(&c);
	runstate_close(&c);
	text = read_file(path, NULL);
	ck_assert_ptr_nonnull(strstr(text, "\nhost=x\n"));
	ck_assert_int_eq(runstate_parse(text, &second), 0);
	free(text);
	rm_tree(dir);
	free(path);
	free(dir);
}
END_TEST

Suite *suite_runstate(void)
{
	Suite *s = suite_create("runstate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_runstate_roundtrip);
	tcase_add_test(tc, test_runstate_damaged);
	tcase_add_test(tc, test_runstate_chain_and_lock);
	suite_add_tcase(s, tc);
	return s;
}
