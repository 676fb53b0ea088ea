/* SPDX-License-Identifier: MIT */
/* The null sinker: accepts and discards events and name records, for
 * benchmarks of the eventer and the processor without a store in the way. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <tcp-audit/plugin.h>

struct null_sink {
	uint64_t events;
};

static int null_open(const struct tca_host *host, const void *config, void **state)
{
	struct null_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	*state = s;
	return 0;
}

static void null_close(void *state)
{
	free(state);
}

static int null_write(void *state, const struct tca_batch *b)
{
	struct null_sink *s = state;

	s->events += b->n;
	return (int)b->n;
}

/* Taken like events, so that a benchmark measures the processor's whole
 * path of an eventer that hands names. */
static int null_write_names(void *state, const struct tca_origin *origin, const struct tca_name *name,
			    size_t n)
{
	(void)state;
	(void)origin;
	(void)name;
	(void)n;
	return 0;
}

static const struct tca_option null_options[] = {
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "null",
	.version = PACKAGE_VERSION,
	.description = "Discards every event (for benchmarks)",
	.options = null_options,
	.config_size = 0,
	.open = null_open,
	.close = null_close,
	.ops.sinker = {
		.write = null_write,
	},
	.write_names = null_write_names,
};
