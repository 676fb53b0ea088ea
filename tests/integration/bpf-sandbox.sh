#!/bin/bash
# The systemd unit's sandbox with the tcp-audit-bpf drop-in is enough for
# the bpf eventer: as uid 0 with only CAP_BPF and CAP_PERFMON and no new
# privileges, with every mount read-only but the state directory (as
# ProtectSystem=strict, ProtectKernelTunables=yes and StateDirectory= make
# them), it captures a loopback connection into sqlite with its owner.
# This is the evidence for the drop-in's CapabilityBoundingSet=.
. "$TESTS_LIB/common.sh"
require_root
require_cmd unshare setpriv python3 sqlite3
[ -e "$TCP_AUDIT_PLUGIN_DIR/bpf.so" ] || skip "the bpf plugin is not built (--enable-bpf)"
[ -r /sys/kernel/btf/vmlinux ] || skip "this kernel has no BTF (/sys/kernel/btf/vmlinux)"
make_tmpdir

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -m 0700 "$T/state"
cat > "$T/sandbox.sh" <<'SANDBOX'
set -eu
state=$1
shift
mount --make-rprivate /
# ProtectSystem=strict and ProtectKernelTunables=yes: every mount read-only.
awk '{ print $2 }' /proc/self/mounts | sort -u | while read -r m; do
	mount -o remount,bind,ro "$m" 2>/dev/null || true
done
# StateDirectory=tcp-audit.
mount --bind "$state" "$state"
mount -o remount,bind,rw "$state"
# The drop-in's CapabilityBoundingSet=, and NoNewPrivileges=yes, still uid 0.
exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,+bpf,+perfmon "$@"
SANDBOX

unshare -m bash "$T/sandbox.sh" "$T/state" "$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" \
	--config /dev/null --log-target=stderr --event bpf -E ports="$port" \
	--sink sqlite -S path="$T/state/tcp-audit.db" 2> "$T/log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 600); do  # up to a minute: a sanitizer build starts slowly
	grep -q "capturing: eventer" "$T/log" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q "capturing: eventer" "$T/log" || { kill $pid 2>/dev/null; fail "did not start in the sandbox: $(cat "$T/log")"; }

# CAP_BPF (39) and CAP_PERFMON (38), nothing else.
grep -q '^CapBnd:[[:space:]]*000000c000000000$' "/proc/$pid/status" ||
	fail "the capability bounding set is not CAP_BPF CAP_PERFMON: $(grep Cap "/proc/$pid/status")"

client=$(python3 - "$port" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
s = socket.socket()
s.bind(("127.0.0.1", port))
s.listen()
c = socket.create_connection(("127.0.0.1", port))
a, _ = s.accept()
c.close()
a.close()
s.close()
print(os.getpid())
PY
)
kill -TERM $pid
rc=0
wait $pid || rc=$?
assert_eq "exit status in the sandbox ($(tail -3 "$T/log"))" "$rc" 0

got=$(sqlite3 "$T/state/tcp-audit.db" "SELECT oldstate || '>' || newstate || ' ' || pid || ' ' || comm
	FROM tcp_events_named WHERE sport = $port OR dport = $port ORDER BY 1" | tr '\n' ',')
# One connection, accepted and closed by both ends: 12 changes, each
# owned by the client script (in SQLite's byte order, as LC_ALL=C sorts).
want=$(for t in 'CLOSE>LISTEN' 'LISTEN>CLOSE' 'CLOSE>SYN_SENT' 'SYN_SENT>ESTABLISHED' \
	'LISTEN>SYN_RECV' 'SYN_RECV>ESTABLISHED' 'ESTABLISHED>FIN_WAIT1' 'ESTABLISHED>CLOSE_WAIT' \
	'FIN_WAIT1>FIN_WAIT2' 'CLOSE_WAIT>LAST_ACK' 'FIN_WAIT2>CLOSE' 'LAST_ACK>CLOSE'; do
	echo "$t $client python3"
done | LC_ALL=C sort | tr '\n' ',')
assert_eq "events captured in the sandbox" "$got" "$want"
exit 0
