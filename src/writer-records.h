/* SPDX-License-Identifier: MIT */
/* The run records a writer owes the store: the end of the last run, if
 * it never reached the store, this run's start, and at the exit its end. */
#ifndef TCA_WRITER_RECORDS_H
#define TCA_WRITER_RECORDS_H

#include <tcp-audit/plugin.h>

#include "gaps.h"
#include "processor.h"
#include "runstate.h"
#include "spool.h"

struct writer_records {
	struct tca_run pending[2];
	size_t count;
	size_t done;
	/* The strings the previous run's origin points to. */
	char prev_host[256];
	char prev_boot_id[40];
};

/* From what the last run left in the run-state file: the records and
 * gaps that complete its story, then this run's start record. */
void writer_records_start(struct writer_records *rec, const struct runstate *rs,
			  const struct tca_origin *origin, uint64_t start_ns, struct gaps *gaps);
/* Store the pending records. Returns 0 when none is left, or the sink's
 * negative errno (-EAGAIN: try again later). */
int writer_records_flush(struct writer_records *rec, const struct tca_plugin *desc, void *state,
			 struct heartbeat *beat);
/* Store this run's end. Returns 0 or the sink's negative errno. */
int writer_records_end(struct writer_records *rec, const struct tca_plugin *desc, void *state,
		       const struct runstate_record *cur, const struct tca_origin *origin);

/* This run's end record, from the run-state record. */
void writer_records_end_run(const struct runstate_record *cur, const struct tca_origin *origin,
			    struct tca_run *run);
/* Put the records not yet stored, then end, into the spool, for the
 * next run to store. Returns 0 or a negative errno. */
int writer_records_spool(struct writer_records *rec, struct spool *sp,
			 const struct tca_origin *origin, const struct tca_run *end);

#endif
