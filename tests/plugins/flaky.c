/* SPDX-License-Identifier: MIT */
/*
 * A sinker for tests of the writer: it appends "seq sock" lines for
 * events, "gap RUN FIRST COUNT REASON" and "run RUN STATE LAST_SEQ PREV"
 * lines to path, and misbehaves on demand:
 *   down_while=FILE  "retry later" while FILE exists
 *   fail_after=N     fails for good once N events are stored
 *   refuse_every=N   refuses for good (-EBADMSG) a batch that holds an
 *                    event whose seq is a multiple of N
 *   partial=yes      stores at most half of each batch (rounded up)
 *   delay_ms=N       sleeps N ms in every write (a slow store)
 *   block_after=N    once N events are stored, blocks in write for ever
 *   origin=yes       event lines are "seq sock run_id", with the batch's
 *                    origin run (a replayed spool keeps the first run's)
 *   hosts=yes        with origin=yes, event and gap lines end with the
 *                    origin's host (a relay's batches are other hosts')
 * Name records (ABI 2.2) are "name KIND ID RUN TEXT" lines (with hosts=yes,
 * "name KIND ID RUN HOST TEXT"), the text's bytes outside printable ASCII,
 * and the backslash, as \xHH.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

struct flaky_config {
	const char *path;
	const char *down_while;
	int64_t fail_after;
	int64_t refuse_every;
	bool partial;
	int64_t delay_ms;
	int64_t block_after;
	bool origin;
	bool hosts;
};

struct flaky {
	const struct tca_host *host;
	struct flaky_config c;
	FILE *out;
	uint64_t stored;
};

static int flaky_open(const struct tca_host *host, const void *config, void **state)
{
	struct flaky *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->host = host;
	f->c = *(const struct flaky_config *)config;
	if (!f->c.path) {
		tca_log(host, TCA_LOG_ERR, 0, "path= is required");
		free(f);
		return -EINVAL;
	}
	f->out = fopen(f->c.path, "we");
	if (!f->out) {
		int e = errno;
		free(f);
		return -e;
	}
	*state = f;
	return 0;
}

static void flaky_close(void *state)
{
	struct flaky *f = state;

	fclose(f->out);
	free(f);
}

static bool flaky_down(struct flaky *f)
{
	if (!f->c.down_while || access(f->c.down_while, F_OK) != 0)
		return false;
	tca_retry_reason(f->host, 0, "%s exists", f->c.down_while);
	return true;
}

static void flaky_sleep(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int flaky_write(void *state, const struct tca_batch *b)
{
	struct flaky *f = state;
	size_t n = b->n;

	if (f->c.delay_ms)
		flaky_sleep(f->c.delay_ms);
	if (f->c.block_after && f->stored >= (uint64_t)f->c.block_after)
		for (;;)
			pause();
	if (flaky_down(f))
		return -EAGAIN;
	if (f->c.fail_after && f->stored + n > (uint64_t)f->c.fail_after)
		return -EIO;
	if (f->c.refuse_every)
		for (size_t i = 0; i < n; i++)
			if (b->ev[i].seq % (uint64_t)f->c.refuse_every == 0) {
				tca_retry_reason(f->host, 0, "seq %" PRIu64 " is refused", b->ev[i].seq);
				return -EBADMSG;
			}
	if (f->c.partial && n > 1)
		n = (n + 1) / 2;
	for (size_t i = 0; i < n; i++)
		if (f->c.origin && f->c.hosts)
			fprintf(f->out, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n", b->ev[i].seq,
				b->ev[i].sock, b->origin->run_id, b->origin->host);
		else if (f->c.origin)
			fprintf(f->out, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", b->ev[i].seq,
				b->ev[i].sock, b->origin->run_id);
		else
			fprintf(f->out, "%" PRIu64 " %" PRIu64 "\n", b->ev[i].seq, b->ev[i].sock);
	fflush(f->out);
	f->stored += n;
	if (n < b->n)
		tca_retry_reason(f->host, 0, "partial=yes");
	return (int)n;
}

static int flaky_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			    size_t n)
{
	struct flaky *f = state;

	if (flaky_down(f))
		return -EAGAIN;
	for (size_t i = 0; i < n; i++)
		if (f->c.hosts)
			fprintf(f->out, "gap %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %s\n", g[i].run_id,
				g[i].first_seq, g[i].count, g[i].reason, origin->host);
		else
			fprintf(f->out, "gap %" PRIu64 " %" PRIu64 " %" PRIu64 " %u\n", g[i].run_id,
				g[i].first_seq, g[i].count, g[i].reason);
	fflush(f->out);
	return 0;
}

static int flaky_write_run(void *state, const struct tca_run *run)
{
	struct flaky *f = state;

	if (flaky_down(f))
		return -EAGAIN;
	fprintf(f->out, "run %" PRIu64 " %u %" PRIu64 " %" PRIu64 "\n", run->origin.run_id, run->state,
		run->last_seq, run->prev_run_id);
	fflush(f->out);
	return 0;
}

static void flaky_text(FILE *out, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p > ' ' && *p < 0x7f && *p != '\\')
			fputc(*p, out);
		else
			fprintf(out, "\\x%02x", *p);
}

static int flaky_write_names(void *state, const struct tca_origin *origin, const struct tca_name *nm,
			     size_t n)
{
	struct flaky *f = state;

	if (flaky_down(f))
		return -EAGAIN;
	for (size_t i = 0; i < n; i++) {
		fprintf(f->out, "name %" PRIu32 " %" PRIu64 " %" PRIu64 " ", nm[i].kind, nm[i].id,
			nm[i].run_id);
		if (f->c.hosts)
			fprintf(f->out, "%s ", origin->host);
		flaky_text(f->out, nm[i].text);
		fputc('\n', f->out);
	}
	fflush(f->out);
	return 0;
}

static const struct tca_option flaky_options[] = {
	{ .name = "path", .type = TCA_OPT_STRING, .offset = offsetof(struct flaky_config, path) },
	{ .name = "down_while", .type = TCA_OPT_STRING,
	  .offset = offsetof(struct flaky_config, down_while) },
	{ .name = "fail_after", .type = TCA_OPT_INT, .def = "0",
	  .offset = offsetof(struct flaky_config, fail_after) },
	{ .name = "refuse_every", .type = TCA_OPT_INT, .def = "0",
	  .offset = offsetof(struct flaky_config, refuse_every) },
	{ .name = "partial", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct flaky_config, partial) },
	{ .name = "delay_ms", .type = TCA_OPT_INT, .def = "0",
	  .offset = offsetof(struct flaky_config, delay_ms) },
	{ .name = "block_after", .type = TCA_OPT_INT, .def = "0",
	  .offset = offsetof(struct flaky_config, block_after) },
	{ .name = "origin", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct flaky_config, origin) },
	{ .name = "hosts", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct flaky_config, hosts) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "flaky",
	.version = "test",
	.description = "A sink that misbehaves on demand (tests only)",
	.options = flaky_options,
	.config_size = sizeof(struct flaky_config),
	.open = flaky_open,
	.close = flaky_close,
	.ops.sinker = {
		.write = flaky_write,
		.write_gaps = flaky_write_gaps,
		.write_run = flaky_write_run,
	},
	.write_names = flaky_write_names,
};
