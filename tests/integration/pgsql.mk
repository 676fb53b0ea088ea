# tests/integration/pgsql.mk: integration tests of the pgsql sinker, each
# against a real PostgreSQL server that tests/lib/pg.sh starts in a
# temporary directory (Unix socket only) and stops afterwards.
PGSQL_TESTS = \
	tests/integration/pgsql-schema.sh \
	tests/integration/pgsql-fields.sh \
	tests/integration/pgsql-count.sh \
	tests/integration/pgsql-errors.sh \
	tests/integration/pgsql-outage.sh \
	tests/integration/pgsql-hung.sh \
	tests/integration/pgsql-migrate.sh \
	tests/integration/pgsql-completeness.sh \
	tests/integration/pgsql-proof.sh \
	tests/integration/pgsql-queries.sh \
	tests/integration/pgsql-long-outage.sh
if BUILD_PGSQL
TESTS += $(PGSQL_TESTS)
if BUILD_TRACEFS
TESTS += tests/integration/pgsql-tracefs.sh
endif
endif
EXTRA_DIST += $(PGSQL_TESTS) tests/integration/pgsql-tracefs.sh
