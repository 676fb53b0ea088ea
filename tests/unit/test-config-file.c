/* SPDX-License-Identifier: MIT */
/* Unit tests of src/config-file.c: the INI file, its errors with line
 * numbers, and the command line overriding it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-file.h"
#include "exit-status.h"
#include "options.h"
#include "plugin-config.h"
#include "suites.h"

static char *dir;
static char *conf;

static void setup(void)
{
	dir = make_tmpdir();
	conf = path_join(dir, "tcp-audit.conf");
}

static void teardown(void)
{
	rm_tree(dir);
	free(conf);
	free(dir);
}

/* Write text to the config file and load it into s (already holding the
 * command line); *log gets what was logged. */
static int load(struct settings *s, const char *text, char **log)
{
	int r;

	write_file(conf, text);
	free(s->config_path);
	s->config_path = strdup(conf);
	s->config_explicit = true;
	capture_begin(TCA_LOG_DEBUG);
	r = config_load(s);
	*log = capture_end();
	return r;
}

static const struct kvlist *section(const struct settings *s, const char *name)
{
	for (size_t i = 0; i < s->n_sections; i++)
		if (strcmp(s->sections[i].name, name) == 0)
			return &s->sections[i].options;
	return NULL;
}

START_TEST(test_config_sections)
{
	struct settings s;
	const struct kvlist *l;
	char *log;

	settings_init(&s);
	ck_assert_int_eq(load(&s,
			      "; a comment\n"
			      "[tcp-audit]\n"
			      "event = replay\n"
			      "sink = json\n"
			      "plugin_dir = /opt/plugins\n"
			      "queue_memory = 8M\n"
			      "stats_interval = 30s\n"
			      "shutdown_timeout = 2s\n"
			      "log_target = stderr\n"
			      "log_level = debug\n"
			      "\n"
			      "[replay]\n"
			      "count = 5\n"
			      "hold = yes ; inline comment\n"
			      "[json]\n"
			      "path = /var/log/tcp.json\n"
			      "[replay]\n"
			      "rate = 10\n", &log), 0);
	ck_assert_str_eq(log, "");
	ck_assert_str_eq(s.event, "replay");
	ck_assert_str_eq(s.sink, "json");
	ck_assert_str_eq(s.plugin_dir, "/opt/plugins");
	ck_assert_uint_eq(s.queue_memory, 8u << 20);
	ck_assert_uint_eq(s.stats_interval_ms, 30000);
	ck_assert_uint_eq(s.shutdown_timeout_ms, 2000);
	ck_assert_int_eq(s.log_target, LOG_TARGET_STDERR);
	ck_assert_int_eq(s.log_level, TCA_LOG_DEBUG);
	/* [tcp-audit] is the processor's, not a plugin section. */
	ck_assert_uint_eq(s.n_sections, 2);
	ck_assert_ptr_null(section(&s, "tcp-audit"));
	l = section(&s, "replay");
	ck_assert_ptr_nonnull(l);
	/* A section given twice adds up, in file order. */
	ck_assert_uint_eq(l->n, 3);
	ck_assert_str_eq(l->items[0].key, "count");
	ck_assert_str_eq(l->items[0].value, "5");
	ck_assert_str_eq(l->items[1].key, "hold");
	ck_assert_str_eq(l->items[1].value, "yes");
	ck_assert_str_eq(l->items[2].key, "rate");
	ck_assert_str_eq(l->items[2].value, "10");
	l = section(&s, "json");
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(l->n, 1);
	ck_assert_str_eq(l->items[0].value, "/var/log/tcp.json");
	/* The origin names the file and the section, for error messages. */
	char *origin;
	ck_assert_int_ge(asprintf(&origin, "%s [json]", conf), 0);
	ck_assert_str_eq(l->items[0].origin, origin);
	free(origin);
	free(log);
	settings_free(&s);
}
END_TEST

/* Each bad file: exit status 78, logged as "FILE:LINE: message". */
static const struct {
	const char *text;
	int line;
	const char *message;
} config_errors[] = {
	{ "[tcp-audit]\nevent = replay\nthis is not ini\n", 3,
	  "syntax error (expected [section] or key = value)" },
	{ "[tcp-audit\nevent = replay\n", 1, "syntax error (expected [section] or key = value)" },
	{ "[tcp-audit]\n\nevnet = replay\n", 3, "unknown setting 'evnet' in [tcp-audit] (known: event, "
	  "sink, plugin_dir, state_dir, queue_memory, stats_interval, shutdown_timeout, spool_dir, "
	  "spool_max_size, spool_sync, spool_high_water, spool_full, log_target, log_level, hostname)" },
	{ "[tcp-audit]\nspool_sync = often\n", 2, "bad value 'often' for 'spool_sync' in [tcp-audit]" },
	{ "[tcp-audit]\nspool_high_water = 101\n", 2,
	  "bad value '101' for 'spool_high_water' in [tcp-audit]" },
	{ "[tcp-audit]\nqueue_memory = lots\n", 2, "bad value 'lots' for 'queue_memory' in [tcp-audit]" },
	{ "[tcp-audit]\nstats_interval = 1w\n", 2, "bad value '1w' for 'stats_interval' in [tcp-audit]" },
	{ "[tcp-audit]\nshutdown_timeout = x\n", 2, "bad value 'x' for 'shutdown_timeout' in [tcp-audit]" },
	{ "[tcp-audit]\nlog_target = syslog\n", 2, "bad value 'syslog' for 'log_target' in [tcp-audit]" },
	{ "[tcp-audit]\nlog_level = loud\n", 2, "bad value 'loud' for 'log_level' in [tcp-audit]" },
	/* Two errors: the first is reported, with its own message. */
	{ "[tcp-audit]\nbroken\nevent = x\nbogus = 1\n", 2,
	  "syntax error (expected [section] or key = value)" },
	{ "[tcp-audit]\nsink = x\nlog_level = loud\nbroken\nbogus = 1\n", 3,
	  "bad value 'loud' for 'log_level' in [tcp-audit]" },
	{ "# comment\nevent = replay\n[tcp-audit]\n", 2, "'event' is outside any section; put it under "
	  "[tcp-audit] or a plugin's [name]" },
};

START_TEST(test_config_errors)
{
	struct settings s;
	char *log, *want;

	settings_init(&s);
	ck_assert_int_eq(load(&s, config_errors[_i].text, &log), EXIT_CONFIG);
	ck_assert_int_eq(EXIT_CONFIG, 78);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: %s:%d: %s\n", conf, config_errors[_i].line,
				  config_errors[_i].message), 0);
	ck_assert_str_eq(log, want);
	free(want);
	free(log);
	settings_free(&s);
}
END_TEST

START_TEST(test_config_missing)
{
	struct settings s;
	char *log, *want, *missing = path_join(dir, "nonexistent.conf");

	/* The default file may be absent: nothing is configured there. */
	settings_init(&s);
	s.config_path = strdup(missing);
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(config_load(&s), 0);
	log = capture_end();
	ck_assert_str_eq(log, "");
	free(log);
	/* A file named with --config must exist. */
	s.config_explicit = true;
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(config_load(&s), EXIT_NOINPUT);
	log = capture_end();
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: cannot read config file %s (give an "
				  "existing file to --config): No such file or directory\n", missing), 0);
	ck_assert_str_eq(log, want);
	free(want);
	free(log);
	free(missing);
	settings_free(&s);
}
END_TEST

/* A line longer than inih's buffer used to be cut, and its tail read as
 * a line of its own: here the tail is a valid setting that would pass. */
START_TEST(test_config_long_line)
{
	struct settings s;
	char text[512], *log, *want;
	int n;

	n = snprintf(text, sizeof(text), "[tcp-audit]\n# %0197d", 0);
	snprintf(text + n, sizeof(text) - (size_t)n, "event = replay\n[replay]\ncount = 1\n");
	settings_init(&s);
	ck_assert_int_eq(load(&s, text, &log), EXIT_CONFIG);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: %s:2: the line is longer than 198 bytes; "
				  "shorten it\n", conf), 0);
	ck_assert_str_eq(log, want);
	ck_assert_ptr_null(s.event);
	free(want);
	free(log);
	settings_free(&s);

	/* 198 bytes is still one line. */
	n = snprintf(text, sizeof(text), "[tcp-audit]\nevent = %0190d\n", 7);
	ck_assert_int_eq(n, 12 + 199);
	settings_init(&s);
	ck_assert_int_eq(load(&s, text, &log), 0);
	ck_assert_uint_eq(strlen(s.event), 190);
	free(log);
	settings_free(&s);
}
END_TEST

/* --config naming what is not a regular file: a directory read as an
 * empty file, /dev/zero spun for ever, a FIFO blocked in open(). */
START_TEST(test_config_not_regular)
{
	static const char *const what[] = { "a directory", "not a regular file", "not a regular file" };
	char *fifo = path_join(dir, "fifo");
	const char *paths[] = { dir, "/dev/zero", fifo };
	struct settings s;
	char *log, *want;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	for (size_t i = 0; i < 3; i++) {
		settings_init(&s);
		s.config_path = strdup(paths[i]);
		s.config_explicit = true;
		capture_begin(TCA_LOG_DEBUG);
		ck_assert_int_eq(config_load(&s), EXIT_NOINPUT);
		log = capture_end();
		ck_assert_int_ge(asprintf(&want, "tcp-audit: error: config file %s is %s; give a regular "
					  "file to --config\n", paths[i], what[i]), 0);
		ck_assert_str_eq(log, want);
		free(want);
		free(log);
		settings_free(&s);
	}
	free(fifo);

	/* /dev/null is the usual way to say "no file". */
	settings_init(&s);
	s.config_path = strdup("/dev/null");
	s.config_explicit = true;
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(config_load(&s), 0);
	log = capture_end();
	ck_assert_str_eq(log, "");
	free(log);
	settings_free(&s);
}
END_TEST

START_TEST(test_config_too_big)
{
	struct settings s;
	char *log, *want, *text = malloc(2u << 20);

	memset(text, '#', (2u << 20) - 1);
	text[(2u << 20) - 1] = '\0';
	settings_init(&s);
	ck_assert_int_eq(load(&s, text, &log), EXIT_NOINPUT);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: config file %s is larger than 1048576 "
				  "bytes; is it the right file?\n", conf), 0);
	ck_assert_str_eq(log, want);
	free(want);
	free(log);
	free(text);
	settings_free(&s);
}
END_TEST

START_TEST(test_config_cli_overrides_file)
{
	static const char *const args[] = { "tcp-audit", "-e", "cli-eventer", "--queue-memory=1M",
					    "-q", "-E", "count=7", "-c", "unused", NULL };
	char *argv[sizeof(args) / sizeof(args[0])];
	struct settings s;
	struct kvlist merged = { 0 };
	char *log;

	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		argv[i] = args[i] ? strdup(args[i]) : NULL;
	settings_init(&s);
	ck_assert_int_eq(options_parse(9, argv, &s), 0);
	ck_assert_int_eq(load(&s,
			      "[tcp-audit]\n"
			      "event = file-eventer\n"
			      "sink = file-sinker\n"
			      "queue_memory = 64M\n"
			      "log_level = debug\n"
			      "stats_interval = 5s\n"
			      "[replay]\n"
			      "count = 5\n"
			      "rate = 3\n", &log), 0);
	free(log);
	/* What the command line gave stays; what it left, the file fills. */
	ck_assert_str_eq(s.event, "cli-eventer");
	ck_assert_str_eq(s.sink, "file-sinker");
	ck_assert_uint_eq(s.queue_memory, 1u << 20);
	ck_assert_int_eq(s.log_level, TCA_LOG_WARNING);
	ck_assert_uint_eq(s.stats_interval_ms, 5000);
	/* Plugin options: the file's section, then the command line's. */
	ck_assert_int_eq(settings_plugin_options(&s, "replay", &s.event_cli, &merged), 0);
	ck_assert_uint_eq(merged.n, 3);
	ck_assert_str_eq(merged.items[0].key, "count");
	ck_assert_str_eq(merged.items[0].value, "5");
	ck_assert_str_eq(merged.items[1].key, "rate");
	ck_assert_str_eq(merged.items[2].key, "count");
	ck_assert_str_eq(merged.items[2].value, "7");
	ck_assert_str_eq(merged.items[2].origin, "command line");
	kvlist_free(&merged);

	/* Built into the replay plugin's config, the command line wins. */
	struct plugin p;
	ck_assert_int_eq(test_plugin_setup(&p, "replay", built_plugin_dir(), TCA_KIND_EVENTER,
					   NULL, false), 0);
	ck_assert_int_eq(settings_plugin_options(&s, "replay", &s.event_cli, &p.options), 0);
	free(p.config);
	p.config = NULL;
	ck_assert_int_eq(plugin_config_build(&p), 0);
	/* struct replay_config starts with int64_t count. */
	ck_assert_int_eq(*(const int64_t *)p.config, 7);
	plugin_unload(&p);

	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		free(argv[i]);
	settings_free(&s);
}
END_TEST

Suite *suite_config_file(void)
{
	Suite *s = suite_create("config-file");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config_sections);
	tcase_add_loop_test(tc, test_config_errors, 0,
			    (int)(sizeof(config_errors) / sizeof(config_errors[0])));
	tcase_add_test(tc, test_config_missing);
	tcase_add_test(tc, test_config_cli_overrides_file);
	tcase_add_test(tc, test_config_long_line);
	tcase_add_test(tc, test_config_not_regular);
	tcase_add_test(tc, test_config_too_big);
	suite_add_tcase(s, tc);
	return s;
}
