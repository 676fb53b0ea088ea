/* SPDX-License-Identifier: MIT */
/* Turning a plugin's KEY=VALUE options into its typed config struct. */
#ifndef TCA_PLUGIN_CONFIG_H
#define TCA_PLUGIN_CONFIG_H

#include "plugin-loader.h"

/* Fill p->config from the defaults of p->desc->options, then from
 * p->options in order. Returns 0, or EXIT_CONFIG after logging the key,
 * where it came from and what is wrong. */
int plugin_config_build(struct plugin *p);

/* Print the effective options ("key = value") for --check. */
void plugin_config_print(const struct plugin *p, FILE *out);

#endif
