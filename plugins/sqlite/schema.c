/* SPDX-License-Identifier: MIT */
/* The sqlite sinker's schema: the SQL of each version's step, from an
 * empty file (or an older version) to the next, and the views. */
#include "config.h"

#include "sqlite-schema.h"

/*
 * The schema, as the steps that take a database from one version to the
 * next; a new file runs them all, an older one the steps it lacks, in one
 * transaction, so an archive is migrated in place or not at all.
 *
 * Version 1: the events. time is nanoseconds since the epoch (UTC), so
 * that no precision is lost and range queries use the index on integers;
 * the view tcp_events_named shows it as RFC 3339 text. An event's
 * identity is (boot_id, run_id, seq), and ON CONFLICT DO NOTHING on a
 * unique key makes a retried batch harmless. The key leaves boot_id out: run_id is 63
 * random bits, new at every start, so (run_id, seq) is as unique in one
 * file, and the index is a third of the size (64 to 20 bytes an event).
 */
static const char schema_v1[] =
	"CREATE TABLE IF NOT EXISTS tcp_events ("
	" time INTEGER NOT NULL,"
	" host TEXT NOT NULL,"
	" sock INTEGER NOT NULL,"
	" pid INTEGER,"
	" comm TEXT,"
	" family TEXT NOT NULL,"
	" protocol TEXT NOT NULL,"
	" saddr TEXT NOT NULL,"
	" sport INTEGER NOT NULL,"
	" daddr TEXT NOT NULL,"
	" dport INTEGER NOT NULL,"
	" oldstate TEXT NOT NULL,"
	" newstate TEXT NOT NULL,"
	" netns INTEGER,"
	" cgroup INTEGER,"
	" uid INTEGER,"
	" bytes_sent INTEGER,"
	" bytes_received INTEGER,"
	" lifetime_ns INTEGER,"
	" boot_id TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" UNIQUE (run_id, seq));"
	"CREATE INDEX IF NOT EXISTS tcp_events_time ON tcp_events (time);"
	"CREATE INDEX IF NOT EXISTS tcp_events_daddr ON tcp_events (daddr, dport);"
	"CREATE INDEX IF NOT EXISTS tcp_events_saddr ON tcp_events (saddr, sport);"
	"CREATE INDEX IF NOT EXISTS tcp_events_sock ON tcp_events (sock);"
	/* The columns and names of the pgsql sinker's view of the same name,
	 * so that a query moves between the two; time as RFC 3339 text. */
	"CREATE VIEW IF NOT EXISTS tcp_events_named AS SELECT"
	" strftime('%Y-%m-%dT%H:%M:%S', time / 1000000000, 'unixepoch')"
	" || printf('.%09dZ', time % 1000000000) AS time, host, sock, pid, comm, family,"
	" protocol, saddr, sport, daddr, dport, oldstate, newstate, netns, cgroup, uid,"
	" bytes_sent, bytes_received, lifetime_ns, boot_id, run_id, seq FROM tcp_events;";

/* RFC 3339 text of a column of nanoseconds, for the views. */
#define DB_RFC3339(col)                                                    \
	"strftime('%Y-%m-%dT%H:%M:%S', " col " / 1000000000, 'unixepoch')" \
	" || printf('.%09dZ', " col " % 1000000000)"

/*
 * Version 2: what lets the archive prove its own completeness. Gap and
 * run records (struct tca_gap, struct tca_run: reason and state are the
 * header's numbers; the _named views give their names), and the view
 * tcp_audit_completeness, one row per run, whose verdict is documented in
 * tcp-audit-sqlite(7). Both tables are keyed by what makes a rewrite
 * idempotent, WITHOUT ROWID since the key is the row.
 */
/* The columns after start_time and the verdict of tcp_audit_completeness,
 * the same in every schema version that has the view: the view is rebuilt
 * by each step, but what its verdicts mean never changes. */
#define COMPLETENESS_TAIL                                                                   \
	" " DB_RFC3339("end_time") " AS end_time, last_seq, stored, pruned, gap_events,"       \
	" unknown_gaps,"                                                                     \
	" CASE WHEN state IN (2, 3) THEN last_seq - stored - pruned - gap_events END AS missing," \
	" prev_present,"                                                                     \
	" CASE"                                                                              \
	"  WHEN state IS NULL THEN 'no run record'"                                          \
	"  WHEN state = 1 THEN 'running'"                                                    \
	"  WHEN state IN (2, 3) AND last_seq - stored - pruned - gap_events <> 0 THEN 'incomplete'" \
	"  WHEN unknown_gaps > 0 THEN 'unknown-size gap'"                                    \
	"  WHEN state = 4 THEN 'incomplete'"                                                 \
	"  WHEN prev_present = 0 THEN 'chain hole'"                                          \
	"  WHEN pruned > 0 THEN 'pruned'"                                                    \
	"  WHEN gap_events > 0 THEN 'accounted'"                                             \
	"  ELSE 'complete' END AS verdict"                                                   \
	" FROM c;"

static const char schema_v2[] =
	"CREATE TABLE tcp_audit_gaps ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" first_seq INTEGER NOT NULL,"
	" count INTEGER NOT NULL CHECK (count >= 0)," /* 0: unknown */
	" reason INTEGER NOT NULL,"
	" time INTEGER NOT NULL,"
	" cpu INTEGER,"
	" PRIMARY KEY (host, run_id, first_seq, reason)) WITHOUT ROWID;"
	"CREATE TABLE tcp_audit_runs ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" prev_run_id INTEGER,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),"
	" start_time INTEGER,"
	" end_time INTEGER,"
	" last_seq INTEGER,"
	" PRIMARY KEY (host, run_id)) WITHOUT ROWID;"
	/* Events that retention (max_age, max_size) deleted, per run. */
	"CREATE TABLE tcp_audit_pruned ("
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" count INTEGER NOT NULL,"
	" PRIMARY KEY (host, run_id)) WITHOUT ROWID;"
	"CREATE VIEW tcp_audit_gaps_named AS SELECT host, run_id, first_seq,"
	" nullif(count, 0) AS count,"
	" CASE reason WHEN 1 THEN 'kernel' WHEN 2 THEN 'source' WHEN 3 THEN 'queue_full'"
	" WHEN 4 THEN 'unflushed' WHEN 5 THEN 'refused' WHEN 6 THEN 'unclean_end'"
	" WHEN 7 THEN 'spool'"
	" ELSE 'unknown' END AS reason, " DB_RFC3339("time") " AS time, cpu"
	" FROM tcp_audit_gaps;"
	"CREATE VIEW tcp_audit_runs_named AS SELECT host, boot_id, run_id, prev_run_id,"
	" CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'"
	" WHEN 4 THEN 'unclean' END AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	" " DB_RFC3339("end_time") " AS end_time, last_seq FROM tcp_audit_runs;"
	/* Runs with events but no record (written before version 2, or
	 * whose record was lost) are shown too, as 'no run record'. */
	"CREATE VIEW tcp_audit_completeness AS"
	" WITH ev AS (SELECT host, run_id, min(boot_id) AS boot_id, count(*) AS stored"
	"  FROM tcp_events GROUP BY run_id, host),"
	" gp AS (SELECT host, run_id, sum(count) AS gap_events,"
	"  sum(count = 0) AS unknown_gaps FROM tcp_audit_gaps GROUP BY host, run_id),"
	" r AS (SELECT host, boot_id, run_id, prev_run_id, state, start_time, end_time, last_seq"
	"  FROM tcp_audit_runs UNION ALL SELECT host, boot_id, run_id, NULL, NULL, NULL, NULL,"
	"  NULL FROM ev WHERE NOT EXISTS (SELECT 1 FROM tcp_audit_runs x"
	"  WHERE x.host = ev.host AND x.run_id = ev.run_id)),"
	" c AS (SELECT r.*, coalesce(ev.stored, 0) AS stored, coalesce(pr.count, 0) AS pruned,"
	"  coalesce(gp.gap_events, 0) AS gap_events, coalesce(gp.unknown_gaps, 0) AS unknown_gaps,"
	"  CASE WHEN r.prev_run_id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM r p"
	"  WHERE p.host = r.host AND p.run_id = r.prev_run_id) END AS prev_present"
	"  FROM r LEFT JOIN ev ON ev.host = r.host AND ev.run_id = r.run_id"
	"  LEFT JOIN gp ON gp.host = r.host AND gp.run_id = r.run_id"
	"  LEFT JOIN tcp_audit_pruned pr ON pr.host = r.host AND pr.run_id = r.run_id)"
	" SELECT host, boot_id, run_id, prev_run_id,"
	" CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'"
	" WHEN 4 THEN 'unclean' END AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	COMPLETENESS_TAIL;



/* One byte of an address, from two hex digits of h at 1-based offset i. */
#define HEXBYTE(i)                                                           \
	"((instr('0123456789ABCDEF', substr(h, " i ", 1)) - 1) * 16"         \
	" + instr('0123456789ABCDEF', substr(h, " i " + 1, 1)) - 1)"
#define V4AT(i) HEXBYTE(i) " || '.' || " HEXBYTE(i " + 2") " || '.' || " \
	HEXBYTE(i " + 4") " || '.' || " HEXBYTE(i " + 6")
/* One group of an IPv6 address, lowercase, without leading zeros. */
#define G6(i) "coalesce(nullif(ltrim(lower(substr(h, " i ", 4)), '0'), ''), '0')"
/* The first longest run of two or more zero groups becomes '::'. */
#define ZRUN(p) "WHEN instr(f, '" p "') THEN substr(f, 1, instr(f, '" p "') - 1) || '::'" \
	" || substr(f, instr(f, '" p "') + length('" p "')) "
#define V6                                                                         \
	"(SELECT substr(r, 1 + (substr(r, 1, 2) <> '::'), length(r)"                 \
	" - (substr(r, 1, 2) <> '::') - (substr(r, -2) <> '::')) FROM (SELECT CASE " \
	ZRUN(":0:0:0:0:0:0:0:0:") ZRUN(":0:0:0:0:0:0:0:") ZRUN(":0:0:0:0:0:0:")        \
	ZRUN(":0:0:0:0:0:") ZRUN(":0:0:0:0:") ZRUN(":0:0:0:") ZRUN(":0:0:")             \
	"ELSE f END AS r FROM (SELECT ':' || " G6("1") " || ':' || " G6("5") " || ':' || " \
	G6("9") " || ':' || " G6("13") " || ':' || " G6("17") " || ':' || " G6("21")      \
	" || ':' || " G6("25") " || ':' || " G6("29") " || ':' AS f)))"
/*
 * An address blob (4 or 16 bytes) as text, in pure SQL so that any
 * sqlite3 shell reads the views: the form inet_ntop(3) gives, with IPv4
 * in IPv6 (::ffff:a.b.c.d, ::a.b.c.d) dotted.
 */
#define ADDR(col)                                                                       \
	"(SELECT CASE WHEN length(h) = 8 THEN " V4AT("1")                                 \
	" WHEN length(h) <> 32 THEN NULL"                                                 \
	" WHEN substr(h, 1, 24) = '00000000000000000000FFFF' THEN '::ffff:' || " V4AT("25") \
	" WHEN substr(h, 1, 24) = '000000000000000000000000' AND substr(h, 25, 4) <> '0000'" \
	" THEN '::' || " V4AT("25") " ELSE " V6 " END FROM (SELECT hex(" col ") AS h))"

/* A socket that listened, connected (SYN_SENT) or was accepted (SYN_RECV). */
#define ROLE(col) "CASE WHEN " col " & 1024 THEN 'listener' WHEN " col " & 4 THEN 'client'" \
	" WHEN " col " & 4104 THEN 'server' END"

/* NULL for an address equal to its connection's, unless zero. */
#define SAME_ADDR(a, c) "(SELECT iif(x = " c " AND x <> zeroblob(length(x)), NULL, x)" \
	" FROM (SELECT " a " AS x))"

#define STATE_NAME(col)                                                              \
	"CASE " col " WHEN 1 THEN 'ESTABLISHED' WHEN 2 THEN 'SYN_SENT' WHEN 3 THEN 'SYN_RECV'" \
	" WHEN 4 THEN 'FIN_WAIT1' WHEN 5 THEN 'FIN_WAIT2' WHEN 6 THEN 'TIME_WAIT'"       \
	" WHEN 7 THEN 'CLOSE' WHEN 8 THEN 'CLOSE_WAIT' WHEN 9 THEN 'LAST_ACK'"           \
	" WHEN 10 THEN 'LISTEN' WHEN 11 THEN 'CLOSING' WHEN 12 THEN 'NEW_SYN_RECV'"      \
	" ELSE 'UNKNOWN' END"
#define FAMILY_NAME(col) "CASE " col " WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END"
#define PROTO_NAME(col) \
	"CASE " col " WHEN 6 THEN 'tcp' WHEN 262 THEN 'mptcp' WHEN 132 THEN 'sctp' ELSE 'unknown' END"
/* NULL: not recorded (an event stored before schema 3). */
#define OWNER_NAME(col) \
	"CASE " col " WHEN 0 THEN 'unknown' WHEN 1 THEN 'holder' WHEN 2 THEN 'listener' END"
#define RUN_STATE_NAME(col) \
	"CASE " col " WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'" \
	" WHEN 4 THEN 'unclean' END"

/*
 * The views of events and connections with names, for people: the
 * columns and names of the pgsql sinker's views of the same names, so
 * that a query moves between the two. A later version appends columns
 * (cols) from more tables (joins).
 */
#define EVENTS_NAMED(cols, joins)                                                            \
	"SELECT " DB_RFC3339("coalesce(e.time, e.id)") " AS time,"                            \
	" r.host, c.sock, e.pid, e.comm, " FAMILY_NAME("c.family") " AS family,"              \
	" " PROTO_NAME("c.protocol") " AS protocol, " ADDR("coalesce(e.saddr, c.saddr)") " AS saddr," \
	" coalesce(e.sport, c.sport) AS sport, " ADDR("coalesce(e.daddr, c.daddr)") " AS daddr," \
	" coalesce(e.dport, c.dport) AS dport, " STATE_NAME("e.oldstate") " AS oldstate,"     \
	" " STATE_NAME("e.newstate") " AS newstate, e.netns, e.cgroup, e.uid, e.bytes_sent,"  \
	" e.bytes_received, e.lifetime_ns, r.boot_id, r.run_id, e.seq,"                       \
	" " OWNER_NAME("e.owner") " AS owner" cols                                            \
	" FROM tcp_events e JOIN tcp_connections c ON c.conn = e.conn"                        \
	" JOIN tcp_audit_runs r ON r.run_key = e.run" joins ";"
#define CONNECTIONS_NAMED(cols, joins)                                                       \
	"SELECT c.conn, r.host, c.sock,"                                                      \
	" " DB_RFC3339("c.first_time") " AS first_time, " DB_RFC3339("c.last_time") " AS last_time," \
	" (c.last_time - c.first_time) / 1e9 AS duration, " FAMILY_NAME("c.family") " AS family," \
	" " PROTO_NAME("c.protocol") " AS protocol, " ADDR("c.saddr") " AS saddr, c.sport,"   \
	" " ADDR("c.daddr") " AS daddr, c.dport, c.pid, c.comm, " OWNER_NAME("c.owner") " AS owner," \
	" c.uid, c.netns, c.cgroup, " STATE_NAME("c.state") " AS state,"                      \
	" " ROLE("c.states") " AS role, (c.states >> 1) & 1 AS established, c.events,"        \
	" c.bytes_sent, c.bytes_received, r.boot_id, r.run_id" cols                           \
	" FROM tcp_connections c JOIN tcp_audit_runs r ON r.run_key = c.run_key" joins ";"

/*
 * Version 3: the archive's shape follows the questions asked of it.
 * - tcp_audit_runs gets a small key, run_key, and a row for every run
 *   with events, a record or not (state NULL: no run record): host and
 *   boot id are stored once per run, not once per event. high_seq is the
 *   highest seq stored of the run: a run's batches come in seq order, so
 *   an event at or below it is a retry's, already stored.
 * - tcp_events keeps every state change. Its key is the time in ns, made
 *   unique (the next free ns; the exact time is then in the column time,
 *   NULL otherwise): so events are in time order, ranges of time are
 *   ranges of the key, and retention deletes key ranges. States are
 *   numbers, addresses 4- or 16-byte blobs; an address or port equal to
 *   its connection's (which is fixed once known) is NULL; the owner kind
 *   (enum tca_owner) is stored with the owner.
 * - tcp_connections has one row per socket life, updated once a batch.
 * Older events are converted with functions the sinker registers for the
 * migration (migrate.c); the views need none, so any shell reads them.
 */
static const char schema_v3[] =
	"DROP VIEW IF EXISTS tcp_audit_completeness;"
	"DROP VIEW IF EXISTS tcp_events_named;"
	"DROP VIEW IF EXISTS tcp_audit_runs_named;"
	"CREATE TABLE tcp_audit_runs3 ("
	" run_key INTEGER PRIMARY KEY,"
	" host TEXT NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" prev_run_id INTEGER,"
	" state INTEGER CHECK (state BETWEEN 1 AND 4)," /* NULL: no run record */
	" start_time INTEGER,"
	" end_time INTEGER,"
	" last_seq INTEGER,"
	" high_seq INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (host, run_id));"
	"INSERT INTO tcp_audit_runs3 (host, run_id, boot_id, prev_run_id, state, start_time,"
	" end_time, last_seq, high_seq) SELECT host, run_id, boot_id, prev_run_id, state,"
	" start_time, end_time, last_seq, coalesce((SELECT max(seq) FROM tcp_events e"
	" WHERE e.host = u.host AND e.run_id = u.run_id), 0) FROM (SELECT *, start_time AS t"
	" FROM tcp_audit_runs UNION ALL"
	" SELECT host, run_id, min(boot_id), NULL, NULL, NULL, NULL, NULL, min(time)"
	" FROM tcp_events e WHERE NOT EXISTS (SELECT 1 FROM tcp_audit_runs x"
	" WHERE x.host = e.host AND x.run_id = e.run_id) GROUP BY host, run_id) u"
	" ORDER BY t, run_id;"
	"CREATE TABLE tcp_connections ("
	" conn INTEGER PRIMARY KEY,"
	" run_key INTEGER NOT NULL,"
	" sock INTEGER NOT NULL,"
	" first_time INTEGER NOT NULL,"
	" last_time INTEGER NOT NULL,"
	" family INTEGER NOT NULL,"
	" protocol INTEGER NOT NULL,"
	" saddr BLOB NOT NULL," /* the first non-zero seen; zero until then */
	" sport INTEGER NOT NULL,"
	" daddr BLOB NOT NULL,"
	" dport INTEGER NOT NULL,"
	" pid INTEGER,"
	" comm TEXT,"
	" owner INTEGER,"
	" uid INTEGER,"
	" netns INTEGER,"
	" cgroup INTEGER,"
	" state INTEGER NOT NULL,"  /* the newest event's newstate */
	" states INTEGER NOT NULL," /* bit 1 << s for every state s it was in */
	" events INTEGER NOT NULL,"
	" bytes_sent INTEGER,"
	" bytes_received INTEGER,"
	" last_seq INTEGER NOT NULL,"
	" UNIQUE (run_key, sock));"
	/* The first non-zero address and port of each old socket. */
	"INSERT INTO tcp_connections (run_key, sock, first_time, last_time, family, protocol,"
	" saddr, sport, daddr, dport, pid, comm, owner, uid, netns, cgroup, state, states, events,"
	" bytes_sent, bytes_received, last_seq)"
	" SELECT run_key, sock, min(time), max(time), tca_family_num(family),"
	" tca_proto_num(protocol), tca_first_addr(family, saddr, seq),"
	" coalesce(tca_first_nonzero(sport, seq), 0), tca_first_addr(family, daddr, seq),"
	" coalesce(tca_first_nonzero(dport, seq), 0), NULL, NULL, NULL, NULL, NULL, NULL,"
	" 0, tca_bit_or((1 << tca_state_num(oldstate)) | (1 << tca_state_num(newstate))),"
	" count(*), NULL, NULL, max(seq)"
	" FROM (SELECT r.run_key, e.* FROM tcp_events e JOIN tcp_audit_runs3 r"
	" ON r.host = e.host AND r.run_id = e.run_id ORDER BY e.seq)"
	" GROUP BY run_key, sock ORDER BY min(time);"
	/* And the fields of each one's newest event (a bare column takes the
	 * row where max() is). */
	"UPDATE tcp_connections AS c SET pid = n.pid, comm = n.comm, uid = n.uid,"
	" netns = n.netns, cgroup = n.cgroup, state = tca_state_num(n.newstate),"
	" bytes_sent = n.bytes_sent, bytes_received = n.bytes_received"
	" FROM (SELECT r.run_key, e.sock, max(e.seq), e.pid, e.comm, e.uid, e.netns, e.cgroup,"
	" e.newstate, e.bytes_sent, e.bytes_received FROM tcp_events e JOIN tcp_audit_runs3 r"
	" ON r.host = e.host AND r.run_id = e.run_id GROUP BY r.run_key, e.sock) n"
	" WHERE c.run_key = n.run_key AND c.sock = n.sock;"
	"CREATE TABLE tcp_events3 ("
	" id INTEGER PRIMARY KEY," /* the time in ns, made unique */
	" run INTEGER NOT NULL,"   /* tcp_audit_runs.run_key */
	" seq INTEGER NOT NULL,"
	" conn INTEGER NOT NULL,"
	" oldstate INTEGER NOT NULL,"
	" newstate INTEGER NOT NULL,"
	" saddr BLOB,"  /* NULL: the connection's, as the ports */
	" sport INTEGER,"
	" daddr BLOB,"
	" dport INTEGER,"
	" pid INTEGER,"
	" comm TEXT,"
	" owner INTEGER,"
	" uid INTEGER,"
	" netns INTEGER,"
	" cgroup INTEGER,"
	" bytes_sent INTEGER,"
	" bytes_received INTEGER,"
	" lifetime_ns INTEGER,"
	" time INTEGER);" /* NULL: id is the time */
	/* Old events keep their exact times; their keys are made unique in
	 * the order of time and seq (tca_unique_key remembers the last). */
	"CREATE TEMP TABLE tca_order AS SELECT rowid AS old, time AS t FROM tcp_events"
	" ORDER BY time, run_id, seq;"
	"CREATE TEMP TABLE tca_keys AS SELECT old, t, tca_unique_key(t) AS k FROM temp.tca_order"
	" ORDER BY rowid;"
	"INSERT INTO tcp_events3 SELECT m.k, r.run_key, e.seq, c.conn,"
	" tca_state_num(e.oldstate), tca_state_num(e.newstate),"
	" " SAME_ADDR("tca_addr_blob(e.family, e.saddr)", "c.saddr") ","
	" iif(e.sport = c.sport AND e.sport <> 0, NULL, e.sport),"
	" " SAME_ADDR("tca_addr_blob(e.family, e.daddr)", "c.daddr") ","
	" iif(e.dport = c.dport AND e.dport <> 0, NULL, e.dport),"
	" e.pid, e.comm, NULL, e.uid, e.netns, e.cgroup, e.bytes_sent, e.bytes_received,"
	" e.lifetime_ns, nullif(m.t, m.k) FROM temp.tca_keys m JOIN tcp_events e ON e.rowid = m.old"
	" JOIN tcp_audit_runs3 r ON r.host = e.host AND r.run_id = e.run_id"
	" JOIN tcp_connections c ON c.run_key = r.run_key AND c.sock = e.sock ORDER BY m.k;"
	"DROP TABLE temp.tca_order;"
	"DROP TABLE temp.tca_keys;"
	"DROP TABLE tcp_events;"
	"DROP TABLE tcp_audit_runs;"
	"ALTER TABLE tcp_events3 RENAME TO tcp_events;"
	"ALTER TABLE tcp_audit_runs3 RENAME TO tcp_audit_runs;"
	/* The indexes, for the questions asked: events by time (the key)
	 * and by connection; connections by time and remote address (for an
	 * accepted socket too, daddr is the peer). */
	"CREATE INDEX tcp_events_conn ON tcp_events (conn);"
	"CREATE INDEX tcp_connections_time ON tcp_connections (first_time);"
	"CREATE INDEX tcp_connections_daddr ON tcp_connections (daddr, dport);"
	/* The columns and names of the pgsql sinker's view of the same
	 * name, so that a query moves between the two. */
	"CREATE VIEW tcp_events_named AS " EVENTS_NAMED("", "")
	"CREATE VIEW tcp_connections_named AS " CONNECTIONS_NAMED("", "")
	"CREATE VIEW tcp_audit_runs_named AS SELECT host, boot_id, run_id, prev_run_id,"
	" " RUN_STATE_NAME("state") " AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	" " DB_RFC3339("end_time") " AS end_time, last_seq FROM tcp_audit_runs"
	" WHERE state IS NOT NULL;"
	"CREATE VIEW tcp_audit_completeness AS"
	" WITH ev AS (SELECT run, count(*) AS stored FROM tcp_events GROUP BY run),"
	" gp AS (SELECT host, run_id, sum(count) AS gap_events,"
	"  sum(count = 0) AS unknown_gaps FROM tcp_audit_gaps GROUP BY host, run_id),"
	" c AS (SELECT r.host, r.boot_id, r.run_id, r.prev_run_id, r.state, r.start_time,"
	"  r.end_time, r.last_seq, coalesce(ev.stored, 0) AS stored,"
	"  coalesce(pr.count, 0) AS pruned,"
	"  coalesce(gp.gap_events, 0) AS gap_events, coalesce(gp.unknown_gaps, 0) AS unknown_gaps,"
	"  CASE WHEN r.prev_run_id IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM tcp_audit_runs p"
	"  WHERE p.host = r.host AND p.run_id = r.prev_run_id) END AS prev_present"
	"  FROM tcp_audit_runs r LEFT JOIN ev ON ev.run = r.run_key"
	"  LEFT JOIN gp ON gp.host = r.host AND gp.run_id = r.run_id"
	"  LEFT JOIN tcp_audit_pruned pr ON pr.host = r.host AND pr.run_id = r.run_id)"
	" SELECT host, boot_id, run_id, prev_run_id, " RUN_STATE_NAME("state") " AS state,"
	" " DB_RFC3339("start_time") " AS start_time,"
	COMPLETENESS_TAIL;

/* A cgroup's path beside its id, from the name record of the run's host
 * and boot (a cgroup id is unique only for a boot). */
#define CGROUP_PATH_JOIN(col)                                                    \
	" LEFT JOIN tcp_audit_names n ON n.host = r.host AND n.boot_id = r.boot_id" \
	" AND n.kind = 'cgroup' AND n.id = " col

/*
 * Version 4: name records (struct tca_name), what an id in the events
 * stood for when the eventer met it: a cgroup id's path. One per host,
 * boot, kind and id; the first stored stays (a cgroup renamed later keeps
 * the path its events had). kind is the header's name ('cgroup'); time
 * when it was resolved (ns), run_id the run that resolved it. The views
 * of events and connections gain cgroup_path.
 */
static const char schema_v4[] =
	"CREATE TABLE tcp_audit_names ("
	" host TEXT NOT NULL,"
	" boot_id TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" id INTEGER NOT NULL,"
	" text TEXT NOT NULL,"
	" time INTEGER NOT NULL,"
	" run_id INTEGER NOT NULL,"
	" PRIMARY KEY (host, boot_id, kind, id)) WITHOUT ROWID;"
	"CREATE VIEW tcp_audit_names_named AS SELECT host, boot_id, kind, id, text,"
	" " DB_RFC3339("time") " AS time, run_id FROM tcp_audit_names;"
	"DROP VIEW tcp_events_named;"
	"DROP VIEW tcp_connections_named;"
	"CREATE VIEW tcp_events_named AS "
	EVENTS_NAMED(", n.text AS cgroup_path", CGROUP_PATH_JOIN("e.cgroup"))
	"CREATE VIEW tcp_connections_named AS "
	CONNECTIONS_NAMED(", n.text AS cgroup_path", CGROUP_PATH_JOIN("c.cgroup"));

const char *const schema_steps[SQLITE_SCHEMA_VERSION] = { schema_v1, schema_v2, schema_v3,
							  schema_v4 };
