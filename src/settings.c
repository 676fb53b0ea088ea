/* SPDX-License-Identifier: MIT */
/* The merged settings of one run, and their defaults. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

void settings_init(struct settings *s)
{
	*s = (struct settings){
		.queue_memory = DEFAULT_QUEUE_MEMORY,
		.shutdown_timeout_ms = DEFAULT_SHUTDOWN_TIMEOUT_MS,
		.log_target = LOG_TARGET_AUTO,
		.log_level = TCA_LOG_INFO,
		.spool_max_size = DEFAULT_SPOOL_MAX_SIZE,
		.spool_high_water = DEFAULT_SPOOL_HIGH_WATER,
	};
}

void settings_free(struct settings *s)
{
	free(s->event);
	free(s->sink);
	free(s->plugin_dir);
	free(s->state_dir);
	free(s->hostname);
	free(s->spool_dir);
	free(s->config_path);
	kvlist_free(&s->event_cli);
	kvlist_free(&s->sink_cli);
	free(s->cli_args); /* the strings are argv's */
	for (size_t i = 0; i < s->n_sections; i++) {
		free(s->sections[i].name);
		kvlist_free(&s->sections[i].options);
	}
	free(s->sections);
	*s = (struct settings){ 0 };
}

int settings_plugin_options(const struct settings *s, const char *name,
			    const struct kvlist *cli, struct kvlist *out)
{
	int r;

	for (size_t i = 0; i < s->n_sections; i++) {
		if (strcmp(s->sections[i].name, name) != 0)
			continue;
		r = kvlist_extend(out, &s->sections[i].options);
		if (r < 0)
			return r;
	}
	return kvlist_extend(out, cli);
}

int settings_parse_log_level(const char *s, int *prio)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error",
					     "warning", "notice", "info", "debug" };

	for (int i = TCA_LOG_ERR; i <= TCA_LOG_DEBUG; i++) {
		if (strcmp(s, names[i]) == 0) {
			*prio = i;
			return 0;
		}
	}
	return -EINVAL;
}

int settings_parse_spool_sync(const char *s, int *out)
{
	static const char *const names[] = { "batch", "segment", "none" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int settings_parse_spool_full(const char *s, int *out)
{
	if (strcmp(s, "drop-newest") == 0)
		*out = 0;
	else if (strcmp(s, "drop-oldest") == 0)
		*out = 1;
	else
		return -EINVAL;
	return 0;
}

int settings_parse_percent(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && strcmp(end, "%") != 0) || v < 1 || v > 100)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}
