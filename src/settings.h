/* SPDX-License-Identifier: MIT */
/* What the command line and the config file ask for, merged. */
#ifndef TCA_SETTINGS_H
#define TCA_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "kvlist.h"
#include "log.h"

/* Settings the command line can give; the file only fills what it left unset. */
enum setting_bit {
	SET_EVENT = 1u << 0,
	SET_SINK = 1u << 1,
	SET_PLUGIN_DIR = 1u << 2,
	SET_QUEUE_MEMORY = 1u << 3,
	SET_STATS_INTERVAL = 1u << 4,
	SET_SHUTDOWN_TIMEOUT = 1u << 5,
	SET_LOG_TARGET = 1u << 6,
	SET_LOG_LEVEL = 1u << 7,
	SET_STATE_DIR = 1u << 8,
	SET_SPOOL_DIR = 1u << 9,
	SET_SPOOL_MAX_SIZE = 1u << 10,
	SET_SPOOL_SYNC = 1u << 11,
	SET_SPOOL_HIGH_WATER = 1u << 12,
	SET_SPOOL_FULL = 1u << 13,
	SET_HOSTNAME = 1u << 14,
};

/* One [section] of the config file: a plugin's options. */
struct config_section {
	char *name;
	struct kvlist options;
};

struct settings {
	char *event;
	char *sink;
	char *plugin_dir;
	char *state_dir;
	char *hostname;           /* NULL: gethostname(2) */
	char *config_path;
	bool config_explicit;     /* --config given: a missing file is an error */

	struct kvlist event_cli;  /* -E, in order */
	struct kvlist sink_cli;   /* -S, in order */
	char **cli_args;          /* the KEY=VALUE of each -E/-S in argv itself */
	size_t n_cli_args;
	struct config_section *sections;
	size_t n_sections;

	uint64_t queue_memory;
	char *spool_dir;          /* NULL: STATE_DIR/spool */
	uint64_t spool_max_size;  /* 0: no spool */
	int spool_sync;           /* enum spool_sync */
	unsigned spool_high_water; /* % of the queue past which events go to the spool */
	int spool_full;           /* enum spool_full */
	uint64_t stats_interval_ms;
	uint64_t shutdown_timeout_ms;
	enum log_target log_target;
	int log_level;            /* syslog priority */
	unsigned set;             /* enum setting_bit: given on the command line */

	bool check;
	bool release;             /* --release: free what was kept for a next run */
	bool list_plugins;
	bool help;
	bool version;
};

#define DEFAULT_CONFIG_PATH SYSCONFDIR "/tcp-audit/tcp-audit.conf"
#define DEFAULT_QUEUE_MEMORY (16ull << 20)
#define DEFAULT_SHUTDOWN_TIMEOUT_MS 10000
#define DEFAULT_EVENTER "tracefs"
#define DEFAULT_STATE_DIR LOCALSTATEDIR "/lib/tcp-audit"
#define DEFAULT_SPOOL_MAX_SIZE (1ull << 30)
#define DEFAULT_SPOOL_HIGH_WATER 75

void settings_init(struct settings *s);
void settings_free(struct settings *s);
/* The options of the plugin whose descriptor is called name: the file's
 * [name] section first, then the command line's, so that the latter wins. */
int settings_plugin_options(const struct settings *s, const char *name,
			    const struct kvlist *cli, struct kvlist *out);
int settings_parse_log_level(const char *s, int *prio);
/* batch, segment or none: enum spool_sync. Returns 0 or -EINVAL. */
int settings_parse_spool_sync(const char *s, int *out);
/* drop-newest or drop-oldest: enum spool_full. Returns 0 or -EINVAL. */
int settings_parse_spool_full(const char *s, int *out);
/* A percentage 1..100. Returns 0 or -EINVAL. */
int settings_parse_percent(const char *s, unsigned *out);

#endif
