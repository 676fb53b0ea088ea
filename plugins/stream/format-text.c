/* SPDX-License-Identifier: MIT */
/* The text sinker's lines: columns like tcpstates(8) for events, and a
 * line starting with '#' for each gap, run and name record. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "outbuf.h"
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

/* One column: the text, then spaces to its width and one more. */
static void column(struct outbuf *o, const char *text, size_t width)
{
	char *start = o->p;

	outbuf_str(o, text);
	outbuf_pad(o, start, width);
}

static void column_u64(struct outbuf *o, uint64_t v, size_t width)
{
	char *start = o->p;

	outbuf_u64(o, v);
	outbuf_pad(o, start, width);
}

int stream_format_event(char *buf, size_t size, const struct tca_event *ev,
			const struct tca_origin *origin)
{
	char t[FMT_TIME_LEN], a[FMT_ADDR_LEN], comm[TCA_COMM_LEN * 6 + 2];
	struct outbuf o = outbuf_init(buf, size);
	size_t pos = 0;
	char *start;

	(void)origin;
	fmt_time_rfc3339(t, sizeof(t), ev->time_ns);
	column(&o, t, 30);
	if (ev->flags & TCA_EV_PID) {
		start = o.p;
		outbuf_i64(&o, ev->pid);
		/* "*" marks the listener's owner, not yet seen holding the socket. */
		if (ev->owner == TCA_OWNER_LISTENER)
			outbuf_lit(&o, "*");
		outbuf_pad(&o, start, 7);
		/* A comm is chosen by the process: escape it, so that it can
		 * neither break the columns nor send terminal controls. */
		if (fmt_json_escape(comm, sizeof(comm), &pos, ev->comm,
				    strnlen(ev->comm, sizeof(ev->comm))) < 0)
			return -ENOSPC;
		column(&o, comm, 15);
	} else {
		column(&o, "-", 7);
		column(&o, "-", 15);
	}
	column(&o, fmt_addr(a, sizeof(a), ev->family, ev->saddr), 15);
	column_u64(&o, ev->sport, 5);
	column(&o, fmt_addr(a, sizeof(a), ev->family, ev->daddr), 15);
	column_u64(&o, ev->dport, 5);
	outbuf_str(&o, names_state(ev->oldstate));
	outbuf_lit(&o, " -> ");
	outbuf_str(&o, names_state(ev->newstate));
	outbuf_lit(&o, "\n");
	return outbuf_finish(&o, buf) < 0 ? -ENOSPC : (int)(o.p - buf);
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

int stream_format_name(char *buf, size_t size, const struct tca_name *name,
		       const struct tca_origin *origin)
{
	char t[FMT_TIME_LEN];
	size_t pos;
	int n;

	fmt_time_rfc3339(t, sizeof(t), name->time_ns);
	n = snprintf(buf, size, "# %-28s NAME: %s %" PRIu64 " is \"", t, names_name_kind(name->kind),
		     name->id);
	if (fit(n, size) < 0)
		return -ENOSPC;
	/* A cgroup's name may hold any byte but NUL: escaped as in JSON, so
	 * that it can neither break the line nor send terminal controls. */
	pos = (size_t)n;
	if (fmt_json_escape(buf, size, &pos, name->text, strlen(name->text)) < 0)
		return -ENOSPC;
	n = snprintf(buf + pos, size - pos, "\" (run %" PRIu64 " on %s)\n", name->run_id, origin->host);
	return fit(n, size - pos) < 0 ? -ENOSPC : (int)pos + n;
}
