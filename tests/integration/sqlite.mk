# tests/integration/sqlite.mk: integration tests of sqlite.
if BUILD_SQLITE
TESTS += \
	tests/integration/sqlite-fields.sh \
	tests/integration/sqlite-count.sh \
	tests/integration/sqlite-prune.sh \
	tests/integration/sqlite-reader.sh \
	tests/integration/sqlite-readonly.sh \
	tests/integration/sqlite-full.sh \
	tests/integration/sqlite-migrate.sh \
	tests/integration/sqlite-completeness.sh \
	tests/integration/sqlite-proof.sh \
	tests/integration/sqlite-modes.sh \
	tests/integration/sqlite-queries.sh
if BUILD_TRACEFS
TESTS += tests/integration/sqlite-tracefs.sh
endif
endif
EXTRA_DIST += \
	tests/integration/sqlite-fields.sh \
	tests/integration/sqlite-count.sh \
	tests/integration/sqlite-prune.sh \
	tests/integration/sqlite-reader.sh \
	tests/integration/sqlite-readonly.sh \
	tests/integration/sqlite-full.sh \
	tests/integration/sqlite-migrate.sh \
	tests/integration/sqlite-completeness.sh \
	tests/integration/sqlite-proof.sh \
	tests/integration/sqlite-modes.sh \
	tests/integration/sqlite-queries.sh \
	tests/integration/sqlite-tracefs.sh
