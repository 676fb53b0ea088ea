# plugins/replay: the replay eventer, for tests and benchmarks.
pkglib_LTLIBRARIES += plugins/replay.la
plugins_replay_la_SOURCES = plugins/replay/replay.c plugins/replay/replay.h \
	plugins/replay/synth.c plugins/replay/tsv.c
plugins_replay_la_LIBADD = lib/libtca.la
plugins_replay_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
