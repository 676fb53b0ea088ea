/* SPDX-License-Identifier: MIT */
/*
 * The json and text sinkers: events as JSON Lines, or as aligned columns
 * for a person, to stdout or a file. Built twice from this file, once
 * with STREAM_TEXT defined.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

#include "file.h"
#include "fmt.h"
#include "names.h"

#ifdef STREAM_TEXT
#define STREAM_NAME "text"
#define STREAM_DESC "Events as aligned text columns, like tcpstates, to stdout or a file"
#else
#define STREAM_NAME "json"
#define STREAM_DESC "Events as JSON Lines (one object per event) to stdout or a file"
#endif

struct stream_config {
	const char *path;
	bool header;
};

struct stream {
	const struct tca_host *host;
	const char *path;       /* NULL: stdout */
	FILE *out;
	bool header;
	char buf[FMT_JSON_MAX + FMT_TIME_LEN + 2 * FMT_ADDR_LEN + 128];
};

static int stream_open_file(struct stream *s)
{
	FILE *f;
	int fd;

	if (!s->path) {
		s->out = stdout;
		return 0;
	}
	fd = file_open_archive(s->path, O_WRONLY | O_APPEND);
	f = fd >= 0 ? fdopen(fd, "ae") : NULL;
	if (!f) {
		int e = fd >= 0 ? errno : -fd;
		if (fd >= 0)
			close(fd);
		tca_log(s->host, TCA_LOG_ERR, e, "cannot open %s for appending (check the path "
			"and its directory's permissions)", s->path);
		return -e;
	}
	/* Large buffer: one write(2) per many events, flushed when the
	 * writer has caught up (flush()). */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	s->out = f;
	return 0;
}

static void stream_print_header(struct stream *s)
{
#ifdef STREAM_TEXT
	if (s->header)
		fprintf(s->out, "%-30s %-7s %-15s %-15s %-5s %-15s %-5s %s\n", "TIME(UTC)", "PID",
			"COMM", "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE -> NEWSTATE");
#else
	(void)s;
#endif
}

static int stream_open(const struct tca_host *host, const void *config, void **state)
{
	const struct stream_config *c = config;
	struct stream *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->host = host;
	s->header = c->header;
	s->path = c->path && *c->path && strcmp(c->path, "-") != 0 ? c->path : NULL;
	r = stream_open_file(s);
	if (r < 0) {
		free(s);
		return r;
	}
	stream_print_header(s);
	*state = s;
	return 0;
}

static void stream_close(void *state)
{
	struct stream *s = state;

	fflush(s->out);
	if (s->out != stdout)
		fclose(s->out);
	free(s);
}

#ifdef STREAM_TEXT
static int stream_format(struct stream *s, const struct tca_event *ev)
{
	char t[FMT_TIME_LEN], sa[FMT_ADDR_LEN], da[FMT_ADDR_LEN], pid[16];
	char comm[TCA_COMM_LEN * 4 + 1];
	size_t pos = 0;

	fmt_time_rfc3339(t, sizeof(t), ev->time_ns);
	if (ev->flags & TCA_EV_PID) {
		snprintf(pid, sizeof(pid), "%d", ev->pid);
		/* A comm is chosen by the process: escape it, so that it can
		 * neither break the columns nor send terminal controls. */
		if (fmt_json_escape(comm, sizeof(comm), &pos, ev->comm,
				    strnlen(ev->comm, sizeof(ev->comm))) < 0)
			return -ENOSPC;
	} else {
		snprintf(pid, sizeof(pid), "-");
		snprintf(comm, sizeof(comm), "-");
	}
	return snprintf(s->buf, sizeof(s->buf), "%-30s %-7s %-15s %-15s %-5u %-15s %-5u %s -> %s\n",
			t, pid, comm, fmt_addr(sa, sizeof(sa), ev->family, ev->saddr), ev->sport,
			fmt_addr(da, sizeof(da), ev->family, ev->daddr), ev->dport,
			names_state(ev->oldstate), names_state(ev->newstate));
}
#else
static int stream_format(struct stream *s, const struct tca_event *ev)
{
	int n = fmt_event_json(s->buf, sizeof(s->buf) - 1, ev, s->host->hostname);

	if (n < 0)
		return n;
	s->buf[n++] = '\n';
	return n;
}
#endif

static int stream_write(void *state, const struct tca_event *ev, size_t n)
{
	struct stream *s = state;

	for (size_t i = 0; i < n; i++) {
		int len = stream_format(s, &ev[i]);
		if (len < 0)
			return len;
		if (fwrite(s->buf, 1, (size_t)len, s->out) != (size_t)len)
			goto fail;
	}
	return 0;
fail:
	/* A full disk may clear up: retry later. A closed pipe will not. */
	if (errno == ENOSPC || errno == EDQUOT || errno == EIO) {
		int e = errno;
		tca_log(s->host, TCA_LOG_WARNING, e, "writing to %s failed", s->path ? s->path : "stdout");
		clearerr(s->out);
		return -EAGAIN;
	}
	return errno ? -errno : -EIO;
}

static int stream_flush(void *state)
{
	struct stream *s = state;

	if (fflush(s->out) == 0)
		return 0;
	return errno == ENOSPC ? -EAGAIN : -errno;
}

/* After logrotate moved the file away: start a new one at the same path. */
static int stream_reopen(void *state)
{
	struct stream *s = state;
	FILE *old = s->out;
	int r;

	if (!s->path)
		return 0;
	fflush(old);
	r = stream_open_file(s);
	if (r < 0) {
		s->out = old;
		return r;
	}
	fclose(old);
	stream_print_header(s);
	return 0;
}

static const struct tca_option stream_options[] = {
	{ .name = "path", .type = TCA_OPT_STRING, .def = "-",
	  .help = "file to append to; - is standard output",
	  .offset = offsetof(struct stream_config, path) },
#ifdef STREAM_TEXT
	{ .name = "header", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "print a header line of column names",
	  .offset = offsetof(struct stream_config, header) },
#endif
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = STREAM_NAME,
	.version = PACKAGE_VERSION,
	.description = STREAM_DESC,
	.options = stream_options,
	.config_size = sizeof(struct stream_config),
	.open = stream_open,
	.close = stream_close,
	.ops.sinker = {
		.write = stream_write,
		.flush = stream_flush,
		.reopen = stream_reopen,
	},
};
