# Helpers for the bpf eventer's integration tests: source after common.sh.

# Skip unless this machine can run the bpf eventer.
require_bpf() {
	require_root
	require_cmd python3
	[ -e "$TCP_AUDIT_PLUGIN_DIR/bpf.so" ] || skip "the bpf plugin is not built (--enable-bpf)"
	[ -r /sys/kernel/btf/vmlinux ] || skip "this kernel has no BTF (/sys/kernel/btf/vmlinux)"
}

# At exit, pass or fail: stop the tcp-audit of start_bpf, the process
# groups in $BG_GROUPS (background load started with setsid), run the
# test's cleanup_extra if it has one, and remove $T. Nothing outlives a
# test.
bpf_exit() {
	if [ -n "${TA_PID:-}" ]; then
		kill "$TA_PID" 2>/dev/null || true
		kill -CONT "$TA_PID" 2>/dev/null || true # if a test stopped it
	fi
	for g in ${BG_GROUPS:-}; do
		kill -- "-$g" 2>/dev/null || true
	done
	if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
	rm -rf "$T"
}

# Start tcp-audit with the bpf eventer and the json sink in the background:
# events to $T/events.json, logs to $T/log. Extra arguments go to
# tcp-audit. Returns once the capture runs.
start_bpf() {
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --event bpf --sink json "$@" \
		>"$T/events.json" 2>"$T/log" &
	TA_PID=$!
	trap bpf_exit EXIT
	for _ in $(seq 100); do
		grep -q "capturing:" "$T/log" && return 0
		kill -0 "$TA_PID" 2>/dev/null || { cat "$T/log" >&2; fail "tcp-audit exited at start"; }
		sleep 0.1
	done
	fail "tcp-audit did not start capturing in 10 s"
}

# SIGTERM: tcp-audit drains the ring buffer and flushes before exit.
stop_bpf() {
	kill -TERM "$TA_PID"
	ta_rc=0
	wait "$TA_PID" || ta_rc=$?
	[ "$ta_rc" -eq 0 ] || { cat "$T/log" >&2; fail "tcp-audit exited with $ta_rc"; }
}

CHURN="python3 $TESTS_LIB/churn.py"
BPFNET="python3 $TESTS_LIB/bpf-net.py"

wait_port() {
	for _ in $(seq 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.05
	done
	fail "the test server did not start"
}
