# tests/integration/journal.mk: integration tests of journal.
if BUILD_JOURNAL
TESTS += tests/integration/journal-fields.sh tests/integration/journal-names.sh
endif
# The daemon's own logging needs only libsystemd in the processor.
if HAVE_SYSTEMD
TESTS += tests/integration/journal-logging.sh
endif
EXTRA_DIST += tests/integration/journal-fields.sh tests/integration/journal-names.sh \
	tests/integration/journal-logging.sh
