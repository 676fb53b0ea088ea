/* SPDX-License-Identifier: MIT */
/* A creds file (a user JWT and its seed) for libnats, read again at each
 * connect, with the nonce signed here: see creds.c for why. Used by the
 * nats plugins and by the tests' reader (tests/lib/nats-check.c). */
#ifndef TCA_NATS_CREDS_H
#define TCA_NATS_CREDS_H

#include <stdbool.h>

#include <nats/nats.h>

/* How many times a connect is tried at once when each try fails on a
 * signature libnats cannot send: a try fails so 1 time in 256. */
#define NATS_CREDS_TRIES 8

struct nats_creds {
	const char *path;
	bool unsendable; /* the last signature was one libnats cannot send */
};

/* Connect with the creds file at path (kept, not copied: it must outlive
 * the options and their connections), through c. */
natsStatus nats_creds_use(natsOptions *o, struct nats_creds *c, const char *path);

/* Whether the connect that just failed did so only on a signature that
 * libnats cannot send, so that trying again at once is right; clears the
 * mark for the next try. */
bool nats_creds_retry(struct nats_creds *c);

#endif
