/* SPDX-License-Identifier: MIT */
/* Ordered KEY=VALUE lists for plugin options. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvlist.h"

int kvlist_add(struct kvlist *l, const char *key, const char *value, const char *origin)
{
	struct kv kv;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct kv *items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	kv.key = strdup(key);
	kv.value = strdup(value);
	kv.origin = strdup(origin);
	if (!kv.key || !kv.value || !kv.origin) {
		free(kv.key);
		free(kv.value);
		free(kv.origin);
		return -ENOMEM;
	}
	l->items[l->n++] = kv;
	return 0;
}

int kvlist_add_assignment(struct kvlist *l, const char *assignment, const char *origin)
{
	const char *eq = strchr(assignment, '=');
	char *key;
	int r;

	if (!eq || eq == assignment)
		return -EINVAL;
	key = strndup(assignment, (size_t)(eq - assignment));
	if (!key)
		return -ENOMEM;
	r = kvlist_add(l, key, eq + 1, origin);
	free(key);
	return r;
}

int kvlist_extend(struct kvlist *dst, const struct kvlist *src)
{
	for (size_t i = 0; i < src->n; i++) {
		int r = kvlist_add(dst, src->items[i].key, src->items[i].value, src->items[i].origin);
		if (r < 0)
			return r;
	}
	return 0;
}

void kvlist_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
		free(l->items[i].origin);
	}
	free(l->items);
	*l = (struct kvlist){ 0 };
}
