/* SPDX-License-Identifier: MIT */
/* Unit tests of src/kvlist.c: ordered KEY=VALUE options with their origin. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "kvlist.h"
#include "suites.h"

START_TEST(test_kvlist_assignment)
{
	struct kvlist l = { 0 };

	ck_assert_int_eq(kvlist_add_assignment(&l, "path=/a=b", "command line"), 0);
	ck_assert_int_eq(kvlist_add_assignment(&l, "empty=", "x.conf [json]"), 0);
	ck_assert_int_eq(kvlist_add_assignment(&l, "novalue", "command line"), -EINVAL);
	ck_assert_int_eq(kvlist_add_assignment(&l, "=v", "command line"), -EINVAL);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.items[0].key, "path");
	ck_assert_str_eq(l.items[0].value, "/a=b");
	ck_assert_str_eq(l.items[0].origin, "command line");
	ck_assert_str_eq(l.items[1].key, "empty");
	ck_assert_str_eq(l.items[1].value, "");
	ck_assert_str_eq(l.items[1].origin, "x.conf [json]");
	kvlist_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.items);
}
END_TEST

START_TEST(test_kvlist_grow_and_extend)
{
	struct kvlist a = { 0 }, b = { 0 };
	char key[16];

	/* Past the first allocation, order kept. */
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(kvlist_add(&a, key, "v", "file"), 0);
	}
	ck_assert_int_eq(kvlist_add(&b, "k0", "late", "command line"), 0);
	ck_assert_int_eq(kvlist_extend(&a, &b), 0);
	ck_assert_uint_eq(a.n, 101);
	ck_assert_str_eq(a.items[99].key, "k99");
	ck_assert_str_eq(a.items[100].key, "k0");
	ck_assert_str_eq(a.items[100].value, "late");
	ck_assert_str_eq(a.items[100].origin, "command line");
	/* Copies, not shared strings. */
	ck_assert_ptr_ne(a.items[100].key, b.items[0].key);
	kvlist_free(&a);
	kvlist_free(&b);
	/* Freeing an empty list is fine. */
	kvlist_free(&b);
}
END_TEST

Suite *suite_kvlist(void)
{
	Suite *s = suite_create("kvlist");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_kvlist_assignment);
	tcase_add_test(tc, test_kvlist_grow_and_extend);
	suite_add_tcase(s, tc);
	return s;
}
