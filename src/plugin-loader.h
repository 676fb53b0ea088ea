/* SPDX-License-Identifier: MIT */
/* Finding, checking and loading plugins. */
#ifndef TCA_PLUGIN_LOADER_H
#define TCA_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stdio.h>

#include <tcp-audit/plugin.h>

#include "kvlist.h"

struct plugin {
	char *path;                   /* the file that was loaded */
	void *handle;                 /* from dlopen() */
	int fd;                       /* the checked file, open while loaded */
	const struct tca_plugin *desc; /* &desc_copy, once checked */
	struct tca_plugin desc_copy;  /* the descriptor, fields it lacks zeroed */
	struct tca_host host;         /* the services this plugin gets */
	char retry_reason[256];       /* a sinker's last host->retry_reason() */
	struct kvlist options;        /* its KEY=VALUE options; owns the strings */
	void *config;                 /* desc->config_size bytes, filled from options */
	void *state;                  /* from desc->open() */
	bool opened;
};

/* Resolve name_or_path: anything with a '/' is a path, anything else is
 * looked up in dir with ".so" appended. Check the file (regular, and as
 * root: owned by root and not writable by others), dlopen it, and check
 * the descriptor's ABI and kind. Returns 0, or an exit status after
 * logging why. */
int plugin_load(struct plugin *p, const char *name_or_path, const char *dir,
		enum tca_plugin_kind want);
void plugin_unload(struct plugin *p);

/* Whether dir is safe to load plugins from by name: nobody else can write
 * to it (and as root, root owns it). Returns 0, or EXIT_NOPERM after
 * logging why. */
int plugin_dir_check(const char *dir);

const char *plugin_kind_name(enum tca_plugin_kind kind);

/* Print every plugin in dir, one a line; with verbose, their options too. */
int plugin_list(const char *dir, bool verbose, FILE *out);

#endif
