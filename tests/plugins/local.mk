# tests/plugins: plugins that exist only to test the processor: one of a
# foreign ABI, one of ABI 1, one of an older minor version of ABI 2, a .so
# that is no plugin, a sinker that misbehaves on demand, a relay eventer, and
# an eventer that hands name records.
# Built by "make check" into tests/plugins/.libs ($TEST_PLUGIN_DIR).
TEST_PLUGIN_FLAGS = -module -avoid-version -shared -no-undefined -rpath /nowhere
check_LTLIBRARIES += tests/plugins/badabi.la tests/plugins/notplugin.la tests/plugins/flaky.la \
	tests/plugins/abi1.la tests/plugins/oldminor.la tests/plugins/relayev.la \
	tests/plugins/namesev.la
tests_plugins_badabi_la_SOURCES = tests/plugins/badabi.c
tests_plugins_badabi_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_notplugin_la_SOURCES = tests/plugins/notplugin.c
tests_plugins_notplugin_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_flaky_la_SOURCES = tests/plugins/flaky.c
tests_plugins_flaky_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_abi1_la_SOURCES = tests/plugins/abi1.c
tests_plugins_abi1_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_oldminor_la_SOURCES = tests/plugins/oldminor.c
tests_plugins_oldminor_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_relayev_la_SOURCES = tests/plugins/relayev.c
tests_plugins_relayev_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_namesev_la_SOURCES = tests/plugins/namesev.c
tests_plugins_namesev_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
