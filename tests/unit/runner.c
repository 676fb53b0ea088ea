/* SPDX-License-Identifier: MIT */
/* The one Check runner for the processor's and lib's unit tests. */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "suites.h"

const char *test_plugin_dir(void)
{
	const char *d = getenv("TEST_PLUGIN_DIR");
	return d ? d : "tests/plugins/.libs";
}

const char *built_plugin_dir(void)
{
	const char *d = getenv("TCP_AUDIT_PLUGIN_DIR");
	return d ? d : "plugins/.libs";
}

int main(void)
{
	SRunner *sr = srunner_create(suite_queue());
	int failed;

	/* Errors the tests provoke on purpose would only clutter the log. */
	log_open(LOG_TARGET_STDERR);
	log_set_max_priority(getenv("TEST_VERBOSE") ? TCA_LOG_DEBUG : 2);
	srunner_add_suite(sr, suite_value());
	srunner_add_suite(sr, suite_config());
	srunner_add_suite(sr, suite_plugin_loader());
	srunner_add_suite(sr, suite_fmt());
	srunner_add_suite(sr, suite_names());
	srunner_add_suite(sr, suite_backoff());
	srunner_add_suite(sr, suite_processor());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
