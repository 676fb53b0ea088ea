# plugins/nats/eventer.mk: the nats eventer, the collector of a fleet.
# One plugin file holds one descriptor, so it is nats-eventer.so, which
# "--event nats" finds before nats.so (the sinker; see tcp-audit-plugin(3)).
# It connects with the sinker's conn.c, so both take the same connection
# options, and decodes with lib/wire.c.
NATS_EVENTER_SOURCES = plugins/nats/eventer.c plugins/nats/consumer.c plugins/nats/pull.c \
	plugins/nats/nats-eventer.h
if BUILD_NATS
pkglib_LTLIBRARIES += plugins/nats-eventer.la
plugins_nats_eventer_la_SOURCES = $(NATS_EVENTER_SOURCES) plugins/nats/nats-sink.h \
	plugins/nats/conn.c plugins/nats/creds.c plugins/nats/creds.h plugins/nats/publish.c \
	plugins/nats/subject.c
plugins_nats_eventer_la_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
plugins_nats_eventer_la_LIBADD = lib/libtca.la $(NATS_LIBS) -lpthread
# Never unloaded (so neither is libnats): libnats leaves thread-local
# keys and threads behind whose code must stay mapped after dlclose(); a
# process that loads both nats plugins (--list-plugins) crashed at exit.
plugins_nats_eventer_la_LDFLAGS = $(PLUGIN_LINK_FLAGS) -Wl,-z,nodelete
# An example drop-in that makes the service a collector: an example, since
# installed in the unit's .d it would turn every edge into one.
natsexampledir = $(pkgdatadir)/examples
dist_natsexample_DATA = systemd/nats-collector.conf
endif
EXTRA_DIST += $(NATS_EVENTER_SOURCES) plugins/nats/eventer.mk systemd/nats-collector.conf
