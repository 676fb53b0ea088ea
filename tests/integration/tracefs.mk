# tests/integration/tracefs.mk: integration tests of tracefs.
