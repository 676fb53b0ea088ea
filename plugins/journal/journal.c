/* SPDX-License-Identifier: MIT */
/* The journal sinker: one systemd journal entry per event, with the event's
 * fields as TCP_AUDIT_* journal fields, so that journalctl can filter them. */
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
	/* Fields that are the same for every entry, formatted once. */
	char ident[128], hostname[320], boot_id[64], run_id[48];
	bool sent_any;           /* sent_seq is meaningful */
	uint64_t sent_seq;       /* the last event the journal took */
	int fail_errno;          /* the current outage, 0 if none */
	uint64_t fail_attempts;
	struct tca_plugin_stats stats;

	/* The entry being built: reused for every event. */
	struct iovec iov[JOURNAL_FIELDS_MAX];
	size_t n_iov;
	char text[JOURNAL_TEXT_MAX];
	size_t pos;
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
	journal_iov(s, s->boot_id, strlen(s->boot_id));
	journal_iov(s, s->run_id, strlen(s->run_id));
	journal_field(s, "TCP_AUDIT_SEQ=%" PRIu64, ev->seq);
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
	s->stats.errors++;
	s->fail_attempts++;
	if (!journal_is_transient(e)) {
		tca_log(s->host, TCA_LOG_ERR, e, "cannot send an event to the journal");
		return -e;
	}
	if (e != s->fail_errno)
		tca_log(s->host, TCA_LOG_WARNING, e, "cannot send events to the journal (is "
			"systemd-journald running?); keeping them queued and retrying");
	s->fail_errno = e;
	return -EAGAIN;
}

static int journal_write(void *state, const struct tca_event *ev, size_t n)
{
	struct journal_sink *s = state;

	for (size_t i = 0; i < n; i++) {
		int r;

		/* A retried batch: the journal has no unique key, so skip
		 * what it already took instead of sending it twice. */
		if (s->sent_any && ev[i].seq <= s->sent_seq)
			continue;
		journal_build(s, &ev[i]);
		r = sd_journal_sendv(s->iov, (int)s->n_iov);
		if (r < 0)
			return journal_failed(s, -r);
		s->sent_any = true;
		s->sent_seq = ev[i].seq;
	}
	if (s->fail_errno) {
		tca_log(s->host, TCA_LOG_NOTICE, 0, "sending events to the journal works again after "
			"%" PRIu64 " failed attempts; nothing was lost", s->fail_attempts);
		s->fail_errno = 0;
		s->fail_attempts = 0;
	}
	return 0;
}

static void journal_stats(void *state, struct tca_plugin_stats *stats)
{
	*stats = ((struct journal_sink *)state)->stats;
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
	snprintf(s->hostname, sizeof(s->hostname), "TCP_AUDIT_HOST=%s", host->hostname);
	snprintf(s->boot_id, sizeof(s->boot_id), "TCP_AUDIT_BOOT_ID=%s", host->boot_id);
	snprintf(s->run_id, sizeof(s->run_id), "TCP_AUDIT_RUN_ID=%" PRIu64, host->run_id);
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
	.stats = journal_stats,
	.ops.sinker = {
		.write = journal_write,
	},
};
