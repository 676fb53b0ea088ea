#!/bin/bash
# make bench: run every tests/bench/bench-*.sh against the build tree and
# print one "name<TAB>value<TAB>unit" line per measurement, then, under
# "# goals", each goal of the issues beside its figure from this run (see
# goals below). Benchmarks are measurements, never pass/fail assertions:
# the test suite has none, and a goal not met does not fail make bench.
# Arguments (make bench BENCH_ARGS=...) go to every script; those of the
# eventers take [SECONDS] [PROCS] [RATES].
# Knobs, from the environment:
#   BENCH_ONLY="sqlite pgsql"  run only these scripts (names without bench-)
#   BENCH_EVENTS=N             events of each store's run: N for core and
#                              sqlite, N/2 for pgsql and spool, 3N/10 for
#                              nats (default N = 1,000,000; each script's
#                              own BENCH_<NAME>_EVENTS wins)
# The whole run took 3 min 51 s to 5 min 15 s on 2 loaded cores (the
# eventers' churns, about 2 min of it, are fixed in time; the stores'
# runs scale with N).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(pwd)}"
export top_builddir
export top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
export TCP_AUDIT=${TCP_AUDIT:-$top_builddir/tcp-audit}
export TCP_AUDIT_PLUGIN_DIR=${TCP_AUDIT_PLUGIN_DIR:-$top_builddir/plugins/.libs}
export TESTS_LIB=$top_srcdir/tests/lib
[ -x "$TCP_AUDIT" ] || { echo "bench: $TCP_AUDIT not built; run make first" >&2; exit 1; }

if [ -n "${BENCH_EVENTS:-}" ]; then
	case $BENCH_EVENTS in
	*[!0-9]* | '' | 0) echo "bench: BENCH_EVENTS=$BENCH_EVENTS: give a number of events, such as 200000" >&2; exit 2 ;;
	esac
	export BENCH_CORE_EVENTS=${BENCH_CORE_EVENTS:-$BENCH_EVENTS}
	export BENCH_SQLITE_EVENTS=${BENCH_SQLITE_EVENTS:-$BENCH_EVENTS}
	export BENCH_PGSQL_EVENTS=${BENCH_PGSQL_EVENTS:-$((BENCH_EVENTS / 2))}
	export BENCH_SPOOL_EVENTS=${BENCH_SPOOL_EVENTS:-$((BENCH_EVENTS / 2))}
	export BENCH_NATS_EVENTS=${BENCH_NATS_EVENTS:-$((BENCH_EVENTS * 3 / 10))}
fi

results=$(mktemp "${TMPDIR:-/tmp}/tcp-audit-bench.XXXXXX")
trap 'rm -f "$results"' EXIT

status=0
for b in "$here"/bench-*.sh; do
	[ -e "$b" ] || continue
	name=$(basename "$b" .sh)
	name=${name#bench-}
	case " ${BENCH_ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
	echo "# $name"
	# A state directory of its own (run records, tracefs instances), not
	# the host's.
	TCP_AUDIT_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tcp-audit-bench-state.XXXXXX")
	export TCP_AUDIT_STATE_DIR
	# pipefail: the script's status, not tee's.
	( set -o pipefail; bash "$b" "$@" | tee -a "$results" ) ||
		{ rc=$?; echo "# $name: exit $rc" >&2; [ $rc -eq 77 ] || status=1; }
	rm -rf "$TCP_AUDIT_STATE_DIR"
done

# The goals: "name of a ratio to a goal" and whether it must be at least
# or at most 1; then each store's rate beside the capture's (the tracefs
# eventer at full speed into the null sink, in this run).
goals() {
	cat <<-'GOALS'
		sqlite_synthetic_retention_ratio_to_goal >=
		sqlite_trace_retention_ratio_to_goal >=
		sqlite_synthetic_bytes_ratio_to_goal <=
		sqlite_trace_bytes_ratio_to_goal <=
		pgsql_sink_ratio_to_goal >=
		pgsql_sink_vs_copy_ratio_to_goal >=
		pgsql_archive_bytes_ratio_to_goal <=
		core_json_cpu_ratio_to_goal <=
		core_text_cpu_ratio_to_goal <=
		tracefs_sqlite_rate10000_stored_vs_expected >=
		tracefs_sqlite_rate3000_stored_vs_expected >=
		bpf_rate_reader_cpu_ratio_to_goal <=
		bpf_full_reader_cpu_ratio_to_goal <=
	GOALS
}
echo "# goals"
goals | awk -F'\t' -v res="$results" '
	BEGIN { while ((getline l < res) > 0) { split(l, f, "\t"); v[f[1]] = f[2]; u[f[1]] = f[3] } }
	{
		split($0, g, " ")
		if (v[g[1]] == "") next
		ok = g[2] == ">=" ? v[g[1]] >= 1 : v[g[1]] <= 1
		printf "goal_%s\t%s\t%s, %s\n", g[1], v[g[1]], u[g[1]], ok ? "met" : "NOT met"
	}
	END {
		cap = v["tracefs_full_events_per_s"]
		if (cap == "") exit
		n = split("sqlite_synthetic_retention_events_per_s sqlite_trace_retention_events_per_s " \
			"pgsql_replay_events_per_s core_replay_json_events_per_s core_replay_text_events_per_s " \
			"nats_replay_events_per_s", s, " ")
		for (i = 1; i <= n; i++)
			if (s[i] in v)
				printf "%s_vs_capture\t%.2f\tx (capture %d events/s)\n", s[i], v[s[i]] / cap, cap
	}'
exit $status
