# plugins/nats: the NATS JetStream transport, built when configure finds
# libnats (BUILD_NATS). Its wire encoding is in lib/ (lib/wire.c), shared
# by the sinker and the collector's eventer.
NATS_SINK_SOURCES = plugins/nats/nats.c plugins/nats/nats-sink.h plugins/nats/conn.c \
	plugins/nats/creds.c plugins/nats/creds.h \
	plugins/nats/stream.c plugins/nats/publish.c plugins/nats/subject.c
if BUILD_NATS
pkglib_LTLIBRARIES += plugins/nats.la
plugins_nats_la_SOURCES = $(NATS_SINK_SOURCES)
plugins_nats_la_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
plugins_nats_la_LIBADD = lib/libtca.la $(NATS_LIBS) -lpthread
# Never unloaded (so neither is libnats): libnats leaves thread-local
# keys and threads behind whose code must stay mapped after dlclose(); a
# process that loads both nats plugins (--list-plugins) crashed at exit.
plugins_nats_la_LDFLAGS = $(PLUGIN_LINK_FLAGS) -Wl,-z,nodelete
endif
EXTRA_DIST += $(NATS_SINK_SOURCES)
dist_man_MANS += man/tcp-audit-nats.7
