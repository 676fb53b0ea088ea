#!/bin/bash
# No leaks and no memory errors: replay -> json and replay -> null, a
# config error, --check and --list-plugins, name records, under valgrind's
# memcheck.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd valgrind
make_tmpdir

# tcp-audit links libtool convenience libraries only, so it is a real
# executable; should a libtool wrapper script ever stand in its place, run
# the binary through libtool.
run_vg=()
if ! head -c 4 "$TCP_AUDIT" | grep -q ELF; then
	require_cmd libtool
	run_vg=(libtool --mode=execute)
fi
bin=$TCP_AUDIT
[ "${#run_vg[@]}" -eq 0 ] || bin=$(dirname "$TCP_AUDIT")/.libs/$(basename "$TCP_AUDIT")
# ASan and valgrind do not mix: a sanitizer build is checked by ASan itself.
if ldd "$bin" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan)' || nm "$bin" 2>/dev/null | grep -q '__asan_init'; then
	skip "tcp-audit is built with -fsanitize; valgrind cannot run it (the sanitizers check this build)"
fi

vg() {
	local name=$1
	shift
	rc=0
	"${run_vg[@]}" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$T/vg-$name.log" \
		"$TCP_AUDIT" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	if [ "$rc" = 99 ] || [ -s "$T/vg-$name.log" ]; then
		cat "$T/vg-$name.log" >&2
		fail "valgrind found errors in: tcp-audit $*"
	fi
}

vg json -e replay -E count=3000 -s json
assert_eq "exit status (json)" "$rc" 0
assert_eq "events (json)" "$(events_in "$T/json.out")" 3000

vg null -e replay -E count=3000 -s null
assert_eq "exit status (null)" "$rc" 0
assert_has "$T/null.err" "stats: read 3000, written 3000 in "

vg tsv -e replay -E path="$top_srcdir/tests/integration/core-lib.sh" -s text
assert_eq "exit status (a file that is not TSV)" "$rc" 74

vg badopt -e replay -E count=1 -E speed=9 -s json -S path="$T/x.json"
assert_eq "exit status (unknown option)" "$rc" 78

vg badabi -e replay -E count=1 -s "$TP/badabi.so"
assert_eq "exit status (ABI)" "$rc" 69

vg check --check -e replay -E count=1 -s json -S path="$T/x.json"
assert_eq "exit status (--check)" "$rc" 0

vg list --list-plugins -v
assert_eq "exit status (--list-plugins)" "$rc" 0

# Name records: their copied texts are freed, stored or not, and through
# the spool (the store down at exit, then a run that replays them).
vg names -e "$TP/namesev.so" -E events=3000 -E every=100 -E bad=kind -s json
assert_eq "exit status (names)" "$rc" 0
assert_eq "name lines (names)" "$(grep -c '"type":"name"' "$T/names.out")" 30
vg unkept -e "$TP/namesev.so" -E events=3000 -E every=100 -s "$TP/oldminor.so"
assert_eq "exit status (names not kept)" "$rc" 0
touch "$T/down"
vg spooled -e "$TP/namesev.so" -E events=3000 -E every=100 -s "$TP/flaky.so" -S path="$T/n1.out" \
	-S down_while="$T/down" --shutdown-timeout=500ms
assert_eq "exit status (names spooled)" "$rc" 0
rm "$T/down"
vg replayed -e "$TP/namesev.so" -E events=10 -s "$TP/flaky.so" -S path="$T/n2.out"
assert_eq "exit status (names replayed)" "$rc" 0
assert_eq "names replayed" "$(grep -c '^name ' "$T/n2.out")" 31

# Stopped by a signal while holding, and with a store that is down.
touch "$T/down"
"${run_vg[@]}" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$T/vg-sig.log" \
	"$TCP_AUDIT" -e replay -E count=2000 -E hold=yes -s "$TP/flaky.so" -S path="$T/f.out" \
	-S down_while="$T/down" 2>"$T/log" &
pid=$!
trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$T"' EXIT
wait_for "$T/log" "replayed 2000 events; holding until stopped"
rm "$T/down"
wait_lines "$T/f.out" 2000
kill -TERM "$pid"
wait_tcp_audit
[ ! -s "$T/vg-sig.log" ] || { cat "$T/vg-sig.log" >&2; fail "valgrind found errors after SIGTERM"; }
assert_eq "exit status (SIGTERM under valgrind)" "$rc" 0
exit 0
