/* SPDX-License-Identifier: MIT */
/* Unit tests of src/options.c: the command line, and its usage errors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "options.h"
#include "suites.h"

#define MAX_ARGS 32

/* Parse "tcp-audit args..." into s; *err gets what was printed on stderr. */
static int parse(struct settings *s, char **err, const char *const *args)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, r;

	argv[argc++] = strdup("tcp-audit");
	for (; *args; args++) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = strdup(*args);
	}
	argv[argc] = NULL;
	settings_init(s);
	capture_begin(TCA_LOG_DEBUG);
	r = options_parse(argc, argv, s);
	*err = capture_end();
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Secrets are overwritten in argv itself (what /proc/PID/cmdline shows),
 * after their value was copied; other values stay as they were. */
START_TEST(test_options_scrub)
{
	static const char *const args[] = {
		"tcp-audit", "-S", "conninfo=host=db password=hunter2", "--sink-option=password=x",
		"-Ssslpassword=abc", "-E", "api_token=t0k", "-S", "path=/var/log/x.json",
		"-S", "passfile=/etc/pgpass", "-S", "conninfo=", NULL,
	};
	static const char *const want[] = {
		"tcp-audit", "-S", "conninfo=*", "--sink-option=password=*", "-Ssslpassword=*", "-E",
		"api_token=*", "-S", "path=/var/log/x.json", "-S", "passfile=/etc/pgpass", "-S",
		"conninfo=",
	};
	enum { N = sizeof(args) / sizeof(args[0]) - 1 };
	char *argv[N + 1], *copy[N];
	size_t lens[N];
	struct settings s;

	for (size_t i = 0; i < N; i++) {
		argv[i] = copy[i] = strdup(args[i]);
		lens[i] = strlen(args[i]);
	}
	argv[N] = NULL;
	settings_init(&s);
	ck_assert_int_eq(options_parse(N, argv, &s), 0);
	for (size_t i = 0; i < N; i++) {
		ck_assert_str_eq(copy[i], want[i]);
		/* Nothing of the old value is left after the NUL either. */
		for (size_t k = strlen(copy[i]); k < lens[i]; k++)
			ck_assert_int_eq(copy[i][k], 0);
	}
	ck_assert_str_eq(s.sink_cli.items[0].value, "host=db password=hunter2");
	ck_assert_str_eq(s.sink_cli.items[1].value, "x");
	ck_assert_str_eq(s.sink_cli.items[2].value, "abc");
	ck_assert_str_eq(s.event_cli.items[0].value, "t0k");
	ck_assert_str_eq(s.sink_cli.items[3].value, "/var/log/x.json");
	for (size_t i = 0; i < N; i++)
		free(copy[i]);
	settings_free(&s);
}
END_TEST

/* A key that names no secret, but that the plugin marks secret: wiped
 * once the plugin is loaded. */
START_TEST(test_options_scrub_flagged)
{
	static const struct tca_option opts[] = {
		{ .name = "auth", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET },
		{ .name = "path", .type = TCA_OPT_STRING },
		{ .name = NULL },
	};
	static const struct tca_plugin d = { TCA_PLUGIN_HEADER, .name = "x", .options = opts };
	char *argv[] = { strdup("tcp-audit"), strdup("-S"), strdup("auth=s3cret"), strdup("-S"),
			 strdup("path=/x"), strdup("-Eauthor=me"), NULL };
	struct settings s;

	settings_init(&s);
	ck_assert_int_eq(options_parse(6, argv, &s), 0);
	ck_assert_str_eq(argv[2], "auth=s3cret");
	options_scrub_secrets(&s, &d);
	ck_assert_str_eq(argv[2], "auth=*");
	ck_assert_str_eq(argv[4], "path=/x");
	ck_assert_str_eq(argv[5], "-Eauthor=me");
	ck_assert_str_eq(s.sink_cli.items[0].value, "s3cret");
	for (int i = 0; i < 6; i++)
		free(argv[i]);
	settings_free(&s);
}
END_TEST

START_TEST(test_options_all)
{
	struct settings s;
	char *err;

	ck_assert_int_eq(parse(&s, &err, ARGS("-e", "replay", "--sink=json", "-E", "count=5",
					      "--event-option", "rate=10", "-S", "path=/tmp/x=y",
					      "-P", "/plugins", "-c", "/etc/x.conf", "-t",
					      "--queue-memory=64M", "--stats-interval", "1m",
					      "--shutdown-timeout=250ms", "--log-target=stderr")), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(s.event, "replay");
	ck_assert_str_eq(s.sink, "json");
	ck_assert_uint_eq(s.event_cli.n, 2);
	ck_assert_str_eq(s.event_cli.items[0].key, "count");
	ck_assert_str_eq(s.event_cli.items[0].value, "5");
	ck_assert_str_eq(s.event_cli.items[0].origin, "command line");
	ck_assert_str_eq(s.event_cli.items[1].key, "rate");
	ck_assert_str_eq(s.event_cli.items[1].value, "10");
	/* Only the first '=' splits: a value may hold more. */
	ck_assert_uint_eq(s.sink_cli.n, 1);
	ck_assert_str_eq(s.sink_cli.items[0].key, "path");
	ck_assert_str_eq(s.sink_cli.items[0].value, "/tmp/x=y");
	ck_assert_str_eq(s.plugin_dir, "/plugins");
	ck_assert_str_eq(s.config_path, "/etc/x.conf");
	ck_assert(s.config_explicit);
	ck_assert(s.check);
	ck_assert(!s.list_plugins);
	ck_assert_uint_eq(s.queue_memory, 64u << 20);
	ck_assert_uint_eq(s.stats_interval_ms, 60000);
	ck_assert_uint_eq(s.shutdown_timeout_ms, 250);
	ck_assert_int_eq(s.log_target, LOG_TARGET_STDERR);
	ck_assert_int_eq(s.log_level, TCA_LOG_INFO);
	ck_assert_uint_eq(s.set, SET_EVENT | SET_SINK | SET_PLUGIN_DIR | SET_QUEUE_MEMORY |
				 SET_STATS_INTERVAL | SET_SHUTDOWN_TIMEOUT | SET_LOG_TARGET);
	free(err);
	settings_free(&s);
}
END_TEST

START_TEST(test_options_defaults_and_flags)
{
	struct settings s;
	char *err;

	ck_assert_int_eq(parse(&s, &err, ARGS("-l", "-h", "-V")), 0);
	ck_assert(s.list_plugins && s.help && s.version);
	ck_assert_ptr_null(s.event);
	ck_assert_ptr_null(s.sink);
	ck_assert_ptr_null(s.config_path);
	ck_assert(!s.config_explicit);
	ck_assert_uint_eq(s.queue_memory, DEFAULT_QUEUE_MEMORY);
	ck_assert_uint_eq(s.shutdown_timeout_ms, DEFAULT_SHUTDOWN_TIMEOUT_MS);
	ck_assert_uint_eq(s.stats_interval_ms, 0);
	ck_assert_uint_eq(s.set, 0);
	free(err);
	settings_free(&s);

	/* The last of a repeated plugin choice wins. */
	ck_assert_int_eq(parse(&s, &err, ARGS("--event=a", "-e", "b", "--list-plugins")), 0);
	ck_assert_str_eq(s.event, "b");
	free(err);
	settings_free(&s);
}
END_TEST

START_TEST(test_options_verbosity)
{
	struct settings s;
	char *err;

	ck_assert_int_eq(parse(&s, &err, ARGS("-v")), 0);
	ck_assert_int_eq(s.log_level, TCA_LOG_DEBUG);
	ck_assert(s.set & SET_LOG_LEVEL);
	free(err);
	settings_free(&s);

	ck_assert_int_eq(parse(&s, &err, ARGS("--quiet")), 0);
	ck_assert_int_eq(s.log_level, TCA_LOG_WARNING);
	free(err);
	settings_free(&s);

	/* -v and -q cancel out: the level stays, and the file may set it. */
	ck_assert_int_eq(parse(&s, &err, ARGS("-v", "-q")), 0);
	ck_assert_int_eq(s.log_level, TCA_LOG_INFO);
	ck_assert(!(s.set & SET_LOG_LEVEL));
	free(err);
	settings_free(&s);

	ck_assert_int_eq(parse(&s, &err, ARGS("--log-level=notice")), 0);
	ck_assert_int_eq(s.log_level, TCA_LOG_NOTICE);
	ck_assert(s.set & SET_LOG_LEVEL);
	free(err);
	settings_free(&s);
}
END_TEST

/* Each bad command line: exit status 64 and this text on stderr. */
static const struct {
	const char *args[4];
	const char *message;
} usage_errors[] = {
	{ { "--bogus" }, "unrecognized option '--bogus'" },
	{ { "-Z" }, "invalid option -- 'Z'" },
	{ { "--event" }, "option '--event' requires an argument" },
	{ { "-E" }, "option requires an argument -- 'E'" },
	{ { "stray" }, "tcp-audit: unexpected argument 'stray'" },
	{ { "-E", "novalue" }, "tcp-audit: option value 'novalue' is not KEY=VALUE" },
	{ { "-S", "=x" }, "tcp-audit: option value '=x' is not KEY=VALUE" },
	{ { "--queue-memory=lots" }, "tcp-audit: --queue-memory: 'lots' is not a size (like 64M)" },
	{ { "--stats-interval=1w" }, "tcp-audit: --stats-interval: '1w' is not a duration (like 60s)" },
	{ { "--shutdown-timeout=-1" }, "tcp-audit: --shutdown-timeout: '-1' is not a duration (like 10s)" },
	{ { "--log-target=syslog" }, "tcp-audit: --log-target: 'syslog' is not auto, stderr or journal" },
	{ { "--log-level=loud" },
	  "tcp-audit: --log-level: 'loud' is not error, warning, notice, info or debug" },
	{ { "--help=x" }, "option '--help' doesn't allow an argument" },
};

START_TEST(test_options_usage_errors)
{
	struct settings s;
	char *err;

	ck_assert_int_eq(parse(&s, &err, usage_errors[_i].args), EXIT_USAGE);
	ck_assert_int_eq(EXIT_USAGE, 64);
	ck_assert_msg(strstr(err, usage_errors[_i].message), "'%s' not in: %s",
		      usage_errors[_i].message, err);
	ck_assert_msg(strstr(err, "Try 'tcp-audit --help' for more information.\n"), "%s", err);
	free(err);
	settings_free(&s);
}
END_TEST

START_TEST(test_options_usage_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	options_usage(f);
	fclose(f);
	/* Every long option is documented in --help. */
	static const char *const documented[] = {
		"--event=", "--sink=", "--event-option=", "--sink-option=", "--plugin-dir=",
		"--list-plugins", "--config=", "--check", "--queue-memory=", "--stats-interval=",
		"--shutdown-timeout=", "--log-target=", "--log-level=", "--verbose", "--quiet",
		"--help", "--version",
	};
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		ck_assert_msg(strstr(buf, documented[i]), "%s is not in --help", documented[i]);
	free(buf);
}
END_TEST

Suite *suite_options(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_options_all);
	tcase_add_test(tc, test_options_scrub);
	tcase_add_test(tc, test_options_scrub_flagged);
	tcase_add_test(tc, test_options_defaults_and_flags);
	tcase_add_test(tc, test_options_verbosity);
	tcase_add_loop_test(tc, test_options_usage_errors, 0,
			    (int)(sizeof(usage_errors) / sizeof(usage_errors[0])));
	tcase_add_test(tc, test_options_usage_text);
	suite_add_tcase(s, tc);
	return s;
}
