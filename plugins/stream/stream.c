/* SPDX-License-Identifier: MIT */
/*
 * The json and text sinkers: events as JSON Lines, or as aligned columns
 * for a person, to stdout or a file. Built twice from this file, once
 * with STREAM_TEXT defined (format-text.c or format-json.c formats).
 *
 * A batch is formatted whole into one buffer and written with write(2),
 * so that a batch is stored or not: after a short write (a full disk, an
 * I/O error) the rest of the same bytes is written on the retry, never
 * the batch again, so a line is neither torn nor duplicated.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "stream.h"

#define STREAM_BATCH 1024

struct stream_config {
	const char *path;
	bool header;
};

struct stream {
	const struct tca_host *host;
	const char *path;       /* NULL: stdout */
	int fd;
	bool header;
	char *buf;              /* one formatted batch */
	size_t size;
	/* A batch written in part: its bytes stay until they are all out. */
	size_t len, off;
	uint64_t pending_run;   /* the run and first seq of that batch */
	uint64_t pending_seq;
	size_t pending_n;       /* its events */
	uint64_t rec_key1, rec_key2; /* likewise for gap and run records */
	size_t rec_n;
};

/*
 * A crash (SIGKILL, a power loss) can leave the last line of the file cut
 * short: a batch whose write(2) never returned, so nothing of it counts
 * as stored. Cut it off, so that it neither stays torn nor glues itself
 * to the next line.
 */
static void stream_cut_torn_tail(struct stream *s)
{
	char chunk[4096];
	struct stat st;
	off_t end, keep = 0;

	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	for (end = st.st_size; end > 0 && !keep;) {
		off_t from = end > (off_t)sizeof(chunk) ? end - (off_t)sizeof(chunk) : 0;
		ssize_t n = pread(s->fd, chunk, (size_t)(end - from), from);
		if (n <= 0)
			return;
		if (end == st.st_size && chunk[n - 1] == '\n')
			return; /* whole */
		for (ssize_t i = n - 1; i >= 0; i--)
			if (chunk[i] == '\n') {
				keep = from + i + 1;
				break;
			}
		end = from;
	}
	if (ftruncate(s->fd, keep) == 0)
		tca_log(s->host, TCA_LOG_NOTICE, 0, "%s ended in a line cut short (by a crash?); "
			"removed its %lld bytes, which were never reported stored", s->path,
			(long long)(st.st_size - keep));
}

static int stream_open_file(struct stream *s)
{
	int fd;

	if (!s->path) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	/* 0640 whatever the umask (lib/file.c): an archive of who talked
	 * to whom is not for every user of the machine. Read access: to
	 * find a torn tail. */
	fd = file_open_archive(s->path, O_RDWR | O_APPEND);
	if (fd < 0) {
		int e = -fd;
		tca_log(s->host, TCA_LOG_ERR, e, "cannot open %s for appending (check the path "
			"and its directory's permissions)", s->path);
		return -e;
	}
	s->fd = fd;
	stream_cut_torn_tail(s);
	return 0;
}

/* Write buf[off..len), however many calls it takes. Returns 0 or -errno. */
static int stream_write_out(struct stream *s)
{
	while (s->off < s->len) {
		ssize_t w = write(s->fd, s->buf + s->off, s->len - s->off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s->off += (size_t)w;
	}
	s->len = s->off = 0;
	return 0;
}

/* A failed write: a full disk or an I/O error may clear up (retry later,
 * with the rest of the same bytes); a closed pipe will not. */
static int stream_failed(struct stream *s, int r)
{
	if (r == -ENOSPC || r == -EDQUOT || r == -EIO || r == -EAGAIN) {
		tca_retry_reason(s->host, -r, "writing to %s", s->path ? s->path : "standard output");
		return -EAGAIN;
	}
	tca_log(s->host, TCA_LOG_ERR, -r, "writing to %s failed", s->path ? s->path : "standard output");
	return r;
}

static int stream_put(struct stream *s, int len)
{
	if (len < 0)
		return len;
	s->len = (size_t)len;
	s->off = 0;
	return 0;
}

static void stream_print_header(struct stream *s)
{
	if (s->header && stream_put(s, stream_format_header(s->buf, s->size)) == 0 && s->len)
		stream_write_out(s);
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
	s->size = (size_t)STREAM_BATCH * STREAM_LINE_MAX;
	s->buf = malloc(s->size);
	if (!s->buf) {
		free(s);
		return -ENOMEM;
	}
	r = stream_open_file(s);
	if (r < 0) {
		free(s->buf);
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

	if (s->fd != STDOUT_FILENO)
		close(s->fd);
	free(s->buf);
	free(s);
}

/* Write out the rest of a batch written in part; it then stays pending
 * (stored, but not yet reported stored) until its retry comes. */
static int stream_drain_pending(struct stream *s)
{
	int r = s->len ? stream_write_out(s) : 0;

	return r < 0 ? stream_failed(s, r) : 0;
}

/* The retry of a batch that is pending. Returns how many of its events
 * are stored, 0 if b is not that batch, or -EAGAIN. */
static int stream_finish_pending(struct stream *s, const struct tca_batch *b)
{
	size_t n = s->pending_n;
	int r;

	if (!n)
		return 0;
	s->pending_n = 0;
	if (b->origin->run_id != s->pending_run || b->ev[0].seq != s->pending_seq) {
		/* Not the batch we began: the processor gave up on it. */
		s->len = s->off = 0;
		return 0;
	}
	s->pending_n = n;
	r = stream_drain_pending(s);
	if (r < 0)
		return r;
	s->pending_n = 0;
	return (int)(n < b->n ? n : b->n);
}

static int stream_write(void *state, const struct tca_batch *b)
{
	struct stream *s = state;
	size_t pos = 0, n = b->n < STREAM_BATCH ? b->n : STREAM_BATCH;
	int r;

	r = stream_finish_pending(s, b);
	if (r != 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		int len = stream_format_event(s->buf + pos, s->size - pos, &b->ev[i], b->origin);
		if (len < 0)
			return len;
		pos += (size_t)len;
	}
	stream_put(s, (int)pos);
	r = stream_write_out(s);
	if (r < 0) {
		s->pending_run = b->origin->run_id;
		s->pending_seq = b->ev[0].seq;
		s->pending_n = n;
		return stream_failed(s, r);
	}
	return (int)n;
}

/*
 * Gap and run records are written like batches: what a short write left
 * out is written on the retry of the same call (the writer retries from
 * the same oldest record), and then only the records the first attempt
 * did not hold.
 */
static int stream_write_record(struct stream *s, int len, uint64_t key1, uint64_t key2, size_t n)
{
	int r = stream_put(s, len);

	if (r < 0)
		return r;
	r = stream_write_out(s);
	if (r < 0) {
		s->rec_key1 = key1;
		s->rec_key2 = key2;
		s->rec_n = n;
		return stream_failed(s, r);
	}
	return 0;
}

/* How many of the records of this call the last, failed one already
 * wrote out (after writing out its rest); 0 if it was another call. */
static int stream_resume_record(struct stream *s, uint64_t key1, uint64_t key2)
{
	size_t n = s->rec_n;
	int r;

	s->rec_n = 0;
	if (!n || key1 != s->rec_key1 || key2 != s->rec_key2) {
		/* Another call: finish the line rather than leave it torn. */
		return stream_drain_pending(s);
	}
	s->rec_n = n;
	r = stream_drain_pending(s);
	if (r < 0)
		return r;
	s->rec_n = 0;
	return (int)n;
}

static int stream_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			     size_t n)
{
	struct stream *s = state;
	size_t pos = 0;
	int done;

	done = s->rec_n ? stream_resume_record(s, g[0].run_id, g[0].first_seq) : stream_drain_pending(s);
	if (done < 0)
		return done;
	for (size_t i = (size_t)done; i < n; i++) {
		int len = stream_format_gap(s->buf + pos, s->size - pos, &g[i], origin);
		if (len < 0)
			return len;
		pos += (size_t)len;
	}
	if (!pos)
		return 0;
	/* Keyed by the call's first record: once the rest of these bytes is
	 * out, all n of them are in the file. */
	return stream_write_record(s, (int)pos, g[0].run_id, g[0].first_seq, n);
}

static int stream_write_run(void *state, const struct tca_run *run)
{
	struct stream *s = state;
	int done;

	done = s->rec_n ? stream_resume_record(s, run->origin.run_id, run->state) : stream_drain_pending(s);
	if (done)
		return done < 0 ? done : 0;
	return stream_write_record(s, stream_format_run(s->buf, s->size, run), run->origin.run_id,
				   run->state, 1);
}

/* Name records, written like gap records; keyed by the first one's run
 * and id, with the top bit set so that it never looks like a gap's
 * (run, first seq) or a run's (run, state). */
static int stream_write_names(void *state, const struct tca_origin *origin, const struct tca_name *nm,
			      size_t n)
{
	struct stream *s = state;
	uint64_t key2;
	size_t pos = 0;
	int done;

	if (!n)
		return 0;
	key2 = nm[0].id | (1ull << 63);
	done = s->rec_n ? stream_resume_record(s, nm[0].run_id, key2) : stream_drain_pending(s);
	if (done < 0)
		return done;
	for (size_t i = (size_t)done; i < n; i++) {
		int len = stream_format_name(s->buf + pos, s->size - pos, &nm[i], origin);
		if (len < 0)
			return len;
		pos += (size_t)len;
	}
	if (!pos)
		return 0;
	return stream_write_record(s, (int)pos, nm[0].run_id, key2, n);
}

/* After logrotate moved the file away: start a new one at the same path. */
static int stream_reopen(void *state)
{
	struct stream *s = state;
	int old = s->fd, r;

	if (!s->path)
		return 0;
	r = stream_open_file(s);
	if (r < 0) {
		s->fd = old;
		return r;
	}
	close(old);
	if (!s->len)
		stream_print_header(s);
	return 0;
}

static void stream_limits(void *state, struct tca_sink_limits *limits)
{
	(void)state;
	if (limits->batch_max > STREAM_BATCH)
		limits->batch_max = STREAM_BATCH;
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
		.write_gaps = stream_write_gaps,
		.write_run = stream_write_run,
		.reopen = stream_reopen,
		.limits = stream_limits,
	},
	.write_names = stream_write_names,
};
