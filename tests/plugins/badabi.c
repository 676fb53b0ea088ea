/* SPDX-License-Identifier: MIT */
/* A plugin built for another ABI major version, which the loader must refuse. */
#include "config.h"

#include <tcp-audit/plugin.h>

static int badabi_open(const struct tca_host *host, const void *config, void **state)
{
	return 0;
}

static void badabi_close(void *state)
{
}

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	.abi_major = TCA_ABI_MAJOR + 98,
	.abi_minor = 0,
	.struct_size = sizeof(struct tca_plugin),
	.kind = TCA_KIND_SINKER,
	.name = "badabi",
	.version = "0",
	.description = "Built for a future ABI",
	.open = badabi_open,
	.close = badabi_close,
};
