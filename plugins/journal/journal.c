/* SPDX-License-Identifier: MIT */
/* The journal sinker: one systemd journal entry per event (and per gap,
 * run and name record), with the fields as TCP_AUDIT_* journal fields, so
 * that journalctl can filter them. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "fmt.h"
#include "names.h"

/* Fixed for ever: tells these entries from the daemon's own log lines
 * (journalctl MESSAGE_ID=...). Documented in tcp-audit-journal(7). */
#define JOURNAL_MESSAGE_ID "bff2a0e14484457085dbd943348b8454"
/* Likewise for gap records and run records. */
#define JOURNAL_GAP_MESSAGE_ID "f6aa5bf28c26410db3f3dc69d1cde281"
#define JOURNAL_RUN_MESSAGE_ID "93f89b4081de4f8399d506c2e3c92083"
/* And for name records (ABI 2.2). */
#define JOURNAL_NAME_MESSAGE_ID "0d9b05668c9546d8882b713a71d5e053"
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Fields of one entry, and room for their text: the largest entry is
 * well under 1 KiB (a comm is at most 15 bytes, escaped 6 times that). */
#define JOURNAL_FIELDS_MAX 32
#define JOURNAL_TEXT_MAX 2048

struct journal_config {
	const char *identifier;
};

struct journal_sink {
	const struct tca_host *host;
	/* Fields that are the same for every entry of one origin, formatted
	 * once per origin. */
	char ident[128], hostname[320], boot_id[64], run_id[48];
	const struct tca_origin *origin;
	uint64_t origin_run;

	/* The entry being built: reused for every event. */
	struct iovec iov[JOURNAL_FIELDS_MAX];
	size_t n_iov;
	char text[JOURNAL_TEXT_MAX];
	size_t pos;

	/* A name's text is up to 4095 bytes: its two fields have their own
	 * room, the raw one and the escaped one of the readable message. */
	char name_raw[sizeof("TCP_AUDIT_NAME_TEXT=") + TCA_NAME_MAX];
	char name_msg[64 + 6 * TCA_NAME_MAX];
};

static void journal_iov(struct journal_sink *s, const char *p, size_t len)
{
	if (s->n_iov < JOURNAL_FIELDS_MAX)
		s->iov[s->n_iov++] = (struct iovec){ (void *)p, len };
}

/* Append one FIELD=value to the entry's text and point an iovec at it.
 * On overflow the field is cut short, which the buffer size rules out. */
__attribute__((format(printf, 2, 3)))
static void journal_field(struct journal_sink *s, const char *fmt, ...)
{
	size_t room = sizeof(s->text) - s->pos;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->text + s->pos, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room)
		n = (int)room - 1;
	journal_iov(s, s->text + s->pos, (size_t)n);
	s->pos += (size_t)n + 1;
}

/* "ipv4 127.0.0.1:5000 -> 127.0.0.1:443 SYN_SENT -> ESTABLISHED pid 12 (curl)" */
static void journal_message(struct journal_sink *s, const struct tca_event *ev,
			    const char *sa, const char *da)
{
	bool v6 = ev->family == TCA_FAMILY_IPV6;
	char comm[TCA_COMM_LEN * 6 + 1];
	size_t cpos = 0;

	if (!(ev->flags & TCA_EV_PID)) {
		journal_field(s, "MESSAGE=%s %s%s%s:%u -> %s%s%s:%u %s -> %s", names_family(ev->family),
			      v6 ? "[" : "", sa, v6 ? "]" : "", ev->sport, v6 ? "[" : "", da,
			      v6 ? "]" : "", ev->dport, names_state(ev->oldstate),
			      names_state(ev->newstate));
		return;
	}
	/* The process chose its comm: escape it in the readable line. */
	fmt_json_escape(comm, sizeof(comm), &cpos, ev->comm, strnlen(ev->comm, sizeof(ev->comm)));
	journal_field(s, "MESSAGE=%s %s%s%s:%u -> %s%s%s:%u %s -> %s pid %" PRId32 " (%s)",
		      names_family(ev->family), v6 ? "[" : "", sa, v6 ? "]" : "", ev->sport,
		      v6 ? "[" : "", da, v6 ? "]" : "", ev->dport, names_state(ev->oldstate),
		      names_state(ev->newstate), ev->pid, comm);
}

static void journal_build(struct journal_sink *s, const struct tca_event *ev)
{
	char t[FMT_TIME_LEN], sa[FMT_ADDR_LEN], da[FMT_ADDR_LEN];

	s->n_iov = 0;
	s->pos = 0;
	fmt_addr(sa, sizeof(sa), ev->family, ev->saddr);
	fmt_addr(da, sizeof(da), ev->family, ev->daddr);
	fmt_time_rfc3339(t, sizeof(t), ev->time_ns);
	journal_message(s, ev, sa, da);
	journal_iov(s, "PRIORITY=6", 10);
	journal_iov(s, s->ident, strlen(s->ident));
	journal_iov(s, "MESSAGE_ID=" JOURNAL_MESSAGE_ID, sizeof("MESSAGE_ID=" JOURNAL_MESSAGE_ID) - 1);
	journal_field(s, "TCP_AUDIT_TIME=%s", t);
	journal_iov(s, s->hostname, strlen(s->hostname));
	journal_field(s, "TCP_AUDIT_SOCK=%" PRIu64, ev->sock);
	if (ev->flags & TCA_EV_PID) {
		journal_field(s, "TCP_AUDIT_PID=%" PRId32, ev->pid);
		/* Raw bytes: sd_journal_sendv() stores any value, even one
		 * with a newline, as it is. */
		journal_field(s, "TCP_AUDIT_COMM=%.*s", (int)strnlen(ev->comm, sizeof(ev->comm)),
			      ev->comm);
	}
	journal_field(s, "TCP_AUDIT_FAMILY=%s", names_family(ev->family));
	journal_field(s, "TCP_AUDIT_PROTOCOL=%s", names_protocol(ev->protocol));
	journal_field(s, "TCP_AUDIT_SADDR=%s", sa);
	journal_field(s, "TCP_AUDIT_SPORT=%u", ev->sport);
	journal_field(s, "TCP_AUDIT_DADDR=%s", da);
	journal_field(s, "TCP_AUDIT_DPORT=%u", ev->dport);
	journal_field(s, "TCP_AUDIT_OLDSTATE=%s", names_state(ev->oldstate));
	journal_field(s, "TCP_AUDIT_NEWSTATE=%s", names_state(ev->newstate));
	if (ev->flags & TCA_EV_NETNS)
		journal_field(s, "TCP_AUDIT_NETNS=%" PRIu64, ev->netns);
	if (ev->flags & TCA_EV_CGROUP)
		journal_field(s, "TCP_AUDIT_CGROUP=%" PRIu64, ev->cgroup);
	if (ev->flags & TCA_EV_UID)
		journal_field(s, "TCP_AUDIT_UID=%" PRIu32, ev->uid);
	if (ev->flags & TCA_EV_BYTES) {
		journal_field(s, "TCP_AUDIT_BYTES_SENT=%" PRIu64, ev->bytes_sent);
		journal_field(s, "TCP_AUDIT_BYTES_RECEIVED=%" PRIu64, ev->bytes_received);
	}
	if (ev->flags & TCA_EV_LIFETIME)
		journal_field(s, "TCP_AUDIT_LIFETIME_NS=%" PRIu64, ev->lifetime_ns);
	if (ev->flags & TCA_EV_PID)
		journal_field(s, "TCP_AUDIT_OWNER=%s", fmt_owner_name(ev->owner));
	journal_iov(s, s->boot_id, strlen(s->boot_id));
	journal_iov(s, s->run_id, strlen(s->run_id));
	journal_field(s, "TCP_AUDIT_SEQ=%" PRIu64, ev->seq);
}

/* The origin's fields, when the batch's origin is not the last one's. */
static void journal_origin(struct journal_sink *s, const struct tca_origin *o)
{
	if (s->origin && s->origin_run == o->run_id)
		return;
	s->origin = o;
	s->origin_run = o->run_id;
	snprintf(s->hostname, sizeof(s->hostname), "TCP_AUDIT_HOST=%s", o->host);
	snprintf(s->boot_id, sizeof(s->boot_id), "TCP_AUDIT_BOOT_ID=%s", o->boot_id);
	snprintf(s->run_id, sizeof(s->run_id), "TCP_AUDIT_RUN_ID=%" PRIu64, o->run_id);
}

/* Errors after which journald may take entries again: it is restarting,
 * or its socket buffer is full. */
static bool journal_is_transient(int e)
{
	return e == EAGAIN || e == ENOBUFS || e == ENOENT || e == ECONNREFUSED ||
	       e == ENOMEM || e == EINTR;
}

static int journal_failed(struct journal_sink *s, int e)
{
	if (!journal_is_transient(e)) {
		tca_log(s->host, TCA_LOG_ERR, e, "cannot send an event to the journal");
		return -e;
	}
	tca_retry_reason(s->host, e, "the journal does not take entries (is systemd-journald running?)");
	return -EAGAIN;
}

/* Each entry is sent on its own, so a failure leaves exactly the entries
 * before it stored: that count goes back to the processor, which retries
 * only the rest (the journal has no key to make a resend harmless). */
static int journal_write(void *state, const struct tca_batch *b)
{
	struct journal_sink *s = state;

	journal_origin(s, b->origin);
	for (size_t i = 0; i < b->n; i++) {
		int r;

		journal_build(s, &b->ev[i]);
		r = sd_journal_sendv(s->iov, (int)s->n_iov);
		if (r < 0) {
			r = journal_failed(s, -r);
			return i && r == -EAGAIN ? (int)i : r;
		}
	}
	return (int)b->n;
}

static int journal_send_record(struct journal_sink *s)
{
	int r = sd_journal_sendv(s->iov, (int)s->n_iov);

	return r < 0 ? journal_failed(s, -r) : 0;
}

static void journal_record_start(struct journal_sink *s, const char *message_id, int prio)
{
	s->n_iov = 0;
	s->pos = 0;
	journal_field(s, "PRIORITY=%d", prio);
	journal_iov(s, s->ident, strlen(s->ident));
	journal_field(s, "MESSAGE_ID=%s", message_id);
	journal_iov(s, s->hostname, strlen(s->hostname));
}

/* A gap record: the seqs of one run that are missing, and why. Sent one
 * by one; a resend after a failure is a duplicate entry with the same
 * fields, which a reader can tell by TCP_AUDIT_RUN_ID and FIRST_SEQ. */
static int journal_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			      size_t n)
{
	struct journal_sink *s = state;
	char t[FMT_TIME_LEN];

	journal_origin(s, origin);
	for (size_t i = 0; i < n; i++) {
		int r;
		fmt_time_rfc3339(t, sizeof(t), g[i].time_ns);
		journal_record_start(s, JOURNAL_GAP_MESSAGE_ID, 4);
		if (g[i].count)
			journal_field(s, "MESSAGE=gap: %" PRIu64 " event%s of run %" PRIu64
				      " lost from seq %" PRIu64 " (%s)", g[i].count,
				      g[i].count == 1 ? "" : "s", g[i].run_id, g[i].first_seq,
				      names_gap_reason(g[i].reason));
		else
			journal_field(s, "MESSAGE=gap: run %" PRIu64 " lost an unknown number of events "
				      "from seq %" PRIu64 " (%s)", g[i].run_id, g[i].first_seq,
				      names_gap_reason(g[i].reason));
		journal_field(s, "TCP_AUDIT_TIME=%s", t);
		journal_field(s, "TCP_AUDIT_RUN_ID=%" PRIu64, g[i].run_id);
		journal_field(s, "TCP_AUDIT_GAP_FIRST_SEQ=%" PRIu64, g[i].first_seq);
		if (g[i].count)
			journal_field(s, "TCP_AUDIT_GAP_COUNT=%" PRIu64, g[i].count);
		journal_field(s, "TCP_AUDIT_GAP_REASON=%s", names_gap_reason(g[i].reason));
		if (g[i].cpu >= 0)
			journal_field(s, "TCP_AUDIT_GAP_CPU=%" PRId32, g[i].cpu);
		r = journal_send_record(s);
		if (r < 0)
			return r;
	}
	return 0;
}

static int journal_write_run(void *state, const struct tca_run *run)
{
	struct journal_sink *s = state;
	char t[FMT_TIME_LEN];

	journal_origin(s, &run->origin);
	journal_record_start(s, JOURNAL_RUN_MESSAGE_ID, run->state == TCA_RUN_CLEAN ||
					    run->state == TCA_RUN_RUNNING ? 6 : 4);
	journal_field(s, "MESSAGE=run %" PRIu64 ": %s, last seq %" PRIu64, run->origin.run_id,
		      names_run_state(run->state), run->last_seq);
	journal_iov(s, s->boot_id, strlen(s->boot_id));
	journal_iov(s, s->run_id, strlen(s->run_id));
	journal_field(s, "TCP_AUDIT_RUN_STATE=%s", names_run_state(run->state));
	fmt_time_rfc3339(t, sizeof(t), run->start_ns);
	journal_field(s, "TCP_AUDIT_RUN_START=%s", t);
	if (run->end_ns) {
		fmt_time_rfc3339(t, sizeof(t), run->end_ns);
		journal_field(s, "TCP_AUDIT_RUN_END=%s", t);
	}
	if (run->last_seq)
		journal_field(s, "TCP_AUDIT_RUN_LAST_SEQ=%" PRIu64, run->last_seq);
	if (run->prev_run_id)
		journal_field(s, "TCP_AUDIT_RUN_PREV=%" PRIu64, run->prev_run_id);
	return journal_send_record(s);
}

/* "MESSAGE=name: cgroup 4242 is /system.slice/nginx.service", the path
 * escaped (a cgroup's name may hold any byte but NUL), at name_msg. */
static void journal_name_message(struct journal_sink *s, const struct tca_name *nm)
{
	size_t pos;
	int n = snprintf(s->name_msg, sizeof(s->name_msg), "MESSAGE=name: %s %" PRIu64 " is ",
			 names_name_kind(nm->kind), nm->id);

	pos = (size_t)n;
	if (fmt_json_escape(s->name_msg, sizeof(s->name_msg), &pos, nm->text, strlen(nm->text)) < 0)
		pos = strlen(s->name_msg); /* ruled out by the size; cut, never torn */
	journal_iov(s, s->name_msg, pos);
}

/* A name record: what an id in the events stood for. Sent one by one,
 * like gap records; a resend is a duplicate entry with the same fields.
 * A cgroup's also has TCP_AUDIT_CGROUP, so that one journalctl match
 * finds the cgroup's events and its path. */
static int journal_write_names(void *state, const struct tca_origin *origin,
			       const struct tca_name *nm, size_t n)
{
	struct journal_sink *s = state;
	char t[FMT_TIME_LEN];

	journal_origin(s, origin);
	for (size_t i = 0; i < n; i++) {
		int r, len;
		fmt_time_rfc3339(t, sizeof(t), nm[i].time_ns);
		journal_record_start(s, JOURNAL_NAME_MESSAGE_ID, 6);
		journal_name_message(s, &nm[i]);
		journal_field(s, "TCP_AUDIT_TIME=%s", t);
		journal_iov(s, s->boot_id, strlen(s->boot_id));
		journal_field(s, "TCP_AUDIT_RUN_ID=%" PRIu64, nm[i].run_id);
		journal_field(s, "TCP_AUDIT_NAME_KIND=%s", names_name_kind(nm[i].kind));
		journal_field(s, "TCP_AUDIT_NAME_ID=%" PRIu64, nm[i].id);
		if (nm[i].kind == TCA_NAME_CGROUP)
			journal_field(s, "TCP_AUDIT_CGROUP=%" PRIu64, nm[i].id);
		/* Raw bytes, as TCP_AUDIT_COMM: the journal keeps any value. */
		len = snprintf(s->name_raw, sizeof(s->name_raw), "TCP_AUDIT_NAME_TEXT=%s", nm[i].text);
		journal_iov(s, s->name_raw, len < (int)sizeof(s->name_raw) ? (size_t)len :
									   sizeof(s->name_raw) - 1);
		r = journal_send_record(s);
		if (r < 0)
			return r;
	}
	return 0;
}

static void journal_close(void *state)
{
	free(state);
}

static int journal_open(const struct tca_host *host, const void *config, void **state)
{
	const struct journal_config *c = config;
	struct journal_sink *s;

	if (!c->identifier || !*c->identifier || strlen(c->identifier) > 64 ||
	    strpbrk(c->identifier, "\n=")) {
		tca_log(host, TCA_LOG_ERR, 0, "identifier must be 1 to 64 characters without a newline "
			"or '=', e.g. identifier=tcp-audit-events");
		return -EINVAL;
	}
	if (access(JOURNAL_SOCKET, W_OK) < 0) {
		int e = errno;
		tca_log(host, TCA_LOG_ERR, e, "cannot use the journal socket %s; is systemd-journald "
			"running? (or choose another sink)", JOURNAL_SOCKET);
		return -e;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	snprintf(s->ident, sizeof(s->ident), "SYSLOG_IDENTIFIER=%s", c->identifier);
	*state = s;
	return 0;
}

static const struct tca_option journal_options[] = {
	{ .name = "identifier", .type = TCA_OPT_STRING, .def = "tcp-audit-events",
	  .help = "SYSLOG_IDENTIFIER of the entries (journalctl -t NAME)",
	  .offset = offsetof(struct journal_config, identifier) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "journal",
	.version = PACKAGE_VERSION,
	.description = "One systemd journal entry per event, with TCP_AUDIT_* fields",
	.options = journal_options,
	.config_size = sizeof(struct journal_config),
	.open = journal_open,
	.close = journal_close,
	.ops.sinker = {
		.write = journal_write,
		.write_gaps = journal_write_gaps,
		.write_run = journal_write_run,
	},
	.write_names = journal_write_names,
};
