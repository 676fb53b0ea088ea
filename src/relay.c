/* SPDX-License-Identifier: MIT */
/* The relay's origin table, record ring and settled count. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

int relay_init(struct relay *r, size_t origins, size_t records)
{
	*r = (struct relay){ 0 };
	r->origins = calloc(origins, sizeof(*r->origins));
	r->ring = calloc(records, sizeof(*r->ring));
	if (!r->origins || !r->ring || records == 0) {
		free(r->origins);
		free(r->ring);
		*r = (struct relay){ 0 };
		return -ENOMEM;
	}
	r->ncap = origins;
	r->cap = records;
	pthread_mutex_init(&r->lock, NULL);
	return 0;
}

void relay_destroy(struct relay *r)
{
	if (!r->ring)
		return;
	relay_pop(r, r->count);
	pthread_mutex_destroy(&r->lock);
	free(r->origins);
	free(r->ring);
	*r = (struct relay){ 0 };
}

static bool origin_is(const struct relay_origin *s, const struct tca_origin *o)
{
	return s->used && s->origin.run_id == o->run_id &&
	       strncmp(s->host, o->host ? o->host : "", sizeof(s->host) - 1) == 0 &&
	       strncmp(s->boot_id, o->boot_id ? o->boot_id : "", sizeof(s->boot_id) - 1) == 0;
}

static void origin_fill(struct relay_origin *s, const struct tca_origin *o)
{
	snprintf(s->host, sizeof(s->host), "%s", o->host ? o->host : "");
	snprintf(s->boot_id, sizeof(s->boot_id), "%s", o->boot_id ? o->boot_id : "");
	s->origin = (struct tca_origin){ .host = s->host, .boot_id = s->boot_id, .run_id = o->run_id };
	s->used = true;
}

int relay_intern(struct relay *r, const struct tca_origin *o, uint64_t hseq)
{
	uint64_t durable = relay_durable(r);
	size_t free_slot = r->ncap;

	/* Events come in long runs of one origin: the last slot first. */
	if (origin_is(&r->origins[r->last], o))
		goto found;
	for (size_t i = 0; i < r->ncap; i++) {
		if (origin_is(&r->origins[i], o)) {
			r->last = (uint32_t)i;
			goto found;
		}
		/* A slot whose items are all settled is no longer read by the
		 * writer: it may hold another origin. */
		if (free_slot == r->ncap && (!r->origins[i].used || r->origins[i].last_hseq <= durable))
			free_slot = i;
	}
	if (free_slot == r->ncap)
		return -EAGAIN;
	r->last = (uint32_t)free_slot;
	origin_fill(&r->origins[free_slot], o);
found:
	r->origins[r->last].last_hseq = hseq;
	return (int)r->last;
}

const struct tca_origin *relay_origin(const struct relay *r, uint32_t slot)
{
	return &r->origins[slot].origin;
}

bool relay_push(struct relay *r, const struct relay_rec *rec)
{
	bool ok;

	pthread_mutex_lock(&r->lock);
	ok = r->count < r->cap;
	if (ok)
		r->ring[(r->head + r->count++) % r->cap] = *rec;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

size_t relay_peek(struct relay *r, struct relay_rec *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->count < max ? r->count : max;
	for (size_t i = 0; i < n; i++)
		out[i] = r->ring[(r->head + i) % r->cap];
	pthread_mutex_unlock(&r->lock);
	return n;
}

void relay_pop(struct relay *r, size_t n)
{
	pthread_mutex_lock(&r->lock);
	if (n > r->count)
		n = r->count;
	for (size_t i = 0; i < n; i++)
		relay_rec_free(&r->ring[(r->head + i) % r->cap]);
	r->head = (r->head + n) % r->cap;
	r->count -= n;
	pthread_mutex_unlock(&r->lock);
}

void relay_rec_free(struct relay_rec *rec)
{
	if (rec->type != TCA_RELAY_NAME)
		return;
	free((char *)rec->u.name.text);
	rec->u.name.text = NULL;
}

size_t relay_count(struct relay *r)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

bool relay_settle(struct relay *r, uint64_t hseq)
{
	if (__atomic_load_n(&r->broken, __ATOMIC_ACQUIRE) || hseq <= relay_durable(r))
		return false;
	__atomic_store_n(&r->durable, hseq, __ATOMIC_RELEASE);
	return true;
}

void relay_break(struct relay *r)
{
	__atomic_store_n(&r->broken, true, __ATOMIC_RELEASE);
}

uint64_t relay_durable(struct relay *r)
{
	return __atomic_load_n(&r->durable, __ATOMIC_ACQUIRE);
}

uint64_t relay_handed(struct relay *r)
{
	return __atomic_load_n(&r->handed, __ATOMIC_ACQUIRE);
}
