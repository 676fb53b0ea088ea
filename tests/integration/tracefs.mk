# tests/integration/tracefs.mk: integration tests of the tracefs eventer,
# against the real kernel (root).
TRACEFS_TESTS = \
	tests/integration/tracefs-capture.sh \
	tests/integration/tracefs-instance.sh \
	tests/integration/tracefs-filter.sh \
	tests/integration/tracefs-loss.sh \
	tests/integration/tracefs-mount.sh \
	tests/integration/tracefs-dualstack.sh \
	tests/integration/tracefs-pidns.sh \
	tests/integration/tracefs-owners.sh \
	tests/integration/tracefs-creds.sh \
	tests/integration/tracefs-order.sh \
	tests/integration/tracefs-restart.sh \
	tests/integration/tracefs-crash.sh \
	tests/integration/tracefs-spool.sh
if BUILD_TRACEFS
TESTS += $(TRACEFS_TESTS)
endif
EXTRA_DIST += $(TRACEFS_TESTS)
# Run by tracefs-X.sh and bpf-X.sh with TCA_EVENTER set: one script, the
# same checks for both eventers.
EXTRA_DIST += tests/integration/eventer-capture.sh tests/integration/eventer-dualstack.sh
