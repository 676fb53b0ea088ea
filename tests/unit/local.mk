# tests/unit: Check unit tests, one runner with a suite per module of src/
# and lib/. It links the processor's own convenience library, and loads the
# built plugins ($TCP_AUDIT_PLUGIN_DIR) and the test plugins ($TEST_PLUGIN_DIR).
if HAVE_CHECK
check_PROGRAMS += tests/unit/runner
TESTS += tests/unit/runner
tests_unit_runner_SOURCES = \
	tests/unit/runner.c tests/unit/suites.h tests/unit/testutil.c \
	tests/unit/test-queue.c \
	tests/unit/test-value.c \
	tests/unit/test-options.c \
	tests/unit/test-config-file.c \
	tests/unit/test-plugin-loader.c \
	tests/unit/test-plugin-config.c \
	tests/unit/test-fmt.c \
	tests/unit/test-names.c \
	tests/unit/test-backoff.c \
	tests/unit/test-kvlist.c \
	tests/unit/test-exit-status.c \
	tests/unit/test-stats.c \
	tests/unit/test-gaps.c \
	tests/unit/test-runstate.c \
	tests/unit/test-spool.c \
	tests/unit/test-processor.c
tests_unit_runner_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
tests_unit_runner_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_runner_LDADD = src/libprocessor.la $(CHECK_LIBS)
# The runner loads these at run time: build them before it, even with -j.
EXTRA_tests_unit_runner_DEPENDENCIES = $(check_LTLIBRARIES) $(pkglib_LTLIBRARIES)
endif
