# tests/integration/core.mk: integration tests of core: the command line,
# the config file, the json and text sinkers, signals, retries and losses,
# gap and run records (completeness, crashes, a full disk, a hung store),
# memory checks, and a plugin built out of tree (tests/example-plugin).
CORE_TESTS = \
	tests/integration/core-cli.sh \
	tests/integration/core-permissions.sh \
	tests/integration/core-json.sh \
	tests/integration/core-text.sh \
	tests/integration/core-config.sh \
	tests/integration/core-signals.sh \
	tests/integration/core-retry.sh \
	tests/integration/core-queue-full.sh \
	tests/integration/core-gaps.sh \
	tests/integration/core-crash.sh \
	tests/integration/core-enospc.sh \
	tests/integration/core-spool.sh \
	tests/integration/core-spool-damage.sh \
	tests/integration/core-spool-full.sh \
	tests/integration/core-names.sh \
	tests/integration/core-valgrind.sh \
	tests/integration/core-example-plugin.sh
TESTS += $(CORE_TESTS)
EXTRA_DIST += $(CORE_TESTS) tests/integration/core-lib.sh tests/lib/completeness.py tests/lib/namesev.py
