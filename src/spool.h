/* SPDX-License-Identifier: MIT */
/* The disk spool: where events wait when the memory queue cannot hold
 * them (the store down, or behind at exit), in order, and across runs. */
#ifndef TCA_SPOOL_H
#define TCA_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

#include "spool-format.h"

enum spool_sync {
	SPOOL_SYNC_BATCH = 0,   /* fsync after every batch moved to the spool */
	SPOOL_SYNC_SEGMENT,     /* fsync when a segment is full, and at exit */
	SPOOL_SYNC_NONE,        /* leave it to the kernel */
};

enum spool_full {
	SPOOL_FULL_DROP_NEWEST = 0, /* new events wait in memory, then are queue_full gaps */
	SPOOL_FULL_DROP_OLDEST,     /* the oldest segment is deleted into spool gaps */
};

struct gaps;

struct spool_config {
	const char *dir;
	uint64_t max_size;      /* bytes of segment files; 0: no spool */
	enum spool_sync sync;
	unsigned max_fill_pct;  /* stop when the filesystem is this full */
	enum spool_full full;
};

/* One record taken from the spool, valid until the next spool call. */
struct spool_item {
	uint32_t type;                 /* enum spool_type */
	const struct tca_origin *origin;
	const void *data;              /* tca_event[], tca_gap[], spool_run or tca_name[] */
	size_t n;                      /* events, gaps or names (1 for a run) */
	size_t done;                   /* of them, already stored */
	bool cut;                      /* a damaged tail: the gap over it, then the
					* run's record as unclean */
};

/*
 * Segments NNNNNNNNNNNNNNNN.seg in dir, read from the lowest number and
 * written at the highest; each is one run's. Only the writer thread uses
 * a spool, so it has no lock.
 */
struct spool {
	bool enabled;
	char dir[4096];
	uint64_t max_size;
	enum spool_sync sync;
	unsigned max_fill_pct;
	enum spool_full full_policy;
	uint64_t segment_max;          /* a new segment starts past this size */
	struct gaps *gaps;             /* where drop-oldest records what it drops */
	bool dropping;
#define SPOOL_KEEP_RUNS 4
	struct spool_run keep[SPOOL_KEEP_RUNS]; /* run records of a dropped segment */
	size_t n_keep;

	uint64_t first_id, next_id;    /* segments [first_id, next_id) may exist */
	uint64_t bytes;                /* size of all segment files */
	uint64_t unread;               /* record bytes not yet replayed */

	int rfd;                       /* the segment being replayed */
	uint64_t rid, roff, rsize;
	uint64_t rlast_seq;            /* the last event seq replayed from it */
	struct spool_header rhdr;
	struct tca_origin rorigin;
	struct spool_item item;
	bool have_item;
	size_t item_size;

	int wfd;                       /* the segment being written, this run's */
	uint64_t wid, wsize;
	bool wdirty;                   /* written since the last fsync */

	void *buf;                     /* one record's payload */
	struct tca_name names[SPOOL_NAMES_MAX]; /* a SPOOL_NAMES item, texts in buf */
	bool full;                     /* the last put found no room */
	uint64_t full_at_ms;           /* when: retried only a second later */
	bool cut_run;                  /* after the cut's gap, its run record */
	uint64_t run_start_ns;         /* this run's, for the headers it writes */
	uint64_t run_prev_id;

	uint64_t put_events, put_bytes, got_events, full_count, cut_segments, dropped_events;
	uint64_t put_names, dropped_names;
};

/* Open the spool under cfg->dir (created if needed) and find what earlier
 * runs left. Returns 0 (sp->enabled says whether there is a spool) or a
 * negative errno, not logged. */
int spool_open(struct spool *sp, const struct spool_config *cfg);
void spool_close(struct spool *sp);

/* Append records (of this run, origin). Returns 0, -ENOSPC when the spool
 * is full (its bound, or the filesystem's), or another negative errno;
 * for events, how many of the first were put (fewer than n: full or
 * failed, and logged). */
size_t spool_put_events(struct spool *sp, const struct tca_origin *origin, const struct tca_event *ev,
			size_t n);
int spool_put_gaps(struct spool *sp, const struct tca_origin *origin, const struct tca_gap *g,
		   size_t n);
/* Name records (ABI 2.2), in as many records as they need. Returns how
 * many of the first were put (fewer than n: full or failed, and logged). */
size_t spool_put_names(struct spool *sp, const struct tca_origin *origin, const struct tca_name *nm,
		       size_t n);
int spool_put_run(struct spool *sp, const struct tca_origin *origin, const struct tca_run *run);
/* Make what was put durable, as the sync policy asks; at_exit: always
 * (unless the policy is none). */
int spool_sync(struct spool *sp, bool at_exit);

/* Whether records wait to be replayed. */
bool spool_pending(const struct spool *sp);
/* The oldest record not yet replayed. Returns 1 and fills *out, 0 when
 * none is left, or a negative errno. */
int spool_next(struct spool *sp, struct spool_item **out);
/* The first n of the current item's events (or all of a gap or run
 * record) are stored: forget them. */
void spool_consume(struct spool *sp, size_t n);

#endif
