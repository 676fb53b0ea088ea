/* SPDX-License-Identifier: MIT */
/* The one Check runner for the processor's and lib's unit tests: one suite
 * per module, as libnl does. CK_RUN_SUITE=name runs one suite. */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_queue());
	int failed;

	/* Errors the tests provoke on purpose are checked through
	 * capture_begin(); anything else at error level is worth seeing. */
	log_open(LOG_TARGET_STDERR);
	log_set_max_priority(TCA_LOG_ERR);
	srunner_add_suite(sr, suite_relay());
	srunner_add_suite(sr, suite_value());
	srunner_add_suite(sr, suite_options());
	srunner_add_suite(sr, suite_config_file());
	srunner_add_suite(sr, suite_plugin_loader());
	srunner_add_suite(sr, suite_plugin_config());
	srunner_add_suite(sr, suite_fmt());
	srunner_add_suite(sr, suite_names());
	srunner_add_suite(sr, suite_cgpath());
	srunner_add_suite(sr, suite_bpf_unseen());
	srunner_add_suite(sr, suite_backoff());
	srunner_add_suite(sr, suite_connfold());
	srunner_add_suite(sr, suite_filteropt());
	srunner_add_suite(sr, suite_kvlist());
	srunner_add_suite(sr, suite_exit_status());
	srunner_add_suite(sr, suite_stats());
	srunner_add_suite(sr, suite_gaps());
	srunner_add_suite(sr, suite_namerecs());
	srunner_add_suite(sr, suite_runstate());
	srunner_add_suite(sr, suite_spool());
	srunner_add_suite(sr, suite_processor());
#ifdef TEST_TRACEFS
	srunner_add_suite(sr, suite_tracefs_page());
	srunner_add_suite(sr, suite_tracefs_merge());
	srunner_add_suite(sr, suite_tracefs_decode());
	srunner_add_suite(sr, suite_tracefs_socktab());
	srunner_add_suite(sr, suite_tracefs_pidcache());
	srunner_add_suite(sr, suite_tracefs_tasks());
	srunner_add_suite(sr, suite_tracefs_creds());
	srunner_add_suite(sr, suite_tracefs_filter());
	srunner_add_suite(sr, suite_tracefs_siphash());
	srunner_add_suite(sr, suite_tracefs_carry());
#endif
	srunner_add_suite(sr, suite_copy_encode());
	srunner_add_suite(sr, suite_replay_tsv());
	srunner_add_suite(sr, suite_file());
	srunner_add_suite(sr, suite_wire());
#ifdef TEST_NATS
	srunner_add_suite(sr, suite_nats_subject());
#endif
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
