/* SPDX-License-Identifier: MIT */
/* Unit tests of src/stats.c: the loss total and the summary line. */
#include "config.h"

#include <string.h>

#include "stats.h"
#include "suites.h"

START_TEST(test_stats_summary)
{
	struct stats s = { .read = 10, .written = 6, .batches = 2, .retries = 3,
			   .lost_queue_full = 1, .lost_source = 2, .lost_refused = 4,
			   .lost_unflushed = 8, .gaps = 3, .evicted = 9 };
	char line[512], small[16];

	/* Every reason counts towards the total. */
	ck_assert_uint_eq(stats_lost(&s), 15);
	stats_format(&s, 5, 7, line, sizeof(line));
	ck_assert_str_eq(line, "read 10, written 6 in 2 batches, queued 5 (at most 7), retried 3, "
			       "lost 15 (source 2, queue full 1, refused 4, unflushed at exit 8) in 3 "
			       "gap records, sockets evicted 9");
	/* A short buffer is cut, never overrun. */
	stats_format(&s, 5, 7, small, sizeof(small));
	ck_assert_str_eq(small, "read 10, writte");
	memset(&s, 0, sizeof(s));
	ck_assert_uint_eq(stats_lost(&s), 0);
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_stats_summary);
	suite_add_tcase(s, tc);
	return s;
}
