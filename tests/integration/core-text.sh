#!/bin/bash
# The text sinker prints aligned columns under a header, and is what an
# interactive tcp-audit prints with no sink chosen; anything else gets JSON.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd script python3
make_tmpdir

printf '1700000000123456789\t42\t4242\tcurl\tipv4\t127.0.0.1\t5000\t127.0.0.1\t80\tSYN_SENT\tESTABLISHED\n' >"$T/e.tsv"
printf '1700000000000000001\t43\t-\t-\tipv6\t2001:db8::1234:5678\t6000\t::1\t443\tESTABLISHED\tFIN_WAIT1\n' >>"$T/e.tsv"
printf '1700000000000000002\t44\t7\tta\\tb\\x1b[31m\tipv4\t10.0.0.1\t1\t10.0.0.2\t2\tCLOSE\tLISTEN\n' >>"$T/e.tsv"

run_tcp_audit -e replay -E path="$T/e.tsv" -s text >"$T/out" 2>"$T/log"
assert_eq "exit status" "$rc" 0
cat >"$T/want" <<'W'
TIME(UTC)                      PID     COMM            LADDR           LPORT RADDR           RPORT OLDSTATE -> NEWSTATE
2023-11-14T22:13:20.123456789Z 4242    curl            127.0.0.1       5000  127.0.0.1       80    SYN_SENT -> ESTABLISHED
2023-11-14T22:13:20.000000001Z -       -               2001:db8::1234:5678 6000  ::1             443   ESTABLISHED -> FIN_WAIT1
2023-11-14T22:13:20.000000002Z 7       ta\tb\u001b[31m 10.0.0.1        1     10.0.0.2        2     CLOSE -> LISTEN
W
event_lines_of "$T/out" | diff -u "$T/want" - || fail "text output differs"
# The run's start and its clean end, each on a line of its own.
grep -Eq '^# .* RUN [0-9]+ on .*: running, last seq 0, after run [0-9]+$' "$T/out" || fail "no run start line"
grep -Eq '^# .* RUN [0-9]+ on .*: clean, last seq 3, after run [0-9]+$' "$T/out" || fail "no run end line"
# Columns line up under the header (for values that fit their column).
python3 - "$T/out" <<'PY'
import sys
head, first = [l for l in open(sys.argv[1]).read().splitlines() if not l.startswith("# ")][:2]
for col in ("PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE"):
    at = head.index(col)
    assert first[at - 1] == " " and first[at] != " ", (col, first)
PY

# header=no, and a file via path=.
run_tcp_audit -e replay -E path="$T/e.tsv" -s text -S header=no -S path="$T/t.txt" 2>"$T/log"
assert_eq "exit status (file)" "$rc" 0
tail -n 3 "$T/want" | diff -u - <(event_lines_of "$T/t.txt") || fail "text file output differs"

# No sink anywhere: a pipe or a file gets JSON Lines...
# (-c /dev/null: an empty config, whatever the machine has installed.)
run_tcp_audit -c /dev/null -e replay -E count=2 >"$T/default.out" 2>"$T/log"
assert_eq "exit status (no sink, file)" "$rc" 0
assert_eq "default sink to a file" "$(event_lines_of "$T/default.out" | head -c 9)" '{"time":"'
assert_eq "events to a file" "$(events_in "$T/default.out")" 2
# ...and a terminal gets the text columns.
script -qec "'$TCP_AUDIT' -c /dev/null -e replay -E count=2 -q" /dev/null >"$T/tty.out" </dev/null
tr -d '\r' <"$T/tty.out" >"$T/tty.txt"
assert_eq "default sink on a terminal" "$(head -n 1 "$T/tty.txt")" "$(head -n 1 "$T/want")"
assert_eq "events on a terminal" "$(grep -c '^2026-01-01T00:00:00.00000[01]000Z ' "$T/tty.txt")" 2
exit 0
