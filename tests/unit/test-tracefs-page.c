/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/trace-page.c: pages as the kernel writes them,
 * and pages it would not write (lengths past the page, zero and negative
 * record lengths), which must end the walk early without reading past
 * the bytes given or looping. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

START_TEST(test_page_records_and_time)
{
	struct fix_page p;
	struct tpage pg;
	struct trec r;
	uint8_t a[8] = { 1 }, b[72] = { 2 }, c[5] = { 3 };

	fix_page_init(&p, 1000);
	fix_page_event(&p, 5, a, sizeof(a), false);
	fix_page_extend(&p, (UINT64_C(3) << 27) + 7);
	fix_page_event(&p, 10, b, sizeof(b), true);
	fix_page_event(&p, 1, c, sizeof(c), false); /* odd size: long form */
	fix_page_finish(&p, 0);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(pg.missed, 0);
	ck_assert_int_eq(tpage_next(&pg, &r), 1);
	ck_assert_uint_eq(r.ts, 1005);
	ck_assert_uint_eq(r.size, 8);
	ck_assert_int_eq(((const uint8_t *)r.data)[0], 1);
	ck_assert_int_eq(tpage_next(&pg, &r), 1);
	ck_assert_uint_eq(r.ts, 1005 + (UINT64_C(3) << 27) + 7 + 10);
	ck_assert_uint_eq(r.size, 72);
	ck_assert_int_eq(((const uint8_t *)r.data)[0], 2);
	ck_assert_int_eq(tpage_next(&pg, &r), 1);
	ck_assert_uint_eq(r.size, 5);
	ck_assert_int_eq(((const uint8_t *)r.data)[0], 3);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
	ck_assert(!pg.corrupt);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
}
END_TEST

START_TEST(test_page_missed_counts)
{
	struct fix_page p;
	struct tpage pg;

	fix_page_init(&p, 1);
	fix_page_finish(&p, 42);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(pg.missed, 42);
	fix_page_init(&p, 1);
	fix_page_finish(&p, -1); /* flagged, no room to store the count */
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(pg.missed, -1);
}
END_TEST

START_TEST(test_page_commit_past_the_page)
{
	struct fix_page p;
	struct tpage pg;
	uint64_t commit = FIX_PAGE_SIZE; /* 16 bytes more than there are */

	fix_page_init(&p, 1);
	memcpy(p.b + 8, &commit, 8);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), -EBADMSG);
	/* Within the page, but past what the read returned. */
	commit = 200;
	memcpy(p.b + 8, &commit, 8);
	ck_assert_int_eq(tpage_load(&pg, p.b, 100, FIX_COMMIT_SIZE), -EBADMSG);
	ck_assert_int_eq(tpage_load(&pg, p.b, 10, FIX_COMMIT_SIZE), -EBADMSG);
	commit = (UINT64_C(1) << 27) - 1; /* what kbuffer's mask let through */
	memcpy(p.b + 8, &commit, 8);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), -EBADMSG);
}
END_TEST

/* A page whose last event claims more bytes than the commit holds. */
START_TEST(test_page_last_record_over_the_edge)
{
	struct fix_page p;
	struct tpage pg;
	struct trec r;
	uint8_t a[72] = { 0 };
	uint64_t commit;

	fix_page_init(&p, 1);
	fix_page_event(&p, 1, a, sizeof(a), false);
	fix_page_event(&p, 1, a, sizeof(a), true);
	fix_page_finish(&p, 0);
	commit = p.len - FIX_PAGE_HDR - 8; /* cut the last record short */
	memcpy(p.b + 8, &commit, 8);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(tpage_next(&pg, &r), 1);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
	ck_assert(pg.corrupt);
	/* The same with the short form: 28 words claimed, 2 there. */
	fix_page_init(&p, 1);
	fix_put4(&p, fix_hdr(28, 1));
	fix_put4(&p, 0);
	fix_put4(&p, 0);
	fix_page_finish(&p, 0);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
	ck_assert(pg.corrupt);
}
END_TEST

START_TEST(test_page_bad_lengths_end_the_walk)
{
	static const uint32_t bad[] = { 0, 1, 3, 0x80000000u, 0xfffffffcu, 0xffffffffu };
	struct fix_page p;
	struct tpage pg;
	struct trec r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (unsigned type = 0; type <= 29; type += 29) { /* data, padding */
			fix_page_init(&p, 1);
			fix_put4(&p, fix_hdr(type, 1));
			fix_put4(&p, bad[i]);
			for (int k = 0; k < 8; k++)
				fix_put4(&p, 0);
			fix_page_finish(&p, 0);
			ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
			/* At most the zero words after it, each 4 bytes on. */
			for (int n = 0; n < 20 && tpage_next(&pg, &r); n++)
				ck_assert_uint_le((const uint8_t *)r.data + r.size - p.b, p.len);
			ck_assert_uint_eq(pg.pos, pg.len);
		}
	}
}
END_TEST

START_TEST(test_page_padding_and_extend_at_the_end)
{
	struct fix_page p;
	struct tpage pg;
	struct trec r;

	/* A time extend with its second word missing. */
	fix_page_init(&p, 1);
	fix_put4(&p, fix_hdr(30, 1));
	fix_page_finish(&p, 0);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
	ck_assert(pg.corrupt);
	/* Padding with no delta: the rest of the page is empty, not corrupt. */
	fix_page_init(&p, 1);
	fix_put4(&p, fix_hdr(29, 0));
	fix_put4(&p, 0);
	fix_page_finish(&p, 0);
	ck_assert_int_eq(tpage_load(&pg, p.b, FIX_PAGE_SIZE, FIX_COMMIT_SIZE), 0);
	ck_assert_int_eq(tpage_next(&pg, &r), 0);
	ck_assert(!pg.corrupt);
}
END_TEST

Suite *suite_tracefs_page(void)
{
	Suite *s = suite_create("tracefs-page");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_page_records_and_time);
	tcase_add_test(tc, test_page_missed_counts);
	tcase_add_test(tc, test_page_commit_past_the_page);
	tcase_add_test(tc, test_page_last_record_over_the_edge);
	tcase_add_test(tc, test_page_bad_lengths_end_the_walk);
	tcase_add_test(tc, test_page_padding_and_extend_at_the_end);
	suite_add_tcase(s, tc);
	return s;
}
