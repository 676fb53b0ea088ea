# plugins/stream: the json and text sinkers, two builds of one source.
pkglib_LTLIBRARIES += plugins/json.la plugins/text.la
plugins_json_la_SOURCES = plugins/stream/stream.c
plugins_json_la_LIBADD = lib/libtca.la
plugins_json_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
plugins_text_la_SOURCES = plugins/stream/stream.c
plugins_text_la_CPPFLAGS = $(AM_CPPFLAGS) -DSTREAM_TEXT
plugins_text_la_LIBADD = lib/libtca.la
plugins_text_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
