#!/bin/bash
# The files the sinkers create hold who talked to whom: the sqlite database
# with its -wal and -shm, and the json and text outputs, are created 0640
# whatever the umask and whether their directory existed or not (new
# directories 0750); a file that exists keeps its mode. A database that
# cannot be opened for lack of permission exits 77, as tcp-audit(8) says.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_root
require_cmd runuser
make_tmpdir
chmod 755 "$T"

mode_of() {
	stat -c %a "$1"
}

for mask in 022 000; do
	# A directory that exists, and one that tcp-audit makes.
	mkdir -p "$T/$mask/old"
	for db in "$T/$mask/old/a.db" "$T/$mask/new/sub/a.db"; do
		(
			umask "$mask"
			exec "$TCP_AUDIT" -P "$PD" -e replay -E count=5 -E hold=yes -s sqlite -S path="$db"
		) 2>"$T/log" &
		pid=$!
		trap '[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true; rm -rf "$T"' EXIT
		wait_for "$T/log" "replay: replayed 5 events; holding until stopped"
		wait_for "$T/log" "sinker 'sqlite'|capturing"
		# While it runs: the WAL files are there.
		for f in "$db" "$db-wal" "$db-shm"; do
			[ -e "$f" ] || fail "umask $mask: $f does not exist while running"
			assert_eq "umask $mask: mode of $f" "$(mode_of "$f")" 640
		done
		kill -TERM "$pid"
		wait_tcp_audit
		assert_eq "umask $mask: exit status ($db)" "$rc" 0
	done
	assert_eq "umask $mask: mode of a new directory" "$(mode_of "$T/$mask/new/sub")" 750

	for sink in json text; do
		out=$T/$mask/old/out.$sink
		(umask "$mask"; exec "$TCP_AUDIT" -P "$PD" -e replay -E count=3 -s "$sink" -S path="$out") 2>"$T/log" ||
			{ cat "$T/log" >&2; fail "umask $mask: the $sink sinker failed"; }
		assert_eq "umask $mask: mode of the $sink output" "$(mode_of "$out")" 640
		assert_eq "umask $mask: $sink events" "$(grep -c '192\.0\.2\.' "$out")" 3
	done
done

# A file that exists keeps the mode its owner gave it.
: >"$T/mine.json"
chmod 600 "$T/mine.json"
run_tcp_audit -P "$PD" -e replay -E count=1 -s json -S path="$T/mine.json" 2>"$T/log"
assert_eq "exit status, existing file" "$rc" 0
assert_eq "mode of an existing file" "$(mode_of "$T/mine.json")" 600

# Permission denied: 77, not 74. Root is never denied, so as nobody.
mkdir "$T/closed"
chmod 755 "$T/closed"
rc=0
runuser -u nobody -- "$TCP_AUDIT" -P "$PD" -e replay -E count=1 -s sqlite -S path="$T/closed/a.db" \
	--check 2>"$T/err" || rc=$?
assert_eq "exit status, sqlite without permission" "$rc" 77
assert_has "$T/err" "sqlite: cannot open the database $T/closed/a.db: cannot create or open $T/closed/a.db (make the file, its directory and its mount writable): Permission denied"
echo ok
