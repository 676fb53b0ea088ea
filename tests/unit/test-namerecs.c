/* SPDX-License-Identifier: MIT */
/* Unit tests of src/namerecs.c: names kept in order with copies of their
 * texts, growing without moving what the writer holds, a bound that
 * drops and counts, and what a valid name is. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "namerecs.h"
#include "suites.h"

static struct tca_name name(uint64_t id, const char *text)
{
	return (struct tca_name){ .kind = TCA_NAME_CGROUP, .id = id, .time_ns = id * 10,
				  .run_id = 999, .origin = 5, .text = text };
}

START_TEST(test_namerecs_order_and_copy)
{
	struct namerecs nr;
	struct tca_name out[4], in;
	char text[32];

	ck_assert_int_eq(namerecs_init(&nr, 4, 4), 0);
	for (uint64_t id = 1; id <= 3; id++) {
		snprintf(text, sizeof(text), "/a.slice/c%d", (int)id);
		in = name(id, text);
		ck_assert_int_eq(namerecs_add(&nr, &in, 42), 0);
	}
	/* The eventer's buffer is reused at once: the ring has its own copy. */
	memset(text, 'z', sizeof(text) - 1);
	ck_assert_uint_eq(namerecs_count(&nr), 3);
	ck_assert_uint_eq(namerecs_peek(&nr, out, 4), 3);
	for (uint64_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "/a.slice/c%d", (int)i + 1);
		ck_assert_str_eq(out[i].text, text);
		ck_assert_uint_eq(out[i].id, i + 1);
		ck_assert_uint_eq(out[i].kind, TCA_NAME_CGROUP);
		ck_assert_uint_eq(out[i].time_ns, (i + 1) * 10);
		/* The processor's run, and no relay index. */
		ck_assert_uint_eq(out[i].run_id, 42);
		ck_assert_uint_eq(out[i].origin, 0);
	}
	/* Peeking takes nothing; popping takes the oldest. */
	ck_assert_uint_eq(namerecs_peek(&nr, out, 1), 1);
	namerecs_pop(&nr, 1);
	ck_assert_uint_eq(namerecs_peek(&nr, out, 4), 2);
	ck_assert_uint_eq(out[0].id, 2);
	ck_assert_uint_eq(namerecs_dropped(&nr), 0);
	/* What is left is freed with the ring (valgrind and ASan check). */
	namerecs_destroy(&nr);
}
END_TEST

START_TEST(test_namerecs_grow_and_bound)
{
	struct namerecs nr;
	struct tca_name held[2], out[8], in;
	char text[16];

	ck_assert_int_eq(namerecs_init(&nr, 2, 5), 0);
	/* Wrap the ring first, so that growing has to unwrap it. */
	in = name(100, "/old");
	ck_assert_int_eq(namerecs_add(&nr, &in, 1), 0);
	namerecs_pop(&nr, 1);
	for (uint64_t id = 1; id <= 2; id++) {
		snprintf(text, sizeof(text), "/g%d", (int)id);
		in = name(id, text);
		ck_assert_int_eq(namerecs_add(&nr, &in, 1), 0);
	}
	/* The writer holds copies while the reader makes the ring grow. */
	ck_assert_uint_eq(namerecs_peek(&nr, held, 2), 2);
	for (uint64_t id = 3; id <= 5; id++) {
		snprintf(text, sizeof(text), "/g%d", (int)id);
		in = name(id, text);
		ck_assert_int_eq(namerecs_add(&nr, &in, 1), 0);
	}
	ck_assert_str_eq(held[0].text, "/g1");
	ck_assert_str_eq(held[1].text, "/g2");
	/* At the bound: the newest is dropped, and counted. */
	ck_assert(!namerecs_has_room(&nr));
	in = name(6, "/g6");
	ck_assert_int_eq(namerecs_add(&nr, &in, 1), -ENOSPC);
	ck_assert_uint_eq(namerecs_dropped(&nr), 1);
	ck_assert_uint_eq(namerecs_count(&nr), 5);
	ck_assert_uint_eq(namerecs_peek(&nr, out, 8), 5);
	for (uint64_t i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "/g%d", (int)i + 1);
		ck_assert_str_eq(out[i].text, text);
	}
	namerecs_pop(&nr, 5);
	ck_assert_uint_eq(namerecs_count(&nr), 0);
	/* Room again. */
	ck_assert(namerecs_has_room(&nr));
	ck_assert_int_eq(namerecs_add(&nr, &in, 1), 0);
	namerecs_destroy(&nr);
	ck_assert_int_eq(namerecs_init(&nr, 0, 4), -EINVAL);
	ck_assert_int_eq(namerecs_init(&nr, 4, 2), -EINVAL);
}
END_TEST

START_TEST(test_namerecs_valid)
{
	char *longest = malloc(TCA_NAME_MAX + 1);
	struct tca_name n = name(1, "/x");

	ck_assert_ptr_nonnull(longest);
	ck_assert(namerecs_valid(&n));
	n.kind = 0;
	ck_assert(!namerecs_valid(&n));
	n.kind = TCA_NAME_KIND_MAX + 1;
	ck_assert(!namerecs_valid(&n));
	n.kind = TCA_NAME_CGROUP;
	n.text = NULL;
	ck_assert(!namerecs_valid(&n));
	/* TCA_NAME_MAX counts the NUL: 4095 bytes of text fit, 4096 do not. */
	memset(longest, 'x', TCA_NAME_MAX);
	longest[TCA_NAME_MAX - 1] = '\0';
	n.text = longest;
	ck_assert(namerecs_valid(&n));
	longest[TCA_NAME_MAX - 1] = 'x';
	longest[TCA_NAME_MAX] = '\0';
	ck_assert(!namerecs_valid(&n));
	/* Any byte but NUL may be in a cgroup's name. */
	n.text = "/a\x01\xff\"\\\n";
	ck_assert(namerecs_valid(&n));
	free(longest);
}
END_TEST

Suite *suite_namerecs(void)
{
	Suite *s = suite_create("namerecs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_namerecs_order_and_copy);
	tcase_add_test(tc, test_namerecs_grow_and_bound);
	tcase_add_test(tc, test_namerecs_valid);
	suite_add_tcase(s, tc);
	return s;
}
