/* SPDX-License-Identifier: MIT */
/* The sockets of this run that may have a row in tcp_connections already:
 * a bounded set, so that the pgsql sinker inserts a socket it has never
 * written with a plain COPY and merges only the others. Pure code. */
#ifndef TCA_PGSQL_CONN_SEEN_H
#define TCA_PGSQL_CONN_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn_seen {
	uint64_t *key;   /* open addressing, linear probing; 0 is empty (sock ids are not 0) */
	size_t nslots;   /* a power of two */
	size_t n;
	size_t max;      /* past this many, the set gives up: conn_seen_full() */
	bool full;
};

/* A set of at most max sockets; 0, or -ENOMEM. */
int conn_seen_init(struct conn_seen *s, size_t max);
void conn_seen_free(struct conn_seen *s);

/* Whether sock may have a row: true for every sock once the set is full,
 * and for sock 0, which the set cannot hold. */
bool conn_seen_has(const struct conn_seen *s, uint64_t sock);

/* sock may have a row from now on; past max, the set is full for good. */
void conn_seen_add(struct conn_seen *s, uint64_t sock);

/* sock's life is over (it closed): forget it. */
void conn_seen_del(struct conn_seen *s, uint64_t sock);

/* Forget everything and give up: every sock may have a row. */
void conn_seen_give_up(struct conn_seen *s);

#endif
