/* SPDX-License-Identifier: MIT */
/* Unit tests of src/plugin-config.c: a plugin's option table turned into
 * its typed config, each type, and the errors naming the key. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "plugin-config.h"
#include "suites.h"

struct fake_config {
	const char *name;
	const char *password;
	bool enabled;
	int64_t level;
	int64_t any;
	uint64_t buffer;
	uint64_t timeout_ms;
};

static const struct tca_option fake_options[] = {
	{ .name = "name", .type = TCA_OPT_STRING, .def = "anon",
	  .offset = offsetof(struct fake_config, name) },
	{ .name = "password", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET,
	  .offset = offsetof(struct fake_config, password) },
	{ .name = "enabled", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct fake_config, enabled) },
	{ .name = "level", .type = TCA_OPT_INT, .def = "3", .min = 1, .max = 10,
	  .offset = offsetof(struct fake_config, level) },
	{ .name = "any", .type = TCA_OPT_INT, .def = "-5",
	  .offset = offsetof(struct fake_config, any) },
	{ .name = "buffer", .type = TCA_OPT_SIZE, .def = "4K",
	  .offset = offsetof(struct fake_config, buffer) },
	{ .name = "timeout", .type = TCA_OPT_DURATION, .def = "5s",
	  .offset = offsetof(struct fake_config, timeout_ms) },
	{ .name = NULL },
};

static struct tca_plugin fake_desc = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "fake",
	.options = fake_options,
	.config_size = sizeof(struct fake_config),
};

/* Build the config of "fake" from "key=value" options; *log gets the log. */
static int build(struct plugin *p, const char *const *opts, char **log)
{
	int r;

	*p = (struct plugin){ .desc = &fake_desc, .fd = -1 };
	for (; *opts; opts++)
		ck_assert_int_eq(kvlist_add_assignment(&p->options, *opts, "test.conf [fake]"), 0);
	capture_begin(TCA_LOG_DEBUG);
	r = plugin_config_build(p);
	*log = capture_end();
	return r;
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_plugin_config_defaults)
{
	struct plugin p;
	const struct fake_config *c;
	char *log;

	ck_assert_int_eq(build(&p, (const char *const[]){ NULL }, &log), 0);
	ck_assert_str_eq(log, "");
	c = p.config;
	ck_assert_str_eq(c->name, "anon");
	ck_assert_ptr_null(c->password);
	ck_assert(!c->enabled);
	ck_assert_int_eq(c->level, 3);
	ck_assert_int_eq(c->any, -5);
	ck_assert_uint_eq(c->buffer, 4096);
	ck_assert_uint_eq(c->timeout_ms, 5000);
	free(log);
	plugin_unload(&p);
}
END_TEST

START_TEST(test_plugin_config_each_type)
{
	struct plugin p;
	const struct fake_config *c;
	char *log;

	ck_assert_int_eq(build(&p, OPTS("name=first", "enabled=on", "level=10", "any=-9000000000",
					"buffer=2M", "timeout=250ms", "name=second", "level=1",
					"password=hunter2"), &log), 0);
	ck_assert_str_eq(log, "");
	c = p.config;
	/* A later value overrides an earlier one (file, then command line). */
	ck_assert_str_eq(c->name, "second");
	ck_assert_str_eq(c->password, "hunter2");
	ck_assert(c->enabled);
	ck_assert_int_eq(c->level, 1);
	ck_assert_int_eq(c->any, -9000000000LL);
	ck_assert_uint_eq(c->buffer, 2u << 20);
	ck_assert_uint_eq(c->timeout_ms, 250);
	free(log);

	/* --check prints the effective values, and never a secret. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	plugin_config_print(&p, f);
	fclose(f);
	ck_assert_str_eq(buf, "    name = second\n"
			      "    password = (set; not shown)\n"
			      "    enabled = on\n"
			      "    level = 1\n"
			      "    any = -9000000000\n"
			      "    buffer = 2M\n"
			      "    timeout = 250ms\n");
	ck_assert_ptr_null(strstr(buf, "hunter2"));
	free(buf);
	plugin_unload(&p);
}
END_TEST

/* Each bad option: exit status 78 and one line naming key, origin and fix. */
static const struct {
	const char *opt;
	const char *message;
} option_errors[] = {
	{ "colour=red", "unknown option 'colour' (from test.conf [fake]); sinker 'fake' knows: name, "
	  "password, enabled, level, any, buffer, timeout" },
	{ "enabled=maybe", "option enabled=maybe (from test.conf [fake]) is not yes or no" },
	{ "level=0", "option level=0 (from test.conf [fake]) is out of range; give 1..10" },
	{ "level=11", "option level=11 (from test.conf [fake]) is out of range; give 1..10" },
	{ "level=ten", "option level=ten (from test.conf [fake]) is not an integer" },
	{ "any=99999999999999999999", "option any=99999999999999999999 (from test.conf [fake]) is "
	  "not an integer" },
	{ "buffer=big", "option buffer=big (from test.conf [fake]) is not a size like 4M" },
	{ "timeout=1w", "option timeout=1w (from test.conf [fake]) is not a duration like 500ms or 5s" },
};

START_TEST(test_plugin_config_errors)
{
	struct plugin p;
	char *log, *want;

	ck_assert_int_eq(build(&p, OPTS(option_errors[_i].opt), &log), EXIT_CONFIG);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: fake: %s\n", option_errors[_i].message), 0);
	ck_assert_str_eq(log, want);
	free(want);
	free(log);
	plugin_unload(&p);
}
END_TEST

START_TEST(test_plugin_config_no_options)
{
	static const struct tca_plugin bare = { TCA_PLUGIN_HEADER, .kind = TCA_KIND_EVENTER,
						.name = "bare" };
	struct plugin p = { .desc = &bare, .fd = -1 };
	char *log;

	ck_assert_int_eq(kvlist_add(&p.options, "x", "1", "command line"), 0);
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_config_build(&p), EXIT_CONFIG);
	log = capture_end();
	ck_assert_str_eq(log, "tcp-audit: error: bare: unknown option 'x' (from command line); "
			      "eventer 'bare' knows: no options\n");
	free(log);
	plugin_unload(&p);
}
END_TEST

START_TEST(test_plugin_config_bad_default)
{
	static const struct tca_option opts[] = {
		{ .name = "n", .type = TCA_OPT_INT, .def = "many" },
		{ .name = NULL },
	};
	static const struct tca_plugin buggy = { TCA_PLUGIN_HEADER, .kind = TCA_KIND_SINKER,
						 .name = "buggy", .options = opts,
						 .config_size = sizeof(int64_t) };
	struct plugin p = { .desc = &buggy, .fd = -1 };
	char *log;

	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_config_build(&p), EXIT_SOFTWARE);
	log = capture_end();
	ck_assert_str_eq(log, "tcp-audit: error: buggy: plugin bug: bad default 'many' for option 'n'\n");
	free(log);
	plugin_unload(&p);
}
END_TEST

Suite *suite_plugin_config(void)
{
	Suite *s = suite_create("plugin-config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_plugin_config_defaults);
	tcase_add_test(tc, test_plugin_config_each_type);
	tcase_add_loop_test(tc, test_plugin_config_errors, 0,
			    (int)(sizeof(option_errors) / sizeof(option_errors[0])));
	tcase_add_test(tc, test_plugin_config_no_options);
	tcase_add_test(tc, test_plugin_config_bad_default);
	suite_add_tcase(s, tc);
	return s;
}
