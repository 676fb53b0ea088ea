#!/bin/bash
# pgsql: outages lose nothing and duplicate nothing.
#  1. The server stops in the middle of a stream and starts again later;
#     the outage and the recovery are each logged once.
#  2. The server goes read-only for a while (and, before, SIGHUP makes the
#     plugin connect again).
#  3. The connection is killed during COMMIT (a deferred constraint trigger
#     holds the commit while another session terminates the backend): the
#     transaction is rolled back, and the retry stores the batch.
#  4. The client's connection is cut during COMMIT, by a proxy, while the
#     server goes on and commits: the retry must not store the batch again.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start
pid= proxy=
trap 'for p in $pid $proxy; do kill -9 "$p" 2>/dev/null || true; done; pg_stop_quiet; rm -rf "$T"' EXIT

start() {
	local count=$1 rate=$2 table=$3
	shift 3
	"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count="$count" -E rate="$rate" -s pgsql \
		-S table="$table" -S max_delay=100ms --shutdown-timeout=60s "$@" >"$T/$table.out" 2>&1 &
	pid=$!
}
# Wait, at most 30 s, for a SQL condition to hold.
wait_for() {
	for _ in $(seq 300); do
		[ "$(pg_sql -c "$1" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	fail "timed out waiting for: $1"
}
finish() {
	rc=0
	wait "$pid" || rc=$?
	assert_eq "exit status ($1)" "$rc" 0
	assert_eq "rows, distinct seq ($1)" \
		"$(pg_sql -c "SELECT count(*), count(DISTINCT seq), max(seq) FROM $1")" "$2|$2|$2"
}
count_lines() {
	grep -c "$1" "$2" || true
}

# 1. Stop and start.
start 4000 1000 stopped
wait_for "SELECT to_regclass('stopped') IS NOT NULL AND (SELECT count(*) FROM stopped) > 500"
pg_stop fast
sleep 1.5
pg_ctl_start
finish stopped 4000
assert_eq "outage logged once" "$(count_lines 'pgsql: cannot store events: ' "$T/stopped.out")" 1
assert_eq "recovery logged once" "$(count_lines 'pgsql: stores events again after .*no event was lost' "$T/stopped.out")" 1

# SIGHUP: the plugin connects again before its next batch; nothing lost.
start 2000 1000 hup
wait_for "SELECT to_regclass('hup') IS NOT NULL AND (SELECT count(*) FROM hup) > 300"
before=$(pg_sql -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'tcp-audit'")
kill -HUP "$pid"
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'tcp-audit' AND pid <> $before"
finish hup 2000

# 2. Read-only for a while.
start 3000 1000 readonly
wait_for "SELECT to_regclass('readonly') IS NOT NULL AND (SELECT count(*) FROM readonly) > 500"
pg_sql -c "ALTER SYSTEM SET default_transaction_read_only = on" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
pg_sql -c "SET default_transaction_read_only = off" -c "ALTER SYSTEM RESET default_transaction_read_only" \
	-c "SELECT pg_reload_conf()" >/dev/null
finish readonly 3000
assert_eq "read-only outage logged once" "$(count_lines 'pgsql: cannot store events: ' "$T/readonly.out")" 1
grep -q 'pgsql: cannot store events: cannot write to .*read-only transaction' "$T/readonly.out" || fail "no read-only outage logged: $(cat "$T/readonly.out")"

# 3. Killed during COMMIT: the batch holding seq 1500 waits 3 s in its
# commit, the first time only. The sequence counts the trigger's runs
# (nextval is not rolled back).
pg_sql <<'SQL' >/dev/null
CREATE SEQUENCE once;
CREATE SEQUENCE once_cut;
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nextval(TG_ARGV[0]) = 1 THEN
		PERFORM pg_sleep(3);
	END IF;
	RETURN NULL;
END $$;
SQL
start 3000 1000 killed
wait_for "SELECT to_regclass('killed') IS NOT NULL"
pg_sql -c "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON killed DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.seq = 1500) EXECUTE FUNCTION slow_commit('once')"
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'tcp-audit' AND wait_event = 'PgSleep'"
pg_sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tcp-audit'" >/dev/null
finish killed 3000
# Run again on the retry, since the first transaction was rolled back.
assert_eq "trigger runs (terminated)" "$(pg_sql -c 'SELECT last_value FROM once')" 2

# 4. Cut during COMMIT, the server unaware: a proxy between the plugin and
# the server closes the plugin's side only, and swallows what the server
# sends after, so the backend commits the batch that the client gave up.
cat >"$T/proxy.py" <<'PY'
import os, socket, sys, threading, time
listen, target, cut = sys.argv[1:4]
conns = []
def pump(src, dst, st, to_server):
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            if not st["cut"]:
                dst.sendall(d)
    except OSError:
        pass
    if not to_server:
        try:
            dst.close()
        except OSError:
            pass
def watch():
    while True:
        if os.path.exists(cut):
            os.unlink(cut)
            for c, st in conns:
                st["cut"] = True
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        time.sleep(0.02)
srv = socket.socket(socket.AF_UNIX)
srv.bind(listen)
os.chmod(listen, 0o777)
srv.listen(16)
threading.Thread(target=watch, daemon=True).start()
while True:
    c, _ = srv.accept()
    s = socket.socket(socket.AF_UNIX)
    s.connect(target)
    st = {"cut": False}
    conns.append((c, st))
    threading.Thread(target=pump, args=(c, s, st, True), daemon=True).start()
    threading.Thread(target=pump, args=(s, c, st, False), daemon=True).start()
PY
mkdir "$T/proxy"
python3 "$T/proxy.py" "$T/proxy/.s.PGSQL.5432" "$PGDIR/.s.PGSQL.5432" "$T/cut" &
proxy=$!
for _ in $(seq 100); do [ -S "$T/proxy/.s.PGSQL.5432" ] && break; sleep 0.1; done
start 3000 1000 cut -S conninfo="host=$T/proxy"
wait_for "SELECT to_regclass('cut') IS NOT NULL"
pg_sql -c "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON cut DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.seq = 1500) EXECUTE FUNCTION slow_commit('once_cut')"
wait_for "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'tcp-audit' AND wait_event = 'PgSleep'"
touch "$T/cut"
finish cut 3000
# Once only: the retry found seq 1500 committed, and skipped it.
assert_eq "trigger runs (cut)" "$(pg_sql -c 'SELECT last_value FROM once_cut')" 1
assert_eq "outage logged (cut)" "$(count_lines 'pgsql: cannot store events: ' "$T/cut.out")" 1
echo ok
