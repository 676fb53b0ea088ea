# plugins/stream: the json and text sinkers, one writer with two formats.
pkglib_LTLIBRARIES += plugins/json.la plugins/text.la
plugins_json_la_SOURCES = plugins/stream/stream.c plugins/stream/stream.h plugins/stream/format-json.c
plugins_json_la_LIBADD = lib/libtca.la
plugins_json_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
plugins_text_la_SOURCES = plugins/stream/stream.c plugins/stream/stream.h plugins/stream/format-text.c
plugins_text_la_CPPFLAGS = $(AM_CPPFLAGS) -DSTREAM_TEXT
plugins_text_la_LIBADD = lib/libtca.la
plugins_text_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
