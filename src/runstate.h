/* SPDX-License-Identifier: MIT */
/* The run-state file: how the last run ended, so that the next one can
 * chain to it and record a crash as what it is. */
#ifndef TCA_RUNSTATE_H
#define TCA_RUNSTATE_H

#include <stdbool.h>
#include <stdint.h>

/* What one run left in the file. */
struct runstate_record {
	char host[256];
	char boot_id[40];
	uint64_t run_id;
	uint64_t prev_run_id;
	uint64_t start_ns;
	uint64_t end_ns;
	uint64_t last_seq;     /* the last seq given out (exact once ended) */
	uint64_t durable_seq;  /* every seq up to this one is stored or in a stored gap */
	uint32_t state;        /* enum tca_run_state */
	bool end_stored;       /* the store has the final run record */
};

/*
 * STATE_DIR/run.state, locked (flock) for the life of the run, so that two
 * daemons never chain into one file. It is rewritten in place, one
 * fixed-size text record, after every stored batch: one pwrite(2) and no
 * fsync, which survives a crash of the process (the page cache keeps it)
 * but maybe not a power loss, where the next run then sees an older
 * durable_seq.
 */
struct runstate {
	int fd;                      /* -1: no file, the run is not chained */
	struct runstate_record prev; /* valid when have_prev */
	bool have_prev;
	struct runstate_record cur;
	char path[4096];
};

/* Open and lock the file under dir, read what the last run left, and
 * write this run's record. Never fails the run: without a usable file
 * it logs why once and returns with rs->fd == -1. */
void runstate_open(struct runstate *rs, const char *dir, const struct runstate_record *cur);
/* Rewrite the record (after cur changed). */
void runstate_save(struct runstate *rs);
void runstate_close(struct runstate *rs);

/* Parse a record; for the tests. Returns 0 or -EINVAL. */
int runstate_parse(const char *text, struct runstate_record *out);
/* Format a record into buf (at least RUNSTATE_SIZE bytes); returns its length. */
int runstate_format(const struct runstate_record *r, char *buf, size_t size);
#define RUNSTATE_SIZE 1024

#endif
