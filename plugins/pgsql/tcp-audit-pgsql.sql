-- SPDX-License-Identifier: MIT
-- tcp-audit-pgsql.sql: the schema of the tcp-audit pgsql sinker, and its
-- migrations. The plugin embeds this very file at build time and runs the
-- sections newer than the database's version, in order, in one transaction.
--
-- For a database whose schema a DBA manages (manage_schema=no), run it with
-- psql, which fills in the same variables the plugin does:
--
--   psql -v ON_ERROR_STOP=1 -v schema=public -v table=tcp_events \
--        -v view=tcp_events_named -v partition= -1 -f tcp-audit-pgsql.sql
--
-- For a table partitioned by time, set -v partition='PARTITION BY RANGE (time)'
-- and create the partitions (see tcp-audit-pgsql(7)).
-- Each section starts with a line "-- tcp-audit schema version N"; the
-- last statement of each records N in tcp_audit_schema_version.

-- tcp-audit schema version 1
CREATE SCHEMA IF NOT EXISTS :"schema";

CREATE TABLE IF NOT EXISTS :"schema".tcp_audit_schema_version (
	table_name text PRIMARY KEY,
	version integer NOT NULL,
	updated timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE :"schema".:"table" (
	time timestamptz NOT NULL,
	host text NOT NULL,
	sock bigint NOT NULL,
	pid integer,
	comm text,
	family smallint NOT NULL CHECK (family IN (4, 6)),
	protocol smallint NOT NULL,
	saddr inet NOT NULL,
	sport integer NOT NULL CHECK (sport BETWEEN 0 AND 65535),
	daddr inet NOT NULL,
	dport integer NOT NULL CHECK (dport BETWEEN 0 AND 65535),
	oldstate smallint NOT NULL CHECK (oldstate BETWEEN 0 AND 255),
	newstate smallint NOT NULL CHECK (newstate BETWEEN 0 AND 255),
	boot_id uuid NOT NULL,
	run_id bigint NOT NULL,
	seq bigint NOT NULL,
	-- The identity of an event: a batch retried after a commit whose
	-- outcome was unknown inserts nothing twice. time is part of it only
	-- because a partitioned table's unique keys must hold the partition key.
	UNIQUE (host, boot_id, run_id, seq, time)
) :partition;

CREATE INDEX ON :"schema".:"table" (time);

INSERT INTO :"schema".tcp_audit_schema_version (table_name, version) VALUES (:'table', 1)
	ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated = now();

-- tcp-audit schema version 2
-- Enrichment fields (null when the eventer does not know them), indexes for
-- the common questions, and the state names.
ALTER TABLE :"schema".:"table"
	ADD COLUMN netns bigint,
	ADD COLUMN cgroup bigint,
	ADD COLUMN uid bigint CHECK (uid BETWEEN 0 AND 4294967295),
	ADD COLUMN bytes_sent bigint,
	ADD COLUMN bytes_received bigint,
	ADD COLUMN lifetime_ns bigint;

CREATE INDEX ON :"schema".:"table" (daddr, dport);
CREATE INDEX ON :"schema".:"table" (saddr, sport);
CREATE INDEX ON :"schema".:"table" (sock, time);

CREATE TABLE IF NOT EXISTS :"schema".tcp_audit_states (
	state smallint PRIMARY KEY,
	name text NOT NULL UNIQUE
);
INSERT INTO :"schema".tcp_audit_states (state, name) VALUES
	(0, 'UNKNOWN'), (1, 'ESTABLISHED'), (2, 'SYN_SENT'), (3, 'SYN_RECV'),
	(4, 'FIN_WAIT1'), (5, 'FIN_WAIT2'), (6, 'TIME_WAIT'), (7, 'CLOSE'),
	(8, 'CLOSE_WAIT'), (9, 'LAST_ACK'), (10, 'LISTEN'), (11, 'CLOSING'),
	(12, 'NEW_SYN_RECV')
	ON CONFLICT (state) DO NOTHING;

-- The events with state, family and protocol names, for people.
CREATE VIEW :"schema".:"view" AS
	SELECT e.time, e.host, e.sock, e.pid, e.comm,
	       CASE e.family WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END AS family,
	       CASE e.protocol WHEN 6 THEN 'tcp' WHEN 132 THEN 'sctp' WHEN 262 THEN 'mptcp'
	            ELSE 'unknown' END AS protocol,
	       e.saddr, e.sport, e.daddr, e.dport,
	       coalesce(o.name, 'UNKNOWN') AS oldstate, coalesce(n.name, 'UNKNOWN') AS newstate,
	       e.netns, e.cgroup, e.uid, e.bytes_sent, e.bytes_received, e.lifetime_ns,
	       e.boot_id, e.run_id, e.seq
	FROM :"schema".:"table" e
	LEFT JOIN :"schema".tcp_audit_states o ON o.state = e.oldstate
	LEFT JOIN :"schema".tcp_audit_states n ON n.state = e.newstate;

INSERT INTO :"schema".tcp_audit_schema_version (table_name, version) VALUES (:'table', 2)
	ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated = now();

-- tcp-audit schema version 3
-- What lets the archive prove its own completeness (tcp-audit-pgsql(7),
-- "PROVING COMPLETENESS"): gap and run records, keyed by what makes a
-- rewrite idempotent, and a view with a verdict per run. They belong to
-- the schema: keep one archive (one events table) per schema.
-- reason and state are the plugin header's numbers (tca_gap_reason,
-- tca_run_state); the _named views show their names.
CREATE TABLE IF NOT EXISTS :"schema".tcp_audit_gaps (
	host text NOT NULL,
	run_id bigint NOT NULL,
	first_seq bigint NOT NULL,
	count bigint NOT NULL CHECK (count >= 0), -- 0: unknown
	reason smallint NOT NULL,
	time timestamptz NOT NULL,
	cpu integer,
	PRIMARY KEY (host, run_id, first_seq, reason)
);

CREATE TABLE IF NOT EXISTS :"schema".tcp_audit_runs (
	host text NOT NULL,
	run_id bigint NOT NULL,
	boot_id uuid NOT NULL,
	prev_run_id bigint,
	state smallint NOT NULL CHECK (state BETWEEN 1 AND 4),
	start_time timestamptz,
	end_time timestamptz,
	last_seq bigint,
	updated timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (host, run_id)
);

CREATE OR REPLACE VIEW :"schema".tcp_audit_gaps_named AS
	SELECT host, run_id, first_seq, nullif(count, 0) AS count,
	       CASE reason WHEN 1 THEN 'kernel' WHEN 2 THEN 'source' WHEN 3 THEN 'queue_full'
	            WHEN 4 THEN 'unflushed' WHEN 5 THEN 'refused' WHEN 6 THEN 'unclean_end'
	            WHEN 7 THEN 'spool'
	            ELSE 'unknown' END AS reason,
	       time, cpu
	FROM :"schema".tcp_audit_gaps;

CREATE OR REPLACE VIEW :"schema".tcp_audit_runs_named AS
	SELECT host, boot_id, run_id, prev_run_id,
	       CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'
	            WHEN 4 THEN 'unclean' END AS state,
	       start_time, end_time, last_seq
	FROM :"schema".tcp_audit_runs;

-- One row per run, also for runs with events but no run record (stored
-- before version 3), whose verdict is 'no run record'.
CREATE OR REPLACE VIEW :"schema".tcp_audit_completeness AS
	WITH ev AS (
		SELECT host, run_id, boot_id, count(*) AS stored
		FROM :"schema".:"table" GROUP BY host, run_id, boot_id
	), gp AS (
		SELECT host, run_id, sum(count)::bigint AS gap_events,
		       count(*) FILTER (WHERE count = 0) AS unknown_gaps
		FROM :"schema".tcp_audit_gaps GROUP BY host, run_id
	), r AS (
		SELECT host, boot_id, run_id, prev_run_id, state, start_time, end_time, last_seq
		FROM :"schema".tcp_audit_runs
		UNION ALL
		SELECT host, boot_id, run_id, NULL::bigint, NULL::smallint, NULL::timestamptz,
		       NULL::timestamptz, NULL::bigint
		FROM ev WHERE NOT EXISTS (SELECT 1 FROM :"schema".tcp_audit_runs x
		                          WHERE x.host = ev.host AND x.run_id = ev.run_id)
	), c AS (
		SELECT r.*, coalesce(ev.stored, 0) AS stored, coalesce(gp.gap_events, 0) AS gap_events,
		       coalesce(gp.unknown_gaps, 0) AS unknown_gaps,
		       CASE WHEN r.prev_run_id IS NULL THEN NULL
		            ELSE EXISTS (SELECT 1 FROM r p WHERE p.host = r.host
		                         AND p.run_id = r.prev_run_id) END AS prev_present
		FROM r LEFT JOIN ev ON ev.host = r.host AND ev.run_id = r.run_id
		LEFT JOIN gp ON gp.host = r.host AND gp.run_id = r.run_id
	)
	SELECT host, boot_id, run_id, prev_run_id,
	       CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'
	            WHEN 4 THEN 'unclean' END AS state,
	       to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS start_time,
	       to_char(end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS end_time,
	       last_seq, stored, gap_events, unknown_gaps,
	       CASE WHEN state IN (2, 3) THEN last_seq - stored - gap_events END AS missing,
	       prev_present,
	       CASE
	            WHEN state IS NULL THEN 'no run record'
	            WHEN state = 1 THEN 'running'
	            WHEN state IN (2, 3) AND last_seq - stored - gap_events <> 0 THEN 'incomplete'
	            WHEN unknown_gaps > 0 THEN 'unknown-size gap'
	            WHEN state = 4 THEN 'incomplete'
	            WHEN NOT prev_present THEN 'chain hole'
	            WHEN gap_events > 0 THEN 'accounted'
	            ELSE 'complete' END AS verdict
	FROM c;

INSERT INTO :"schema".tcp_audit_schema_version (table_name, version) VALUES (:'table', 3)
	ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated = now();

-- tcp-audit schema version 4
-- Sized for the kernel's rate (tcp-audit-pgsql(7), "THE SCHEMA"):
-- - host, boot id and run id once per run, in tcp_audit_runs, which each
--   event names by its small key run (a row with no state: events but no
--   run record yet);
-- - no unique index on the events: a batch is stored once through its
--   run's stored_seq, the highest seq stored, which the sinker reads and
--   moves in the batch's own transaction (a batch at or below it is merged
--   against the stored rows instead);
-- - BRIN, not b-trees, on the events: they arrive in time order;
-- - the owner's kind (0 unknown, 1 holder, 2 listener's owner);
-- - tcp_connections, one row per socket life, merged with each batch, with
--   the indexes for "who talked to X".
-- Rows stored before keep their data; their owner kind is NULL (not recorded).
SELECT set_config('tcp_audit.schema', :'schema', true), set_config('tcp_audit.table', :'table', true);

ALTER TABLE :"schema".tcp_audit_runs
	ADD COLUMN IF NOT EXISTS run integer GENERATED BY DEFAULT AS IDENTITY UNIQUE,
	ADD COLUMN IF NOT EXISTS stored_seq bigint,
	ALTER COLUMN state DROP NOT NULL;

INSERT INTO :"schema".tcp_audit_runs (host, run_id, boot_id)
	SELECT DISTINCT ON (host, run_id) host, run_id, boot_id FROM :"schema".:"table"
	ORDER BY host, run_id, time
	ON CONFLICT (host, run_id) DO NOTHING;

DROP VIEW IF EXISTS :"schema".tcp_audit_completeness;
DROP VIEW :"schema".:"view";

ALTER TABLE :"schema".:"table"
	ADD COLUMN run integer,
	ADD COLUMN owner smallint CHECK (owner BETWEEN 0 AND 2);
UPDATE :"schema".:"table" e SET run = r.run FROM :"schema".tcp_audit_runs r
	WHERE r.host = e.host AND r.run_id = e.run_id;
UPDATE :"schema".tcp_audit_runs r SET stored_seq = m.s
	FROM (SELECT run, max(seq) AS s FROM :"schema".:"table" GROUP BY run) m WHERE m.run = r.run;
-- The unique key goes with host.
ALTER TABLE :"schema".:"table"
	ALTER COLUMN run SET NOT NULL,
	DROP COLUMN host,
	DROP COLUMN boot_id,
	DROP COLUMN run_id;

-- The b-trees of versions 1 and 2, whatever the table is called.
DO $$
DECLARE
	t regclass := format('%I.%I', current_setting('tcp_audit.schema'),
			     current_setting('tcp_audit.table'))::regclass;
	i regclass;
BEGIN
	FOR i IN SELECT indexrelid::regclass FROM pg_index WHERE indrelid = t LOOP
		EXECUTE format('DROP INDEX %s', i);
	END LOOP;
END $$;

CREATE INDEX ON :"schema".:"table" USING brin (time);

-- One row per socket life. first_state is the state it left first,
-- last_state the one it is in; states has bit (1 << state) for each state
-- it was in; the addresses are the latest seen; the owner is the best seen
-- (a holder before a listener's owner), pid and comm with it.
CREATE TABLE IF NOT EXISTS :"schema".tcp_connections (
	sock bigint NOT NULL,
	first_time timestamptz NOT NULL,
	last_time timestamptz NOT NULL,
	run integer NOT NULL,
	sport integer NOT NULL CHECK (sport BETWEEN 0 AND 65535),
	dport integer NOT NULL CHECK (dport BETWEEN 0 AND 65535),
	states integer NOT NULL,
	pid integer,
	family smallint NOT NULL CHECK (family IN (4, 6)),
	protocol smallint NOT NULL,
	first_state smallint NOT NULL,
	last_state smallint NOT NULL,
	owner smallint CHECK (owner BETWEEN 0 AND 2),
	saddr inet NOT NULL,
	daddr inet NOT NULL,
	comm text,
	uid bigint,
	netns bigint,
	cgroup bigint,
	bytes_sent bigint,
	bytes_received bigint,
	PRIMARY KEY (run, sock)
);
CREATE INDEX IF NOT EXISTS tcp_connections_daddr_dport_idx
	ON :"schema".tcp_connections (daddr, dport);
CREATE INDEX IF NOT EXISTS tcp_connections_first_time_idx
	ON :"schema".tcp_connections USING brin (first_time);

-- The connections of the events stored before.
INSERT INTO :"schema".tcp_connections (run, sock, first_time, last_time, family, protocol,
	saddr, sport, daddr, dport, first_state, last_state, states, pid, comm, owner, uid,
	netns, cgroup, bytes_sent, bytes_received)
SELECT a.run, a.sock, f.time, l.time, l.family, l.protocol, l.saddr, l.sport, l.daddr,
       l.dport, f.oldstate, l.newstate, a.states, o.pid, o.comm, o.owner, a.uid, a.netns,
       a.cgroup, a.bytes_sent, a.bytes_received
FROM (SELECT run, sock,
	     bit_or(CASE WHEN oldstate < 32 THEN 1 << oldstate ELSE 0 END |
		    CASE WHEN newstate < 32 THEN 1 << newstate ELSE 0 END) AS states,
	     (array_agg(uid ORDER BY time DESC, seq DESC) FILTER (WHERE uid IS NOT NULL))[1] AS uid,
	     (array_agg(netns ORDER BY time DESC, seq DESC) FILTER (WHERE netns IS NOT NULL))[1] AS netns,
	     (array_agg(cgroup ORDER BY time DESC, seq DESC) FILTER (WHERE cgroup IS NOT NULL))[1] AS cgroup,
	     max(bytes_sent) AS bytes_sent, max(bytes_received) AS bytes_received
      FROM :"schema".:"table" GROUP BY run, sock) a
JOIN (SELECT DISTINCT ON (run, sock) run, sock, time, oldstate FROM :"schema".:"table"
      ORDER BY run, sock, time, seq) f USING (run, sock)
JOIN (SELECT DISTINCT ON (run, sock) * FROM :"schema".:"table"
      ORDER BY run, sock, time DESC, seq DESC) l USING (run, sock)
LEFT JOIN (SELECT DISTINCT ON (run, sock) run, sock, pid, comm, owner FROM :"schema".:"table"
	   WHERE pid IS NOT NULL ORDER BY run, sock, time DESC, seq DESC) o USING (run, sock);

-- The events with host, boot and run, state, family, protocol and owner
-- names, for people.
CREATE VIEW :"schema".:"view" AS
	SELECT e.time, r.host, e.sock, e.pid, e.comm,
	       CASE e.family WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END AS family,
	       CASE e.protocol WHEN 6 THEN 'tcp' WHEN 132 THEN 'sctp' WHEN 262 THEN 'mptcp'
	            ELSE 'unknown' END AS protocol,
	       e.saddr, e.sport, e.daddr, e.dport,
	       coalesce(o.name, 'UNKNOWN') AS oldstate, coalesce(n.name, 'UNKNOWN') AS newstate,
	       e.netns, e.cgroup, e.uid, e.bytes_sent, e.bytes_received, e.lifetime_ns,
	       r.boot_id, r.run_id, e.seq,
	       CASE e.owner WHEN 0 THEN 'unknown' WHEN 1 THEN 'holder' WHEN 2 THEN 'listener' END AS owner
	FROM :"schema".:"table" e
	JOIN :"schema".tcp_audit_runs r ON r.run = e.run
	LEFT JOIN :"schema".tcp_audit_states o ON o.state = e.oldstate
	LEFT JOIN :"schema".tcp_audit_states n ON n.state = e.newstate;

-- The connections, likewise; duration is last_time - first_time, so far
-- for one still open; established: it reached ESTABLISHED; connect_failed:
-- it sent a SYN (SYN_SENT) and closed without reaching ESTABLISHED.
-- Dropped first: a later version's view of the schema (another table's,
-- made before this one) has more columns than this one.
DROP VIEW IF EXISTS :"schema".tcp_connections_named;
CREATE OR REPLACE VIEW :"schema".tcp_connections_named AS
	SELECT r.host, c.sock, c.first_time, c.last_time, c.last_time - c.first_time AS duration,
	       CASE c.family WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END AS family,
	       CASE c.protocol WHEN 6 THEN 'tcp' WHEN 132 THEN 'sctp' WHEN 262 THEN 'mptcp'
	            ELSE 'unknown' END AS protocol,
	       c.saddr, c.sport, c.daddr, c.dport, c.pid, c.comm,
	       CASE c.owner WHEN 0 THEN 'unknown' WHEN 1 THEN 'holder' WHEN 2 THEN 'listener' END AS owner,
	       c.uid, coalesce(f.name, 'UNKNOWN') AS first_state,
	       coalesce(l.name, 'UNKNOWN') AS last_state,
	       (c.states & 2) <> 0 AS established, c.last_state = 7 AS closed,
	       (c.states & 6) = 4 AND c.last_state = 7 AS connect_failed,
	       c.bytes_sent, c.bytes_received, c.netns, c.cgroup, r.boot_id, r.run_id
	FROM :"schema".tcp_connections c
	JOIN :"schema".tcp_audit_runs r ON r.run = c.run
	LEFT JOIN :"schema".tcp_audit_states f ON f.state = c.first_state
	LEFT JOIN :"schema".tcp_audit_states l ON l.state = c.last_state;

-- As in version 3; every run with events now has a row in tcp_audit_runs,
-- one with no state when no run record came.
CREATE VIEW :"schema".tcp_audit_completeness AS
	WITH ev AS (
		SELECT run, count(*) AS stored FROM :"schema".:"table" GROUP BY run
	), gp AS (
		SELECT host, run_id, sum(count)::bigint AS gap_events,
		       count(*) FILTER (WHERE count = 0) AS unknown_gaps
		FROM :"schema".tcp_audit_gaps GROUP BY host, run_id
	), c AS (
		SELECT r.host, r.boot_id, r.run_id, r.prev_run_id, r.state, r.start_time, r.end_time,
		       r.last_seq, coalesce(ev.stored, 0) AS stored,
		       coalesce(gp.gap_events, 0) AS gap_events,
		       coalesce(gp.unknown_gaps, 0) AS unknown_gaps,
		       CASE WHEN r.prev_run_id IS NULL THEN NULL
		            ELSE EXISTS (SELECT 1 FROM :"schema".tcp_audit_runs p WHERE p.host = r.host
		                         AND p.run_id = r.prev_run_id) END AS prev_present
		FROM :"schema".tcp_audit_runs r LEFT JOIN ev ON ev.run = r.run
		LEFT JOIN gp ON gp.host = r.host AND gp.run_id = r.run_id
	)
	SELECT host, boot_id, run_id, prev_run_id,
	       CASE state WHEN 1 THEN 'running' WHEN 2 THEN 'clean' WHEN 3 THEN 'failed'
	            WHEN 4 THEN 'unclean' END AS state,
	       to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS start_time,
	       to_char(end_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS end_time,
	       last_seq, stored, gap_events, unknown_gaps,
	       CASE WHEN state IN (2, 3) THEN last_seq - stored - gap_events END AS missing,
	       prev_present,
	       CASE
	            WHEN state IS NULL THEN 'no run record'
	            WHEN state = 1 THEN 'running'
	            WHEN state IN (2, 3) AND last_seq - stored - gap_events <> 0 THEN 'incomplete'
	            WHEN unknown_gaps > 0 THEN 'unknown-size gap'
	            WHEN state = 4 THEN 'incomplete'
	            WHEN NOT prev_present THEN 'chain hole'
	            WHEN gap_events > 0 THEN 'accounted'
	            ELSE 'complete' END AS verdict
	FROM c;

INSERT INTO :"schema".tcp_audit_schema_version (table_name, version) VALUES (:'table', 4)
	ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated = now();

-- tcp-audit schema version 5
-- Name records (tcp-audit-pgsql(7), "NAME RECORDS"): what an id in the
-- events stood for when the eventer met it, such as a cgroup id's path.
-- One per host, boot, kind and id (a cgroup id is unique only for a
-- boot); the first stored stays, so a cgroup renamed or removed later
-- keeps the path its events had. kind is the plugin header's name
-- ('cgroup'); run_id is the run that resolved it. Like the gap and run
-- records, they belong to the schema. The views gain cgroup_path.
CREATE TABLE IF NOT EXISTS :"schema".tcp_audit_names (
	host text NOT NULL,
	boot_id uuid NOT NULL,
	kind text NOT NULL,
	id bigint NOT NULL,
	text text NOT NULL,
	time timestamptz NOT NULL,
	run_id bigint NOT NULL,
	PRIMARY KEY (host, boot_id, kind, id)
);

-- The views of version 4 (the same columns, in the same order), with the
-- cgroup's path after them.
CREATE OR REPLACE VIEW :"schema".:"view" AS
	SELECT e.time, r.host, e.sock, e.pid, e.comm,
	       CASE e.family WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END AS family,
	       CASE e.protocol WHEN 6 THEN 'tcp' WHEN 132 THEN 'sctp' WHEN 262 THEN 'mptcp'
	            ELSE 'unknown' END AS protocol,
	       e.saddr, e.sport, e.daddr, e.dport,
	       coalesce(o.name, 'UNKNOWN') AS oldstate, coalesce(n.name, 'UNKNOWN') AS newstate,
	       e.netns, e.cgroup, e.uid, e.bytes_sent, e.bytes_received, e.lifetime_ns,
	       r.boot_id, r.run_id, e.seq,
	       CASE e.owner WHEN 0 THEN 'unknown' WHEN 1 THEN 'holder' WHEN 2 THEN 'listener' END AS owner,
	       nm.text AS cgroup_path
	FROM :"schema".:"table" e
	JOIN :"schema".tcp_audit_runs r ON r.run = e.run
	LEFT JOIN :"schema".tcp_audit_states o ON o.state = e.oldstate
	LEFT JOIN :"schema".tcp_audit_states n ON n.state = e.newstate
	LEFT JOIN :"schema".tcp_audit_names nm ON nm.host = r.host AND nm.boot_id = r.boot_id
	     AND nm.kind = 'cgroup' AND nm.id = e.cgroup;

CREATE OR REPLACE VIEW :"schema".tcp_connections_named AS
	SELECT r.host, c.sock, c.first_time, c.last_time, c.last_time - c.first_time AS duration,
	       CASE c.family WHEN 4 THEN 'ipv4' WHEN 6 THEN 'ipv6' ELSE 'unknown' END AS family,
	       CASE c.protocol WHEN 6 THEN 'tcp' WHEN 132 THEN 'sctp' WHEN 262 THEN 'mptcp'
	            ELSE 'unknown' END AS protocol,
	       c.saddr, c.sport, c.daddr, c.dport, c.pid, c.comm,
	       CASE c.owner WHEN 0 THEN 'unknown' WHEN 1 THEN 'holder' WHEN 2 THEN 'listener' END AS owner,
	       c.uid, coalesce(f.name, 'UNKNOWN') AS first_state,
	       coalesce(l.name, 'UNKNOWN') AS last_state,
	       (c.states & 2) <> 0 AS established, c.last_state = 7 AS closed,
	       (c.states & 6) = 4 AND c.last_state = 7 AS connect_failed,
	       c.bytes_sent, c.bytes_received, c.netns, c.cgroup, r.boot_id, r.run_id,
	       nm.text AS cgroup_path
	FROM :"schema".tcp_connections c
	JOIN :"schema".tcp_audit_runs r ON r.run = c.run
	LEFT JOIN :"schema".tcp_audit_states f ON f.state = c.first_state
	LEFT JOIN :"schema".tcp_audit_states l ON l.state = c.last_state
	LEFT JOIN :"schema".tcp_audit_names nm ON nm.host = r.host AND nm.boot_id = r.boot_id
	     AND nm.kind = 'cgroup' AND nm.id = c.cgroup;

INSERT INTO :"schema".tcp_audit_schema_version (table_name, version) VALUES (:'table', 5)
	ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated = now();
