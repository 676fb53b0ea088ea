-- A schema-2 pgsql archive as tcp-audit 0.1.0's pgsql sinker made it: the
-- table tcp_events with 12 replayed events of one run, made with
--   tcp-audit -e replay -E count=12 -s pgsql
-- against an empty database and kept with pg_dump --no-owner --no-privileges.
-- tests/integration/pgsql-migrate.sh loads it and lets the current sinker
-- migrate it in place.
--
-- PostgreSQL database dump
--


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
-- Data for Name: tcp_audit_schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tcp_audit_schema_version (table_name, version, updated) FROM stdin;
tcp_events	2	2026-12-01 21:20:52.269073+00
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
2026-01-01 00:00:00+00	vm	1	1000	proc-0	4	6	192.0.2.1	1024	198.51.100.1	443	1	2	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	0	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000001+00	vm	1	1001	proc-1	4	6	192.0.2.2	1025	198.51.100.2	80	2	3	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	1	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000002+00	vm	1	1002	proc-2	4	6	192.0.2.3	1026	198.51.100.3	5432	3	4	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	2	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000003+00	vm	1	1003	proc-3	4	6	192.0.2.4	1027	198.51.100.4	443	4	5	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	3	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000004+00	vm	2	1004	proc-4	6	6	2001:db8::4	1028	2001:db8::1	80	5	6	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	4	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000005+00	vm	2	1005	proc-5	6	6	2001:db8::5	1029	2001:db8::1	5432	6	7	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	5	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000006+00	vm	2	\N	\N	6	6	2001:db8::6	1030	2001:db8::1	443	7	8	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	6	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000007+00	vm	2	1007	proc-7	6	6	2001:db8::7	1031	2001:db8::1	80	8	9	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	7	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000008+00	vm	3	1008	proc-8	4	6	192.0.2.9	1032	198.51.100.9	5432	9	10	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	8	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000009+00	vm	3	1009	proc-9	4	6	192.0.2.10	1033	198.51.100.10	443	10	11	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	9	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.00001+00	vm	3	1010	proc-10	4	6	192.0.2.11	1034	198.51.100.11	80	11	12	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	10	\N	\N	\N	\N	\N	\N
2026-01-01 00:00:00.000011+00	vm	3	1011	proc-11	4	6	192.0.2.12	1035	198.51.100.12	5432	12	1	ee32cc19-6448-44cc-a0af-dc1ab298fb49	4579766932883484228	11	\N	\N	\N	\N	\N	\N
\.


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


