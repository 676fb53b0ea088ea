# tests/: Check unit tests (tests/unit), integration tests against the real
# kernel and real servers (tests/integration), helpers (tests/lib) and the
# benchmark (tests/bench). Integration tests exit 77 to skip, with a reason.

AM_TESTS_ENVIRONMENT = \
	export TCP_AUDIT='$(abs_top_builddir)/tcp-audit'; \
	export TCP_AUDIT_PLUGIN_DIR='$(abs_top_builddir)/plugins/.libs'; \
	export top_srcdir='$(abs_top_srcdir)'; \
	export top_builddir='$(abs_top_builddir)'; \
	export TESTS_LIB='$(abs_top_srcdir)/tests/lib'; \
	export TEST_PLUGIN_DIR='$(abs_top_builddir)/tests/plugins/.libs'; \
	export abs_top_srcdir='$(abs_top_srcdir)'; \
	export abs_top_builddir='$(abs_top_builddir)'; \
	export TCP_AUDIT_STATE_DIR='$(abs_top_builddir)/tests/state'; \
	export CK_DEFAULT_TIMEOUT=60;

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)

EXTRA_DIST += tests/lib tests/data tests/bench tests/example-plugin

# A minimal host that drives one sinker with a script, for the store tests.
# tests/lib is distributed as a directory: leave out what a build in the
# source tree put there, or a VPATH build of the tarball would take the
# stale binary for up to date instead of building its own.
dist-hook:
	rm -rf $(distdir)/tests/lib/sinkdrive $(distdir)/tests/lib/nats-check $(distdir)/tests/lib/*.o $(distdir)/tests/lib/.deps \
		$(distdir)/tests/lib/.dirstamp $(distdir)/tests/lib/__pycache__ \
		$(distdir)/tests/bench/churn $(distdir)/tests/bench/*.o $(distdir)/tests/bench/.deps \
		$(distdir)/tests/bench/.dirstamp
check_PROGRAMS += tests/lib/sinkdrive
tests_lib_sinkdrive_SOURCES = tests/lib/sinkdrive.c
tests_lib_sinkdrive_LDADD = -ldl

include tests/plugins/local.mk
include tests/unit/local.mk
include tests/integration/core.mk
include tests/integration/tracefs.mk
include tests/integration/bpf.mk
include tests/integration/pgsql.mk
include tests/integration/sqlite.mk
include tests/integration/journal.mk
include tests/integration/nats.mk
include tests/integration/fleet.mk
include tests/integration/packaging.mk

# Directories the tests leave behind; fragments add theirs.
CLEAN_LOCAL_DIRS += tests/state
clean-local:
	rm -rf $(CLEAN_LOCAL_DIRS)
