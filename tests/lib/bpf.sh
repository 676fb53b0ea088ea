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
	trap bpf_exit EXIT
	start_ta_capture bpf --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" "$@"
}

# SIGTERM: tcp-audit drains the ring buffer and flushes before exit.
stop_bpf() { stop_ta_capture; }

BPFNET="python3 $TESTS_LIB/bpf-net.py"
