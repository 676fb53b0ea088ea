#!/bin/sh
# Bad input to the nats sinker: each is one line naming the thing and the
# fix, with its own exit status (tcp-audit(8)), and no password in it.
# No server: 75; bad credentials: 77; the stream missing with
# create_stream=no: 69; bad options: 78.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
make_tmpdir
NATS_AUTH=edge:s3cret-pw
nats_cluster_start 3

expect() { # status pattern [options...]
	want=$1 pattern=$2
	shift 2
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --event replay -E count=10 --sink nats "$@" \
		>"$T/out" 2>"$T/err"
	[ "$rc" -eq "$want" ] || { cat "$T/err" >&2; fail "$pattern: exit $rc, expected $want"; }
	assert_eq "error lines for '$pattern'" "$(grep -c 'error' "$T/err")" 1
	grep -q -- "$pattern" "$T/err" || { cat "$T/err" >&2; fail "no '$pattern' in the error"; }
	! grep -q 's3cret\|wrong-pw' "$T/err" || fail "a password is in the error: $(cat "$T/err")"
}

free=$(nats_free_port)
expect 75 "cannot connect to nats://127.0.0.1:$free: .*check servers=" \
	-S servers=nats://127.0.0.1:$free
expect 77 "Authorization Violation (check user and password" \
	-S servers="$NATS_URLS" -S user=edge -S password=wrong-pw
expect 77 "Authorization Violation" -S servers="$NATS_URLS"
expect 69 "stream TCP_AUDIT does not exist on .*create_stream=yes" \
	-S servers="$NATS_URLS" -S user=edge -S password=s3cret-pw -S create_stream=no
expect 78 "not a nats:// or tls:// URL" -S servers=http://127.0.0.1:4222
expect 78 "a URL holds credentials" -S servers="nats://edge:s3cret@127.0.0.1:$free"
expect 78 "user= and password= go together" -S servers="$NATS_URLS" -S user=edge
expect 78 "one way to authenticate" -S servers="$NATS_URLS" -S token=t -S user=edge -S password=s3cret-pw
expect 78 "subject=a.\\*.b is not a subject prefix" -S servers="$NATS_URLS" -S 'subject=a.*.b'
expect 78 "creds=$T/none cannot be read" -S servers="$NATS_URLS" -S creds="$T/none"
expect 78 "with 9 replicas\|replicas" -S servers="$NATS_URLS" -S replicas=9

# Nothing was created by any of them: the stream still does not exist.
nats_check info TCP_AUDIT >/dev/null 2>&1 && fail "a failed start created the stream"

# The right password works, and the stream is made.
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --event replay -E count=10 --sink nats \
	-S servers="$NATS_URLS" -S user=edge -S password=s3cret-pw -S replicas=3 2>"$T/err"
[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "exit $rc with the right password"; }
assert_eq "messages" "$(nats_check info TCP_AUDIT | sed -n 's/^msgs //p')" 12
