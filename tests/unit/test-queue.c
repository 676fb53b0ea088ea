/* SPDX-License-Identifier: MIT */
/* Unit tests of src/queue.c: bounds, order, wrap, batching and
 * one producer against one consumer thread. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "queue.h"
#include "suites.h"

/* The reader numbers events before it pushes them; these tests number
 * what the queue takes, from 0, so that the seqs show the order. */
static uint64_t next_seq;

static int tq_init(struct queue *q, uint64_t memory)
{
	next_seq = 0;
	return queue_init(q, memory);
}

static size_t tq_push(struct queue *q, struct tca_event *ev, size_t n)
{
	size_t accepted;

	for (size_t i = 0; i < n; i++)
		ev[i].seq = next_seq + i;
	accepted = queue_push(q, ev, n);
	next_seq += accepted;
	return accepted;
}

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

	ck_assert_int_eq(tq_init(&q, 64 * sizeof(struct tca_event)), 0);
	ck_assert_uint_eq(q.cap, 64);
	fill(ev, 100, 1);
	/* A full queue takes what fits and says so; the caller counts the rest. */
	ck_assert_uint_eq(tq_push(&q, ev, 100), 64);
	ck_assert_uint_eq(tq_push(&q, ev, 1), 0);
	ck_assert_uint_eq(queue_count(&q), 64);
	ck_assert_uint_eq(queue_high_water(&q), 64);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_full_then_room)
{
	struct queue q;
	struct tca_event ev[64];
	const struct tca_event *out;

	ck_assert_int_eq(tq_init(&q, 64 * sizeof(struct tca_event) + 100), 0);
	/* The cap is what fits in the memory, rounded down. */
	ck_assert_uint_eq(q.cap, 64);
	queue_set_batching(&q, 16, 0);
	fill(ev, 64, 1);
	ck_assert_uint_eq(tq_push(&q, ev, 60), 60);
	/* Only 4 fit: the others are refused, and not numbered. */
	ck_assert_uint_eq(tq_push(&q, ev + 60, 4), 4);
	ck_assert_uint_eq(tq_push(&q, ev, 10), 0);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 16);
	ck_assert_uint_eq(out[0].seq, 0);
	ck_assert_uint_eq(out[15].seq, 15);
	queue_pop(&q, 16);
	/* Room for exactly 16 again; numbering goes on from 64. */
	fill(ev, 20, 100);
	ck_assert_uint_eq(tq_push(&q, ev, 20), 16);
	ck_assert_uint_eq(queue_count(&q), 64);
	ck_assert_uint_eq(queue_high_water(&q), 64);
	for (uint64_t expect_seq = 16; queue_count(&q);) {
		size_t n = queue_wait_batch(&q, &out);
		for (size_t i = 0; i < n; i++, expect_seq++)
			ck_assert_uint_eq(out[i].seq, expect_seq);
		queue_pop(&q, n);
		if (!queue_count(&q))
			ck_assert_uint_eq(expect_seq, 80);
	}
	/* Popping more than is held is harmless. */
	queue_pop(&q, 5);
	ck_assert_uint_eq(queue_count(&q), 0);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_too_small)
{
	struct queue q;

	ck_assert_int_eq(tq_init(&q, 10 * sizeof(struct tca_event)), -EINVAL);
}
END_TEST

START_TEST(test_queue_order_seq_wrap)
{
	struct queue q;
	struct tca_event ev[64];
	const struct tca_event *out;
	uint64_t expect = 1;
	size_t n;

	ck_assert_int_eq(tq_init(&q, 64 * sizeof(struct tca_event)), 0);
	queue_set_batching(&q, 40, 0);
	fill(ev, 50, 1);
	ck_assert_uint_eq(tq_push(&q, ev, 50), 50);
	n = queue_wait_batch(&q, &out);
	ck_assert_uint_eq(n, 40);
	for (size_t i = 0; i < n; i++, expect++) {
		ck_assert_uint_eq(out[i].sock, expect);
		ck_assert_uint_eq(out[i].seq, expect - 1);
	}
	queue_pop(&q, n);
	/* 10 left at slots 40..49; 30 more wrap around the end of the ring. */
	fill(ev, 30, 51);
	ck_assert_uint_eq(tq_push(&q, ev, 30), 30);
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

/* The pusher fills a reserved span in place: it is the free slots after
 * the newest event, only whole and unwrapped, and the writer's pops keep
 * it where it is until it is committed. */
START_TEST(test_queue_reserve_commit)
{
	struct queue q;
	struct tca_event ev[64], *span = NULL;
	const struct tca_event *out;

	ck_assert_int_eq(tq_init(&q, 64 * sizeof(struct tca_event)), 0);
	queue_set_batching(&q, 64, 0);
	fill(ev, 40, 1);
	ck_assert_uint_eq(tq_push(&q, ev, 40), 40);
	/* 24 free slots after the tail: a span of 24 fits, one of 25 does not. */
	ck_assert_uint_eq(queue_reserve(&q, 25, &span), 0);
	ck_assert_ptr_null(span);
	ck_assert_uint_eq(queue_reserve(&q, 24, &span), 24);
	ck_assert_ptr_eq(span, q.ring + 40);
	/* The writer empties the queue meanwhile: the span does not move. */
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 40);
	queue_pop(&q, 40);
	ck_assert_uint_eq(q.head, 40);
	fill(span, 24, 41);
	for (size_t i = 0; i < 24; i++)
		span[i].seq = 40 + i;
	ck_assert_uint_eq(queue_commit(&q, 10), 10);
	ck_assert_uint_eq(queue_count(&q), 10);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 10);
	ck_assert_uint_eq(out[0].sock, 41);
	ck_assert_uint_eq(out[9].seq, 49);
	queue_pop(&q, 10);
	/* Empty and not reserved: the ring starts at slot 0 again. */
	ck_assert_uint_eq(q.head, 0);
	/* Free slots that wrap are no span: 4 at the end, 30 at the start. */
	ck_assert_uint_eq(tq_push(&q, ev, 40), 40);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 40);
	queue_pop(&q, 30);
	ck_assert_uint_eq(tq_push(&q, ev, 20), 20);
	ck_assert_uint_eq(queue_reserve(&q, 20, &span), 0);
	ck_assert_uint_eq(queue_reserve(&q, 4, &span), 4);
	ck_assert_uint_eq(queue_commit(&q, 0), 0);
	ck_assert_uint_eq(queue_count(&q), 30);
	/* Closed: nothing is reserved, and a span filled meanwhile is not queued. */
	ck_assert_uint_eq(queue_reserve(&q, 4, &span), 4);
	queue_close(&q);
	ck_assert_uint_eq(queue_commit(&q, 4), 0);
	ck_assert_uint_eq(queue_count(&q), 30);
	ck_assert_uint_eq(queue_reserve(&q, 1, &span), 0);
	queue_destroy(&q);
}
END_TEST

/* Spans stay within the slots the backlog has needed (or four batches),
 * and an empty queue's span starts at slot 0: a large ring is not walked
 * through while the reader holds reservations. */
START_TEST(test_queue_reserve_window)
{
	struct queue q;
	struct tca_event ev[64], *span = NULL;
	const struct tca_event *out;

	ck_assert_int_eq(tq_init(&q, 1024 * sizeof(struct tca_event)), 0);
	queue_set_batching(&q, 16, 0);
	fill(ev, 40, 1);
	ck_assert_uint_eq(tq_push(&q, ev, 40), 40);
	/* Four batches are 64 slots: 40 + 32 is past them, 40 + 24 is not. */
	ck_assert_uint_eq(queue_reserve(&q, 32, &span), 0);
	ck_assert_uint_eq(queue_reserve(&q, 24, &span), 24);
	ck_assert_ptr_eq(span, q.ring + 40);
	ck_assert_uint_eq(queue_commit(&q, 24), 24);
	/* The backlog reached 64: still the limit. */
	ck_assert_uint_eq(queue_reserve(&q, 1, &span), 0);
	while (queue_count(&q))
		queue_pop(&q, queue_wait_batch(&q, &out));
	ck_assert_uint_eq(queue_reserve(&q, 32, &span), 32);
	ck_assert_ptr_eq(span, q.ring);
	ck_assert_uint_eq(queue_commit(&q, 0), 0);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_delay_and_close)
{
	struct queue q;
	struct tca_event ev[3];
	const struct tca_event *out;
	uint64_t t0;

	ck_assert_int_eq(tq_init(&q, 1 << 16), 0);
	queue_set_batching(&q, 1000, 50);
	fill(ev, 3, 7);
	tq_push(&q, ev, 3);
	/* Fewer than a batch: handed over once the oldest has waited the delay. */
	t0 = queue_now_ms();
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 3);
	ck_assert_uint_ge(queue_now_ms() - t0, 40);
	queue_pop(&q, 3);
	/* Closed: the rest comes at once, then 0, and pushes are refused. */
	tq_push(&q, ev, 2);
	queue_close(&q);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 2);
	queue_pop(&q, 2);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 0);
	ck_assert_uint_eq(tq_push(&q, ev, 1), 0);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_kick)
{
	struct queue q;
	const struct tca_event *out;

	ck_assert_int_eq(tq_init(&q, 1 << 16), 0);
	queue_kick(&q);
	ck_assert_uint_eq(queue_wait_batch(&q, &out), 0);
	ck_assert(!queue_is_closed(&q));
	queue_destroy(&q);
}
END_TEST

#define THREAD_EVENTS 20000

struct producer {
	struct queue *q;
	uint64_t refused; /* pushes that found the queue full */
};

/* Push THREAD_EVENTS events in odd-sized bursts, waiting for room rather
 * than dropping, then close the queue. */
static void *producer_main(void *arg)
{
	struct producer *pr = arg;
	struct tca_event ev[37];
	uint64_t next = 1;

	while (next <= THREAD_EVENTS) {
		size_t n = THREAD_EVENTS - next + 1 < 37 ? THREAD_EVENTS - next + 1 : 37;
		size_t done = 0;
		fill(ev, n, next);
		while (done < n) {
			size_t got = tq_push(pr->q, ev + done, n - done);
			if (got < n - done) {
				pr->refused++;
				sched_yield();
			}
			done += got;
		}
		next += n;
	}
	queue_close(pr->q);
	return NULL;
}

START_TEST(test_queue_threads)
{
	struct queue q;
	struct producer pr = { .q = &q };
	pthread_t t;
	const struct tca_event *out;
	uint64_t expect = 1;

	/* A small ring, so that it fills and wraps many times over. */
	ck_assert_int_eq(tq_init(&q, 100 * sizeof(struct tca_event)), 0);
	queue_set_batching(&q, 32, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, producer_main, &pr), 0);
	for (;;) {
		size_t n = queue_wait_batch(&q, &out);
		if (n == 0) {
			if (queue_is_closed(&q) && queue_count(&q) == 0)
				break;
			continue;
		}
		ck_assert_uint_le(n, 32);
		for (size_t i = 0; i < n; i++, expect++) {
			ck_assert_uint_eq(out[i].sock, expect);
			ck_assert_uint_eq(out[i].seq, expect - 1);
		}
		queue_pop(&q, n);
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	/* Every event arrived once, in order, and nothing is left. */
	ck_assert_uint_eq(expect, THREAD_EVENTS + 1);
	ck_assert_uint_eq(queue_count(&q), 0);
	ck_assert_uint_le(queue_high_water(&q), 100);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_sleep)
{
	struct queue q;
	uint64_t t0;

	ck_assert_int_eq(tq_init(&q, 1 << 16), 0);
	/* A kick ends the sleep at once, and is used up by it. */
	queue_kick(&q);
	queue_sleep(&q, 60000);
	ck_assert(!q.kicked);
	/* A closed queue does not: a writer holding a batch for a store that
	 * is down must still back off while the processor stops. */
	queue_close(&q);
	t0 = queue_now_ms();
	queue_sleep(&q, 50);
	ck_assert_uint_ge(queue_now_ms() - t0, 50);
	queue_destroy(&q);
}
END_TEST

Suite *suite_queue(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_queue_bounded);
	tcase_add_test(tc, test_queue_full_then_room);
	tcase_add_test(tc, test_queue_too_small);
	tcase_add_test(tc, test_queue_order_seq_wrap);
	tcase_add_test(tc, test_queue_reserve_commit);
	tcase_add_test(tc, test_queue_reserve_window);
	tcase_add_test(tc, test_queue_delay_and_close);
	tcase_add_test(tc, test_queue_kick);
	tcase_add_test(tc, test_queue_sleep);
	tcase_add_test(tc, test_queue_threads);
	suite_add_tcase(s, tc);
	return s;
}
