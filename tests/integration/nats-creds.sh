#!/bin/bash
# Decentralised JWT authentication end to end, and credential rotation.
# A nats-server in operator mode (an operator, a system account and an
# account with JetStream, minted by tests/lib/nats-jwt.py, the MEMORY
# resolver) takes only creds files of that account's users, on every
# connect (4000 of them, each with a new nonce to sign).
# 1. An edge publishes N replay events with a creds file; a collector with
#    a creds file of its own relays them into the json sink: N, once each.
# 2. A user signed by an account the operator never signed, or a creds
#    file whose seed is damaged: the sinker and the collector each fail at
#    start with 77 and one error line, and no seed or JWT is in any log.
# 3. Rotation, as root with real kernel events: a tracefs edge captures a
#    churn on port P1; a SIGHUP with a refused file in place leaves it on
#    its connection (one error line); both creds files are replaced by new
#    users' and the edge gets SIGHUP (it reconnects with the new file, one
#    log line);
#    then the old users are revoked in the account JWT and the server
#    reloads it, which closes the collector's connection of the old user:
#    libnats reads its creds file again to reconnect. The old creds are
#    refused now (77), and a churn on P2 after the revocation reaches the
#    stream and the collector: every handshake of both churns, and every
#    event once.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/tracefs.sh"
. "$TESTS_LIB/nats.sh"
. "$TESTS_LIB/nats-events.sh"
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats-eventer.so" ] || skip "the nats plugins are not built"
require_tracefs
python3 -c 'import cryptography' 2>/dev/null ||
	skip "needs python3-cryptography (apt-get install python3-cryptography)"
make_tmpdir
tracefs_dir >/dev/null
JWT="python3 $TESTS_LIB/nats-jwt.py"
J=$T/jwt
$JWT init "$J" || fail "nats-jwt.py cannot make the operator and accounts"
for u in edge-a col-a check; do $JWT user "$J" $u || fail "nats-jwt.py cannot make user $u"; done
$JWT stranger "$J" stranger || fail "nats-jwt.py cannot make a stranger"
NATS_OPERATOR=$J
NATS_CREDS=$J/check.creds
nats_cluster_start 1
trap 'for p in ${COL_PID:-} ${TA_PID:-}; do kill -9 "$p" 2>/dev/null || true; done
	nats_cluster_stop; rm -rf "$T"' EXIT
grep -q 'Trusted Operators' "$NATS_DIR/n1.log" || fail "nats-server is not in operator mode"
# Without credentials, the server refuses.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event replay -E count=10 \
	--sink nats -S servers="$NATS_URLS" >/dev/null 2>"$T/err"
[ "$rc" -eq 77 ] || { cat "$T/err" >&2; fail "no credentials: exit $rc, expected 77"; }

# Many connects with valid creds, each with a new nonce to sign: all are
# taken. libnats before 3.8 cannot send 1 signature in 256 (it starts
# with a zero byte), so that the server refused a good creds file now and
# then; those tries are made again at once (plugins/nats/creds.c). 4000
# connects would hit it with a chance of 1 - (255/256)^4000, all but 1.
refused_before=$(grep -c 'authentication error' "$NATS_DIR/n1.log" || true)
NATS_CREDS=$J/edge-a.creds nats_check connects 4000 >"$T/connects" ||
	{ cat "$T/connects" >&2; fail "not every connect with a valid creds file was taken"; }
cat "$T/connects"
assert_eq "connects the server refused" \
	"$(($(grep -c 'authentication error' "$NATS_DIR/n1.log" || true) - refused_before))" 0

# The files the daemons are given; rotation replaces them.
cp "$J/edge-a.creds" "$T/edge.creds"
cp "$J/col-a.creds" "$T/col.creds"

# 1. N events with creds, into a stream the edge creates.
N=5000
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --hostname creds-edge --state-dir "$T/edge" \
	--event replay -E count=$N --sink nats -S servers="$NATS_URLS" -S creds="$T/edge.creds" \
	2>"$T/edge.log"
[ "$rc" -eq 0 ] || { cat "$T/edge.log" >&2; fail "the edge exited $rc with a creds file"; }
assert_eq "stream messages" "$(nats_stream_msgs TCP_AUDIT)" $((N + 2))

"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --hostname collector --state-dir "$T/collector" \
	--event nats -E servers="$NATS_URLS" -E creds="$T/col.creds" -E ack_wait=10s \
	-E connect_timeout=20s \
	--sink json -S path="$T/out.json" 2>"$T/collector.log" &
COL_PID=$!
wait_collected() { # N
	for _ in $(seq 1 1200); do
		[ "$(events_in "$T/out.json")" -ge "$1" ] && return 0
		kill -0 $COL_PID 2>/dev/null || { cat "$T/collector.log" >&2; fail "the collector ended"; }
		sleep 0.1
	done
	cat "$T/collector.log" >&2
	fail "the collector has $(events_in "$T/out.json") events after 120 s, expected $1"
}
wait_collected $N
assert_eq "events of creds-edge collected" "$(grep -c '"host":"creds-edge"' "$T/out.json")" \
	$((N + 2))

# 2. Bad credentials: 77, one line, for the sinker and the collector.
python3 - "$J/edge-a.creds" "$T/damaged.creds" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(n for n, l in enumerate(lines) if l.startswith("SU"))
# One letter of the key changed: the checksum no longer matches.
c = lines[i][20]
lines[i] = lines[i][:20] + ("B" if c != "B" else "C") + lines[i][21:]
open(sys.argv[2], "w").write("\n".join(lines))
PY
expect_refused() { # what creds-file pattern
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event replay -E count=10 \
		--sink nats -S servers="$NATS_URLS" -S creds="$2" >/dev/null 2>"$T/err.sink.$1"
	check_refused "sinker, $1" "$3" "$T/err.sink.$1"
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event nats \
		-E servers="$NATS_URLS" -E creds="$2" --sink json -S path="$T/bad.json" \
		>/dev/null 2>"$T/err.col.$1"
	check_refused "collector, $1" "$3" "$T/err.col.$1"
}
check_refused() { # what pattern file
	[ "$rc" -eq 77 ] || { cat "$3" >&2; fail "$1: exit $rc, expected 77"; }
	assert_eq "$1: error lines" "$(grep -c 'error' "$3")" 1
	grep -q "error: nats: cannot connect to .*: $2" "$3" ||
		{ cat "$3" >&2; fail "$1: the error does not say '$2'"; }
}
expect_refused stranger "$J/stranger.creds" "Authorization Violation"
expect_refused damaged "$T/damaged.creds" "creds=$T/damaged.creds: invalid checksum"
assert_eq "stream messages after the failures" "$(nats_stream_msgs TCP_AUDIT)" $((N + 2))

# 3. Rotation under real kernel events.
p1=$(free_port)
p2=$(free_port)
[ "$p1" != "$p2" ] || p2=$(free_port)
start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" --hostname rot-edge -E ports="$p1,$p2" \
	--sink nats -S servers="$NATS_URLS" -S creds="$T/edge.creds" -S max_delay=50ms \
	-S connect_timeout=20s
handshakes() { # PORT
	# Right after a reload that changes the account, the server may
	# refuse a connection once: ask again, and count only a full dump.
	for _ in 1 2 3 4 5; do
		nats_check dump TCP_AUDIT >"$T/hs.dump" && break
		: >"$T/hs.dump"
		sleep 1
	done
	awk -F'\t' -v p="$1" '$3 == "event" && $4 == "rot-edge" && $8 == "2>1" && $10 == p' "$T/hs.dump" | wc -l
}
wait_handshakes() { # PORT N
	for _ in $(seq 1 240); do
		[ "$(handshakes "$1")" -eq "$2" ] && return 0
		sleep 0.5
	done
	cat "$T/log" >&2
	fail "the stream has $(handshakes "$1") handshakes to port $1 after 120 s, expected $2"
}
churn_to() { # PORT
	CHURN_PORT=$1 $CHURN churn 4 2 2 200 >"$T/churn" || fail "the load generator failed"
	read -r conns churn_port <"$T/churn"
	assert_eq "the churn's port" "$churn_port" "$1"
	[ "$conns" -gt 50 ] || fail "the churn made only $conns connections"
}
churn_to "$p1"
conns1=$conns
wait_handshakes "$p1" "$conns1"

# A refused file at SIGHUP: one error line says so, and the edge stays on
# its connection (all its events arrive, below).
cp "$J/stranger.creds" "$T/edge.creds.new" && mv "$T/edge.creds.new" "$T/edge.creds"
kill -HUP "$TA_PID"
wait_log "$T/log" "SIGHUP: reopening the output failed"
[ "$(grep -c "error: nats: cannot connect to $NATS_URLS with the credentials and TLS files read again: Authorization Violation.*the current connection stays" "$T/log")" = 1 ] ||
	{ cat "$T/log" >&2; fail "a refused SIGHUP reconnect is not one error line"; }

# New users in the files (renamed in, as a deployment tool would), and
# SIGHUP: the edge connects with the new file before it leaves the old
# connection, and says so once.
$JWT user "$J" edge-b && $JWT user "$J" col-b || fail "nats-jwt.py cannot make the new users"
cp "$J/edge-b.creds" "$T/edge.creds.new" && mv "$T/edge.creds.new" "$T/edge.creds"
cp "$J/col-b.creds" "$T/col.creds.new" && mv "$T/col.creds.new" "$T/col.creds"
kill -HUP "$TA_PID"
wait_log "$T/log" "SIGHUP: sinker 'nats' reopened"
[ "$(grep -c "nats: reconnected to $NATS_URLS with the credentials and TLS files read again" "$T/log")" = 1 ] ||
	{ cat "$T/log" >&2; fail "not one reconnect line after SIGHUP"; }

# The old users revoked: the server closes their connections, and
# refuses them from now on.
$JWT revoke "$J" edge-a && $JWT revoke "$J" col-a || fail "nats-jwt.py cannot revoke"
nats_node_reload 1
expect_refused revoked-edge "$J/edge-a.creds" "Authorization Violation"
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event nats \
	-E servers="$NATS_URLS" -E creds="$J/col-a.creds" --sink json -S path="$T/bad.json" \
	>/dev/null 2>"$T/err.col.revoked"
check_refused "collector, revoked" "Authorization Violation" "$T/err.col.revoked"

churn_to "$p2"
conns2=$conns
wait_handshakes "$p2" "$conns2"
assert_eq "handshakes to $p1 after the rotation" "$(handshakes "$p1")" "$conns1"
stop_capture
TA_PID=
grep -q 'lost 0 ' "$T/log" || { cat "$T/log" >&2; fail "the edge lost events"; }

# Every event of the rotated edge once in the stream, and in the collector.
nats_check dump TCP_AUDIT | awk -F'\t' '$4 == "rot-edge"' >"$T/dump"
E=$(awk -F'\t' '$3 == "event"' "$T/dump" | wc -l)
nats_assert_events "$T/dump" "$E"
wait_collected $((N + E))
nats_check acked TCP_AUDIT tcp-audit-collector 120 ||
	{ cat "$T/collector.log" >&2; fail "the collector does not acknowledge all it stored"; }
kill -TERM $COL_PID
rc=0
wait $COL_PID || rc=$?
COL_PID=
[ "$rc" -eq 0 ] || { cat "$T/collector.log" >&2; fail "the collector exited $rc"; }
# The revocation ended the collector's connection, and it connected again
# with its file read again; the edge had moved to its new user before.
grep -q "warning: nats: the servers $NATS_URLS ended the connection (User Authentication Revoked)" \
	"$T/collector.log" || { cat "$T/collector.log" >&2; fail "the revocation did not reach the collector"; }
assert_eq "collector reconnects" "$(grep -c "notice: nats: reconnected to $NATS_URLS" "$T/collector.log")" 1
assert_eq "edge connections ended" "$(grep -c 'ended the connection' "$T/log")" 0
event_lines_of "$T/out.json" | grep '"host":"rot-edge"' >"$T/rot"
assert_eq "rot-edge events collected" "$(wc -l <"$T/rot")" "$E"
sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/rot" | sort -n >"$T/seqs"
seq 1 "$E" >"$T/want"
cmp -s "$T/seqs" "$T/want" || fail "the collected seqs of rot-edge are not 1..$E once each"
assert_eq "rot-edge handshakes to $p2 collected" \
	"$(grep "\"dport\":$p2," "$T/rot" | grep -c '"oldstate":"SYN_SENT","newstate":"ESTABLISHED"' || true)" \
	"$conns2"
assert_eq "events collected in all" "$(events_in "$T/out.json")" $((N + E))

# 4. No SIGHUP: an edge whose user is revoked while it runs. libnats
# gives the connection up at the revocation; the edge's next publish (its
# end record, at SIGTERM) connects again with its file read again, which
# holds a new user by then.
$JWT user "$J" edge-c && $JWT user "$J" edge-d || fail "nats-jwt.py cannot make the users"
cp "$J/edge-c.creds" "$T/edge3.creds"
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --hostname hold-edge --state-dir "$T/edge3" \
	--event replay -E count=10 -E hold=yes --sink nats -S servers="$NATS_URLS" \
	-S creds="$T/edge3.creds" -S connect_timeout=20s 2>"$T/edge3.log" &
TA_PID=$!
hold_msgs() { nats_check dump TCP_AUDIT | awk -F'\t' '$4 == "hold-edge"' | wc -l; }
for _ in $(seq 1 600); do
	[ "$(hold_msgs)" -eq 11 ] && break
	kill -0 $TA_PID 2>/dev/null || { cat "$T/edge3.log" >&2; fail "the holding edge ended"; }
	sleep 0.1
done
assert_eq "the holding edge's messages" "$(hold_msgs)" 11
cp "$J/edge-d.creds" "$T/edge3.creds.new" && mv "$T/edge3.creds.new" "$T/edge3.creds"
$JWT revoke "$J" edge-c || fail "nats-jwt.py cannot revoke"
nats_node_reload 1
kill -TERM $TA_PID
rc=0
wait $TA_PID || rc=$?
TA_PID=
[ "$rc" -eq 0 ] || { cat "$T/edge3.log" >&2; fail "the holding edge exited $rc"; }
assert_eq "the holding edge's messages after its end" "$(hold_msgs)" 12
grep -q "warning: nats: the servers $NATS_URLS ended the connection (User Authentication Revoked)" \
	"$T/edge3.log" || { cat "$T/edge3.log" >&2; fail "the revocation did not reach the holding edge"; }
assert_eq "holding edge reconnects" "$(grep -c "notice: nats: reconnected to $NATS_URLS$" "$T/edge3.log")" 1

# No secret anywhere: no seed, no JWT, in any log or error.
for u in edge-a edge-b edge-c edge-d col-a col-b stranger; do
	seed=$($JWT seed "$J" $u)
	! grep -rqF "$seed" "$T"/*.log "$T"/err* || fail "the seed of $u is in a log"
done
! grep -rq 'eyJ0eXAi' "$T"/*.log "$T"/err* || fail "a JWT is in a log"
echo "$N events with creds, collected once; a stranger and a damaged seed refused (77);" \
	"rotation with SIGHUP and revocation: $conns1 + $conns2 handshakes, $E events once each" >&2
