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
