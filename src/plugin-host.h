/* SPDX-License-Identifier: MIT */
/* The services a plugin gets from the processor. */
#ifndef TCA_PLUGIN_HOST_H
#define TCA_PLUGIN_HOST_H

#include <stdint.h>

#include "plugin-loader.h"

/* Fill p->host for the loaded plugin p: logging tagged with its name, a
 * retry reason kept in p->retry_reason, and this run's identity. */
void plugin_host_init(struct plugin *p, const char *hostname, const char *boot_id, uint64_t run_id);

#endif
