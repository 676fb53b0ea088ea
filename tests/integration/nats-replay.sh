#!/bin/sh
# The nats sinker into an R3 stream of a 3-node cluster: N known events
# from the replay eventer become exactly N event messages, on the host's
# events subject, each with its identity as Nats-Msg-Id, in seq order, and
# the run's two run records (running, then clean with last_seq N).
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/nats.sh"
make_tmpdir
nats_cluster_start 3

N=20000
run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" --event replay -E count=$N \
	--sink nats -S servers="$NATS_URLS" -S replicas=3 -S batch_size=3000 2>"$T/log"
[ "$rc" -eq 0 ] || { cat "$T/log" >&2; fail "tcp-audit exited $rc"; }

nats_check info TCP_AUDIT >"$T/info"
assert_eq "stream replicas" "$(sed -n 's/^replicas //p' "$T/info")" 3
assert_eq "stream subjects" "$(sed -n 's/^subjects //p' "$T/info")" "tcp-audit.>"
assert_eq "messages in the stream" "$(sed -n 's/^msgs //p' "$T/info")" $((N + 2))
nats_check dump TCP_AUDIT >"$T/dump"

host=$(hostname)
token=$(printf '%s' "$host" | tr '.*> ' '____')
boot=$(cat /proc/sys/kernel/random/boot_id)
grep -v -P '^\S+\t\S+\t(event|gap|run)\t' "$T/dump" >&2 && fail "messages that do not decode"
assert_eq "event messages" "$(awk -F'\t' '$3 == "event"' "$T/dump" | wc -l)" $N
assert_eq "events on another subject" \
	"$(awk -F'\t' -v s="tcp-audit.$token.events" '$3 == "event" && $1 != s' "$T/dump" | wc -l)" 0
assert_eq "events of another origin" \
	"$(awk -F'\t' -v h="$host" -v b="$boot" '$3 == "event" && ($4 != h || $5 != b)' "$T/dump" | wc -l)" 0
run=$(awk -F'\t' '$3 == "event" { print $6; exit }' "$T/dump")
# seq 1..N once each, in order, each with the id host:boot:run:seq.
awk -F'\t' '$3 == "event" { print $7 }' "$T/dump" >"$T/seqs"
seq 1 $N >"$T/want"
cmp -s "$T/seqs" "$T/want" || fail "the events' seqs are not 1..$N in order"
assert_eq "events whose Msg-Id is not their identity" \
	"$(awk -F'\t' -v p="$host:$boot:$run:" '$3 == "event" && $2 != p $7' "$T/dump" | wc -l)" 0
# The run: running, then clean with last_seq N, on the runs subject.
assert_eq "run records" "$(awk -F'\t' -v s="tcp-audit.$token.runs" '$3 == "run" && $1 == s && $6 == r { print $7 }' r="$run" "$T/dump" | tr '\n' ' ')" "1:0 2:$N "
assert_eq "run record ids" "$(awk -F'\t' '$3 == "run" { print $2 }' "$T/dump" | tr '\n' ' ')" \
	"$host:$run:run:1 $host:$run:run:2 "
