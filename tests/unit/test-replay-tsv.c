/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/replay/tsv.c: the replay eventer's bounded line
 * reader and its TSV line parser. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "suites.h"

#define GOOD "1767225600000000000\t7\t42\tcurl\tipv4\t10.0.0.1\t1234\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED"

static int parse(const char *text, struct tca_event *ev, const char **why)
{
	char line[512];

	snprintf(line, sizeof(line), "%s", text);
	return replay_parse_line(line, ev, why);
}

START_TEST(test_tsv_parse)
{
	struct tca_event ev;
	const char *why = NULL;

	ck_assert_int_eq(parse(GOOD "\n", &ev, &why), 1);
	ck_assert_uint_eq(ev.time_ns, 1767225600000000000ull);
	ck_assert_int_eq(ev.pid, 42);
	ck_assert_str_eq(ev.comm, "curl");
	ck_assert_uint_eq(ev.dport, 80);
	ck_assert_int_eq(parse("# comment", &ev, &why), 0);
	ck_assert_int_eq(parse("", &ev, &why), 0);
	/* strtoull takes all of these; none is a time, a sock or a port. */
	static const char *const bad[] = {
		"-1\t7\t42\tcurl\tipv4\t10.0.0.1\t1234\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		" 1\t7\t42\tcurl\tipv4\t10.0.0.1\t1234\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"+1\t7\t42\tcurl\tipv4\t10.0.0.1\t1234\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"1\t-7\t42\tcurl\tipv4\t10.0.0.1\t1234\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"1\t7\t42\tcurl\tipv4\t10.0.0.1\t-1\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"1\t7\t-42\tcurl\tipv4\t10.0.0.1\t1\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"18446744073709551616\t7\t42\tcurl\tipv4\t10.0.0.1\t1\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"1\t7\t42\t0123456789abcdef\tipv4\t10.0.0.1\t1\t10.0.0.2\t80\tSYN_SENT\tESTABLISHED",
		"1\t7\t42\tcurl\tipv4\t10.0.0.1\t1\t10.0.0.2\t80\tSYN_SENT",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &ev, &why) == -EINVAL, "accepted: %s", bad[i]);
}
END_TEST

/* Lines of f's text read one by one into a buffer of cap bytes. */
static int read_all(const char *text, size_t textlen, size_t cap, int *lines)
{
	FILE *f = fmemopen((void *)text, textlen, "r");
	char buf[64];
	size_t len;
	int r;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_le(cap, sizeof(buf));
	*lines = 0;
	while ((r = replay_read_line(f, buf, cap, &len)) > 0) {
		ck_assert_uint_eq(strlen(buf), len);
		ck_assert_uint_lt(len, cap);
		(*lines)++;
	}
	fclose(f);
	return r;
}

START_TEST(test_tsv_read_line)
{
	int lines;

	ck_assert_int_eq(read_all("a\nbb\n\nccc", 9, 8, &lines), 0);
	ck_assert_int_eq(lines, 4);
	ck_assert_int_eq(read_all("", 0, 8, &lines), 0);
	ck_assert_int_eq(lines, 0);
	/* 7 bytes and the NUL fit in 8; 8 bytes do not. */
	ck_assert_int_eq(read_all("1234567\n", 8, 8, &lines), 0);
	ck_assert_int_eq(lines, 1);
	ck_assert_int_eq(read_all("12345678\n", 9, 8, &lines), -E2BIG);
	ck_assert_int_eq(lines, 0);
	ck_assert_int_eq(read_all("ok\n12345678", 11, 8, &lines), -E2BIG);
	ck_assert_int_eq(lines, 1);
	/* A NUL byte: not text (what /dev/zero gives). */
	ck_assert_int_eq(read_all("ab\0cd\n", 6, 8, &lines), -EINVAL);
}
END_TEST

Suite *suite_replay_tsv(void)
{
	Suite *s = suite_create("replay-tsv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tsv_parse);
	tcase_add_test(tc, test_tsv_read_line);
	suite_add_tcase(s, tc);
	return s;
}
