# tests/integration/core.mk: integration tests of core.
