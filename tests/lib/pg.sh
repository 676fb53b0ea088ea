# A private PostgreSQL server for a test: initdb in a temporary directory,
# listening only on a Unix socket there (no TCP port), stopped on exit.
# Source after common.sh and make_tmpdir; then call pg_start.
# PostgreSQL refuses to run as root, so the server runs as the postgres
# user (or the caller, when that is not root).

PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_start: PGDIR (data + socket) under $T; exports PGHOST, PGPORT, PGUSER,
# PGDATABASE for psql and for the plugin (libpq reads the same variables).
pg_start() {
	[ -n "$PG_BINDIR" ] && [ -x "$PG_BINDIR/initdb" ] ||
		skip "needs the PostgreSQL server (apt-get install postgresql)"
	require_cmd psql
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || skip "needs the postgres user"
	fi
	PGDIR=$T/pg
	mkdir -p "$PGDIR"
	chmod 755 "$T"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PGDIR"
	pg_as_owner "$PG_BINDIR/initdb" -D "$PGDIR/data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$T/initdb.log" 2>&1 ||
		{ cat "$T/initdb.log" >&2; fail "initdb failed"; }
	cat >>"$PGDIR/data/postgresql.conf" <<-CONF
		listen_addresses = ''
		unix_socket_directories = '$PGDIR'
		fsync = off
		lc_messages = 'C'
	CONF
	export PGHOST=$PGDIR PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	unset PGPASSWORD PGSERVICE PGSERVICEFILE PGPASSFILE 2>/dev/null || true
	trap 'pg_stop_quiet; rm -rf "$T"' EXIT
	pg_ctl_start
}

pg_ctl_start() {
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 start \
		>/dev/null || { cat "$PGDIR/server.log" >&2; fail "the PostgreSQL server did not start"; }
}

pg_stop() {
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PGDIR/data" -m "${1:-fast}" -w -t 30 stop >/dev/null
}

pg_stop_quiet() {
	[ -n "${PGDIR:-}" ] && [ -f "$PGDIR/data/postmaster.pid" ] && pg_stop immediate 2>/dev/null
	return 0
}

# psql with no .psqlrc, unaligned, tuples only, stopping at the first error.
pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}
