# tests/integration/bpf.mk: integration tests of the bpf eventer, against
# the real kernel (root, BTF).
BPF_TESTS = \
	tests/integration/bpf-capture.sh \
	tests/integration/bpf-owners.sh \
	tests/integration/bpf-owners-servers.sh \
	tests/integration/bpf-context.sh \
	tests/integration/bpf-caps.sh \
	tests/integration/bpf-filter.sh \
	tests/integration/bpf-loss.sh \
	tests/integration/bpf-dualstack.sh \
	tests/integration/bpf-sandbox.sh \
	tests/integration/bpf-nosyscalls.sh \
	tests/integration/bpf-hits.sh
if BUILD_BPF
TESTS += $(BPF_TESTS)
# The benchmark's churn, which connects at the kernel's full rate.
check_PROGRAMS += tests/bench/churn
tests_bench_churn_SOURCES = tests/bench/churn.c
endif
EXTRA_DIST += $(BPF_TESTS)
