# lib/: what the processor and two or more plugins share. Not installed.
noinst_LTLIBRARIES += lib/libtca.la
lib_libtca_la_SOURCES = \
	lib/names.c lib/names.h \
	lib/fmt.c lib/fmt.h lib/outbuf.h \
	lib/backoff.c lib/backoff.h \
	lib/filteropt.c lib/filteropt.h \
	lib/file.c lib/file.h \
	lib/crc32c.c lib/crc32c.h \
	lib/connfold.c lib/connfold.h \
	lib/wire.c lib/wire.h \
	lib/cgpath.c lib/cgpath.h \
	lib/tracefs-mount.c lib/tracefs-mount.h

# What reads the raw records of a tracefs instance (libtraceevent): the
# tracefs eventer, and the bpf eventer's recovery from its count of hits.
if BUILD_TRACEFS
noinst_LTLIBRARIES += lib/libtcatrace.la
lib_libtcatrace_la_SOURCES = lib/trace-record.h lib/trace-page.c lib/trace-decode.c
lib_libtcatrace_la_CFLAGS = $(AM_CFLAGS) $(TRACEFS_CFLAGS)
lib_libtcatrace_la_LIBADD = $(TRACEFS_LIBS)
endif
EXTRA_DIST += lib/trace-record.h lib/trace-page.c lib/trace-decode.c
