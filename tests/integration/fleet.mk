# tests/integration/fleet.mk: a fleet end to end (tests/lib/nats.sh's
# cluster, two edges, one collector into tests/lib/pg.sh's PostgreSQL),
# with a NATS node and the collector killed mid-way.
FLEET_TESTS = tests/integration/nats-fleet.sh
if BUILD_NATS
if BUILD_PGSQL
if BUILD_TRACEFS
TESTS += $(FLEET_TESTS)
endif
endif
endif
EXTRA_DIST += $(FLEET_TESTS)
