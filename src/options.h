/* SPDX-License-Identifier: MIT */
/* The command line. */
#ifndef TCA_OPTIONS_H
#define TCA_OPTIONS_H

#include <stdio.h>

#include <tcp-audit/plugin.h>

#include "settings.h"

/* Fill s from argv. Returns 0, or an exit status after printing why. */
int options_parse(int argc, char **argv, struct settings *s);
void options_usage(FILE *f);

/* Once a plugin is loaded: wipe from argv the value of every -E/-S whose
 * key the plugin marks TCA_OPTF_SECRET (options_parse() already wiped
 * those whose key names a secret). */
void options_scrub_secrets(const struct settings *s, const struct tca_plugin *d);

#endif
