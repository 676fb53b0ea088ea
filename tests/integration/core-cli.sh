#!/bin/bash
# The command line: help, version, usage errors, plugin errors, config
# errors, --check and --list-plugins, with their exact exit statuses.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd python3
make_tmpdir

# Run tcp-audit; $rc is its status, $T/out its stdout, $T/err its stderr.
ta() {
	run_tcp_audit "$@" >"$T/out" 2>"$T/err"
}

# Assert the status, and that stderr has a line with TEXT.
expect() {
	local want=$1 text=$2
	shift 2
	ta "$@"
	[ "$rc" = "$want" ] || { cat "$T/err" >&2; fail "tcp-audit $*: exit $rc, expected $want"; }
	[ -z "$text" ] || assert_has "$T/err" "$text"
}

# --help and --version go to stdout and exit 0.
expect 0 "" --help
assert_has "$T/out" "Usage: tcp-audit [OPTION]..."
for o in --event= --sink= --event-option= --sink-option= --plugin-dir= --list-plugins \
	--config= --check --queue-memory= --stats-interval= --shutdown-timeout= \
	--log-target= --log-level= --verbose --quiet --help --version; do
	assert_has "$T/out" "$o"
done
# The man page documents every long option that --help shows.
for o in $(grep -oE -- '--[a-z-]+' "$T/out" | sort -u); do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$top_srcdir/man/tcp-audit.8" ||
		fail "man/tcp-audit.8 does not document $o"
done
expect 0 "" -h
expect 0 "" --version
assert_eq "--version" "$(cat "$T/out")" "tcp-audit $(sed -n 's/^Version: //p' "$top_builddir/include/tcp-audit.pc") (plugin ABI $(sed -n 's/^abi_major=//p' "$top_builddir/include/tcp-audit.pc").$(sed -n 's/^abi_minor=//p' "$top_builddir/include/tcp-audit.pc"))"
expect 0 "" -V

# Usage errors: 64, a message naming the culprit, and a pointer to --help.
expect 64 "unrecognized option '--bogus'" --bogus
assert_eq "usage error lines" "$(wc -l <"$T/err")" 2
assert_has "$T/err" "Try 'tcp-audit --help' for more information."
expect 64 "unexpected argument 'extra'" -e replay extra
expect 64 "option value 'count' is not KEY=VALUE" -E count
expect 64 "--queue-memory: 'lots' is not a size (like 64M)" --queue-memory=lots
expect 64 "--shutdown-timeout: 'soon' is not a duration (like 10s)" --shutdown-timeout=soon
expect 64 "--log-target: 'syslog' is not auto, stderr or journal" --log-target=syslog
expect 64 "--log-level: 'loud' is not error, warning, notice, info or debug" --log-level=loud
expect 64 "option requires an argument -- 'e'" -e

# Plugin errors: 69.
expect 69 "plugin $PD/nosuch.so does not exist; install the package tcp-audit-nosuch (or give a path; see 'tcp-audit --list-plugins')" \
	-e replay -E count=1 -s nosuch
expect 69 "plugin $T/none.so does not exist (give the path of a plugin file)" \
	-e replay -E count=1 -s "$T/none.so"
# A truncated plugin: one line, not SIGBUS (exit 135) when dlopen maps it.
head -c 8192 "$PD/json.so" >"$T/cut.so"
expect 69 "plugin $T/cut.so is not a usable shared object: a segment lies past its end (8192 bytes; truncated? reinstall it)" \
	-e replay -E count=1 -s "$T/cut.so"
# A FIFO: refused at once, not waited on.
mkfifo "$T/fifo.so"
expect 69 "plugin $T/fifo.so is not a regular file" -e replay -E count=1 -s "$T/fifo.so"
expect 69 "plugin $TP/badabi.so was built for plugin ABI 100.0, but this tcp-audit" \
	-e replay -E count=1 -s "$TP/badabi.so"
assert_has "$T/err" "loads ABI 2.x plugins (2.$(sed -n 's/^abi_minor=//p' "$top_builddir/include/tcp-audit.pc") here); rebuild the plugin against this version's <tcp-audit/plugin.h>"
# A plugin of ABI 1, the last major version: both versions are named.
expect 69 "plugin $TP/abi1.so was built for plugin ABI 1.0, but this tcp-audit" \
	-e replay -E count=1 -s "$TP/abi1.so"
# One of an older minor version of ABI 2 loads and runs.
expect 0 "capturing: eventer 'replay' -> sinker 'oldminor'" -e replay -E count=10 -s "$TP/oldminor.so"
expect 69 "$TP/notplugin.so is not a tcp-audit plugin: it has no 'tcp_audit_plugin' symbol" \
	-e replay -E count=1 -s "$TP/notplugin.so"
expect 69 "plugin 'replay' ($PD/replay.so) is an eventer, not a sinker; give it to --event" \
	-e replay -E count=1 -s replay
expect 69 "plugin 'json' ($PD/json.so) is a sinker, not an eventer; give it to --sink" \
	-e json -s null
printf 'not an ELF\n' >"$T/junk.so"
expect 69 "plugin $T/junk.so is not a usable shared object: it is shorter than an ELF header (11 bytes; truncated? reinstall it)" \
	-e replay -E count=1 -s "$T/junk.so"

# Config file errors.
expect 66 "cannot read config file $T/missing.conf (give an existing file to --config)" \
	-c "$T/missing.conf" -e replay -E count=1 -s null
printf '[tcp-audit]\nsink = null\nthis line is wrong\n' >"$T/syntax.conf"
expect 78 "error: $T/syntax.conf:3: syntax error (expected [section] or key = value)" \
	-c "$T/syntax.conf"
printf '[tcp-audit]\nsink = null\ncolour = blue\n' >"$T/key.conf"
expect 78 "$T/key.conf:3: unknown setting 'colour' in [tcp-audit]" -c "$T/key.conf"
printf '[tcp-audit]\nqueue_memory = lots\n' >"$T/value.conf"
expect 78 "$T/value.conf:2: bad value 'lots' for 'queue_memory' in [tcp-audit]" -c "$T/value.conf"
printf 'sink = null\n' >"$T/nosection.conf"
expect 78 "$T/nosection.conf:1: 'sink' is outside any section" -c "$T/nosection.conf"
# What is not a regular file: refused at once, not read as empty or for ever.
expect 66 "config file $T is a directory; give a regular file to --config" \
	-c "$T" -e replay -E count=1 -s null --check
expect 66 "config file /dev/zero is not a regular file; give a regular file to --config" \
	-c /dev/zero -e replay -E count=1 -s null --check
mkfifo "$T/fifo.conf"
expect 66 "config file $T/fifo.conf is not a regular file" -c "$T/fifo.conf" --check
# A line too long for the parser: its tail is not read as a setting.
{ printf '[tcp-audit]\n# %0197d' 0; printf 'sink = null\n'; } >"$T/long.conf"
expect 78 "$T/long.conf:2: the line is longer than 198 bytes; shorten it" \
	-c "$T/long.conf" -e replay -E count=1 --check
# Decimal only; a timeout that would wrap the clock is refused.
expect 78 "replay: option count=0x10 (from command line) is not an integer" \
	-e replay -E count=0x10 -s null
expect 64 "--shutdown-timeout: '18446744073709551615ms' is not a duration" \
	--shutdown-timeout=18446744073709551615ms

# Plugin options: an unknown one names itself, where it came from, and the
# options the plugin knows; a bad value names the expected type.
expect 78 "replay: unknown option 'speed' (from command line); eventer 'replay' knows: count, path, rate, lose_every, hold" \
	-e replay -E count=1 -E speed=9 -s null
expect 78 "json: unknown option 'colour' (from command line); sinker 'json' knows: path" \
	-e replay -E count=1 -s json -S colour=red
printf '[replay]\ncount = 1\nspeed = 9\n' >"$T/opt.conf"
expect 78 "replay: unknown option 'speed' (from $T/opt.conf [replay]); eventer 'replay' knows:" \
	-c "$T/opt.conf" -e replay -s null
expect 78 "replay: option count=many (from command line) is not an integer" \
	-e replay -E count=many -s null
expect 78 "replay: option hold=maybe (from command line) is not yes or no" \
	-e replay -E count=1 -E hold=maybe -s null
expect 78 "replay: option rate=-5 (from command line) is out of range; give 0..100000000" \
	-e replay -E count=1 -E rate=-5 -s null
# A plugin's own check in open(): EINVAL is a config error too.
expect 78 "replay: give exactly one of count=N (synthetic events) or path=FILE" -e replay -s null
expect 78 "cannot set up the queue (--queue-memory 100)" -e replay -E count=1 -s null --queue-memory=100

# Bad replay data stops the run (74) at its line, within bounded memory.
printf -- '-1\t7\t1\tx\tipv4\t1.2.3.4\t1\t1.2.3.5\t2\tLISTEN\tSYN_RECV\n' >"$T/neg.tsv"
expect 74 "replay: $T/neg.tsv:1: bad time_ns" -e replay -E path="$T/neg.tsv" -s null
expect 74 "replay: /dev/zero:1: a NUL byte (is this a text file?)" -e replay -E path=/dev/zero -s null
head -c 100000 /dev/zero | tr '\0' 1 >"$T/long.tsv"
expect 74 "replay: $T/long.tsv:1: the line is longer than 4095 bytes (is this the right file?)" \
	-e replay -E path="$T/long.tsv" -s null

# --check: opens both plugins, prints what it would do, exits 0...
expect 0 "" --check -e replay -E count=7 -s json -S path="$T/check.json"
assert_has "$T/out" "configuration OK"
assert_has "$T/out" "  eventer: replay "
assert_has "$T/out" "($PD/replay.so)"
assert_has "$T/out" "    count = 7"
assert_has "$T/out" "  sinker: json "
assert_has "$T/out" "    path = $T/check.json"
assert_has "$T/out" "  queue memory: 16777216 bytes; shutdown timeout: 10000 ms"
[ ! -s "$T/check.json" ] || fail "--check wrote events"
# ...and fails exactly as a real run would.
for args in "-e replay -E count=1 -s nosuch" "-e replay -E count=1 -s $TP/badabi.so" \
	"-e replay -E count=1 -E speed=9 -s null" "-e replay -s null" "-c $T/syntax.conf" \
	"-c $T/missing.conf -e replay -E count=1 -s null" \
	"-e replay -E count=1 -s json -S path=$T/no/such/dir/x.json"; do
	# shellcheck disable=SC2086
	ta $args
	real=$rc
	# shellcheck disable=SC2086
	ta --check $args
	assert_eq "--check $args" "$rc" "$real"
	[ "$rc" != 0 ] || fail "tcp-audit $args succeeded"
done
assert_has "$T/err" "cannot open $T/no/such/dir/x.json for appending"

# --list-plugins: kind, version and description of each plugin.
expect 0 "" --list-plugins
version=$(sed -n 's/^Version: //p' "$top_builddir/include/tcp-audit.pc")
assert_has "$T/out" "Plugins in $PD:"
for p in "json sinker" "text sinker" "null sinker" "replay eventer"; do
	grep -Eq "^${p% *} +${p#* } +$version +[A-Z]" "$T/out" || { cat "$T/out"; fail "no line for $p"; }
done
assert_has "$T/out" "Events, gaps, runs and names as JSON Lines (one object each) to stdout or a file"
grep -q "^    count " "$T/out" && fail "--list-plugins without -v shows options"
expect 0 "" --list-plugins -v
grep -Eq '^    count +integer +default: 0 +make this many synthetic events$' "$T/out" ||
	fail "--list-plugins -v does not show replay's count option"
grep -Eq '^    header +bool +default: yes ' "$T/out" || fail "--list-plugins -v lacks text's header"
expect 69 "cannot list plugin directory $T/nodir (give another with --plugin-dir)" -l -P "$T/nodir"
exit 0
