# plugins/journal: built when configure finds its libraries (BUILD_JOURNAL).
if BUILD_JOURNAL
pkglib_LTLIBRARIES += plugins/journal.la
plugins_journal_la_SOURCES = plugins/journal/journal.c
plugins_journal_la_CFLAGS = $(AM_CFLAGS) $(JOURNAL_CFLAGS)
plugins_journal_la_LIBADD = lib/libtca.la $(JOURNAL_LIBS)
plugins_journal_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
endif
dist_man_MANS += man/tcp-audit-journal.7
