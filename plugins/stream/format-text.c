/* SPDX-License-Identifier: MIT */
/* The text sinker's lines: columns like tcpstates(8) for events, and a
 * line starting with '#' for each gap and run record. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "stream.h"

static int fit(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int stream_format_header(char *buf, size_t size)
{
	return fit(snprintf(buf, size, "%-30s %-7s %-15s %-15s %-5s %-15s %-5s %s\n", "TIME(UTC)",
			    "PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT",
			    "OLDSTATE -> NEWSTATE"), size);
}

int stream_format_event(char *buf, size_t size, const struct tca_event *ev,
			const struct tca_origin *origin)
{
	char t[FMT_TIME_LEN], sa[FMT_ADDR_LEN], da[FMT_ADDR_LEN], pid[16];
	char comm[TCA_COMM_LEN * 6 + 2];
	size_t pos = 0;

	(void)origin;
	fmt_time_rfc3339(t, sizeof(t), ev->time_ns);
	if (ev->flags & TCA_EV_PID) {
		/* "*" marks the listener's owner, not yet seen holding the socket. */
		snprintf(pid, sizeof(pid), "%d%s", ev->pid, ev->owner == TCA_OWNER_LISTENER ? "*" : "");
		/* A comm is chosen by the process: escape it, so that it can
		 * neither break the columns nor send terminal controls. */
		if (fmt_json_escape(comm, sizeof(comm), &pos, ev->comm,
				    strnlen(ev->comm, sizeof(ev->comm))) < 0)
			return -ENOSPC;
		comm[pos] = '\0';
	} else {
		snprintf(pid, sizeof(pid), "-");
		snprintf(comm, sizeof(comm), "-");
	}
	return fit(snprintf(buf, size, "%-30s %-7s %-15s %-15s %-5u %-15s %-5u %s -> %s\n", t, pid,
			    comm, fmt_addr(sa, sizeof(sa), ev->family, ev->saddr), ev->sport,
			    fmt_addr(da, sizeof(da), ev->family, ev->daddr), ev->dport,
			    names_state(ev->oldstate), names_state(ev->newstate)),
		   size);
}

int stream_format_gap(char *buf, size_t size, const struct tca_gap *g, const struct tca_origin *origin)
{
	char t[FMT_TIME_LEN], count[24];

	(void)origin;
	fmt_time_rfc3339(t, sizeof(t), g->time_ns);
	if (g->count)
		snprintf(count, sizeof(count), "%" PRIu64, g->count);
	else
		snprintf(count, sizeof(count), "an unknown number of");
	return fit(snprintf(buf, size, "# %-28s GAP: %s events lost from seq %" PRIu64 " of run %" PRIu64
			    " (%s)\n", t, count, g->first_seq, g->run_id, names_gap_reason(g->reason)),
		   size);
}

int stream_format_run(char *buf, size_t size, const struct tca_run *run)
{
	char t[FMT_TIME_LEN];

	fmt_time_rfc3339(t, sizeof(t), run->end_ns ? run->end_ns : run->start_ns);
	return fit(snprintf(buf, size, "# %-28s RUN %" PRIu64 " on %s: %s, last seq %" PRIu64
			    ", after run %" PRIu64 "\n", t, run->origin.run_id, run->origin.host,
			    names_run_state(run->state), run->last_seq, run->prev_run_id),
		   size);
}
