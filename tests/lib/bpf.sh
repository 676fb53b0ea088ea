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

# The loss in the kernel side line of $T/log as "RING MISSES UNSEEN
# SKIPPED RECOVERED": lost with the ring buffer full; lost around a run of
# the first program (the kernel's misses less the second program's
# records); run by neither program and not recovered, by the tracepoint's
# own count (0 with hit_count=no); what the eventer counts lost besides
# the ring's, never less than either of the last two (the misses less
# what was recovered), or "inconsistent"; and the events recovered from
# the count's own record (tcp-audit-bpf(7), Loss).
kernel_loss() {
	sed -n -e 's/.*kernel side: .* written, \([0-9]*\) lost: ring buffer full.*second program, \([0-9]*\) lost); the tracepoint.s own count found \([0-9]*\) run by neither program, \([0-9]*\) recovered; \([0-9]*\) counted lost besides the ring.s$/\1 \2 \3 \5 \4/p' \
		-e 's/.*kernel side: .* written, \([0-9]*\) lost: ring buffer full.*second program, \([0-9]*\) lost); the tracepoint.s own count was off.*/\1 \2 0 \2 0/p' "$T/log" |
		awk '{ m = $2 > $5 ? $2 - $5 : 0; if ($4 < $3 || $4 < m) $4 = "inconsistent"; print }'
}

BPFNET="python3 $TESTS_LIB/bpf-net.py"
