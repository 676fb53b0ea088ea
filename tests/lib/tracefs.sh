# Helpers for the tracefs eventer's integration tests: source after common.sh.

# Skip unless this machine can run a real tracefs capture.
require_tracefs() {
	require_root
	require_cmd python3
	[ -e "$TCP_AUDIT_PLUGIN_DIR/tracefs.so" ] || skip "the tracefs plugin is not built"
	grep -qw tracefs /proc/filesystems || skip "this kernel has no tracefs"
}

# The tracefs mount point, mounting it if needed (as tcp-audit would).
tracefs_dir() {
	d=$(awk '$3 == "tracefs" { print $2; exit }' /proc/self/mounts)
	if [ -z "$d" ]; then
		mount -t tracefs nodev /sys/kernel/tracing || fail "cannot mount tracefs"
		d=/sys/kernel/tracing
	fi
	[ -e "$d/events/sock/inet_sock_set_state" ] ||
		skip "the kernel lacks the sock/inet_sock_set_state tracepoint (Linux < 4.16)"
	echo "$d"
}

# Start tcp-audit with the tracefs eventer and the json sink in the
# background: events to $T/events.json (appended with TA_APPEND=1), logs
# to $T/log. Extra arguments go to tcp-audit. Returns once the capture runs.
start_capture() { start_ta_capture tracefs "$@"; }

# The name of the tracefs instance of the run whose log is $1 (default
# $T/log): its "capturing in tracefs instance DIR/instances/NAME" line, or
# with --log-level=debug its "created ... instance NAME" line.
ta_instance() {
	sed -n -e 's|.*capturing in tracefs instance [^ ]*/instances/\([^ ,]*\),.*|\1|p' \
		-e 's|.*created and locked the tracefs instance \([^ ]*\)$|\1|p' "${1:-$T/log}" | tail -1
}

# SIGTERM: tcp-audit drains the kernel's buffers and flushes before exit.
# It keeps its instance recording for a next start (restart_grace); unless
# TA_KEEP=1, the test does not start one, so the instance is released.
stop_capture() {
	stop_ta_capture
	# Another run with this state directory still going (a test of two
	# at once) keeps it: the last one to stop releases.
	[ "${TA_KEEP:-0}" = 1 ] ||
		"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --release 2>>"$T/release.log" || true
}

# Remove the instance a stopped run kept for the next start (a final stop).
release_capture() {
	"$TCP_AUDIT" --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --release 2>>"$T/release.log" ||
		fail "tcp-audit --release failed: $(cat "$T/release.log")"
}

# A count of the tracepoint's hits that owes nothing to tcp-audit: a
# private instance (not named tcp-audit-*) with the filter FILTER that
# records and is never read, so entries + overrun is every hit. Its name
# goes to $COUNTER; remove it with counter_stop (the test's trap should).
counter_start() {
	local d
	d=$(tracefs_dir)
	COUNTER=$d/instances/tca-count-$$-$RANDOM
	mkdir "$COUNTER" || fail "cannot create the counting instance $COUNTER"
	echo "${2:-16384}" >"$COUNTER/buffer_size_kb"
	echo "$1" >"$COUNTER/events/sock/inet_sock_set_state/filter" ||
		fail "the kernel refused the counting filter '$1'"
	echo 1 >"$COUNTER/events/sock/inet_sock_set_state/enable"
}

# The hits so far (entries + overrun over the CPUs): exact while the
# counting buffer never wraps, which counter_overrun tells.
counter_total() {
	awk '/^entries:/ { n += $2 } /^overrun:/ { n += $2 } END { print n + 0 }' \
		"$COUNTER"/per_cpu/cpu*/stats
}
counter_overrun() {
	awk '/^overrun:/ { n += $2 } END { print n + 0 }' "$COUNTER"/per_cpu/cpu*/stats
}
counter_stop() {
	[ -z "${COUNTER:-}" ] || rmdir "$COUNTER" 2>/dev/null || true
	COUNTER=
}

# One loopback connection on IPv4 and one on IPv6, from a client named
# tca-e2e-client to a server named tca-e2e-server; "FAMILY PORT" lines go
# to $T/cases for the checks of the sink's end-to-end tests.
connect_both_families() {
	local fam spid port
	for fam in 4 6; do
		rm -f "$T/port"
		$CHURN serve "$fam" "$T/port" tca-e2e-server &
		spid=$!
		port=$(wait_port "$T/port")
		$CHURN connect "$fam" "$port" tca-e2e-client
		wait "$spid" || fail "the IPv$fam server failed"
		echo "$fam $port" >>"$T/cases"
	done
}
