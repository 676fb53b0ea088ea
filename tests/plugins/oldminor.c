/* SPDX-License-Identifier: MIT */
/* A sinker as a plugin built against an older minor version of ABI 2
 * looks: its descriptor ends where TCA_PLUGIN_MIN_SIZE does, before the
 * fields appended since (flags, provides). It must load and work. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>

#include <tcp-audit/plugin.h>

static int oldminor_open(const struct tca_host *host, const void *config, void **state)
{
	(void)host;
	(void)config;
	*state = NULL;
	return 0;
}

static void oldminor_close(void *state)
{
	(void)state;
}

static int oldminor_write(void *state, const struct tca_batch *b)
{
	(void)state;
	return (int)b->n;
}

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	.abi_major = TCA_ABI_MAJOR,
	.abi_minor = 0,
	.struct_size = TCA_PLUGIN_MIN_SIZE,
	.kind = TCA_KIND_SINKER,
	.name = "oldminor",
	.version = "2.0",
	.description = "Built against an older minor version of ABI 2",
	.open = oldminor_open,
	.close = oldminor_close,
	.ops.sinker = { .write = oldminor_write },
};
