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
