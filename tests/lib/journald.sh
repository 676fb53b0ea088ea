# Give a test a systemd-journald to log to and read back from with journalctl.
# Source it after common.sh and call `journald_setup "$@"` first thing (before
# make_tmpdir): when a journald already serves this machine, the test uses it;
# otherwise the test re-runs itself as the first process of new PID and mount
# namespaces, with fresh tmpfs on /run and /var/log/journal, and starts a
# standalone journald there. The kernel kills that journald when the test
# exits, and its journal disappears with the namespace: nothing is left
# behind and no old entry can match.

: "${JOURNALD:=/lib/systemd/systemd-journald}"
JOURNAL_SOCKET=/run/systemd/journal/socket

# Whether a journald answers on the stream socket.
journald_alive() {
	[ -S "$JOURNAL_SOCKET" ] && systemd-cat -t tcp-audit-test-probe true 2>/dev/null
}

journald_start_private() {
	mount -t tmpfs -o mode=0755 tmpfs /run || skip "cannot mount a private /run"
	mkdir -p /var/log/journal
	mount -t tmpfs -o mode=0755 tmpfs /var/log/journal || skip "cannot mount a private /var/log/journal"
	mkdir -p /run/systemd/journal /run/log/journal
	# On the private /run, gone with the namespace.
	local log=/run/tcp-audit-test-journald.log why rc
	"$JOURNALD" </dev/null >"$log" 2>&1 &
	JOURNALD_PID=$!
	for _ in $(seq 100); do
		journald_alive && return 0
		kill -0 "$JOURNALD_PID" 2>/dev/null || break
		sleep 0.1
	done
	# Its own words say why, not just that it did not start.
	if kill -0 "$JOURNALD_PID" 2>/dev/null; then
		why="still not answering on $JOURNAL_SOCKET after 10 s"
	else
		rc=0
		wait "$JOURNALD_PID" || rc=$?
		why="exited with status $rc"
	fi
	skip "$JOURNALD did not start ($why): $(tail -n 3 "$log" | tr '\n' ' ')"
}

journald_setup() {
	require_cmd journalctl systemd-cat
	if [ -n "${TCA_JOURNALD_PRIVATE:-}" ]; then
		journald_start_private
		return 0
	fi
	journald_alive && return 0
	require_root
	require_cmd unshare
	[ -x "$JOURNALD" ] || skip "no journald running and no $JOURNALD to start"
	unshare --pid --fork --mount --propagation private true 2>/dev/null ||
		skip "cannot create PID and mount namespaces for a private journald"
	rc=0
	TCA_JOURNALD_PRIVATE=1 unshare --pid --fork --kill-child --mount --propagation private \
		--mount-proc bash "$0" "$@" || rc=$?
	exit $rc
}

# Let journald write out what it has received: journalctl --sync where the
# journald supports it; then poll until COUNT entries match, at most 20 s.
# Usage: journal_wait COUNT journalctl-match-args...
journal_wait() {
	want=$1
	shift
	for _ in $(seq 200); do
		journalctl --sync >/dev/null 2>&1 || true
		got=$(journalctl --no-pager -q -o cat "$@" | wc -l)
		[ "$got" -ge "$want" ] && return 0
		sleep 0.1
	done
	fail "journal: expected $want entries matching $*, found $got"
}

# Run a command with stdout and stderr connected to journald's stream
# socket, as systemd does for a service, and JOURNAL_STREAM naming that
# stream, so that the program sees it runs "under systemd".
# Usage: run_under_journal IDENTIFIER command... &
# It execs, so run it in the background (or a subshell): $! is then the
# program's pid, for journalctl _PID=.
run_under_journal() {
	ident=$1
	shift
	exec systemd-cat -t "$ident" bash -c \
		'JOURNAL_STREAM=$(stat -L -c "%d:%i" /proc/self/fd/2) exec "$@"' bash "$@"
}
