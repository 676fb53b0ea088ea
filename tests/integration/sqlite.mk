# tests/integration/sqlite.mk: integration tests of sqlite.
