/* SPDX-License-Identifier: MIT */
/* Parse the command line into settings. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exit-status.h"
#include "options.h"
#include "value.h"

enum {
	OPT_QUEUE_MEMORY = 0x100,
	OPT_STATS_INTERVAL,
	OPT_SHUTDOWN_TIMEOUT,
	OPT_LOG_TARGET,
	OPT_LOG_LEVEL,
	OPT_STATE_DIR,
	OPT_SPOOL_DIR,
	OPT_SPOOL_MAX_SIZE,
	OPT_SPOOL_SYNC,
	OPT_SPOOL_HIGH_WATER,
	OPT_SPOOL_FULL,
	OPT_RELEASE,
	OPT_HOSTNAME,
};

static const struct option long_options[] = {
	{ "event", required_argument, NULL, 'e' },
	{ "sink", required_argument, NULL, 's' },
	{ "event-option", required_argument, NULL, 'E' },
	{ "sink-option", required_argument, NULL, 'S' },
	{ "config", required_argument, NULL, 'c' },
	{ "plugin-dir", required_argument, NULL, 'P' },
	{ "list-plugins", no_argument, NULL, 'l' },
	{ "check", no_argument, NULL, 't' },
	{ "release", no_argument, NULL, OPT_RELEASE },
	{ "queue-memory", required_argument, NULL, OPT_QUEUE_MEMORY },
	{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN_TIMEOUT },
	{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "spool-dir", required_argument, NULL, OPT_SPOOL_DIR },
	{ "spool-max-size", required_argument, NULL, OPT_SPOOL_MAX_SIZE },
	{ "spool-sync", required_argument, NULL, OPT_SPOOL_SYNC },
	{ "spool-high-water", required_argument, NULL, OPT_SPOOL_HIGH_WATER },
	{ "spool-full", required_argument, NULL, OPT_SPOOL_FULL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	fputs("Usage: tcp-audit [OPTION]...\n"
	      "Record every TCP socket state change, from an eventer plugin into a sinker plugin.\n"
	      "\n"
	      "Plugins:\n"
	      "  -e, --event=NAME|PATH         eventer plugin (default: tracefs)\n"
	      "  -s, --sink=NAME|PATH          sinker plugin (default: text on a terminal, json otherwise)\n"
	      "  -E, --event-option=KEY=VALUE  set an eventer option (repeatable)\n"
	      "  -S, --sink-option=KEY=VALUE   set a sinker option (repeatable)\n"
	      "  -P, --plugin-dir=DIR          where plugins are found by name (default: " PLUGINDIR ")\n"
	      "  -l, --list-plugins            list the installed plugins (with -v: their options)\n"
	      "\n"
	      "Running:\n"
	      "  -c, --config=FILE             config file (default: " DEFAULT_CONFIG_PATH ")\n"
	      "  -t, --check                   open both plugins, validate everything, and exit\n"
	      "      --release                 free what a stopped run kept for the next one (its\n"
	      "                                kernel buffer), for a final stop, and exit\n"
	      "      --queue-memory=SIZE       memory for events waiting for the sink (default: 16M)\n"
	      "      --stats-interval=DURATION log counters this often (default: 0, only at exit)\n"
	      "      --shutdown-timeout=DURATION  how long to flush at exit (default: 10s)\n"
	      "      --state-dir=DIR           where the run-state file chains runs (default: " DEFAULT_STATE_DIR ")\n"
	      "      --hostname=NAME           the host name events are stored under (default: the system's)\n"
	      "      --spool-dir=DIR           where events wait on disk for the store (default: STATE_DIR/spool)\n"
	      "      --spool-max-size=SIZE     most disk the spool may use (default: 1G; 0: no spool)\n"
	      "      --spool-sync=batch|segment|none  when the spool is fsynced (default: batch)\n"
	      "      --spool-high-water=PERCENT  queue fill past which events go to the spool (default: 75)\n"
	      "      --spool-full=drop-newest|drop-oldest  what a full spool loses (default: drop-newest)\n"
	      "      --log-target=auto|stderr|journal  where logs go (default: auto)\n"
	      "      --log-level=LEVEL         error, warning, notice, info or debug (default: info)\n"
	      "  -v, --verbose                 log more (debug)\n"
	      "  -q, --quiet                   log only warnings and errors\n"
	      "  -h, --help                    show this help and exit\n"
	      "  -V, --version                 show the version and exit\n"
	      "\n"
	      "Signals: SIGINT/SIGTERM drain, flush and exit; a second one exits at once;\n"
	      "SIGHUP reopens the sink's output files. See tcp-audit(8).\n",
	      f);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tcp-audit: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tcp-audit --help' for more information.\n");
	return EXIT_USAGE;
}

static int replace(char **dst, const char *value)
{
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

/* Whether a plugin option's value may be, or hold, a password, by its
 * key: a connection string or URI, or any key naming a secret. */
static bool options_key_secret(const char *key, size_t len)
{
	static const char *const whole[] = { "conninfo", "dsn", "uri", "url" };
	static const char *const part[] = { "password", "passwd", "secret", "token" };
	char k[64];

	if (len >= sizeof(k))
		return true; /* no key is that long: hide it rather than guess */
	memcpy(k, key, len);
	k[len] = '\0';
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (strcasecmp(k, whole[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		if (strcasestr(k, part[i]))
			return true;
	return false;
}

/*
 * Overwrite a secret value in our own argv, which every user can read in
 * /proc/PID/cmdline and journald copies into each entry's _CMDLINE, as
 * database clients do. The value was copied already; what stays is
 * "KEY=*" and NUL bytes.
 */
static void options_wipe(char *eq)
{
	if (eq[1] == '\0')
		return;
	memset(eq + 1, 0, strlen(eq + 1));
	eq[1] = '*';
}

static void options_scrub(char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq && options_key_secret(arg, (size_t)(eq - arg)))
		options_wipe(eq);
}

void options_scrub_secrets(const struct settings *s, const struct tca_plugin *d)
{
	for (size_t i = 0; i < s->n_cli_args; i++) {
		char *arg = s->cli_args[i], *eq = strchr(arg, '=');
		if (!eq)
			continue;
		for (const struct tca_option *o = d->options; o && o->name; o++)
			if ((o->flags & TCA_OPTF_SECRET) && strlen(o->name) == (size_t)(eq - arg) &&
			    strncmp(o->name, arg, (size_t)(eq - arg)) == 0)
				options_wipe(eq);
	}
}

/* Keep where each -E/-S value is in argv, for options_scrub_secrets(). */
static int options_keep_arg(struct settings *s, char *arg)
{
	char **grown = realloc(s->cli_args, (s->n_cli_args + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	s->cli_args = grown;
	s->cli_args[s->n_cli_args++] = arg;
	return 0;
}

/* Handle one option; returns 0, or an exit status. */
static int options_apply(struct settings *s, int c, char *arg, int *verbosity)
{
	int r = 0;

	switch (c) {
	case 'e':
		r = replace(&s->event, arg);
		s->set |= SET_EVENT;
		break;
	case 's':
		r = replace(&s->sink, arg);
		s->set |= SET_SINK;
		break;
	case 'E':
	case 'S':
		r = kvlist_add_assignment(c == 'E' ? &s->event_cli : &s->sink_cli, arg,
					  "command line");
		if (r == -EINVAL)
			return usage_error("option value '%s' is not KEY=VALUE", arg);
		if (r == 0)
			r = options_keep_arg(s, arg);
		if (r == 0)
			options_scrub(arg);
		break;
	case 'c':
		r = replace(&s->config_path, arg);
		s->config_explicit = true;
		break;
	case 'P':
		r = replace(&s->plugin_dir, arg);
		s->set |= SET_PLUGIN_DIR;
		break;
	case OPT_STATE_DIR:
		r = replace(&s->state_dir, arg);
		s->set |= SET_STATE_DIR;
		break;
	case OPT_HOSTNAME:
		if (!*arg || strlen(arg) > 255)
			return usage_error("--hostname: '%s' is not a host name (1 to 255 characters)", arg);
		r = replace(&s->hostname, arg);
		s->set |= SET_HOSTNAME;
		break;
	case OPT_SPOOL_DIR:
		r = replace(&s->spool_dir, arg);
		s->set |= SET_SPOOL_DIR;
		break;
	case OPT_SPOOL_MAX_SIZE:
		if (value_parse_size(arg, &s->spool_max_size) < 0)
			return usage_error("--spool-max-size: '%s' is not a size (like 1G, or 0 for no spool)", arg);
		s->set |= SET_SPOOL_MAX_SIZE;
		break;
	case OPT_SPOOL_SYNC:
		if (settings_parse_spool_sync(arg, &s->spool_sync) < 0)
			return usage_error("--spool-sync: '%s' is not batch, segment or none", arg);
		s->set |= SET_SPOOL_SYNC;
		break;
	case OPT_SPOOL_HIGH_WATER:
		if (settings_parse_percent(arg, &s->spool_high_water) < 0)
			return usage_error("--spool-high-water: '%s' is not a percentage from 1 to 100", arg);
		s->set |= SET_SPOOL_HIGH_WATER;
		break;
	case OPT_SPOOL_FULL:
		if (settings_parse_spool_full(arg, &s->spool_full) < 0)
			return usage_error("--spool-full: '%s' is not drop-newest or drop-oldest", arg);
		s->set |= SET_SPOOL_FULL;
		break;
	case 'l':
		s->list_plugins = true;
		break;
	case 't':
		s->check = true;
		break;
	case OPT_RELEASE:
		s->release = true;
		break;
	case OPT_QUEUE_MEMORY:
		if (value_parse_size(arg, &s->queue_memory) < 0)
			return usage_error("--queue-memory: '%s' is not a size (like 64M)", arg);
		s->set |= SET_QUEUE_MEMORY;
		break;
	case OPT_STATS_INTERVAL:
		if (value_parse_duration(arg, &s->stats_interval_ms) < 0)
			return usage_error("--stats-interval: '%s' is not a duration (like 60s)", arg);
		s->set |= SET_STATS_INTERVAL;
		break;
	case OPT_SHUTDOWN_TIMEOUT:
		if (value_parse_duration(arg, &s->shutdown_timeout_ms) < 0)
			return usage_error("--shutdown-timeout: '%s' is not a duration (like 10s)", arg);
		s->set |= SET_SHUTDOWN_TIMEOUT;
		break;
	case OPT_LOG_TARGET:
		if (log_target_parse(arg, &s->log_target) < 0)
			return usage_error("--log-target: '%s' is not auto, stderr or journal", arg);
		s->set |= SET_LOG_TARGET;
		break;
	case OPT_LOG_LEVEL:
		if (settings_parse_log_level(arg, &s->log_level) < 0)
			return usage_error("--log-level: '%s' is not error, warning, notice, info or debug", arg);
		s->set |= SET_LOG_LEVEL;
		break;
	case 'v':
		(*verbosity)++;
		break;
	case 'q':
		(*verbosity)--;
		break;
	case 'h':
		s->help = true;
		break;
	case 'V':
		s->version = true;
		break;
	default:
		/* getopt_long has already said what was wrong. */
		fprintf(stderr, "Try 'tcp-audit --help' for more information.\n");
		return EXIT_USAGE;
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "tcp-audit: out of memory\n");
		return EXIT_OSERR;
	}
	return 0;
}

int options_parse(int argc, char **argv, struct settings *s)
{
	int verbosity = 0;
	int c, r;

	/* 0, not 1: glibc then forgets the previous argv's scan position,
	 * which a second call (the tests) would otherwise read. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "e:s:E:S:c:P:ltvqhV", long_options, NULL)) != -1) {
		r = options_apply(s, c, optarg, &verbosity);
		if (r != 0)
			return r;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (verbosity != 0) {
		s->log_level = verbosity > 0 ? TCA_LOG_DEBUG : TCA_LOG_WARNING;
		s->set |= SET_LOG_LEVEL;
	}
	return 0;
}
