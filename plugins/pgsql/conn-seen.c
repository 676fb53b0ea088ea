/* SPDX-License-Identifier: MIT */
/* The bounded set of sockets that may have a row (conn-seen.h): linear
 * probing with deletion by backward shift, so that no tombstones pile up
 * over a run's millions of short connections. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn-seen.h"

int conn_seen_init(struct conn_seen *s, size_t max)
{
	size_t nslots = 16;

	memset(s, 0, sizeof(*s));
	while (nslots < 2 * max)
		nslots *= 2;
	s->key = calloc(nslots, sizeof(*s->key));
	if (!s->key)
		return -ENOMEM;
	s->nslots = nslots;
	s->max = max;
	return 0;
}

void conn_seen_free(struct conn_seen *s)
{
	free(s->key);
	s->key = NULL;
}

static size_t conn_seen_home(const struct conn_seen *s, uint64_t sock)
{
	return (size_t)((sock * 0x9e3779b97f4a7c15ull) >> 32) & (s->nslots - 1);
}

/* The slot of sock, or of the empty slot where it would go. */
static size_t conn_seen_find(const struct conn_seen *s, uint64_t sock)
{
	size_t i = conn_seen_home(s, sock);

	while (s->key[i] && s->key[i] != sock)
		i = (i + 1) & (s->nslots - 1);
	return i;
}

bool conn_seen_has(const struct conn_seen *s, uint64_t sock)
{
	if (s->full || !sock)
		return true;
	return s->key[conn_seen_find(s, sock)] == sock;
}

void conn_seen_add(struct conn_seen *s, uint64_t sock)
{
	size_t i;

	if (s->full || !sock)
		return;
	i = conn_seen_find(s, sock);
	if (s->key[i])
		return;
	if (s->n >= s->max) {
		conn_seen_give_up(s);
		return;
	}
	s->key[i] = sock;
	s->n++;
}

void conn_seen_del(struct conn_seen *s, uint64_t sock)
{
	size_t mask = s->nslots - 1, i, j;

	if (s->full || !sock)
		return;
	i = conn_seen_find(s, sock);
	if (!s->key[i])
		return;
	s->key[i] = 0;
	s->n--;
	/* Move back each later key of the run that its home does not put
	 * after the hole, so that every key stays reachable from its home. */
	for (j = (i + 1) & mask; s->key[j]; j = (j + 1) & mask) {
		size_t h = conn_seen_home(s, s->key[j]);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			s->key[i] = s->key[j];
			s->key[j] = 0;
			i = j;
		}
	}
}

void conn_seen_give_up(struct conn_seen *s)
{
	s->full = true;
	s->n = 0;
	if (s->key)
		memset(s->key, 0, s->nslots * sizeof(*s->key));
}
