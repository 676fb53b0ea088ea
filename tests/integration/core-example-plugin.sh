#!/bin/bash
# A third party builds a plugin out of tree: install this build into a
# scratch root, build tests/example-plugin with nothing but
# "pkg-config --cflags --libs tcp-audit" pointed at it, and run the
# installed tcp-audit with that plugin, by path and by name.
. "$TESTS_LIB/common.sh"
. "$top_srcdir/tests/integration/core-lib.sh"
require_cmd pkg-config "${CC:-cc}" make
make_tmpdir
chmod 755 "$T"

# The sub-make must not inherit the running "make check"'s variables.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TESTS ${MAKE:-make} -s -C "$top_builddir" install \
	DESTDIR="$T/root" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "make install failed"; }

pc=$(find "$T/root" -name tcp-audit.pc)
[ -n "$pc" ] || fail "make install did not install tcp-audit.pc"
sbin=$(find "$T/root" -name tcp-audit -type f -perm -u+x)
plugindir=$(dirname "$(find "$T/root" -name json.so)")
if [ -z "$sbin" ] || [ ! -f "$plugindir/json.so" ]; then
	fail "make install did not install tcp-audit and its plugins"
fi

PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR=$T/root
header=$(find "$T/root" -name plugin.h -path '*/tcp-audit/plugin.h')
includedir=$(dirname "$(dirname "$header")")
assert_eq "pkg-config --cflags" "$(pkg-config --cflags tcp-audit | sed 's/ *$//')" "-I$includedir"
"$sbin" --version >"$T/version"
assert_eq "pkg-config --modversion" "tcp-audit $(pkg-config --modversion tcp-audit) (plugin ABI $(pkg-config --variable=abi_major tcp-audit).$(pkg-config --variable=abi_minor tcp-audit))" "$(cat "$T/version")"
# pkgconf puts the sysroot before a variable that is a path, pkg-config not.
pcplugindir=$(pkg-config --variable=plugindir tcp-audit)
[ "$pcplugindir" = "$plugindir" ] || [ "$T/root$pcplugindir" = "$plugindir" ] ||
	fail "plugindir in tcp-audit.pc is $pcplugindir, plugins are in $plugindir"

# Build it as a third party would: a copy of the directory, its Makefile.
cp -r "$top_srcdir/tests/example-plugin" "$T/ex"
chmod -R u+w "$T/ex"
rm -f "$T/ex/example.so"
# CFLAGS from the environment (a sanitizer build's) do not apply here.
env -u CFLAGS -u LDFLAGS ${MAKE:-make} -C "$T/ex" CC="${CC:-cc}" >"$T/build.log" 2>&1 ||
	{ cat "$T/build.log" >&2; fail "the example plugin does not build with pkg-config"; }
grep -q -- "-I$includedir" "$T/build.log" || fail "the build did not use pkg-config's flags"
chmod 755 "$T/ex/example.so"

# By path, into a file.
{
	printf '1\t1\t10\ta\tipv4\t127.0.0.1\t1\t127.0.0.1\t2\tCLOSE\tSYN_SENT\n'
	printf '2\t1\t10\ta\tipv4\t127.0.0.1\t1\t127.0.0.1\t2\tSYN_SENT\tESTABLISHED\n'
	printf '3\t2\t-\t-\tipv6\t::1\t3\t::1\t4\tLISTEN\tSYN_RECV\n'
	printf '4\t2\t-\t-\tipv6\t::1\t3\t::1\t4\tSYN_RECV\tESTABLISHED\n'
	printf '5\t1\t10\ta\tipv4\t127.0.0.1\t1\t127.0.0.1\t2\tESTABLISHED\tCLOSE\n'
} >"$T/e.tsv"
rc=0
"$sbin" -c /dev/null -P "$plugindir" -e replay -E path="$T/e.tsv" -s "$T/ex/example.so" \
	-S path="$T/counts" 2>"$T/log" || rc=$?
assert_eq "exit status (by path)" "$rc" 0
printf 'ESTABLISHED 2\nSYN_SENT 1\nSYN_RECV 1\nCLOSE 1\n' | diff -u - "$T/counts" || fail "counts differ"
assert_has "$T/log" "info: example: counted 5 events"

# By name, installed next to the others; listed with its description.
install -m 755 "$T/ex/example.so" "$plugindir/example.so"
rc=0
"$sbin" -c /dev/null -P "$plugindir" -e replay -E count=1200 -s example >"$T/out" 2>"$T/log" || rc=$?
assert_eq "exit status (by name)" "$rc" 0
# Synthetic event i goes to state (i + 1) % 12 + 1: 100 events each.
for s in ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK \
	LISTEN CLOSING NEW_SYN_RECV; do
	grep -qx "$s 100" "$T/out" || { cat "$T/out"; fail "no '$s 100' line"; }
done
assert_eq "count lines" "$(lines "$T/out")" 12
"$sbin" -P "$plugindir" --list-plugins >"$T/list"
grep -Eq '^example +sinker +1\.0 +Counts events by new state \(an out-of-tree example\)$' "$T/list" ||
	{ cat "$T/list"; fail "--list-plugins does not show the example"; }
# The host checks its options like any plugin's.
rc=0
"$sbin" -c /dev/null -P "$plugindir" -e replay -E count=1 -s example -S colour=red 2>"$T/log" || rc=$?
assert_eq "exit status (unknown option)" "$rc" 78
assert_has "$T/log" "example: unknown option 'colour' (from command line); sinker 'example' knows: path"
exit 0
