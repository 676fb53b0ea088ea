# src/: the tcp-audit processor.
sbin_PROGRAMS += tcp-audit
tcp_audit_SOURCES = \
	src/main.c \
	src/options.c src/options.h \
	src/config-file.c src/config-file.h \
	src/settings.c src/settings.h \
	src/kvlist.c src/kvlist.h \
	src/value.c src/value.h \
	src/plugin-loader.c src/plugin-loader.h \
	src/plugin-config.c src/plugin-config.h \
	src/identity.c src/identity.h \
	src/queue.c src/queue.h \
	src/processor.c src/processor.h \
	src/reader.c src/writer.c \
	src/stats.c src/stats.h \
	src/log.c src/log.h \
	src/notify.c src/notify.h \
	src/exit-status.c src/exit-status.h
tcp_audit_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(SYSTEMD_CFLAGS)
tcp_audit_LDADD = lib/libtca.la $(INIH_LIBS) $(SYSTEMD_LIBS)
