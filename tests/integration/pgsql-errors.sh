#!/bin/bash
# pgsql: a bad conninfo (78), an unknown database (69), a wrong password
# (77) and a server that is not there (75) each give one clear error line
# at --check, and no output ever shows the password. The right password,
# from a pgpass file, works.
. "$TESTS_LIB/common.sh"
. "$TESTS_LIB/pg.sh"
make_tmpdir
pg_start

SECRET=Sw0rdf1shSecret
pg_sql -c "CREATE ROLE pwuser LOGIN PASSWORD 'right$SECRET'"
sed -i "1i local all pwuser scram-sha-256" "$PGDIR/data/pg_hba.conf"
pg_sql -c "SELECT pg_reload_conf()" >/dev/null
pg_sql -c 'GRANT CREATE ON DATABASE postgres TO pwuser' -c 'GRANT CREATE ON SCHEMA public TO pwuser'

check() {
	run_tcp_audit -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=1 -s pgsql --check "$@" >"$T/out" 2>&1
	if grep -q "$SECRET" "$T/out"; then
		fail "the password appears in the output: $(cat "$T/out")"
	fi
}
# One error line from the plugin, naming the cause.
expect() {
	assert_eq "exit status ($1)" "$rc" "$2"
	grep "pgsql:" "$T/out" | grep -q "$3" || fail "$1: no '$3' in: $(cat "$T/out")"
}

check -S conninfo="host=$PGDIR password=$SECRET bogus"
expect "bad conninfo" 78 'conninfo option is not a valid libpq connection string'
check -S conninfo="postgresql://pwuser:$SECRET@%2Fnowhere:99999999/x"
expect "bad port in a URI" 78 'invalid port number.*(fix the host or port in conninfo)'
check -S conninfo="dbname=nosuchdb"
expect "unknown database" 69 'database "nosuchdb" does not exist (create the database'
check -S conninfo="user=pwuser password=wrong$SECRET"
expect "wrong password" 77 'password authentication failed for user "pwuser" (check the user'
check -S conninfo="postgresql://pwuser:wrong$SECRET@/postgres?host=$PGDIR"
expect "wrong password in a URI" 77 "cannot connect to host=$PGDIR dbname=postgres user=pwuser:"
check -S conninfo="host=$T/nowhere password=$SECRET"
expect "no server" 75 'cannot connect to host=.*nowhere.*is the server running'
# Malformed URIs that libpq parses, wrongly: the password's tail became
# the host, the port or the database name, and was shown.
check -S conninfo="postgresql://pwuser:ab@cd$SECRET@/postgres?host=$PGDIR"
expect "unencoded @ in a URI" 78 "the URI has an '@' or '/' that is not percent-encoded"
check -S conninfo="postgresql://pwuser:ab/cd$SECRET@/postgres?host=$PGDIR"
expect "unencoded / in a URI" 78 "the URI has an '@' or '/' that is not percent-encoded"
check -S conninfo="postgres://pwuser:$SECRET@x:5432/db@"
expect "@ after the host" 78 "the URI has an '@' or '/' that is not percent-encoded"
# A URI nested in dbname= is not expanded by libpq: it would be a database
# name, quoted whole in "database ... does not exist".
check -S conninfo="dbname=postgresql://pwuser:$SECRET@/postgres?host=$PGDIR"
expect "URI in dbname" 78 "its dbname is itself a connection string or URI"
check -S conninfo="host=$PGDIR dbname='user=pwuser password=$SECRET'"
expect "conninfo in dbname" 78 "its dbname is itself a connection string or URI"

# The right password from a pgpass file (libpq's own lookup).
printf '*:*:*:pwuser:right%s\n' "$SECRET" >"$T/pgpass"
chmod 600 "$T/pgpass"
PGPASSFILE=$T/pgpass check -S conninfo="user=pwuser"

assert_eq "exit status with pgpass" "$rc" 0

# A password on the command line is scrubbed from our own argv as soon as
# the options are parsed: every user can read /proc/PID/cmdline, and
# journald copies it into each entry's _CMDLINE.
"$TCP_AUDIT" -P "$TCP_AUDIT_PLUGIN_DIR" -e replay -E count=5 -E hold=yes -s pgsql \
	-S conninfo="user=pwuser password=right$SECRET" --sink-option=conninfo="user=pwuser password=right$SECRET" \
	2>"$T/log" &
pid=$!
trap 'kill -9 "$pid" 2>/dev/null || true; pg_stop_quiet; rm -rf "$T"' EXIT
for _ in $(seq 1 300); do
	grep -q "replayed 5 events" "$T/log" && break
	sleep 0.1
done
grep -q "replayed 5 events" "$T/log" || { cat "$T/log" >&2; fail "the daemon did not start"; }
tr '\0' ' ' <"/proc/$pid/cmdline" >"$T/cmdline"
if grep -q "$SECRET" "$T/cmdline"; then
	fail "the password is in /proc/$pid/cmdline: $(cat "$T/cmdline")"
fi
grep -q -- "-S conninfo=\* .*--sink-option=conninfo=\* " "$T/cmdline" ||
	fail "the options are not in /proc/$pid/cmdline as KEY=*: $(cat "$T/cmdline")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "exit status with a scrubbed password" "$rc" 0
assert_eq "events stored with the scrubbed password" "$(pg_sql -c 'SELECT count(*) FROM tcp_events')" 5
grep -q "$SECRET" "$T/log" && fail "the password is in the log"
echo ok
