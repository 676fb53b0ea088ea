# plugins/null: the null sinker.
pkglib_LTLIBRARIES += plugins/null.la
plugins_null_la_SOURCES = plugins/null/null.c
plugins_null_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
