/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/backoff.c: growth, cap, jitter bounds and reset. */
#include "config.h"

#include "backoff.h"
#include "suites.h"

/* A delay is the step less at most a quarter of it. */
static void assert_step(struct backoff *b, uint64_t step, unsigned attempt)
{
	uint64_t d = backoff_next(b);

	ck_assert_msg(d <= step && d >= step - step / 4, "attempt %u: %llu not in [%llu, %llu]",
		      attempt, (unsigned long long)d, (unsigned long long)(step - step / 4),
		      (unsigned long long)step);
	ck_assert_uint_eq(b->cur_ms, step);
	ck_assert_uint_eq(b->attempts, attempt);
}

START_TEST(test_backoff_growth_and_cap)
{
	static const uint64_t steps[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000 };
	struct backoff b;

	backoff_init(&b, 100, 5000, (uint32_t)_i + 1);
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		assert_step(&b, steps[i], i + 1);
	for (unsigned i = 10; i < 1000; i++)
		assert_step(&b, 5000, i);
	/* After a success the next outage starts small again. */
	backoff_reset(&b);
	ck_assert_uint_eq(b.attempts, 0);
	assert_step(&b, 100, 1);
	assert_step(&b, 200, 2);
}
END_TEST

START_TEST(test_backoff_jitter_spreads)
{
	struct backoff a, b;
	unsigned differ = 0;

	/* Two daemons with different seeds do not retry in lock step. */
	backoff_init(&a, 1000, 1000, 1);
	backoff_init(&b, 1000, 1000, 2);
	for (int i = 0; i < 50; i++)
		differ += backoff_next(&a) != backoff_next(&b);
	ck_assert_uint_gt(differ, 25);
	/* The same seed gives the same sequence. */
	backoff_init(&a, 100, 5000, 7);
	backoff_init(&b, 100, 5000, 7);
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(backoff_next(&a), backoff_next(&b));
}
END_TEST

START_TEST(test_backoff_edges)
{
	struct backoff b;

	/* A zero minimum becomes 1 ms; 1 ms has no room for jitter. */
	backoff_init(&b, 0, 0, 0);
	ck_assert_uint_eq(b.min_ms, 1);
	ck_assert_uint_eq(b.max_ms, 1);
	ck_assert_uint_eq(b.seed, 1);
	ck_assert_uint_eq(backoff_next(&b), 1);
	ck_assert_uint_eq(backoff_next(&b), 1);
	/* A cap below the minimum is raised to it. */
	backoff_init(&b, 300, 10, 5);
	assert_step(&b, 300, 1);
	assert_step(&b, 300, 2);
	/* A cap that is no power of two of the minimum is still reached exactly. */
	backoff_init(&b, 100, 1000, 9);
	assert_step(&b, 100, 1);
	assert_step(&b, 200, 2);
	assert_step(&b, 400, 3);
	assert_step(&b, 800, 4);
	assert_step(&b, 1000, 5);
	assert_step(&b, 1000, 6);
}
END_TEST

Suite *suite_backoff(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_backoff_growth_and_cap, 0, 8);
	tcase_add_test(tc, test_backoff_jitter_spreads);
	tcase_add_test(tc, test_backoff_edges);
	suite_add_tcase(s, tc);
	return s;
}
