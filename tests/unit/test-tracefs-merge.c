/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/merge.c: the CPUs' streams come out in
 * one time order across page refills, a CPU found empty holds back newer
 * records of the others until it is looked at again (the watermark), and
 * corrupt or endless sources cost a count, not a hang. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

#define MAX_PAGES 16
#define MARGIN 5000000 /* merge.c's MERGE_MARGIN_NS */

struct fake {
	struct fix_page page[2][MAX_PAGES];
	int npages[2], next[2];
	uint64_t now;
	int reads;
	bool endless_empty;
};

static ssize_t fake_fill(void *ctx, int i, void *buf, size_t size)
{
	struct fake *f = ctx;

	f->reads++;
	if (f->endless_empty) {
		struct fix_page p;
		fix_page_init(&p, 0);
		fix_page_finish(&p, 0);
		memcpy(buf, p.b, size);
		return (ssize_t)size;
	}
	if (f->next[i] >= f->npages[i])
		return 0;
	memcpy(buf, f->page[i][f->next[i]++].b, size);
	return (ssize_t)size;
}

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

/* A page on cpu of records stamped ts[0..n) (absolute), tagged by ts. */
static void fake_page(struct fake *f, int cpu, const uint64_t *ts, int n)
{
	struct fix_page *p = &f->page[cpu][f->npages[cpu]++];
	uint64_t prev = ts[0];

	fix_page_init(p, ts[0]);
	for (int k = 0; k < n; k++) {
		uint32_t tag = (uint32_t)ts[k];
		fix_page_event(p, (uint32_t)(ts[k] - prev), &tag, 4, false);
		prev = ts[k];
	}
	fix_page_finish(p, 0);
}

static struct tmerge *fake_merge(struct fake *f)
{
	struct tmerge_src src = { .fill = fake_fill, .now = fake_now, .ctx = f };
	struct tmerge *m = tmerge_new(2, FIX_PAGE_SIZE, FIX_COMMIT_SIZE, &src);

	ck_assert_ptr_nonnull(m);
	return m;
}

/* Drain what may go out now into out[]; returns how many. */
static int drain(struct tmerge *m, uint64_t *out, int cap)
{
	const struct trec *r;
	int n = 0;

	while (n < cap && (r = tmerge_peek(m))) {
		uint32_t tag;
		memcpy(&tag, r->data, 4);
		ck_assert_uint_eq(tag, (uint32_t)r->ts);
		out[n++] = r->ts;
		tmerge_next(m);
	}
	return n;
}

START_TEST(test_merge_order_across_refills)
{
	static const uint64_t a1[] = { 10, 30, 50 }, a2[] = { 70, 90 }, b1[] = { 20, 40 },
			      b2[] = { 60, 80, 100 };
	struct fake f = { .now = UINT64_C(1) << 40 };
	struct tmerge *m;
	uint64_t out[16];
	int n;

	fake_page(&f, 0, a1, 3);
	fake_page(&f, 0, a2, 2);
	fake_page(&f, 1, b1, 2);
	fake_page(&f, 1, b2, 3);
	m = fake_merge(&f);
	tmerge_rearm(m);
	n = drain(m, out, 16);
	ck_assert_int_eq(n, 10);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(out[i], (uint64_t)(i + 1) * 10);
	ck_assert(!tmerge_holding(m));
	tmerge_free(m);
}
END_TEST

/* CPU 0 is empty when looked at (at 150); CPU 1 has 100 and 200. 200 must
 * wait: CPU 0 may yet deliver a record of 170, which it does next time. */
START_TEST(test_merge_watermark_holds_newer_records)
{
	static const uint64_t b[] = { 100, 200 }, a[] = { 170 };
	struct fake f = { .now = 150 + MARGIN };
	struct tmerge *m;
	uint64_t out[8];

	fake_page(&f, 1, b, 2);
	m = fake_merge(&f);
	tmerge_rearm(m);
	ck_assert_int_eq(drain(m, out, 8), 1);
	ck_assert_uint_eq(out[0], 100);
	ck_assert(tmerge_holding(m));
	/* Within the same read(), CPU 0 is not read again. */
	ck_assert_int_eq(drain(m, out, 8), 0);
	fake_page(&f, 0, a, 1);
	f.now = 10000 + MARGIN;
	tmerge_rearm(m);
	ck_assert_int_eq(drain(m, out, 8), 2);
	ck_assert_uint_eq(out[0], 170);
	ck_assert_uint_eq(out[1], 200);
	ck_assert(!tmerge_holding(m));
	tmerge_free(m);
}
END_TEST

/* After recording stopped (the final drain), a CPU found empty holds
 * nothing back: one read() hands out all there is, and never returns 0
 * while records wait (the drain stops at 0). */
START_TEST(test_merge_final_holds_nothing)
{
	static const uint64_t b[] = { 100, 200 };
	struct fake f = { .now = 150 + MARGIN };
	struct tmerge *m;
	uint64_t out[8];

	fake_page(&f, 1, b, 2);
	m = fake_merge(&f);
	tmerge_final(m);
	tmerge_rearm(m);
	ck_assert_int_eq(drain(m, out, 8), 2);
	ck_assert_uint_eq(out[1], 200);
	ck_assert(!tmerge_holding(m));
	tmerge_free(m);
}
END_TEST

START_TEST(test_merge_skips_corrupt_pages)
{
	static const uint64_t a[] = { 5 }, b[] = { 7 };
	struct fake f = { .now = UINT64_C(1) << 40 };
	struct tmerge *m;
	uint64_t out[8], commit = 1u << 20;

	fake_page(&f, 0, a, 1);
	memcpy(f.page[0][0].b + 8, &commit, 8); /* past the page */
	fake_page(&f, 0, b, 1);
	fix_page_finish(&f.page[0][1], 3);      /* 3 events lost before it */
	m = fake_merge(&f);
	tmerge_rearm(m);
	ck_assert_int_eq(drain(m, out, 8), 1);
	ck_assert_uint_eq(out[0], 7);
	ck_assert_uint_eq(tmerge_corrupt(m), 1);
	ck_assert_uint_eq(tmerge_missed(m), 3);
	tmerge_free(m);
}
END_TEST

START_TEST(test_merge_endless_empty_source_is_bounded)
{
	struct fake f = { .now = UINT64_C(1) << 40, .endless_empty = true };
	struct tmerge *m;
	uint64_t out[8];

	m = fake_merge(&f);
	tmerge_rearm(m);
	ck_assert_int_eq(drain(m, out, 8), 0);
	ck_assert_int_le(f.reads, 2 * 64);
	tmerge_free(m);
}
END_TEST

/* A stop that leaves the kernel recording (tmerge_finish at 50): CPU 0
 * is read up to its first page that starts after 50, which still comes
 * out (it was read from the kernel), and no further; CPU 1 is read until
 * it is empty. Nothing is held back, nothing read is left unread. */
START_TEST(test_merge_finish_reads_up_to_the_stop)
{
	static const uint64_t a1[] = { 10, 20 }, a2[] = { 30, 40 }, a3[] = { 100, 110 },
			      a4[] = { 200 }, b1[] = { 15, 45 };
	static const uint64_t want[] = { 10, 15, 20, 30, 40, 45, 100, 110 };
	struct fake f = { .now = 50 };
	struct tmerge *m;
	uint64_t out[16];
	int n;

	fake_page(&f, 0, a1, 2);
	fake_page(&f, 0, a2, 2);
	fake_page(&f, 0, a3, 2);
	fake_page(&f, 0, a4, 1);
	fake_page(&f, 1, b1, 2);
	m = fake_merge(&f);
	tmerge_finish(m);
	tmerge_rearm(m);
	n = drain(m, out, 16);
	ck_assert_int_eq(n, 8);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(out[i], want[i]);
	ck_assert(!tmerge_holding(m));
	/* The page of 200 is the kernel's still, for the next run. */
	ck_assert_int_eq(f.next[0], 3);
	tmerge_rearm(m);
	ck_assert_ptr_null(tmerge_peek(m));
	ck_assert_int_eq(f.next[0], 3);
	tmerge_free(m);
}
END_TEST

Suite *suite_tracefs_merge(void)
{
	Suite *s = suite_create("tracefs-merge");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_merge_order_across_refills);
	tcase_add_test(tc, test_merge_watermark_holds_newer_records);
	tcase_add_test(tc, test_merge_final_holds_nothing);
	tcase_add_test(tc, test_merge_skips_corrupt_pages);
	tcase_add_test(tc, test_merge_endless_empty_source_is_bounded);
	tcase_add_test(tc, test_merge_finish_reads_up_to_the_stop);
	suite_add_tcase(s, tc);
	return s;
}
