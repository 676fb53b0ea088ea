/* SPDX-License-Identifier: MIT */
/* An ordered list of KEY=VALUE plugin options, each with where it came from. */
#ifndef TCA_KVLIST_H
#define TCA_KVLIST_H

#include <stddef.h>

struct kv {
	char *key;
	char *value;
	char *origin; /* "command line" or "FILE:LINE", for error messages */
};

struct kvlist {
	struct kv *items;
	size_t n, cap;
};

int kvlist_add(struct kvlist *l, const char *key, const char *value, const char *origin);
/* Parse "KEY=VALUE" and add it; -EINVAL when there is no '=' or no key. */
int kvlist_add_assignment(struct kvlist *l, const char *assignment, const char *origin);
/* Append all of src to dst, so that later entries override earlier ones. */
int kvlist_extend(struct kvlist *dst, const struct kvlist *src);
void kvlist_free(struct kvlist *l);

#endif
