# A private 3-node nats-server cluster with JetStream for a test, on free
# loopback ports, in $T/nats (a config file and a store per node), stopped
# on exit. Source after common.sh and make_tmpdir.
#
#   nats_cluster_start [N]  start N nodes (default 3) and wait (60 s+) until
#                          a meta leader is elected and a stream of N
#                          replicas can be created. Sets:
#                            NATS_URLS  nats://127.0.0.1:P1,...,PN (for servers=)
#                            NATS_URL_1 .. NATS_URL_N  one node's URL
#                          With NATS_AUTH="user:password" set first, the
#                          nodes require that user; with NATS_TOKEN=T
#                          instead, that token. With NATS_TLS=DIR set
#                          first (a directory that nats_tls_certs made),
#                          the client ports speak only TLS with the
#                          server certificate of DIR and require a client
#                          certificate of DIR's CA (verify: true); the
#                          URLs are tls://, and nats_check uses DIR's
#                          client certificate. With NATS_OPERATOR=DIR set
#                          first (a directory of tests/lib/nats-jwt.py
#                          init), the nodes trust its operator and know
#                          its accounts (decentralised JWT auth), and
#                          nats_check uses the creds file NATS_CREDS.
#   nats_tls_certs DIR     make DIR/ca.pem (a CA of its own), server.pem
#                          and server.key (for 127.0.0.1, as an IP SAN),
#                          client.pem and client.key, all signed by the CA
#   nats_node_stop I       stop node I (SIGTERM), and wait until it is gone
#   nats_node_kill I       kill node I (SIGKILL)
#   nats_node_start I      start node I again (same ports, same store)
#   nats_node_config I     write node I's config again (after a change of
#                          NATS_AUTH, NATS_TOKEN or NATS_TLS; then
#                          nats_check_urls, and stop and start the node)
#   nats_node_reload I     write node I's config again and have it reload
#                          it (SIGHUP), and wait until it has (60 s+)
#   nats_cluster_stop      stop every node that runs
#   nats_wait_ready [R]    wait until a stream of R replicas can be created
#   nats_check ARGS...     tests/lib/nats-check with $NATS_URLS (and the
#                          NATS_AUTH user), see its header: info STREAM,
#                          dump STREAM, create STREAM SUBJECT REPLICAS
#   nats_free_port         print a free loopback TCP port

NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}

nats_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

nats_check() {
	NATS_CHECK_TLS=${NATS_TLS:-} NATS_CHECK_CREDS=${NATS_CREDS:-} \
		"$top_builddir/tests/lib/nats-check" "${NATS_CHECK_URLS:-$NATS_URLS}" "$@"
}

# One certificate of the CA in DIR: nats_tls_cert DIR NAME SUBJECT [EXT].
nats_tls_cert() {
	local d=$1 name=$2 subj=$3
	echo "${4:-basicConstraints=CA:FALSE}" >"$d/$name.ext"
	openssl req -new -newkey rsa:2048 -nodes -subj "$subj" \
		-keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -out "$d/$name.pem" -extfile "$d/$name.ext" 2>/dev/null ||
		fail "openssl cannot make the $name certificate in $d"
	rm -f "$d/$name.csr" "$d/$name.ext"
}

nats_tls_certs() {
	local d=$1
	command -v openssl >/dev/null || skip "needs openssl (apt-get install openssl)"
	mkdir -p "$d"
	openssl req -x509 -new -newkey rsa:2048 -nodes -days 2 -subj "/CN=tcp-audit test CA $$" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null ||
		fail "openssl cannot make a CA in $d"
	nats_tls_cert "$d" server "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1"
	nats_tls_cert "$d" client "/CN=tcp-audit-edge" "extendedKeyUsage=clientAuth"
}

# The config of node I: client port, cluster port, and routes to all.
nats_node_config() {
	local i=$1 routes="" j
	for j in $(seq 1 "$NATS_NODES"); do
		routes="${routes:+$routes, }\"nats-route://127.0.0.1:$(cat "$NATS_DIR/cport.$j")\""
	done
	mkdir -p "$NATS_DIR/n$i/js"
	{
		echo "server_name: n$i"
		echo "listen: 127.0.0.1:$(cat "$NATS_DIR/port.$i")"
		echo "jetstream { store_dir: \"$NATS_DIR/n$i/js\", max_memory_store: 64MB, max_file_store: 2GB }"
		# One node alone is no cluster: it would wait for routes for ever.
		[ "$NATS_NODES" -eq 1 ] ||
			echo "cluster { name: $NATS_CLUSTER, listen: 127.0.0.1:$(cat "$NATS_DIR/cport.$i"), routes: [ $routes ] }"
		if [ -n "${NATS_TLS:-}" ]; then
			echo "tls { cert_file: \"$NATS_TLS/server.pem\", key_file: \"$NATS_TLS/server.key\","
			echo "  ca_file: \"$NATS_TLS/ca.pem\", verify: true, timeout: 5 }"
		fi
		[ -z "${NATS_OPERATOR:-}" ] || cat "$NATS_OPERATOR/server.conf"
		if [ -n "${NATS_AUTH:-}" ]; then
			echo "authorization { user: \"${NATS_AUTH%%:*}\", password: \"${NATS_AUTH#*:}\" }"
		elif [ -n "${NATS_TOKEN:-}" ]; then
			echo "authorization { token: \"$NATS_TOKEN\" }"
		fi
	} >"$NATS_DIR/n$i.conf"
}

nats_node_start() {
	local i=$1
	"$NATS_SERVER" -c "$NATS_DIR/n$i.conf" >>"$NATS_DIR/n$i.log" 2>&1 &
	echo $! >"$NATS_DIR/pid.$i"
	# Out of the job table: a killed node is no "Killed" line in the output.
	disown $! 2>/dev/null || true
	# Wait until it takes clients (its port answers).
	for _ in $(seq 1 600); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
			"$(cat "$NATS_DIR/port.$i")" 2>/dev/null && return 0
		kill -0 "$(cat "$NATS_DIR/pid.$i")" 2>/dev/null ||
			{ cat "$NATS_DIR/n$i.log" >&2; fail "nats-server n$i did not start"; }
		sleep 0.1
	done
	fail "nats-server n$i does not answer on its port after 60 s"
}

nats_node_signal() {
	local sig=$1 i=$2 pid
	pid=$(cat "$NATS_DIR/pid.$i" 2>/dev/null) || return 0
	kill "-$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 1 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "nats-server n$i did not end on SIG$sig in 60 s"
	{ wait "$pid"; } 2>/dev/null || true
	rm -f "$NATS_DIR/pid.$i"
}

nats_node_reload() {
	local i=$1 before
	before=$(grep -c 'Reloaded server configuration' "$NATS_DIR/n$i.log" || true)
	nats_node_config "$i"
	kill -HUP "$(cat "$NATS_DIR/pid.$i")" || fail "nats-server n$i is not running"
	for _ in $(seq 1 600); do
		[ "$(grep -c 'Reloaded server configuration' "$NATS_DIR/n$i.log" || true)" -gt "$before" ] &&
			return 0
		sleep 0.1
	done
	tail -20 "$NATS_DIR/n$i.log" >&2
	fail "nats-server n$i did not reload its configuration in 60 s"
}

nats_node_stop() { nats_node_signal TERM "$1"; }
nats_node_kill() { nats_node_signal KILL "$1"; }

nats_cluster_stop() {
	local i
	[ -n "${NATS_DIR:-}" ] || return 0
	for i in $(seq 1 "$NATS_NODES"); do
		[ -f "$NATS_DIR/pid.$i" ] && nats_node_signal KILL "$i"
	done
	return 0
}

nats_wait_ready() {
	nats_check ready "${1:-$NATS_NODES}" >"$NATS_DIR/ready.log" 2>&1 ||
		{ cat "$NATS_DIR/ready.log" "$NATS_DIR"/n*.log >&2; fail "the NATS cluster is not ready"; }
}

nats_cluster_start() {
	local i
	[ -x "$NATS_SERVER" ] || skip "needs nats-server (apt-get install nats-server)"
	[ -x "$top_builddir/tests/lib/nats-check" ] || skip "needs tests/lib/nats-check (configure with libnats)"
	NATS_NODES=${1:-3}
	NATS_DIR=$T/nats
	# A cluster name of its own: a route port of a killed node that another
	# test's cluster takes meanwhile must not merge the two clusters.
	NATS_CLUSTER=tca-$$-$RANDOM
	mkdir -p "$NATS_DIR"
	NATS_URLS=
	local scheme=nats
	[ -z "${NATS_TLS:-}" ] || scheme=tls
	for i in $(seq 1 "$NATS_NODES"); do
		nats_free_port >"$NATS_DIR/port.$i"
		nats_free_port >"$NATS_DIR/cport.$i"
		eval "NATS_URL_$i=$scheme://127.0.0.1:$(cat "$NATS_DIR/port.$i")"
		NATS_URLS="${NATS_URLS:+$NATS_URLS,}$scheme://127.0.0.1:$(cat "$NATS_DIR/port.$i")"
	done
	export NATS_URLS
	trap 'nats_cluster_stop; rm -rf "$T"' EXIT
	for i in $(seq 1 "$NATS_NODES"); do
		nats_node_config "$i"
	done
	for i in $(seq 1 "$NATS_NODES"); do
		nats_node_start "$i"
	done
	nats_check_urls
	nats_wait_ready
}

# The checker gives the user or token in its URLs; the plugin never may.
nats_check_urls() {
	NATS_CHECK_URLS=
	[ -z "${NATS_AUTH:-${NATS_TOKEN:-}}" ] ||
		NATS_CHECK_URLS=$(echo "$NATS_URLS" | sed "s|://|://${NATS_AUTH:-$NATS_TOKEN}@|g")
}
