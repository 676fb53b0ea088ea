/* SPDX-License-Identifier: MIT */
/* Run records, and the gaps that a run's abrupt end leaves. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "writer-records.h"

static void add_prev_gap(struct gaps *gaps, const struct runstate_record *prev, uint32_t reason,
			 uint64_t count, uint64_t time_ns)
{
	struct tca_gap g = {
		.run_id = prev->run_id,
		.first_seq = prev->durable_seq + 1,
		.count = count,
		.time_ns = time_ns,
		.reason = reason,
		.cpu = -1,
	};

	gaps_add(gaps, &g);
}

/*
 * A previous run that is still "running" in the file ended without a
 * word (SIGKILL, a crash, a power loss): what it captured after its last
 * durable seq is unknown. One that ended but whose end never reached the
 * store lost exactly the seqs after its durable one.
 */
static void records_prev(struct writer_records *rec, const struct runstate_record *prev,
			 uint64_t now_ns, struct gaps *gaps)
{
	struct tca_run *run = &rec->pending[rec->count];

	snprintf(rec->prev_host, sizeof(rec->prev_host), "%s", prev->host);
	snprintf(rec->prev_boot_id, sizeof(rec->prev_boot_id), "%s", prev->boot_id);
	*run = (struct tca_run){
		.origin = { .host = rec->prev_host, .boot_id = rec->prev_boot_id, .run_id = prev->run_id },
		.prev_run_id = prev->prev_run_id,
		.start_ns = prev->start_ns,
		.end_ns = prev->end_ns,
		.last_seq = prev->last_seq,
		.state = prev->state,
	};
	if (prev->state == TCA_RUN_RUNNING) {
		run->state = TCA_RUN_UNCLEAN;
		run->end_ns = 0;
		run->last_seq = 0;
		add_prev_gap(gaps, prev, TCA_GAP_UNCLEAN_END, 0, now_ns);
		log_warning("the last run (%" PRIu64 ") ended without a clean stop (killed, crashed "
			    "or a power loss); what it captured after event %" PRIu64
			    " is unknown, recorded as a gap", prev->run_id, prev->durable_seq);
	} else if (prev->last_seq > prev->durable_seq) {
		add_prev_gap(gaps, prev, TCA_GAP_UNFLUSHED, prev->last_seq - prev->durable_seq, now_ns);
		log_warning("the last run (%" PRIu64 ") could not store its last %" PRIu64
			    " events before it ended; recorded as a gap", prev->run_id,
			    prev->last_seq - prev->durable_seq);
	}
	rec->count++;
}

void writer_records_start(struct writer_records *rec, const struct runstate *rs,
			  const struct tca_origin *origin, uint64_t start_ns, struct gaps *gaps)
{
	*rec = (struct writer_records){ 0 };
	if (rs->have_prev && (rs->prev.state == TCA_RUN_RUNNING || !rs->prev.end_stored))
		records_prev(rec, &rs->prev, start_ns, gaps);
	rec->pending[rec->count++] = (struct tca_run){
		.origin = *origin,
		.prev_run_id = rs->have_prev ? rs->prev.run_id : 0,
		.start_ns = start_ns,
		.state = TCA_RUN_RUNNING,
	};
}

int writer_records_flush(struct writer_records *rec, const struct tca_plugin *desc, void *state,
			 struct heartbeat *beat)
{
	if (!desc->ops.sinker.write_run) {
		rec->done = rec->count;
		return 0;
	}
	while (rec->done < rec->count) {
		int r;
		heartbeat_enter(beat, "write_run()");
		r = desc->ops.sinker.write_run(state, &rec->pending[rec->done]);
		heartbeat_leave(beat);
		if (r < 0)
			return r;
		rec->done++;
	}
	return 0;
}

void writer_records_end_run(const struct runstate_record *cur, const struct tca_origin *origin,
			    struct tca_run *run)
{
	*run = (struct tca_run){
		.origin = *origin,
		.prev_run_id = cur->prev_run_id,
		.start_ns = cur->start_ns,
		.end_ns = cur->end_ns,
		.last_seq = cur->last_seq,
		.state = cur->state,
	};
}

int writer_records_end(struct writer_records *rec, const struct tca_plugin *desc, void *state,
		       const struct runstate_record *cur, const struct tca_origin *origin)
{
	struct tca_run end;

	if (!desc->ops.sinker.write_run)
		return 0;
	if (rec->done < rec->count)
		return -EAGAIN; /* its start never reached the store either */
	writer_records_end_run(cur, origin, &end);
	return desc->ops.sinker.write_run(state, &end);
}

/* The run-state file then says the end is settled: the records the next
 * run would otherwise rebuild from it (the last run's end, an unflushed
 * gap) are in the spool, and it stores them from there. */
int writer_records_spool(struct writer_records *rec, struct spool *sp,
			 const struct tca_origin *origin, const struct tca_run *end)
{
	for (size_t i = rec->done; i < rec->count; i++) {
		int r = spool_put_run(sp, origin, &rec->pending[i]);
		if (r < 0)
			return r;
	}
	rec->done = rec->count;
	return spool_put_run(sp, origin, end);
}
