# plugins/tracefs: the tracefs eventer, built when configure finds its
# libraries (BUILD_TRACEFS).
if BUILD_TRACEFS
pkglib_LTLIBRARIES += plugins/tracefs.la
plugins_tracefs_la_SOURCES = plugins/tracefs/tracefs.c plugins/tracefs/tracefs.h \
	plugins/tracefs/instance.c plugins/tracefs/ring.c \
	plugins/tracefs/merge.c \
	plugins/tracefs/socktab.c plugins/tracefs/pidcache.c plugins/tracefs/pidns.c \
	plugins/tracefs/tasks.c plugins/tracefs/creds.c plugins/tracefs/keep.c \
	plugins/tracefs/filter.c plugins/tracefs/clock.c plugins/tracefs/siphash.c
plugins_tracefs_la_CFLAGS = $(AM_CFLAGS) $(TRACEFS_CFLAGS)
plugins_tracefs_la_LIBADD = lib/libtca.la lib/libtcatrace.la $(TRACEFS_LIBS)
plugins_tracefs_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
endif
dist_man_MANS += man/tcp-audit-tracefs.7
