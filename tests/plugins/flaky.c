/* SPDX-License-Identifier: MIT */
/*
 * A sinker for tests of the writer's retry logic: it says "retry later"
 * while the file named by down_while exists, fails for good with
 * fail_after events, and otherwise appends "seq sock" lines to path.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

struct flaky_config {
	const char *path;
	const char *down_while;
	int64_t fail_after;
};

struct flaky {
	const struct tca_host *host;
	struct flaky_config c;
	FILE *out;
	uint64_t stored;
	uint64_t refused;
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

static int flaky_write(void *state, const struct tca_event *ev, size_t n)
{
	struct flaky *f = state;

	if (f->c.down_while && access(f->c.down_while, F_OK) == 0) {
		f->refused++;
		return -EAGAIN;
	}
	if (f->c.fail_after && f->stored + n > (uint64_t)f->c.fail_after)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		fprintf(f->out, "%" PRIu64 " %" PRIu64 "\n", ev[i].seq, ev[i].sock);
	fflush(f->out);
	f->stored += n;
	return 0;
}

static void flaky_stats(void *state, struct tca_plugin_stats *st)
{
	st->errors = ((struct flaky *)state)->refused;
}

static const struct tca_option flaky_options[] = {
	{ .name = "path", .type = TCA_OPT_STRING, .offset = offsetof(struct flaky_config, path) },
	{ .name = "down_while", .type = TCA_OPT_STRING,
	  .offset = offsetof(struct flaky_config, down_while) },
	{ .name = "fail_after", .type = TCA_OPT_INT, .def = "0",
	  .offset = offsetof(struct flaky_config, fail_after) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "flaky",
	.version = "test",
	.description = "A sink that is down on demand (tests only)",
	.options = flaky_options,
	.config_size = sizeof(struct flaky_config),
	.open = flaky_open,
	.close = flaky_close,
	.stats = flaky_stats,
	.ops.sinker = { .write = flaky_write },
};
