-- A schema-3 pgsql archive as tcp-audit 0.2's pgsql sinker made it: the
-- table tcp_events with the events of two runs of host h3 (run 300: clean,
-- 15 events stored and a queue_full gap of 3; run 301: running, 4 events),
-- with their gap and run records, made with tests/lib/sinkdrive against an
-- empty database and kept with pg_dump --no-owner --no-privileges.
-- tests/integration/pgsql-migrate.sh loads it and lets the current sinker
-- migrate it in place.
--
-- PostgreSQL database dump
--

\restrict jESsyUfGixI4IGI1dyx3gy51ChWdlWQHZkF0ocBVONO5rgsyJWJFUyJRVjGBlIY

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: tcp_audit_gaps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tcp_audit_gaps (
    host text NOT NULL,
    run_id bigint NOT NULL,
    first_seq bigint NOT NULL,
    count bigint NOT NULL,
    reason smallint NOT NULL,
    "time" timestamp with time zone NOT NULL,
    cpu integer,
    CONSTRAINT tcp_audit_gaps_count_check CHECK ((count >= 0))
);


--
-- Name: tcp_audit_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tcp_audit_runs (
    host text NOT NULL,
    run_id bigint NOT NULL,
    boot_id uuid NOT NULL,
    prev_run_id bigint,
    state smallint NOT NULL,
    start_time timestamp with time zone,
    end_time timestamp with time zone,
    last_seq bigint,
    updated timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tcp_audit_runs_state_check CHECK (((state >= 1) AND (state <= 4)))
);


--
-- Name: tcp_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tcp_events (
    "time" timestamp with time zone NOT NULL,
    host text NOT NULL,
    sock bigint NOT NULL,
    pid integer,
    comm text,
    family smallint NOT NULL,
    protocol smallint NOT NULL,
    saddr inet NOT NULL,
    sport integer NOT NULL,
    daddr inet NOT NULL,
    dport integer NOT NULL,
    oldstate smallint NOT NULL,
    newstate smallint NOT NULL,
    boot_id uuid NOT NULL,
    run_id bigint NOT NULL,
    seq bigint NOT NULL,
    netns bigint,
    cgroup bigint,
    uid bigint,
    bytes_sent bigint,
    bytes_received bigint,
    lifetime_ns bigint,
    CONSTRAINT tcp_events_dport_check CHECK (((dport >= 0) AND (dport <= 65535))),
    CONSTRAINT tcp_events_family_check CHECK ((family = ANY (ARRAY[4, 6]))),
    CONSTRAINT tcp_events_newstate_check CHECK (((newstate >= 0) AND (newstate <= 255))),
    CONSTRAINT tcp_events_oldstate_check CHECK (((oldstate >= 0) AND (oldstate <= 255))),
    CONSTRAINT tcp_events_sport_check CHECK (((sport >= 0) AND (sport <= 65535))),
    CONSTRAINT tcp_events_uid_check CHECK (((uid >= 0) AND (uid <= '4294967295'::bigint)))
);


--
-- Name: tcp_audit_completeness; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.tcp_audit_completeness AS
 WITH ev AS (
         SELECT tcp_events.host,
            tcp_events.run_id,
            tcp_events.boot_id,
            count(*) AS stored
           FROM public.tcp_events
          GROUP BY tcp_events.host, tcp_events.run_id, tcp_events.boot_id
        ), gp AS (
         SELECT tcp_audit_gaps.host,
            tcp_audit_gaps.run_id,
            (sum(tcp_audit_gaps.count))::bigint AS gap_events,
            count(*) FILTER (WHERE (tcp_audit_gaps.count = 0)) AS unknown_gaps
           FROM public.tcp_audit_gaps
          GROUP BY tcp_audit_gaps.host, tcp_audit_gaps.run_id
        ), r AS (
         SELECT tcp_audit_runs.host,
            tcp_audit_runs.boot_id,
            tcp_audit_runs.run_id,
            tcp_audit_runs.prev_run_id,
            tcp_audit_runs.state,
            tcp_audit_runs.start_time,
            tcp_audit_runs.end_time,
            tcp_audit_runs.last_seq
           FROM public.tcp_audit_runs
        UNION ALL
         SELECT ev.host,
            ev.boot_id,
            ev.run_id,
            NULL::bigint AS int8,
            NULL::smallint AS int2,
            NULL::timestamp with time zone AS timestamptz,
            NULL::timestamp with time zone AS timestamptz,
            NULL::bigint AS int8
           FROM ev
          WHERE (NOT (EXISTS ( SELECT 1
                   FROM public.tcp_audit_runs x
                  WHERE ((x.host = ev.host) AND (x.run_id = ev.run_id)))))
        ), c AS (
         SELECT r.host,
            r.boot_id,
            r.run_id,
            r.prev_run_id,
            r.state,
            r.start_time,
            r.end_time,
            r.last_seq,
            COALESCE(ev.stored, (0)::bigint) AS stored,
            COALESCE(gp.gap_events, (0)::bigint) AS gap_events,
            COALESCE(gp.unknown_gaps, (0)::bigint) AS unknown_gaps,
                CASE
                    WHEN (r.prev_run_id IS NULL) THEN NULL::boolean
                    ELSE (EXISTS ( SELECT 1
                       FROM r p
                      WHERE ((p.host = r.host) AND (p.run_id = r.prev_run_id))))
                END AS prev_present
           FROM ((r
             LEFT JOIN ev ON (((ev.host = r.host) AND (ev.run_id = r.run_id))))
             LEFT JOIN gp ON (((gp.host = r.host) AND (gp.run_id = r.run_id))))
        )
 SELECT c.host,
    c.boot_id,
    c.run_id,
    c.prev_run_id,
        CASE c.state
            WHEN 1 THEN 'running'::text
            WHEN 2 THEN 'clean'::text
            WHEN 3 THEN 'failed'::text
            WHEN 4 THEN 'unclean'::text
            ELSE NULL::text
        END AS state,
    to_char((c.start_time AT TIME ZONE 'UTC'::text), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'::text) AS start_time,
    to_char((c.end_time AT TIME ZONE 'UTC'::text), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'::text) AS end_time,
    c.last_seq,
    c.stored,
    c.gap_events,
    c.unknown_gaps,
        CASE
            WHEN (c.state = ANY (ARRAY[2, 3])) THEN ((c.last_seq - c.stored) - c.gap_events)
            ELSE NULL::bigint
        END AS missing,
    c.prev_present,
        CASE
            WHEN (c.state IS NULL) THEN 'no run record'::text
            WHEN (c.state = 1) THEN 'running'::text
            WHEN ((c.state = ANY (ARRAY[2, 3])) AND (((c.last_seq - c.stored) - c.gap_events) <> 0)) THEN 'incomplete'::text
            WHEN (c.unknown_gaps > 0) THEN 'unknown-size gap'::text
            WHEN (c.state = 4) THEN 'incomplete'::text
            WHEN (NOT c.prev_present) THEN 'chain hole'::text
            WHEN (c.gap_events > 0) THEN 'accounted'::text
            ELSE 'complete'::text
        END AS verdict
   FROM c;


--
-- Name: tcp_audit_gaps_named; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.tcp_audit_gaps_named AS
 SELECT tcp_audit_gaps.host,
    tcp_audit_gaps.run_id,
    tcp_audit_gaps.first_seq,
    NULLIF(tcp_audit_gaps.count, 0) AS count,
        CASE tcp_audit_gaps.reason
            WHEN 1 THEN 'kernel'::text
            WHEN 2 THEN 'source'::text
            WHEN 3 THEN 'queue_full'::text
            WHEN 4 THEN 'unflushed'::text
            WHEN 5 THEN 'refused'::text
            WHEN 6 THEN 'unclean_end'::text
            WHEN 7 THEN 'spool'::text
            ELSE 'unknown'::text
        END AS reason,
    tcp_audit_gaps."time",
    tcp_audit_gaps.cpu
   FROM public.tcp_audit_gaps;


--
-- Name: tcp_audit_runs_named; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.tcp_audit_runs_named AS
 SELECT tcp_audit_runs.host,
    tcp_audit_runs.boot_id,
    tcp_audit_runs.run_id,
    tcp_audit_runs.prev_run_id,
        CASE tcp_audit_runs.state
            WHEN 1 THEN 'running'::text
            WHEN 2 THEN 'clean'::text
            WHEN 3 THEN 'failed'::text
            WHEN 4 THEN 'unclean'::text
            ELSE NULL::text
        END AS state,
    tcp_audit_runs.start_time,
    tcp_audit_runs.end_time,
    tcp_audit_runs.last_seq
   FROM public.tcp_audit_runs;


--
-- Name: tcp_audit_schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tcp_audit_schema_version (
    table_name text NOT NULL,
    version integer NOT NULL,
    updated timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: tcp_audit_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tcp_audit_states (
    state smallint NOT NULL,
    name text NOT NULL
);


--
-- Name: tcp_events_named; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.tcp_events_named AS
 SELECT e."time",
    e.host,
    e.sock,
    e.pid,
    e.comm,
        CASE e.family
            WHEN 4 THEN 'ipv4'::text
            WHEN 6 THEN 'ipv6'::text
            ELSE 'unknown'::text
        END AS family,
        CASE e.protocol
            WHEN 6 THEN 'tcp'::text
            WHEN 132 THEN 'sctp'::text
            WHEN 262 THEN 'mptcp'::text
            ELSE 'unknown'::text
        END AS protocol,
    e.saddr,
    e.sport,
    e.daddr,
    e.dport,
    COALESCE(o.name, 'UNKNOWN'::text) AS oldstate,
    COALESCE(n.name, 'UNKNOWN'::text) AS newstate,
    e.netns,
    e.cgroup,
    e.uid,
    e.bytes_sent,
    e.bytes_received,
    e.lifetime_ns,
    e.boot_id,
    e.run_id,
    e.seq
   FROM ((public.tcp_events e
     LEFT JOIN public.tcp_audit_states o ON ((o.state = e.oldstate)))
     LEFT JOIN public.tcp_audit_states n ON ((n.state = e.newstate)));


--
-- Data for Name: tcp_audit_gaps; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_audit_gaps (host, run_id, first_seq, count, reason, "time", cpu) FROM stdin;
h3	300	11	3	3	2026-12-02 00:15:08.404847+00	\N
\.


--
-- Data for Name: tcp_audit_runs; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_audit_runs (host, run_id, boot_id, prev_run_id, state, start_time, end_time, last_seq, updated) FROM stdin;
h3	300	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	\N	2	2026-01-01 00:00:00+00	2026-01-01 00:01:00+00	18	2026-12-02 00:15:08.405864+00
h3	301	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	1	2026-01-01 00:01:40+00	\N	\N	2026-12-02 00:15:08.406116+00
\.


--
-- Data for Name: tcp_audit_schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_audit_schema_version (table_name, version, updated) FROM stdin;
tcp_events	3	2026-12-02 00:15:08.385114+00
\.


--
-- Data for Name: tcp_audit_states; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_audit_states (state, name) FROM stdin;
0	UNKNOWN
1	ESTABLISHED
2	SYN_SENT
3	SYN_RECV
4	FIN_WAIT1
5	FIN_WAIT2
6	TIME_WAIT
7	CLOSE
8	CLOSE_WAIT
9	LAST_ACK
10	LISTEN
11	CLOSING
12	NEW_SYN_RECV
\.


--
-- Data for Name: tcp_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_events ("time", host, sock, pid, comm, family, protocol, saddr, sport, daddr, dport, oldstate, newstate, boot_id, run_id, seq, netns, cgroup, uid, bytes_sent, bytes_received, lifetime_ns) FROM stdin;
2026-12-02 00:15:08.404367+00	h3	1	4242	drive	4	6	127.0.0.1	40001	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	1	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404368+00	h3	1	4242	drive	4	6	127.0.0.1	40002	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	2	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404369+00	h3	1	4242	drive	4	6	127.0.0.1	40003	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	3	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.40437+00	h3	2	4242	drive	4	6	127.0.0.1	40004	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	4	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404371+00	h3	2	4242	drive	4	6	127.0.0.1	40005	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	5	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404372+00	h3	2	4242	drive	4	6	127.0.0.1	40006	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	6	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404373+00	h3	2	4242	drive	4	6	127.0.0.1	40007	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	7	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404374+00	h3	3	4242	drive	4	6	127.0.0.1	40008	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	8	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404375+00	h3	3	4242	drive	4	6	127.0.0.1	40009	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	9	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404376+00	h3	3	4242	drive	4	6	127.0.0.1	40010	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	10	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.40438+00	h3	4	4242	drive	4	6	127.0.0.1	40014	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	14	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404381+00	h3	4	4242	drive	4	6	127.0.0.1	40015	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	15	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404382+00	h3	5	4242	drive	4	6	127.0.0.1	40016	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	16	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404383+00	h3	5	4242	drive	4	6	127.0.0.1	40017	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	17	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404384+00	h3	5	4242	drive	4	6	127.0.0.1	40018	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	300	18	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404367+00	h3	1	4242	drive	4	6	127.0.0.1	40001	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	301	1	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404368+00	h3	1	4242	drive	4	6	127.0.0.1	40002	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	301	2	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.404369+00	h3	1	4242	drive	4	6	127.0.0.1	40003	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	301	3	\N	\N	\N	\N	\N	\N
2026-12-02 00:15:08.40437+00	h3	2	4242	drive	4	6	127.0.0.1	40004	127.0.0.2	80	7	2	4d6f1c2a-9b1e-4c55-8a77-3f0e21b4c9d1	301	4	\N	\N	\N	\N	\N	\N
\.


--
-- Name: tcp_audit_gaps tcp_audit_gaps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_audit_gaps
    ADD CONSTRAINT tcp_audit_gaps_pkey PRIMARY KEY (host, run_id, first_seq, reason);


--
-- Name: tcp_audit_runs tcp_audit_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_audit_runs
    ADD CONSTRAINT tcp_audit_runs_pkey PRIMARY KEY (host, run_id);


--
-- Name: tcp_audit_schema_version tcp_audit_schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_audit_schema_version
    ADD CONSTRAINT tcp_audit_schema_version_pkey PRIMARY KEY (table_name);


--
-- Name: tcp_audit_states tcp_audit_states_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_audit_states
    ADD CONSTRAINT tcp_audit_states_name_key UNIQUE (name);


--
-- Name: tcp_audit_states tcp_audit_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_audit_states
    ADD CONSTRAINT tcp_audit_states_pkey PRIMARY KEY (state);


--
-- Name: tcp_events tcp_events_host_boot_id_run_id_seq_time_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tcp_events
    ADD CONSTRAINT tcp_events_host_boot_id_run_id_seq_time_key UNIQUE (host, boot_id, run_id, seq, "time");


--
-- Name: tcp_events_daddr_dport_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tcp_events_daddr_dport_idx ON public.tcp_events USING btree (daddr, dport);


--
-- Name: tcp_events_saddr_sport_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tcp_events_saddr_sport_idx ON public.tcp_events USING btree (saddr, sport);


--
-- Name: tcp_events_sock_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tcp_events_sock_time_idx ON public.tcp_events USING btree (sock, "time");


--
-- Name: tcp_events_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tcp_events_time_idx ON public.tcp_events USING btree ("time");


--
-- PostgreSQL database dump complete
--

\unrestrict jESsyUfGixI4IGI1dyx3gy51ChWdlWQHZkF0ocBVONO5rgsyJWJFUyJRVjGBlIY

