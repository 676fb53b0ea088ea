# Helpers for the tests that both kernel eventers must pass, run once per
# eventer: tests/integration/eventer-*.sh with TCA_EVENTER=tracefs or bpf,
# set by their wrappers (tracefs-capture.sh, bpf-capture.sh, ...). Source
# after common.sh. Gives require_eventer, start_eventer [ARGS...] and
# stop_eventer, with $T/events.json and $T/log as start_capture and
# start_bpf make them.
case ${TCA_EVENTER:-} in
tracefs)
	. "$TESTS_LIB/tracefs.sh"
	require_eventer() {
		require_tracefs
		tracefs_dir >/dev/null
	}
	start_eventer() { start_capture --plugin-dir "$TCP_AUDIT_PLUGIN_DIR" "$@"; }
	stop_eventer() { stop_capture; }
	;;
bpf)
	. "$TESTS_LIB/bpf.sh"
	require_eventer() { require_bpf; }
	start_eventer() { start_bpf "$@"; }
	stop_eventer() { stop_bpf; }
	;;
*)
	echo "TCA_EVENTER must be tracefs or bpf (run this test through its wrapper)" >&2
	exit 99
	;;
esac

# After a failed check of a bpf run in which the daemon counted events
# lost (tcp-audit-bpf(7), Known limits: a kernel can run neither program
# for an event; the eventer counts it, and the archive has a gap), run the
# whole test once more. Events lost and counted are not this test's
# failure; events missing with no count are, and so is a second failure.
retry_if_counted_loss() {
	local lost
	[ "$TCA_EVENTER" = bpf ] && [ -z "${TCA_EVENTER_RETRIED:-}" ] || return 0
	lost=$(sed -n 's/.*lost [0-9]* (source \([0-9]*\),.*/\1/p' "$T/log" | tail -n 1)
	[ "${lost:-0}" -gt 0 ] || return 0
	echo "${0##*/}: the kernel lost $lost events in this run, and they were counted" \
		"(tcp-audit-bpf(7), Known limits): running the test once more" >&2
	trap - EXIT
	bpf_exit
	TCA_EVENTER_RETRIED=1 exec bash "$0"
}
