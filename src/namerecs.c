/* SPDX-License-Identifier: MIT */
/* The ring of name records between the reader and the store. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "namerecs.h"

int namerecs_init(struct namerecs *nr, size_t cap, size_t max)
{
	*nr = (struct namerecs){ 0 };
	if (cap == 0 || max < cap)
		return -EINVAL;
	nr->ring = calloc(cap, sizeof(*nr->ring));
	if (!nr->ring)
		return -ENOMEM;
	nr->cap = cap;
	nr->max = max;
	pthread_mutex_init(&nr->lock, NULL);
	return 0;
}

void namerecs_destroy(struct namerecs *nr)
{
	if (!nr->ring)
		return;
	namerecs_pop(nr, nr->count);
	pthread_mutex_destroy(&nr->lock);
	free(nr->ring);
	nr->ring = NULL;
}

bool namerecs_valid(const struct tca_name *name)
{
	return name->kind >= 1 && name->kind <= TCA_NAME_KIND_MAX && name->text &&
	       strnlen(name->text, TCA_NAME_MAX) < TCA_NAME_MAX;
}

/* Double the room, keeping the order (the oldest at 0). Called locked.
 * The texts do not move, so the copies the writer holds stay valid. */
static int namerecs_grow(struct namerecs *nr)
{
	size_t cap = nr->cap * 2 < nr->max ? nr->cap * 2 : nr->max;
	struct tca_name *ring;

	if (cap <= nr->cap)
		return -ENOSPC;
	ring = calloc(cap, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	for (size_t i = 0; i < nr->count; i++)
		ring[i] = nr->ring[(nr->head + i) % nr->cap];
	free(nr->ring);
	nr->ring = ring;
	nr->cap = cap;
	nr->head = 0;
	return 0;
}

bool namerecs_has_room(struct namerecs *nr)
{
	bool room;

	pthread_mutex_lock(&nr->lock);
	room = nr->count < nr->max;
	pthread_mutex_unlock(&nr->lock);
	return room;
}

int namerecs_add(struct namerecs *nr, const struct tca_name *name, uint64_t run_id)
{
	char *text = strdup(name->text);
	int r = 0;

	pthread_mutex_lock(&nr->lock);
	if (!text)
		r = -ENOMEM;
	else if (nr->count == nr->cap)
		r = namerecs_grow(nr);
	if (r < 0) {
		nr->dropped++;
		pthread_mutex_unlock(&nr->lock);
		free(text);
		return r;
	}
	nr->ring[(nr->head + nr->count) % nr->cap] = (struct tca_name){
		.kind = name->kind,
		.id = name->id,
		.time_ns = name->time_ns,
		.run_id = run_id,
		.text = text,
	};
	nr->count++;
	nr->added++;
	pthread_mutex_unlock(&nr->lock);
	return 0;
}

size_t namerecs_peek(struct namerecs *nr, struct tca_name *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&nr->lock);
	n = nr->count < max ? nr->count : max;
	for (size_t i = 0; i < n; i++)
		out[i] = nr->ring[(nr->head + i) % nr->cap];
	pthread_mutex_unlock(&nr->lock);
	return n;
}

void namerecs_pop(struct namerecs *nr, size_t n)
{
	pthread_mutex_lock(&nr->lock);
	if (n > nr->count)
		n = nr->count;
	for (size_t i = 0; i < n; i++) {
		struct tca_name *e = &nr->ring[(nr->head + i) % nr->cap];
		free((char *)e->text);
		e->text = NULL;
	}
	nr->head = (nr->head + n) % nr->cap;
	nr->count -= n;
	pthread_mutex_unlock(&nr->lock);
}

size_t namerecs_count(struct namerecs *nr)
{
	size_t n;

	pthread_mutex_lock(&nr->lock);
	n = nr->count;
	pthread_mutex_unlock(&nr->lock);
	return n;
}

uint64_t namerecs_dropped(struct namerecs *nr)
{
	uint64_t n;

	pthread_mutex_lock(&nr->lock);
	n = nr->dropped;
	pthread_mutex_unlock(&nr->lock);
	return n;
}
