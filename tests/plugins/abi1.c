/* SPDX-License-Identifier: MIT */
/* A plugin as ABI 1.0 built them: the loader must refuse it, naming both
 * versions. Its descriptor is written out by hand, as the 1.0 header had
 * it up to the fields the loader reads first. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

struct abi1_plugin {
	uint32_t abi_major, abi_minor;
	size_t struct_size;
	enum tca_plugin_kind kind;
	const char *name, *version, *description;
};

TCA_PLUGIN_EXPORT const struct abi1_plugin tcp_audit_plugin = {
	.abi_major = 1,
	.abi_minor = 0,
	.struct_size = 152, /* sizeof(struct tca_plugin) in 1.0 on x86_64 */
	.kind = TCA_KIND_SINKER,
	.name = "abi1",
	.version = "1",
	.description = "Built for ABI 1.0",
};
