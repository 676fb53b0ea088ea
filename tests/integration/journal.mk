# tests/integration/journal.mk: integration tests of journal.
