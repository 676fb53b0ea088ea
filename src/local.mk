# src/: the tcp-audit processor. Everything but main() is in a
# convenience library, so that the unit tests link the same code.
noinst_LTLIBRARIES += src/libprocessor.la
src_libprocessor_la_SOURCES = \
	src/options.c src/options.h \
	src/config-file.c src/config-file.h \
	src/settings.c src/settings.h \
	src/kvlist.c src/kvlist.h \
	src/value.c src/value.h \
	src/plugin-loader.c src/plugin-loader.h \
	src/elf-check.c src/elf-check.h \
	src/plugin-config.c src/plugin-config.h \
	src/plugin-host.c src/plugin-host.h \
	src/identity.c src/identity.h \
	src/queue.c src/queue.h \
	src/gaps.c src/gaps.h \
	src/namerecs.c src/namerecs.h \
	src/relay.c src/relay.h \
	src/runstate.c src/runstate.h \
	src/spool.c src/spool.h \
	src/spool-format.c src/spool-format.h \
	src/processor.c src/processor.h \
	src/reader.c src/writer.c \
	src/writer-records.c src/writer-records.h \
	src/stats.c src/stats.h \
	src/log.c src/log.h \
	src/notify.c src/notify.h \
	src/exit-status.c src/exit-status.h
src_libprocessor_la_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(SYSTEMD_CFLAGS)
src_libprocessor_la_LIBADD = lib/libtca.la $(INIH_LIBS) $(SYSTEMD_LIBS)

sbin_PROGRAMS += tcp-audit
tcp_audit_SOURCES = src/main.c
tcp_audit_LDADD = src/libprocessor.la
