/* SPDX-License-Identifier: MIT */
/*
 * Per-socket memory: the id of the socket's current life and its owner.
 *
 * - The id is SipHash(per-run key, kernel address, life number). A life
 *   starts at a change out of CLOSE, at a new child of a listener, when the
 *   address is first seen, or when the connection's addresses and ports
 *   differ from those it had (a missed CLOSE: the kernel reuses a freed
 *   socket's address quickly, and each reuse must read as a new socket).
 * - The owner is the task of the last process-context event on the socket
 *   (softirq and irq events run on whatever task the CPU had, often the
 *   peer, so they never set it); when that task is already gone, nobody,
 *   never the owner before it. A child of a listener starts with the
 *   listener's owner, marked TCA_OWNER_LISTENER, when exactly one owner
 *   listens on its local address and port: several (SO_REUSEPORT, or the
 *   same address in another network namespace, which the tracepoint does
 *   not name) leave it unknown until its holder acts on it, and so does a
 *   listener whose owner has ended (it may live on in a forked child).
 * - The owner's uid and cgroup are the acting task's at that event, when
 *   the task map is certain of them (pidcache.c); a listener's children
 *   take its owner's, as they were when it listened.
 * - An entry goes at CLOSE; the table is bounded, and when full the entry
 *   under a rotating cursor makes room (counted as an eviction).
 * - Across a restart (keep.c) the key, the count of lives and the entries
 *   travel in a file, each entry under a keyed hash of its address, never
 *   the address: they wait in a second table ("carried") until the
 *   socket's next event looks for them there.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tracefs.h"

#define LISTEN_SLOTS 1024 /* a power of two */

struct owner {
	int32_t pid;          /* 0: unknown */
	uint8_t kind;         /* enum tca_owner */
	char comm[TCA_COMM_LEN];
	uint32_t known;       /* TCA_EV_UID, TCA_EV_CGROUP: certain when it acted */
	uint32_t uid;
	uint64_t cgroup;
};

struct sock_entry {
	uint64_t skaddr;      /* 0: empty (never a socket's address) */
	uint64_t id;
	uint64_t tuple;       /* hash of the connection's addresses; 0: not fixed yet */
	uint64_t last_ts;     /* the newest event's trace time */
	struct owner owner;
};

struct listen_entry {
	bool used;
	uint8_t family;
	uint16_t port;
	uint8_t addr[16];
	uint64_t skaddr;
	struct owner owner;
};

struct socktab {
	struct sock_entry *s;
	size_t mask;          /* slots - 1 */
	size_t count, max;
	size_t cursor;
	uint64_t lives;
	uint64_t evictions;
	uint8_t key[16];
	uint64_t owner_bits;  /* bit pid % 64 set: that pid may own a listener */
	struct sock_entry *carried; /* by keyed hash; see socktab_carried_take */
	size_t carried_mask, carried_count;
	struct listen_entry l[LISTEN_SLOTS];
};

struct socktab *socktab_new(size_t max_sockets)
{
	struct socktab *st = calloc(1, sizeof(*st));
	size_t slots = 16;

	if (!st)
		return NULL;
	/* At most half full, so that probe sequences stay short. */
	while (slots < 2 * max_sockets)
		slots *= 2;
	st->s = calloc(slots, sizeof(st->s[0]));
	if (!st->s || getrandom(st->key, sizeof(st->key), 0) != sizeof(st->key)) {
		socktab_free(st);
		return NULL;
	}
	st->mask = slots - 1;
	st->max = max_sockets;
	return st;
}

void socktab_free(struct socktab *st)
{
	if (!st)
		return;
	free(st->s);
	free(st->carried);
	free(st);
}

uint64_t socktab_evictions(const struct socktab *st)
{
	return st->evictions;
}

static inline size_t socktab_home(const struct socktab *st, uint64_t skaddr)
{
	/* Socket addresses are aligned: mix the bits before masking. */
	return (size_t)((skaddr * 0x9e3779b97f4a7c15ULL) >> 20) & st->mask;
}

static struct sock_entry *socktab_find(struct socktab *st, uint64_t skaddr)
{
	for (size_t i = socktab_home(st, skaddr);; i = (i + 1) & st->mask) {
		if (st->s[i].skaddr == skaddr)
			return &st->s[i];
		if (!st->s[i].skaddr)
			return NULL;
	}
}

/* Linear-probing delete: pull later entries of the cluster back, so that
 * lookups never stop at a hole in front of their key. */
static void socktab_delete(struct socktab *st, struct sock_entry *e)
{
	size_t i = (size_t)(e - st->s), j = i;

	for (;;) {
		size_t home;
		j = (j + 1) & st->mask;
		if (!st->s[j].skaddr)
			break;
		home = socktab_home(st, st->s[j].skaddr);
		/* Move j into the hole at i if its home is not in (i, j]. */
		if (((j - home) & st->mask) >= ((j - i) & st->mask)) {
			st->s[i] = st->s[j];
			i = j;
		}
	}
	memset(&st->s[i], 0, sizeof(st->s[i]));
	st->count--;
}

static void socktab_evict_one(struct socktab *st)
{
	if (!st->count)
		return;
	for (;; st->cursor = (st->cursor + 1) & st->mask) {
		if (st->s[st->cursor].skaddr) {
			socktab_delete(st, &st->s[st->cursor]);
			st->evictions++;
			return;
		}
	}
}

static struct sock_entry *socktab_insert(struct socktab *st, uint64_t skaddr)
{
	size_t i;

	if (st->count >= st->max)
		socktab_evict_one(st);
	for (i = socktab_home(st, skaddr); st->s[i].skaddr; i = (i + 1) & st->mask)
		;
	st->s[i].skaddr = skaddr;
	st->count++;
	return &st->s[i];
}

/* ---- listeners: one entry per listening socket, found by local port */

static size_t listen_home(uint16_t port)
{
	return (size_t)(port * 40503u) & (LISTEN_SLOTS - 1);
}

#define LISTEN_NEXT(i) (((i) + 1) & (LISTEN_SLOTS - 1))

static struct listen_entry *listen_by_sock(struct socktab *st, uint16_t port, uint64_t skaddr)
{
	size_t i = listen_home(port);

	for (size_t n = 0; n < LISTEN_SLOTS && st->l[i].used; n++, i = LISTEN_NEXT(i))
		if (st->l[i].skaddr == skaddr)
			return &st->l[i];
	return NULL;
}

/* How well a listener's local address takes a connection to addr: 3 an
 * exact bind, 2 the family's wildcard, 1 an IPv6 wildcard (dual stack). */
static int listen_rank(const struct listen_entry *l, const struct tca_event *ev)
{
	static const uint8_t any[16];

	if (l->port != ev->sport)
		return 0;
	if (l->family == ev->family && memcmp(l->addr, ev->saddr, 16) == 0)
		return 3;
	if (l->family == ev->family && memcmp(l->addr, any, 16) == 0)
		return 2;
	if (ev->family == TCA_FAMILY_IPV4 && l->family == TCA_FAMILY_IPV6 &&
	    memcmp(l->addr, any, 16) == 0)
		return 1;
	return 0;
}

static bool owner_same(const struct owner *a, const struct owner *b)
{
	return a->pid == b->pid && memcmp(a->comm, b->comm, TCA_COMM_LEN) == 0 &&
	       a->known == b->known && (!(a->known & TCA_EV_UID) || a->uid == b->uid) &&
	       (!(a->known & TCA_EV_CGROUP) || a->cgroup == b->cgroup);
}

/* The owner of the listeners that may have accepted this child: those of
 * the best rank; NULL unless they all have one known owner. */
static const struct owner *listen_owner(struct socktab *st, const struct tca_event *ev)
{
	const struct owner *o = NULL;
	size_t i = listen_home(ev->sport);
	int best = 0;
	bool ambiguous = false;

	for (size_t n = 0; n < LISTEN_SLOTS && st->l[i].used; n++, i = LISTEN_NEXT(i)) {
		const struct listen_entry *l = &st->l[i];
		int rank = listen_rank(l, ev);
		if (!rank || rank < best)
			continue;
		if (rank > best) {
			best = rank;
			o = &l->owner;
			ambiguous = false;
		} else if (!owner_same(o, &l->owner)) {
			ambiguous = true;
		}
	}
	return !o || ambiguous || o->pid <= 0 ? NULL : o;
}

static void listen_put(struct socktab *st, const struct tca_event *ev, uint64_t skaddr,
		       const struct owner *o)
{
	size_t i = listen_home(ev->sport);
	struct listen_entry *l = listen_by_sock(st, ev->sport, skaddr);

	for (size_t n = 0; !l && n < LISTEN_SLOTS; n++, i = LISTEN_NEXT(i))
		if (!st->l[i].used)
			l = &st->l[i];
	if (!l)
		return; /* more listeners than slots: their children stay unknown */
	*l = (struct listen_entry){ .used = true, .family = ev->family, .port = ev->sport,
				    .skaddr = skaddr, .owner = *o };
	if (o->pid > 0)
		st->owner_bits |= UINT64_C(1) << ((uint32_t)o->pid % 64);
	memcpy(l->addr, ev->saddr, 16);
}

static void listen_drop(struct socktab *st, uint16_t port, uint64_t skaddr)
{
	struct listen_entry *l = listen_by_sock(st, port, skaddr);
	size_t i, j;

	if (!l)
		return;
	/* Re-insert the rest of the cluster, the simple way to keep probing
	 * correct in a table this small and this rarely changed. */
	l->used = false;
	i = (size_t)(l - st->l);
	for (j = LISTEN_NEXT(i); st->l[j].used; j = LISTEN_NEXT(j)) {
		struct listen_entry moved = st->l[j];
		size_t k = listen_home(moved.port);
		st->l[j].used = false;
		while (st->l[k].used)
			k = LISTEN_NEXT(k);
		st->l[k] = moved;
	}
}

void socktab_process_ended(struct socktab *st, int32_t pid)
{
	/* Most processes that end own no listener: skip the scan. */
	if (!(st->owner_bits & (UINT64_C(1) << ((uint32_t)pid % 64))))
		return;
	for (size_t i = 0; i < LISTEN_SLOTS; i++)
		if (st->l[i].used && st->l[i].owner.pid == pid)
			memset(&st->l[i].owner, 0, sizeof(st->l[i].owner));
}

/* ---- carried over from the last run */

/* Odd, so that 0 (empty) and 2 (taken) are never an entry's. */
static uint64_t socktab_carry_hash(const struct socktab *st, uint64_t skaddr)
{
	return siphash_2u64(st->key, skaddr, 0) | 1;
}

#define CARRIED_TAKEN 2

/* The last run's entry for this socket, moved into the table, or NULL. */
static struct sock_entry *socktab_carried_take(struct socktab *st, uint64_t skaddr)
{
	uint64_t h = socktab_carry_hash(st, skaddr);
	struct sock_entry *e;

	for (size_t i = socktab_home(st, h) & st->carried_mask;; i = (i + 1) & st->carried_mask) {
		struct sock_entry *c = &st->carried[i];
		if (!c->skaddr)
			return NULL;
		if (c->skaddr != h)
			continue;
		e = socktab_insert(st, skaddr);
		*e = *c;
		e->skaddr = skaddr;
		c->skaddr = CARRIED_TAKEN;
		if (!--st->carried_count) {
			free(st->carried);
			st->carried = NULL;
		}
		return e;
	}
}

/* ---- attribution */

static bool socktab_is_child(const struct tca_event *ev)
{
	/* A request or child socket is born from a listener; a SYN_RECV
	 * after SYN_SENT is a simultaneous open of the same socket. */
	return ev->newstate == TCA_STATE_NEW_SYN_RECV ||
	       (ev->newstate == TCA_STATE_SYN_RECV && ev->oldstate != TCA_STATE_SYN_SENT);
}

/* The connection's addresses and ports, once they are fixed: from
 * ESTABLISHED on they cannot change within one socket life. */
static uint64_t socktab_tuple(const struct tca_event *ev)
{
	uint64_t w[4], h;

	switch (ev->newstate) {
	case TCA_STATE_CLOSE:
	case TCA_STATE_SYN_SENT:
	case TCA_STATE_LISTEN:
	case TCA_STATE_NEW_SYN_RECV:
		return 0;
	}
	if (!ev->dport || !ev->sport)
		return 0;
	/* Not keyed: a collision only hides a missed CLOSE, as before. */
	memcpy(w, ev->saddr, 16);
	memcpy(w + 2, ev->daddr, 16);
	h = ((uint64_t)ev->family << 32 | (uint64_t)ev->sport << 16 | ev->dport) * 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 33;
	}
	return h | 1;
}

static void socktab_new_life(struct socktab *st, struct sock_entry *e, uint64_t skaddr)
{
	memset(&e->owner, 0, sizeof(e->owner));
	e->tuple = 0;
	e->last_ts = 0;
	/* Bit 63 clear: the id fits a signed 64-bit column. */
	e->id = siphash_2u64(st->key, skaddr, ++st->lives) >> 1;
}

void socktab_attribute(struct socktab *st, struct pidcache *pc, uint64_t now_s,
		       const struct traw *raw, struct tca_event *ev)
{
	struct sock_entry *e;
	bool child = socktab_is_child(ev), late;
	uint64_t tuple;

	/* 0 marks an empty slot and is no socket's address: only a corrupt
	 * record has it, and it gets neither an id nor an owner. */
	if (!raw->skaddr)
		return;
	e = socktab_find(st, raw->skaddr);
	if (!e && st->carried_count)
		e = socktab_carried_take(st, raw->skaddr);
	tuple = socktab_tuple(ev);
	/* An event older than the newest one of this entry came late (a CPU
	 * that stalled past the merge's watermark, e.g. a preempted vCPU):
	 * it belongs to this life, and never starts one. */
	late = e && raw->ts < e->last_ts;
	if (!e || (!late && (ev->oldstate == TCA_STATE_CLOSE || child ||
			     (tuple && e->tuple && tuple != e->tuple)))) {
		if (!e)
			e = socktab_insert(st, raw->skaddr);
		socktab_new_life(st, e, raw->skaddr);
		if (child) {
			const struct owner *o = listen_owner(st, ev);
			if (o) {
				e->owner = *o;
				e->owner.kind = TCA_OWNER_LISTENER;
			}
		}
	}
	if (tuple && !e->tuple)
		e->tuple = tuple;
	if (raw->ts > e->last_ts)
		e->last_ts = raw->ts;
	/* A child's birth and its handshake's end can run in process
	 * context too, but in whichever task held the listener's lock (its
	 * backlog is processed at release_sock): maybe another worker than
	 * the one that will accept it. Only later acts name the holder. */
	if (raw->process_ctx && !child && ev->oldstate != TCA_STATE_SYN_RECV &&
	    !(late && e->owner.pid > 0)) {
		/* The acting task holds the socket; if it is gone, nobody we
		 * can name does (the owner before it may not any more). */
		memset(&e->owner, 0, sizeof(e->owner));
		if (pidcache_get(pc, raw->pid, now_s, &e->owner.pid, e->owner.comm)) {
			e->owner.kind = TCA_OWNER_HOLDER;
			/* As the task was at this event, or not at all. */
			e->owner.known = pidcache_creds(pc, raw->pid, raw->ts, &e->owner.uid,
							&e->owner.cgroup);
		}
	}
	ev->sock = e->id;
	if (e->owner.pid > 0) {
		ev->flags |= TCA_EV_PID;
		ev->pid = e->owner.pid;
		ev->owner = e->owner.kind;
		memcpy(ev->comm, e->owner.comm, TCA_COMM_LEN);
		ev->flags |= e->owner.known;
		ev->uid = e->owner.uid;
		ev->cgroup = e->owner.cgroup;
	}
	if (ev->newstate == TCA_STATE_LISTEN)
		listen_put(st, ev, raw->skaddr, &e->owner);
	else if (ev->oldstate == TCA_STATE_LISTEN)
		listen_drop(st, ev->sport, raw->skaddr);
	if (ev->newstate == TCA_STATE_CLOSE)
		socktab_delete(st, e);
}

void socktab_get_key(const struct socktab *st, uint8_t key[16], uint64_t *lives)
{
	memcpy(key, st->key, 16);
	*lives = st->lives;
}

void socktab_set_key(struct socktab *st, const uint8_t key[16], uint64_t lives)
{
	memcpy(st->key, key, 16);
	st->lives = lives;
}

uint32_t socktab_saved_size(void)
{
	return (uint32_t)sizeof(struct sock_entry);
}

int socktab_save(const struct socktab *st, FILE *f, uint64_t *n)
{
	*n = 0;
	for (size_t i = 0; i <= st->mask; i++) {
		struct sock_entry e = st->s[i];
		if (!e.skaddr)
			continue;
		e.skaddr = socktab_carry_hash(st, e.skaddr);
		if (fwrite(&e, sizeof(e), 1, f) != 1)
			return -EIO;
		(*n)++;
	}
	/* Those the last run carried and no event took yet go on. */
	for (size_t i = 0; st->carried && i <= st->carried_mask; i++) {
		if (!(st->carried[i].skaddr & 1))
			continue;
		if (fwrite(&st->carried[i], sizeof(st->carried[i]), 1, f) != 1)
			return -EIO;
		(*n)++;
	}
	return 0;
}

int socktab_load(struct socktab *st, FILE *f, uint64_t n, uint32_t esize)
{
	size_t slots = 16;
	struct sock_entry e;

	if (esize != sizeof(e) || n > st->max)
		return -EINVAL;
	if (!n)
		return 0;
	while (slots < 2 * n)
		slots *= 2;
	st->carried = calloc(slots, sizeof(st->carried[0]));
	if (!st->carried)
		return -ENOMEM;
	st->carried_mask = slots - 1;
	for (uint64_t k = 0; k < n && fread(&e, sizeof(e), 1, f) == 1; k++) {
		size_t i = socktab_home(st, e.skaddr) & st->carried_mask;
		if (!(e.skaddr & 1))
			continue;
		while (st->carried[i].skaddr)
			i = (i + 1) & st->carried_mask;
		st->carried[i] = e;
		st->carried_count++;
	}
	return 0;
}
