/* SPDX-License-Identifier: MIT */
/* The services a plugin gets from the processor. */
#ifndef TCA_PLUGIN_HOST_H
#define TCA_PLUGIN_HOST_H

#include <stdint.h>

#include "plugin-loader.h"

/* Fill p->host for the loaded plugin p: logging tagged with its name, a
 * retry reason kept in p->retry_reason, and this run's identity. */
void plugin_host_init(struct plugin *p, const char *hostname, const char *boot_id, uint64_t run_id);
/* The state directory and TCA_HOST_* flags (ABI 2.1), after init. */
void plugin_host_set_state(struct plugin *p, const char *state_dir, uint32_t flags);

#endif
