/* SPDX-License-Identifier: MIT */
/* Counters of the processor, and their one-line summary. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "stats.h"

uint64_t stats_lost(const struct stats *s)
{
	struct stats *m = (struct stats *)s;

	return stats_get(m->lost_queue_full) + stats_get(m->lost_source) +
	       stats_get(m->lost_unflushed) + stats_get(m->lost_refused) + stats_get(m->lost_spool);
}

void stats_format(const struct stats *s, size_t queued, size_t high_water, char *buf, size_t size)
{
	struct stats *m = (struct stats *)s;
	char spool[48] = "", names[128] = "";

	/* Only a spool that dropped events says so, so the line stays as it
	 * was for every run without one. */
	if (stats_get(m->lost_spool))
		snprintf(spool, sizeof(spool), ", spool %" PRIu64, stats_get(m->lost_spool));
	/* Likewise names: only a run whose eventer handed some says so. */
	if (stats_get(m->names) || stats_get(m->names_unkept) || stats_get(m->names_lost))
		snprintf(names, sizeof(names),
			 ", name records stored %" PRIu64 ", not kept by the sink %" PRIu64
			 ", lost %" PRIu64, stats_get(m->names), stats_get(m->names_unkept),
			 stats_get(m->names_lost));
	snprintf(buf, size,
		 "read %" PRIu64 ", written %" PRIu64 " in %" PRIu64 " batches, queued %zu (at most %zu), "
		 "retried %" PRIu64 ", lost %" PRIu64 " (source %" PRIu64 ", queue full %" PRIu64
		 ", refused %" PRIu64 ", unflushed at exit %" PRIu64 "%s) in %" PRIu64 " gap records, "
		 "sockets evicted %" PRIu64 "%s",
		 stats_get(m->read), stats_get(m->written), stats_get(m->batches), queued, high_water,
		 stats_get(m->retries), stats_lost(s), stats_get(m->lost_source),
		 stats_get(m->lost_queue_full), stats_get(m->lost_refused),
		 stats_get(m->lost_unflushed), spool, stats_get(m->gaps), stats_get(m->evicted), names);
}
