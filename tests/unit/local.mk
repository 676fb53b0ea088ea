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
	tests/unit/test-cgpath.c \
	tests/unit/test-backoff.c \
	tests/unit/test-connfold.c \
	tests/unit/test-filteropt.c \
	tests/unit/test-kvlist.c \
	tests/unit/test-exit-status.c \
	tests/unit/test-stats.c \
	tests/unit/test-gaps.c \
	tests/unit/test-namerecs.c \
	tests/unit/test-runstate.c \
	tests/unit/test-spool.c \
	tests/unit/test-processor.c \
	tests/unit/test-relay.c \
	tests/unit/test-copy-encode.c \
	tests/unit/test-replay-tsv.c \
	tests/unit/test-file.c \
	tests/unit/test-wire.c \
	tests/unit/test-bpf-unseen.c
# Plugin code that is pure (no libpq, no kernel) is tested here directly.
tests_unit_runner_SOURCES += plugins/pgsql/copy-encode.c plugins/pgsql/copy-encode.h \
	plugins/pgsql/conn-agg.c plugins/pgsql/conn-agg.h plugins/pgsql/conn-seen.c plugins/pgsql/conn-seen.h \
	plugins/replay/tsv.c plugins/replay/replay.h \
	plugins/bpf/unseen.c plugins/bpf/bpf.h
tests_unit_runner_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src -I$(top_srcdir)/plugins/pgsql \
	-I$(top_srcdir)/plugins/replay -I$(top_srcdir)/plugins/bpf
tests_unit_runner_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_runner_LDADD = src/libprocessor.la $(CHECK_LIBS)
if BUILD_TRACEFS
# The tracefs eventer's pure parts, compiled in: pages, merge, decoder,
# socket table, task map, filter and SipHash.
tests_unit_runner_SOURCES += tests/unit/tracefs-fixture.h \
	tests/unit/test-tracefs-page.c \
	tests/unit/test-tracefs-merge.c \
	tests/unit/test-tracefs-decode.c \
	tests/unit/test-tracefs-socktab.c \
	tests/unit/test-tracefs-pidcache.c \
	tests/unit/test-tracefs-tasks.c \
	tests/unit/test-tracefs-creds.c \
	tests/unit/test-tracefs-filter.c \
	tests/unit/test-tracefs-siphash.c \
	tests/unit/test-tracefs-carry.c \
	lib/trace-page.c plugins/tracefs/merge.c lib/trace-decode.c \
	plugins/tracefs/socktab.c plugins/tracefs/pidcache.c plugins/tracefs/tasks.c \
	plugins/tracefs/creds.c plugins/tracefs/filter.c \
	plugins/tracefs/siphash.c
# -iquote: "tracefs.h" is ours, <tracefs.h> is libtracefs's.
tests_unit_runner_CPPFLAGS += -DTEST_TRACEFS -iquote $(top_srcdir)/plugins/tracefs
tests_unit_runner_CFLAGS += $(TRACEFS_CFLAGS)
tests_unit_runner_LDADD += lib/libtca.la $(TRACEFS_LIBS)
endif
if BUILD_NATS
# The nats sinker's subjects and message ids.
tests_unit_runner_SOURCES += tests/unit/test-nats-subject.c plugins/nats/subject.c
tests_unit_runner_CPPFLAGS += -DTEST_NATS -I$(top_srcdir)/plugins/nats
tests_unit_runner_CFLAGS += $(NATS_CFLAGS)
tests_unit_runner_LDADD += lib/libtca.la
endif
EXTRA_DIST += tests/unit/test-nats-subject.c
# The runner loads these at run time: build them before it, even with -j.
EXTRA_tests_unit_runner_DEPENDENCIES = $(check_LTLIBRARIES) $(pkglib_LTLIBRARIES)
endif
