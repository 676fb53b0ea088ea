# tests/integration/nats.mk: integration tests of the NATS transport, each
# against a nats-server cluster with JetStream (3 nodes; 1 with TLS for
# nats-tls.sh and nats-creds.sh) that tests/lib/nats.sh starts on free loopback ports and
# stops afterwards. tests/lib/nats-check reads the stream back,
# independently of the plugin (but for lib/wire.c); tests/lib/nats-jwt.py
# mints the operator, accounts and users of nats-creds.sh.
NATS_TESTS = \
	tests/integration/nats-replay.sh \
	tests/integration/nats-errors.sh \
	tests/integration/nats-node-kill.sh \
	tests/integration/nats-outage.sh \
	tests/integration/nats-tls.sh
if BUILD_NATS
check_PROGRAMS += tests/lib/nats-check
tests_lib_nats_check_SOURCES = tests/lib/nats-check.c plugins/nats/creds.c plugins/nats/creds.h
tests_lib_nats_check_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS) -I$(top_srcdir)/plugins/nats
tests_lib_nats_check_LDADD = lib/libtca.la $(NATS_LIBS)
BENCH_DEPS += tests/lib/nats-check
TESTS += $(NATS_TESTS)
if BUILD_TRACEFS
TESTS += tests/integration/nats-tracefs.sh tests/integration/nats-creds.sh
endif
endif
EXTRA_DIST += $(NATS_TESTS) tests/integration/nats-tracefs.sh tests/integration/nats-creds.sh
