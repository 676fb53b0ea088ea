/* SPDX-License-Identifier: MIT */
/* The suites of the unit-test runner, one per module under test. */
#ifndef TCA_TEST_SUITES_H
#define TCA_TEST_SUITES_H

#include <check.h>

Suite *suite_queue(void);
Suite *suite_value(void);
Suite *suite_config(void);
Suite *suite_plugin_loader(void);
Suite *suite_fmt(void);
Suite *suite_names(void);
Suite *suite_backoff(void);
Suite *suite_processor(void);

/* Where the test plugins (badabi, notplugin, flaky) and the built plugins are. */
const char *test_plugin_dir(void);
const char *built_plugin_dir(void);

#endif
