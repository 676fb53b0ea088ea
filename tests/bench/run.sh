#!/bin/bash
# make bench: run every tests/bench/bench-*.sh against the build tree and
# print one "name<TAB>value<TAB>unit" line per measurement. Benchmarks are
# measurements, never pass/fail assertions: the test suite has none.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(pwd)}"
export top_builddir
export top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
export TCP_AUDIT=${TCP_AUDIT:-$top_builddir/tcp-audit}
export TCP_AUDIT_PLUGIN_DIR=${TCP_AUDIT_PLUGIN_DIR:-$top_builddir/plugins/.libs}
export TESTS_LIB=$top_srcdir/tests/lib
[ -x "$TCP_AUDIT" ] || { echo "bench: $TCP_AUDIT not built; run make first" >&2; exit 1; }

status=0
for b in "$here"/bench-*.sh; do
	[ -e "$b" ] || continue
	name=$(basename "$b" .sh)
	echo "# ${name#bench-}"
	bash "$b" "$@" || { rc=$?; echo "# ${name#bench-}: exit $rc" >&2; [ $rc -eq 77 ] || status=1; }
done
exit $status
