/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/bpf/unseen.c: the events the kernel ran neither
 * BPF program for, from the tracepoint's own count of its hits less the
 * programs' count, at each CPU's quiet moments. The two counts start at
 * different moments (a base), a real loss shows once two of three quiet
 * moments agree, one odd moment (an event between its two probes) counts
 * nothing either way, and the loss only grows. A moment counts only once
 * settled (recover.c has looked at what came before it), and what was
 * recovered is no loss. */
#include "config.h"

#include <stdint.h>

#include "bpf.h"
#include "suites.h"

static struct unseen *u;

static void setup(void)
{
	u = unseen_new(2);
	ck_assert_ptr_nonnull(u);
}

static void teardown(void)
{
	unseen_free(u);
}

/* A quiet moment of CPU cpu at which the hits were seen + diff, taken
 * at time `at`, not settled. */
static void quiet_at(unsigned cpu, uint64_t seen, int64_t diff, uint64_t at)
{
	unseen_quiet(u, cpu, (uint64_t)((int64_t)seen + diff), seen, at);
}

/* The same, settled at once (no recovery). */
static void quiet(unsigned cpu, uint64_t seen, int64_t diff)
{
	quiet_at(cpu, seen, diff, seen);
	unseen_settle(u, cpu, UINT64_MAX);
}

START_TEST(test_base_is_no_loss)
{
	/* The count of the hits began 7 events before the programs'. */
	for (uint64_t s = 100; s < 1000; s += 100)
		quiet(0, s, 7);
	ck_assert_uint_eq(unseen_lost(u), 0);
	ck_assert_uint_eq(unseen_quiet_moments(u, 0), 9);
	ck_assert_uint_eq(unseen_quiet_moments(u, 1), 0);
}
END_TEST

START_TEST(test_loss_shows_at_the_second_moment)
{
	quiet(1, 10, 3);
	quiet(1, 20, 3);
	quiet(1, 30, 3); /* the base: 3 */
	quiet(1, 40, 5); /* 2 unseen, or an odd moment: not yet */
	ck_assert_uint_eq(unseen_lost(u), 0);
	quiet(1, 50, 5);
	ck_assert_uint_eq(unseen_lost(u), 2);
	quiet(1, 60, 6);
	quiet(1, 70, 6);
	ck_assert_uint_eq(unseen_lost(u), 3);
}
END_TEST

START_TEST(test_odd_moments_count_nothing)
{
	quiet(0, 10, 0);
	quiet(0, 20, 0);
	quiet(0, 30, 0);
	/* An event counted by the hits and not yet by the programs, then
	 * the other way round (the probes in the other order). */
	quiet(0, 40, 1);
	quiet(0, 50, 0);
	quiet(0, 60, -1);
	quiet(0, 70, 0);
	quiet(0, 80, 0);
	ck_assert_uint_eq(unseen_lost(u), 0);
}
END_TEST

START_TEST(test_odd_moment_in_the_base)
{
	/* The first quiet moment is an odd one: the base is still 4. */
	quiet(0, 10, 5);
	quiet(0, 20, 4);
	quiet(0, 30, 4);
	quiet(0, 40, 4);
	quiet(0, 50, 4);
	ck_assert_uint_eq(unseen_lost(u), 0);
	quiet(0, 60, 3); /* odd the other way */
	quiet(0, 70, 4);
	ck_assert_uint_eq(unseen_lost(u), 0);
}
END_TEST

START_TEST(test_loss_only_grows)
{
	quiet(0, 10, 0);
	quiet(0, 20, 0);
	quiet(0, 30, 0);
	quiet(0, 40, 2);
	quiet(0, 50, 2);
	ck_assert_uint_eq(unseen_lost(u), 2);
	/* Lower medians (cannot be real: the hits only grow) lower nothing. */
	quiet(0, 60, 1);
	quiet(0, 70, 1);
	quiet(0, 80, 1);
	ck_assert_uint_eq(unseen_lost(u), 2);
}
END_TEST

START_TEST(test_cpus_add_up)
{
	for (uint64_t s = 1; s <= 3; s++) {
		quiet(0, s, 0);
		quiet(1, s, 10);
	}
	for (uint64_t s = 4; s <= 5; s++) {
		quiet(0, s, 1);
		quiet(1, s, 12);
	}
	ck_assert_uint_eq(unseen_lost(u), 3);
	/* A CPU the table does not have is left out. */
	quiet(2, 1, 100);
	ck_assert_uint_eq(unseen_quiet_moments(u, 2), 0);
	ck_assert_uint_eq(unseen_lost(u), 3);
}
END_TEST

START_TEST(test_counters_wrap)
{
	/* 64-bit counters do not wrap in practice; the difference still
	 * holds across it. */
	quiet(0, UINT64_MAX - 5, 2);
	quiet(0, UINT64_MAX - 1, 2);
	quiet(0, UINT64_MAX, 2);
	quiet(0, 3, 4);
	quiet(0, 9, 4);
	ck_assert_uint_eq(unseen_lost(u), 2);
}
END_TEST

START_TEST(test_unsettled_moments_wait)
{
	quiet(0, 10, 1);
	quiet(0, 20, 1);
	quiet(0, 30, 1); /* the base: 1 */
	ck_assert(unseen_based(u, 0));
	/* Two events missed; recovery has looked up to 35 only. */
	quiet_at(0, 40, 3, 40);
	quiet_at(0, 50, 3, 50);
	ck_assert_uint_eq(unseen_excess(u, 0), 2);
	unseen_settle(u, 0, 35);
	ck_assert_uint_eq(unseen_lost(u), 0);
	/* It found both: once settled, nothing is lost, nor to look for. */
	unseen_recovered(u, 0, 2);
	unseen_settle(u, 0, 50);
	ck_assert_uint_eq(unseen_lost(u), 0);
	ck_assert_uint_eq(unseen_excess(u, 0), 0);
}
END_TEST

START_TEST(test_what_is_not_recovered_counts)
{
	quiet(1, 10, 0);
	quiet(1, 20, 0);
	quiet(1, 30, 0);
	quiet_at(1, 40, 3, 40);
	quiet_at(1, 50, 3, 50);
	/* One of three found. */
	unseen_recovered(u, 1, 1);
	unseen_settle(u, 1, 50);
	ck_assert_uint_eq(unseen_lost(u), 2);
	ck_assert_uint_eq(unseen_excess(u, 1), 0);
	/* And a new one shows as excess at once, before it counts. */
	quiet_at(1, 60, 4, 60);
	ck_assert_uint_eq(unseen_excess(u, 1), 1);
	ck_assert_uint_eq(unseen_lost(u), 2);
}
END_TEST

START_TEST(test_bound)
{
	ck_assert_uint_eq(unseen_bound(u, 0, 100, 10), 0); /* no base yet */
	quiet(0, 10, 5);
	quiet(0, 20, 5);
	quiet(0, 30, 5);
	/* Hits read after the programs' count: at most this many missed. */
	ck_assert_uint_eq(unseen_bound(u, 0, 47, 40), 2);
	ck_assert_uint_eq(unseen_bound(u, 0, 44, 40), 0);
}
END_TEST

START_TEST(test_full_wait_counts_the_oldest)
{
	quiet(0, 10, 0);
	quiet(0, 20, 0);
	quiet(0, 30, 0);
	/* Never settled: past the room for them, the oldest count as they
	 * are, so that none is dropped. */
	for (uint64_t s = 40; s < 200; s += 10)
		quiet_at(0, s, 1, s);
	ck_assert_uint_eq(unseen_lost(u), 1);
}
END_TEST

Suite *suite_bpf_unseen(void)
{
	Suite *s = suite_create("bpf-unseen");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_base_is_no_loss);
	tcase_add_test(tc, test_loss_shows_at_the_second_moment);
	tcase_add_test(tc, test_odd_moments_count_nothing);
	tcase_add_test(tc, test_odd_moment_in_the_base);
	tcase_add_test(tc, test_loss_only_grows);
	tcase_add_test(tc, test_cpus_add_up);
	tcase_add_test(tc, test_counters_wrap);
	tcase_add_test(tc, test_unsettled_moments_wait);
	tcase_add_test(tc, test_what_is_not_recovered_counts);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_full_wait_counts_the_oldest);
	suite_add_tcase(s, tc);
	return s;
}
