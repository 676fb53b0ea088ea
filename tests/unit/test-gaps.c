/* SPDX-License-Identifier: MIT */
/* Unit tests of src/gaps.c: merging continuations, never into a gap the
 * writer holds, gaps over dropped events, and a full ring. */
#include "config.h"

#include <string.h>

#include "gaps.h"
#include "suites.h"

static struct tca_gap gap(uint64_t first, uint64_t count, uint32_t reason)
{
	return (struct tca_gap){ .run_id = 7, .first_seq = first, .count = count, .reason = reason,
				 .cpu = -1 };
}

static void add(struct gaps *g, uint64_t first, uint64_t count, uint32_t reason)
{
	struct tca_gap one = gap(first, count, reason);

	gaps_add(g, &one);
}

START_TEST(test_gaps_merge)
{
	struct gaps g;
	struct tca_gap out[4];

	ck_assert_int_eq(gaps_init(&g, 4), 0);
	add(&g, 10, 5, TCA_GAP_QUEUE_FULL);
	/* Continues it: one record of 8. */
	add(&g, 15, 3, TCA_GAP_QUEUE_FULL);
	/* Another reason, a hole, or an unknown count: records of their own. */
	add(&g, 18, 1, TCA_GAP_KERNEL);
	add(&g, 30, 2, TCA_GAP_KERNEL);
	add(&g, 32, 0, TCA_GAP_KERNEL);
	ck_assert_uint_eq(gaps_count(&g), 4);
	ck_assert_uint_eq(gaps_peek(&g, out, 4), 4);
	ck_assert_uint_eq(out[0].first_seq, 10);
	ck_assert_uint_eq(out[0].count, 8);
	ck_assert_uint_eq(out[1].first_seq, 18);
	ck_assert_uint_eq(out[2].first_seq, 30);
	ck_assert_uint_eq(out[3].count, 0);
	gaps_destroy(&g);
}
END_TEST

START_TEST(test_gaps_not_into_peeked)
{
	struct gaps g;
	struct tca_gap out[2];

	ck_assert_int_eq(gaps_init(&g, 4), 0);
	add(&g, 1, 5, TCA_GAP_QUEUE_FULL);
	ck_assert_uint_eq(gaps_peek(&g, out, 2), 1);
	/* The writer is storing the first: a continuation must not change
	 * its count behind the writer's back. */
	add(&g, 6, 5, TCA_GAP_QUEUE_FULL);
	ck_assert_uint_eq(gaps_count(&g), 2);
	gaps_pop(&g, 1);
	ck_assert_uint_eq(gaps_peek(&g, out, 2), 1);
	ck_assert_uint_eq(out[0].first_seq, 6);
	ck_assert_uint_eq(out[0].count, 5);
	gaps_pop(&g, 1);
	/* Once it is gone, merging works again. */
	add(&g, 11, 1, TCA_GAP_QUEUE_FULL);
	add(&g, 12, 1, TCA_GAP_QUEUE_FULL);
	ck_assert_uint_eq(gaps_peek(&g, out, 2), 1);
	ck_assert_uint_eq(out[0].count, 2);
	gaps_destroy(&g);
}
END_TEST

START_TEST(test_gaps_over_events)
{
	struct gaps g;
	struct tca_gap out[4];
	struct tca_event ev[5];
	static const uint64_t seqs[5] = { 4, 5, 6, 9, 10 };

	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < 5; i++)
		ev[i].seq = seqs[i];
	ck_assert_int_eq(gaps_init(&g, 4), 0);
	/* Seqs 7 and 8 are a kernel gap already: two records, not one. */
	ck_assert_uint_eq(gaps_add_events(&g, 7, ev, 5, TCA_GAP_UNFLUSHED, 99), 5);
	ck_assert_uint_eq(gaps_peek(&g, out, 4), 2);
	ck_assert_uint_eq(out[0].first_seq, 4);
	ck_assert_uint_eq(out[0].count, 3);
	ck_assert_uint_eq(out[1].first_seq, 9);
	ck_assert_uint_eq(out[1].count, 2);
	ck_assert_uint_eq(out[1].reason, TCA_GAP_UNFLUSHED);
	ck_assert_uint_eq(out[1].time_ns, 99);
	gaps_destroy(&g);
}
END_TEST

START_TEST(test_gaps_full)
{
	struct gaps g;

	ck_assert_int_eq(gaps_init(&g, 2), 0);
	add(&g, 1, 1, TCA_GAP_KERNEL);
	add(&g, 3, 1, TCA_GAP_KERNEL);
	/* No room: counted, so the loss of a record is not silent either. */
	add(&g, 5, 1, TCA_GAP_KERNEL);
	ck_assert_uint_eq(gaps_count(&g), 2);
	ck_assert_uint_eq(gaps_overflow(&g), 1);
	gaps_destroy(&g);
}
END_TEST

Suite *suite_gaps(void)
{
	Suite *s = suite_create("gaps");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_gaps_merge);
	tcase_add_test(tc, test_gaps_not_into_peeked);
	tcase_add_test(tc, test_gaps_over_events);
	tcase_add_test(tc, test_gaps_full);
	suite_add_tcase(s, tc);
	return s;
}
