# plugins/sqlite: built when configure finds its libraries (BUILD_SQLITE).
if BUILD_SQLITE
pkglib_LTLIBRARIES += plugins/sqlite.la
plugins_sqlite_la_SOURCES = plugins/sqlite/sqlite.c plugins/sqlite/sqlite-sink.h \
	plugins/sqlite/db.c plugins/sqlite/records.c plugins/sqlite/prune.c \
	plugins/sqlite/schema.c plugins/sqlite/sqlite-schema.h plugins/sqlite/migrate.c \
	plugins/sqlite/events.c
plugins_sqlite_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
plugins_sqlite_la_LIBADD = lib/libtca.la $(SQLITE_LIBS)
plugins_sqlite_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
endif
dist_man_MANS += man/tcp-audit-sqlite.7
