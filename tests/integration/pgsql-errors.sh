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

# The right password from a pgpass file (libpq's own lookup).
printf '*:*:*:pwuser:right%s\n' "$SECRET" >"$T/pgpass"
chmod 600 "$T/pgpass"
PGPASSFILE=$T/pgpass check -S conninfo="user=pwuser"

assert_eq "exit status with pgpass" "$rc" 0
echo ok
