/* SPDX-License-Identifier: MIT */
/* The suites of the unit-test runner, one per module under test, and the
 * helpers they share (testutil.c). */
#ifndef TCA_TEST_SUITES_H
#define TCA_TEST_SUITES_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin-loader.h"

Suite *suite_queue(void);
Suite *suite_value(void);
Suite *suite_options(void);
Suite *suite_config_file(void);
Suite *suite_plugin_loader(void);
Suite *suite_plugin_config(void);
Suite *suite_fmt(void);
Suite *suite_names(void);
Suite *suite_cgpath(void);
Suite *suite_bpf_unseen(void);
Suite *suite_backoff(void);
Suite *suite_connfold(void);
Suite *suite_filteropt(void);
Suite *suite_processor(void);
Suite *suite_kvlist(void);
Suite *suite_exit_status(void);
Suite *suite_stats(void);
Suite *suite_gaps(void);
Suite *suite_namerecs(void);
Suite *suite_runstate(void);
#ifdef TEST_TRACEFS
Suite *suite_tracefs_page(void);
Suite *suite_tracefs_merge(void);
Suite *suite_tracefs_decode(void);
Suite *suite_tracefs_socktab(void);
Suite *suite_tracefs_pidcache(void);
Suite *suite_tracefs_tasks(void);
Suite *suite_tracefs_creds(void);
Suite *suite_tracefs_filter(void);
Suite *suite_tracefs_siphash(void);
Suite *suite_tracefs_carry(void);
#endif
Suite *suite_copy_encode(void);
Suite *suite_replay_tsv(void);
Suite *suite_file(void);
Suite *suite_spool(void);
Suite *suite_relay(void);
Suite *suite_wire(void);
#ifdef TEST_NATS
Suite *suite_nats_subject(void);
#endif

/* Where the test plugins (badabi, notplugin, flaky) and the built plugins
 * (json, text, null, replay) are: $TEST_PLUGIN_DIR, $TCP_AUDIT_PLUGIN_DIR. */
const char *test_plugin_dir(void);
const char *built_plugin_dir(void);

/* Everything logged (stderr) between the two calls, at up to prio, ends up
 * in the returned buffer (NUL-terminated; the caller frees it). */
void capture_begin(int prio);
char *capture_end(void);

/* A fresh directory under $TMPDIR; rm_tree removes it and its files. */
char *make_tmpdir(void);
void rm_tree(const char *dir);
/* dir/name, allocated. */
char *path_join(const char *dir, const char *name);
/* A file's contents (NUL-terminated, allocated), or NULL. */
char *read_file(const char *path, size_t *len);
void write_file(const char *path, const char *text);
size_t count_lines(const char *text);
/* A processor test's setup and teardown: the signals the processor
 * handles blocked, as main() blocks them, then the old mask back. */
void signals_block_begin(void);
void signals_block_end(void);

/* Whether text is exactly one JSON object, by a strict RFC 8259 check
 * (test-fmt.c). */
bool json_is_strict_object(const char *text);

/* Load a plugin as tcp-audit does, with a test host ("testhost"), the
 * given NULL-terminated "key=value" options, and build its config; with
 * open, open it too. Returns 0 or the exit status of the step that failed. */
int test_plugin_setup(struct plugin *p, const char *name_or_path, const char *dir,
		      enum tca_plugin_kind kind, const char *const *options, bool open);

#endif
