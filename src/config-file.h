/* SPDX-License-Identifier: MIT */
/* The config file (INI, read with libinih). */
#ifndef TCA_CONFIG_FILE_H
#define TCA_CONFIG_FILE_H

#include "settings.h"

/*
 * Read s->config_path (or the default) into s: [tcp-audit] fills what the
 * command line left unset; every other [section] is a plugin's options.
 * A missing default file is fine; a missing --config file is not.
 * Returns 0, or an exit status after logging why.
 */
int config_load(struct settings *s);

#endif
