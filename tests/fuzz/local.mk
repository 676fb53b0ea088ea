# tests/fuzz: libFuzzer harnesses for what tcp-audit parses or encodes from
# input it does not control, built with ./configure --enable-fuzzing
# (clang; the whole tree then gets ASan, UBSan and coverage hooks) and run
# by "make fuzz", each for $(FUZZ_SECONDS) seconds from its seeds in
# tests/fuzz/corpus/NAME/. A crash, a leak, an input that takes longer
# than $(FUZZ_TIMEOUT) s (a hang) or more than $(FUZZ_RSS_MB) MB fails it,
# and the input that did it is kept in tests/fuzz/work/NAME/.
#
# Adding a harness is one line here:
#     FUZZ_HARNESSES += tests/fuzz/fuzz-NAME
# with tests/fuzz/fuzz-NAME.c defining LLVMFuzzerTestOneInput() and a few
# small seeds in tests/fuzz/corpus/NAME/. It links $(FUZZ_LDADD): the
# processor, lib/, the plugin sources in tests/fuzz/libfuzzed.la and the
# libraries of the tracefs eventer (whose include path every harness has).
# Plugin code that is not in libfuzzed.la is best #included by the harness
# itself (#include "../../plugins/NAME/file.c"), which keeps it one line.
FUZZ_HARNESSES = \
	tests/fuzz/fuzz-config \
	tests/fuzz/fuzz-value \
	tests/fuzz/fuzz-replay-tsv \
	tests/fuzz/fuzz-copy-encode \
	tests/fuzz/fuzz-wire

if BUILD_TRACEFS
# The tracefs eventer's page walker, CPU merge, task events, decoder and
# socket table, as tfs_read() drives them, from raw pages. -iquote: its
# tracefs.h has the name of libtracefs's.
FUZZ_HARNESSES += tests/fuzz/fuzz-tracefs-page
tests_fuzz_fuzz_tracefs_page_SOURCES = tests/fuzz/fuzz-tracefs-page.c \
	lib/trace-page.c plugins/tracefs/merge.c lib/trace-decode.c \
	plugins/tracefs/socktab.c plugins/tracefs/pidcache.c plugins/tracefs/tasks.c \
	plugins/tracefs/siphash.c lib/cgpath.c
tests_fuzz_fuzz_tracefs_page_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/plugins/tracefs \
	-I$(top_srcdir)/tests/unit
endif
EXTRA_DIST += tests/fuzz/make-tracefs-page-seeds.py

FUZZ_SECONDS = 60
FUZZ_TIMEOUT = 10
FUZZ_RSS_MB = 2048

EXTRA_DIST += tests/fuzz/corpus
.PHONY: fuzz clean-fuzz

if ENABLE_FUZZING
noinst_LTLIBRARIES += tests/fuzz/libfuzzed.la
tests_fuzz_libfuzzed_la_SOURCES = \
	plugins/pgsql/copy-encode.c plugins/pgsql/copy-encode.h \
	plugins/pgsql/conn-agg.c plugins/pgsql/conn-agg.h plugins/pgsql/conn-seen.c plugins/pgsql/conn-seen.h \
	plugins/replay/tsv.c plugins/replay/replay.h
tests_fuzz_libfuzzed_la_LIBADD = src/libprocessor.la
if BUILD_TRACEFS
# For a harness of the tracefs decoders (libtraceevent's event-parse.h).
AM_CFLAGS += $(TRACEFS_CFLAGS)
tests_fuzz_libfuzzed_la_LIBADD += $(TRACEFS_LIBS)
endif
FUZZ_LDADD = tests/fuzz/libfuzzed.la $(FUZZ_LIBFUZZER)

noinst_PROGRAMS += $(FUZZ_HARNESSES)
# The default LDADD of every program that sets none: in this tree only the
# harnesses (tcp-audit and the unit runner have their own).
LDADD = $(FUZZ_LDADD)

fuzz: $(FUZZ_HARNESSES)
	@fail=0; \
	for h in $(FUZZ_HARNESSES); do \
		name=$${h#tests/fuzz/fuzz-}; work=tests/fuzz/work/$$name; \
		$(MKDIR_P) $$work/corpus; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		if ./$$h -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
			-rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 -close_fd_mask=2 \
			-artifact_prefix=$$work/ $$work/corpus $(srcdir)/tests/fuzz/corpus/$$name \
			>$$work/log 2>&1; then \
			grep -h 'stat::number_of_executed_units\|stat::peak_rss_mb' $$work/log | \
				sed "s/^/fuzz: $$name: /"; \
		else \
			echo "fuzz: $$name FAILED (crash, leak or hang; input in $$work/):" >&2; \
			tail -n 40 $$work/log >&2; \
			fail=1; \
		fi; \
	done; \
	exit $$fail

CLEAN_LOCAL_DIRS += tests/fuzz/work
else
fuzz:
	@echo "make fuzz: configure a tree with --enable-fuzzing (clang and libFuzzer) first" >&2
	@exit 1
endif
