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
