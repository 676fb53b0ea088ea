# tests/integration/packaging.mk: integration tests of packaging.
