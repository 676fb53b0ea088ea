#!/bin/sh
# TLS end to end: a nats-server that speaks only TLS on its client port and
# verifies clients (verify: true) against a CA this test makes, and asks
# for a user and password besides. An edge publishes N replay events over
# tls:// with the CA, a client certificate and the user; the collector
# reads them with the same options into the json sink: exactly N events,
# each once, under the edge's host. Without the client certificate, with
# one of another CA, or trusting another CA, the sinker and the collector
# each fail at start with 77 and one error line whose reason begins with
# "TLS:" (tcp-audit-nats(7), ERRORS), and no password in it. Then the
# same over TLS with a token instead of the user, and SIGHUP reading the
# client certificate files again (tcp-audit-nats(7), SIGNALS).
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
. "$TESTS_LIB/nats-events.sh"
[ -e "$TCP_AUDIT_PLUGIN_DIR/nats-eventer.so" ] || skip "the nats plugins are not built"
make_tmpdir
nats_tls_certs "$T/tls"
# Another CA, with a client certificate of its own: valid, but not the
# server's.
nats_tls_certs "$T/other"
NATS_TLS=$T/tls
NATS_AUTH=edge:s3cret-pw
nats_cluster_start 1
case $NATS_URLS in tls://*) ;; *) fail "the URLs are not tls://: $NATS_URLS" ;; esac
trap 'for p in ${COL_PID:-} ${TA_PID:-}; do kill -9 "$p" 2>/dev/null || true; done
	nats_cluster_stop; rm -rf "$T"' EXIT

D=$T/tls
N=5000
AUTH="user=edge password=s3cret-pw"
# The same options for the sinker (-S) and the eventer (-E).
opts() { # -S|-E ca cert key
	o=$1
	echo "$o servers=$NATS_URLS $o tls_ca=$2"
	[ -z "$3" ] || echo "$o tls_cert=$3 $o tls_key=$4"
	for a in $AUTH; do echo "$o $a"; done
}

# The edge: N events over TLS, into a stream it creates.
# shellcheck disable=SC2046 # the options are words without blanks
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --hostname tls-edge --state-dir "$T/edge" \
	--event replay -E count=$N --sink nats $(opts -S "$D/ca.pem" "$D/client.pem" "$D/client.key") \
	-S replicas=1 2>"$T/edge.log"
[ "$rc" -eq 0 ] || { cat "$T/edge.log" >&2; fail "the edge exited $rc over TLS"; }
grep -q "on tls://" "$T/edge.log" || { cat "$T/edge.log" >&2; fail "the edge did not publish on tls://"; }
nats_wait_msgs TCP_AUDIT $((N + 2))
assert_eq "stream messages" "$(nats_stream_msgs TCP_AUDIT)" $((N + 2))

# The collector, over TLS too, into the json sink, until it has all N.
# shellcheck disable=SC2046
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --hostname collector --state-dir "$T/collector" \
	--event nats $(opts -E "$D/ca.pem" "$D/client.pem" "$D/client.key") \
	--sink json -S path="$T/out.json" 2>"$T/collector.log" &
COL_PID=$!
for _ in $(seq 1 1200); do
	[ "$(events_in "$T/out.json")" -ge $N ] && break
	kill -0 $COL_PID 2>/dev/null || { cat "$T/collector.log" >&2; fail "the collector ended"; }
	sleep 0.1
done
# While it runs, it acknowledges every message it stored, the last (the
# edge's end record) too, and not only at its exit.
nats_check acked TCP_AUDIT tcp-audit-collector 120 ||
	{ cat "$T/collector.log" >&2; fail "the collector does not acknowledge all it stored"; }
kill -TERM $COL_PID
rc=0
wait $COL_PID || rc=$?
COL_PID=
[ "$rc" -eq 0 ] || { cat "$T/collector.log" >&2; fail "the collector exited $rc"; }
event_lines_of "$T/out.json" >"$T/events"
assert_eq "events collected" "$(wc -l <"$T/events")" $N
assert_eq "events not of tls-edge" "$(grep -vc '"host":"tls-edge"' "$T/events" || true)" 0
sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$T/events" | sort -n >"$T/seqs"
seq 1 $N >"$T/want"
cmp -s "$T/seqs" "$T/want" || fail "the collected seqs are not 1..$N once each"
assert_eq "the edge's end record" \
	"$(grep -c '"type":"run","host":"tls-edge".*"state":"clean"' "$T/out.json")" 1
# A relayed record is stored after the events handed over ahead of it:
# the end record of the run comes after its last event.
end_at=$(grep -n '"type":"run","host":"tls-edge".*"state":"clean"' "$T/out.json" | cut -d: -f1)
last_at=$(grep -n '"host":"tls-edge"' "$T/out.json" | grep -v '"type":' | tail -1 | cut -d: -f1)
[ "$end_at" -gt "$last_at" ] ||
	fail "the edge's end record (line $end_at) was stored before its last event (line $last_at)"

# What fails: each is 77 and one line naming TLS, for the sinker and the
# collector alike; the stream keeps what it had.
expect_tls() { # what ca cert key
	what=$1
	shift
	# shellcheck disable=SC2046
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event replay -E count=10 \
		--sink nats $(opts -S "$@") >/dev/null 2>"$T/err"
	check_tls_error "sinker, $what"
	# shellcheck disable=SC2046
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event nats \
		$(opts -E "$@") --sink json -S path="$T/bad.json" >/dev/null 2>"$T/err"
	check_tls_error "collector, $what"
}
check_tls_error() {
	[ "$rc" -eq 77 ] || { cat "$T/err" >&2; fail "$1: exit $rc, expected 77"; }
	assert_eq "$1: error lines" "$(grep -c 'error' "$T/err")" 1
	grep -q "error: nats.*: TLS: .*tls_ca, tls_cert" "$T/err" ||
		{ cat "$T/err" >&2; fail "$1: the error does not name TLS and its options"; }
	! grep -q 's3cret' "$T/err" || fail "$1: a password is in the error: $(cat "$T/err")"
}
expect_tls "no client certificate" "$D/ca.pem" "" ""
expect_tls "a client certificate of another CA" "$D/ca.pem" "$T/other/client.pem" "$T/other/client.key"
expect_tls "another CA trusted" "$T/other/ca.pem" "$D/client.pem" "$D/client.key"
# A wrong password over a good TLS session is the authorization's, not TLS's.
AUTH="user=edge password=wrong-pw"
# shellcheck disable=SC2046
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event replay -E count=10 \
	--sink nats $(opts -S "$D/ca.pem" "$D/client.pem" "$D/client.key") >/dev/null 2>"$T/err"
[ "$rc" -eq 77 ] || { cat "$T/err" >&2; fail "wrong password over TLS: exit $rc, expected 77"; }
grep -q "Authorization Violation" "$T/err" || { cat "$T/err" >&2; fail "wrong password: not named"; }
! grep -q "TLS:" "$T/err" || { cat "$T/err" >&2; fail "a wrong password is named as TLS"; }
assert_eq "stream messages after the failures" "$(nats_stream_msgs TCP_AUDIT)" $((N + 2))

# A token instead of the user, over the same TLS: the node comes back
# with the same store and a token, and 10 more events reach the stream.
NATS_AUTH=
NATS_TOKEN=s3cret-token
nats_node_stop 1
nats_node_config 1
nats_check_urls
nats_node_start 1
nats_wait_msgs TCP_AUDIT $((N + 2))
AUTH="token=s3cret-token"
# shellcheck disable=SC2046
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --hostname tls-edge-2 --state-dir "$T/edge2" \
	--event replay -E count=10 --sink nats $(opts -S "$D/ca.pem" "$D/client.pem" "$D/client.key") \
	2>"$T/edge2.log"
[ "$rc" -eq 0 ] || { cat "$T/edge2.log" >&2; fail "the edge exited $rc with a token over TLS"; }
! grep -q 's3cret' "$T/edge2.log" || fail "the token is in the log"
assert_eq "stream messages with the token's" "$(nats_stream_msgs TCP_AUDIT)" $((N + 14))
AUTH="token=wrong-token"
# shellcheck disable=SC2046
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --state-dir "$T/bad" --event replay -E count=10 \
	--sink nats $(opts -S "$D/ca.pem" "$D/client.pem" "$D/client.key") >/dev/null 2>"$T/err"
[ "$rc" -eq 77 ] || { cat "$T/err" >&2; fail "wrong token over TLS: exit $rc, expected 77"; }
! grep -q 'wrong-token\|TLS:' "$T/err" || { cat "$T/err" >&2; fail "wrong token: shown, or named TLS"; }
# SIGHUP reads the TLS files again: a running edge whose client
# certificate files now hold one of another CA fails to reconnect and
# stays on its connection; with its own again, it reconnects.
AUTH="token=s3cret-token"
mkdir "$T/rot"
cp "$D/client.pem" "$D/client.key" "$T/rot/"
# shellcheck disable=SC2046
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" --hostname tls-edge-3 --state-dir "$T/edge3" \
	--event replay -E count=10 -E hold=yes \
	--sink nats $(opts -S "$D/ca.pem" "$T/rot/client.pem" "$T/rot/client.key") \
	-S connect_timeout=20s 2>"$T/edge3.log" &
TA_PID=$!
wait_log "$T/edge3.log" "replayed 10 events"
cp "$T/other/client.pem" "$T/other/client.key" "$T/rot/"
kill -HUP $TA_PID
wait_log "$T/edge3.log" "SIGHUP: reopening the output failed"
grep -q "error: nats: cannot connect to .* files read again: TLS: .*the current connection stays" \
	"$T/edge3.log" || { cat "$T/edge3.log" >&2; fail "SIGHUP did not read the TLS files again"; }
cp "$D/client.pem" "$D/client.key" "$T/rot/"
kill -HUP $TA_PID
wait_log "$T/edge3.log" "SIGHUP: sinker 'nats' reopened"
kill -TERM $TA_PID
rc=0
wait $TA_PID || rc=$?
TA_PID=
[ "$rc" -eq 0 ] || { cat "$T/edge3.log" >&2; fail "the edge exited $rc after SIGHUP"; }
assert_eq "stream messages after the SIGHUPs" "$(nats_stream_msgs TCP_AUDIT)" $((N + 26))
! grep -q 's3cret' "$T/edge3.log" || fail "the token is in the log"
echo "$N events over mutual TLS, collected once each; 10 more with a token; three bad TLS" \
	"setups, a bad password and a bad token refused with 77; TLS files read again at SIGHUP" >&2
