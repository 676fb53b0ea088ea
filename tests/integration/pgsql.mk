# tests/integration/pgsql.mk: integration tests of pgsql.
