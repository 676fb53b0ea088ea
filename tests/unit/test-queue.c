/* SPDX-License-Identifier: MIT */
/* Unit tests of src/queue.c: bounds, order, numbering, wrap and batching. */
#include "config.h"

#include <string.h>

#include "queue.h"
#include "suites.h"

static void fill(struct tca_event *ev, size_t n, uint64_t first_sock)
{
	memset(ev, 0, n * sizeof(*ev));
	for (size_t i = 0; i < n; i++)
		ev[i].sock = first_sock + i;
}

START_TEST(test_queue_bounded)
{
	struct queue q;
	struct tca_event ev[100];

	ck_assert_int_eq(queue_init(&q, 64 * sizeof(struct tca_event)), 0);
	ck_assert_uint_eq(q.cap, 64);
	fill(ev, 100, 1);
	/* A full queue takes what fits and says so; the caller counts the rest. */
	ck_assert_uint_eq(queue_push(&q, ev, 100), 64);
	ck_assert_uint_eq(queue_push(&q, ev, 1), 0);
	ck_assert_uint_eq(queue_count(&q), 64);
	ck_assert_uint_eq(queue_high_water(&q), 64);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_too_small)
{
	struct queue q;

	ck_assert_int_eq(queue_init(&q, 10 * sizeof(struct tca_event)), -EINVAL);
}
END_TEST

START_TEST(test_queue_order_seq_wrap)
{
	struct queue q;
	struct tca_event ev[64];
	const struct tca_event *out;
	uint64_t expect = 1;
	size_t n;

	ck_assert_int_eq(queue_init(&q, 64 * sizeof(struct tca_event)), 0);
	queue_set_batching(&q, 40, 0);
	fill(ev, 50, 1);
	ck_assert_uint_eq(queue_push(&q, ev, 50), 50);
	n = queue_wait_batch(&q, &out);
	ck_assert_uint_eq(n, 40);
	for (size_t i = 0; i < n; i++, expect++) {
		ck_assert_uint_eq(out[i].sock, expect);
		ck_assert_uint_eq(out[i].seq, expect - 1);
	}
	queue_pop(&q, n);
	/* 10 left at slots 40..49; 30 more wrap around the end of the ring. */
	fill(ev, 30, 51);
	ck_assert_uint_eq(queue_push(&q, ev, 30), 30);
	while (queue_count(&q)) {
		n = queue_wait_batch(&q, &out);
		ck_assert_uint_gt(n, 0);
		for (size_t i = 0; i < n; i++, expect++) {
			ck_assert_uint_eq(out[i].sock, expect);
			ck_assert_uint_eq(out[i].seq, expect - 1);
		}
		queue_pop(&q, n);
	}
	ck_assert_uint_eq(expect, 81);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_delay_and_close)
{
	struct queue q;
	struct tca_event ev[3];
	const struct tca_event *out;
	uint64_t t0;

	ck_assert_int_eq(queue_init(&q, 1 << 16), 0);
	queue_set_batching(&q, 1000, 50);
	fill(ev, 3, 7);
	queue_push(&q, ev, 3);
	/* Fewer than a batch: handed over once the oldest has waited the delay. */
	t0 = queue_now_ms();
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 3);
	ck_assert_uint_ge(queue_now_ms() - t0, 40);
	queue_pop(&q, 3);
	/* Closed: the rest comes at once, then 0, and pushes are refused. */
	queue_push(&q, ev, 2);
	queue_close(&q);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 2);
	queue_pop(&q, 2);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 0);
	ck_assert_uint_eq(queue_push(&q, ev, 1), 0);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_kick)
{
	struct queue q;
	const struct tca_event *out;

	ck_assert_int_eq(queue_init(&q, 1 << 16), 0);
	queue_kick(&q);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 0);
	ck_assert(!queue_is_closed(&q));
	queue_destroy(&q);
}
END_TEST

Suite *suite_queue(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_queue_bounded);
	tcase_add_test(tc, test_queue_too_small);
	tcase_add_test(tc, test_queue_order_seq_wrap);
	tcase_add_test(tc, test_queue_delay_and_close);
	tcase_add_test(tc, test_queue_kick);
	suite_add_tcase(s, tc);
	return s;
}
