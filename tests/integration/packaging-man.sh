#!/bin/bash
# The man pages: every page in man/ is lint-clean, every long option of
# --help is in tcp-audit(8), every option of every built plugin is in its
# section of tcp-audit.conf(5), every key of [tcp-audit] too, and the
# example of tcp-audit-plugin(3) is tests/example-plugin/example.c and
# compiles against the header.
. "$TESTS_LIB/common.sh"
require_cmd mandoc
make_tmpdir

man="$top_srcdir/man"
render() { mandoc -Tascii "$1" | col -b; }

# 1. mandoc -Tlint with every warning level says nothing.
n=0
lint=""
for page in "$man"/*.[1-8]; do
	out=$(mandoc -Tlint -Wall "$page" 2>&1) || true
	[ -z "$out" ] || lint+="$out"$'\n'
	n=$((n + 1))
done
[ -z "$lint" ] || fail "mandoc -Tlint is not clean:"$'\n'"$lint"
[ "$n" -ge 4 ] || fail "only $n man pages in $man"

# 2. Every long option that --help prints is in tcp-audit(8).
render "$man/tcp-audit.8" > "$T/tcp-audit.8.txt"
"$TCP_AUDIT" --help > "$T/help"
opts=$(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u)
[ "$(printf '%s\n' "$opts" | wc -l)" -ge 10 ] || fail "too few options in --help: $opts"
for o in $opts; do
	grep -qE -- "$o([^a-z-]|\$)" "$T/tcp-audit.8.txt" || fail "tcp-audit(8) does not mention $o"
done

# 3. Every option of every plugin of this build is in its [section] of
#    tcp-audit.conf(5) ("NAME (type...)" items under "[plugin]").
render "$man/tcp-audit.conf.5" > "$T/conf.txt"
in_section() { # plugin key
	awk -v sec="[$1]" -v key="$2" '
		/^[A-Z]/ || /^   \[/ { on = index($0, sec) > 0; next }
		on && $1 == key && $2 ~ /^\(/ { found = 1 }
		END { exit !found }' "$T/conf.txt"
}
"$TCP_AUDIT" --list-plugins -v -P "$TCP_AUDIT_PLUGIN_DIR" > "$T/plugins"
plugins=0
options=0
while IFS= read -r line; do
	case $line in
	"Plugins in "* | "NAME "*) continue ;;
	"    "*)
		key=$(printf '%s\n' "$line" | awk '{ print $1 }')
		in_section "$plugin" "$key" ||
			fail "tcp-audit.conf(5) does not describe option '$key' in its [$plugin] section"
		options=$((options + 1)) ;;
	*)
		plugin=${line%% *}
		grep -qE "^   \\[$plugin\\]" "$T/conf.txt" ||
			fail "tcp-audit.conf(5) has no [$plugin] section"
		plugins=$((plugins + 1)) ;;
	esac
done < "$T/plugins"
[ "$plugins" -ge 4 ] || fail "only $plugins plugins listed: $(cat "$T/plugins")"
echo "$plugins plugins, $options options documented"

# 4. Every key of [tcp-audit], as the processor lists them in its error.
printf '[tcp-audit]\nno_such_key = 1\n' > "$T/bad.conf"
run_tcp_audit --config "$T/bad.conf" --check 2> "$T/err"
known=$(sed -n 's/.*(known: \(.*\)).*/\1/p' "$T/err" | tr -d ',')
[ -n "$known" ] || fail "no list of known keys in: $(cat "$T/err")"
for key in $known; do
	in_section tcp-audit "$key" || fail "tcp-audit.conf(5) does not describe [tcp-audit] $key"
done

# 5. tcp-audit-plugin(3)'s example is the example plugin, and compiles.
awk '/^The source:$/ { src = 1; next } src && /^\.EX$/ { on = 1; next }
	on && /^\.EE$/ { exit } on' "$man/tcp-audit-plugin.3" |
	sed -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/^\\&//' -e 's/\\e/\\/g' > "$T/example.c"
diff -u "$top_srcdir/tests/example-plugin/example.c" "$T/example.c" ||
	fail "the example in tcp-audit-plugin(3) differs from tests/example-plugin/example.c"
${CC:-cc} -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
	-I"$top_srcdir/include" -o "$T/example.so" "$T/example.c" ||
	fail "the example in tcp-audit-plugin(3) does not compile"
"$TCP_AUDIT" --list-plugins -P "$T" | grep -q '^example  *sinker' ||
	fail "the example plugin does not load"
