/* SPDX-License-Identifier: MIT */
/* A bounded ring of events with batch-wise waiting for the writer. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue.h"

uint64_t queue_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct timespec ms_to_timespec(uint64_t ms)
{
	return (struct timespec){ .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
}

int queue_init(struct queue *q, uint64_t memory)
{
	pthread_condattr_t attr;
	size_t cap = (size_t)(memory / sizeof(struct tca_event));

	*q = (struct queue){ .batch_max = 1024, .max_delay_ms = 100 };
	if (cap < 64)
		return -EINVAL;
	/* Zeroed, since the eventer fills slots in place (queue_reserve):
	 * it must never find stale heap data there. A large ring is
	 * fresh mmap memory that calloc does not touch, so pages are still
	 * touched only as the backlog grows; and the ring restarts at slot 0
	 * whenever it empties, so the resident size follows the largest
	 * backlog, not the cap. */
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -ENOMEM;
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cond, &attr);
	pthread_condattr_destroy(&attr);
	return 0;
}

void queue_destroy(struct queue *q)
{
	if (!q->ring)
		return;
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q->ring);
	free(q->tags);
	q->ring = NULL;
	q->tags = NULL;
}

int queue_enable_tags(struct queue *q)
{
	/* Before any thread runs, like queue_init. */
	q->tags = malloc(q->cap * sizeof(*q->tags));
	return q->tags ? 0 : -ENOMEM;
}

const struct queue_tag *queue_tags_of(const struct queue *q, const struct tca_event *ev)
{
	return q->tags + (ev - q->ring);
}

void queue_set_batching(struct queue *q, size_t batch_max, uint64_t max_delay_ms)
{
	pthread_mutex_lock(&q->lock);
	q->batch_max = batch_max ? batch_max : 1;
	if (q->batch_max > q->cap)
		q->batch_max = q->cap;
	q->max_delay_ms = max_delay_ms;
	pthread_mutex_unlock(&q->lock);
}

size_t queue_push(struct queue *q, const struct tca_event *ev, size_t n)
{
	return queue_push_tagged(q, ev, NULL, n);
}

/* Under lock: `accepted` more events now follow the newest one. */
static void queue_added(struct queue *q, size_t accepted)
{
	bool was_empty = q->count == 0;

	q->count += accepted;
	if (q->count > q->high_water)
		q->high_water = q->count;
	if (was_empty && accepted)
		q->oldest_ms = queue_now_ms();
	/* Wake the writer only when it has something new to decide: the
	 * delay clock started, or a full batch is ready. */
	if (accepted && (was_empty || q->count >= q->batch_max))
		pthread_cond_signal(&q->cond);
}

size_t queue_push_tagged(struct queue *q, const struct tca_event *ev,
			 const struct queue_tag *tags, size_t n)
{
	size_t tail, first, accepted;

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	accepted = n < q->cap - q->count ? n : q->cap - q->count;
	tail = (q->head + q->count) % q->cap;
	first = accepted < q->cap - tail ? accepted : q->cap - tail;
	memcpy(q->ring + tail, ev, first * sizeof(*ev));
	memcpy(q->ring, ev + first, (accepted - first) * sizeof(*ev));
	if (tags && q->tags) {
		memcpy(q->tags + tail, tags, first * sizeof(*tags));
		memcpy(q->tags, tags + first, (accepted - first) * sizeof(*tags));
	}
	queue_added(q, accepted);
	pthread_mutex_unlock(&q->lock);
	return accepted;
}

size_t queue_reserve(struct queue *q, size_t want, struct tca_event **out)
{
	size_t tail, room, window;

	pthread_mutex_lock(&q->lock);
	/* Empty, the ring restarts at slot 0, as an emptying pop does when
	 * nothing is reserved: the writer holds no span of it then, and the
	 * slots in use stay few and warm instead of marching through it. */
	if (q->count == 0)
		q->head = 0;
	tail = (q->head + q->count) % q->cap;
	/* The span may not wrap; nor may it reach the head, which it would
	 * only do when the ring is full below it. */
	room = q->cap - q->count;
	if (room > q->cap - tail)
		room = q->cap - tail;
	/* Nor may it go past the slots the backlog has needed so far (and a
	 * few batches): a reservation keeps the ring from restarting at slot
	 * 0, and spans marching on through a large ring would touch all of
	 * its memory and always write cold cache lines. Beyond that, a read
	 * takes the copy path, during which the ring may restart. */
	window = q->high_water > 4 * q->batch_max ? q->high_water : 4 * q->batch_max;
	if (q->closed || room < want || tail + want > window) {
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	q->reserved = true;
	*out = q->ring + tail;
	pthread_mutex_unlock(&q->lock);
	return want;
}

size_t queue_commit(struct queue *q, size_t n)
{
	pthread_mutex_lock(&q->lock);
	q->reserved = false;
	if (q->closed)
		n = 0;
	queue_added(q, n);
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t queue_wait_batch(struct queue *q, const struct tca_event **out)
{
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		if (q->kicked) {
			q->kicked = false;
			break;
		}
		if (q->count >= q->batch_max || (q->closed && q->count > 0)) {
			n = q->count;
			break;
		}
		if (q->closed)
			break;
		if (q->count == 0) {
			pthread_cond_wait(&q->cond, &q->lock);
			continue;
		}
		uint64_t due = q->oldest_ms + q->max_delay_ms;
		if (queue_now_ms() >= due) {
			n = q->count;
			break;
		}
		struct timespec ts = ms_to_timespec(due);
		pthread_cond_timedwait(&q->cond, &q->lock, &ts);
	}
	if (n) {
		if (n > q->batch_max)
			n = q->batch_max;
		if (n > q->cap - q->head)
			n = q->cap - q->head;
		*out = q->ring + q->head;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

bool queue_wait_space(struct queue *q, uint64_t ms)
{
	struct timespec ts = ms_to_timespec(queue_now_ms() + ms);
	bool room;

	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap && !q->closed && !q->kicked) {
		if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) == ETIMEDOUT)
			break;
	}
	room = q->count < q->cap;
	pthread_mutex_unlock(&q->lock);
	return room;
}

size_t queue_peek(struct queue *q, const struct tca_event **out)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count < q->cap - q->head ? q->count : q->cap - q->head;
	*out = q->ring + q->head;
	pthread_mutex_unlock(&q->lock);
	return n;
}

bool queue_sleep(struct queue *q, uint64_t ms)
{
	struct timespec ts = ms_to_timespec(queue_now_ms() + ms);
	bool kicked;

	/* Only a kick ends the sleep early: the queue closes when reading
	 * stops, and a writer holding a batch must still back off then,
	 * not spin on a store that is down until the shutdown deadline. */
	pthread_mutex_lock(&q->lock);
	while (!q->kicked) {
		if (pthread_cond_timedwait(&q->cond, &q->lock, &ts) == ETIMEDOUT)
			break;
	}
	kicked = q->kicked;
	q->kicked = false;
	pthread_mutex_unlock(&q->lock);
	return kicked;
}

void queue_pop(struct queue *q, size_t n)
{
	pthread_mutex_lock(&q->lock);
	if (n > q->count)
		n = q->count;
	q->head = (q->head + n) % q->cap;
	q->count -= n;
	/* What is left is no older than what went, so the delay clock that
	 * started with the oldest event still bounds it. A reserved span
	 * stays where the pusher is filling it. */
	if (q->count == 0 && !q->reserved)
		q->head = 0;
	/* A reader that waits for room (back-pressure) may go on. */
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void queue_kick(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->kicked = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

bool queue_is_closed(struct queue *q)
{
	bool closed;

	pthread_mutex_lock(&q->lock);
	closed = q->closed;
	pthread_mutex_unlock(&q->lock);
	return closed;
}

size_t queue_count(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t queue_high_water(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->high_water;
	pthread_mutex_unlock(&q->lock);
	return n;
}

size_t queue_capacity(const struct queue *q)
{
	return q->cap; /* fixed at queue_init */
}
