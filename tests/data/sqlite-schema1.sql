-- A schema-1 archive (PRAGMA user_version = 1) as tcp-audit 0.1.0's sqlite
-- sinker wrote it: 12 replayed events of one run, made with
--   tcp-audit -e replay -E count=12 -s sqlite -S path=old.db
-- and kept as text with sqlite3 old.db .dump; the pragmas the sinker set
-- before its first table come first. tests/integration/sqlite-migrate.sh
-- loads it and lets the current sinker migrate it in place.
PRAGMA auto_vacuum = INCREMENTAL;
PRAGMA journal_mode = WAL;
BEGIN TRANSACTION;
CREATE TABLE tcp_events ( time INTEGER NOT NULL, host TEXT NOT NULL, sock INTEGER NOT NULL, pid INTEGER, comm TEXT, family TEXT NOT NULL, protocol TEXT NOT NULL, saddr TEXT NOT NULL, sport INTEGER NOT NULL, daddr TEXT NOT NULL, dport INTEGER NOT NULL, oldstate TEXT NOT NULL, newstate TEXT NOT NULL, netns INTEGER, cgroup INTEGER, uid INTEGER, bytes_sent INTEGER, bytes_received INTEGER, lifetime_ns INTEGER, boot_id TEXT NOT NULL, run_id INTEGER NOT NULL, seq INTEGER NOT NULL, UNIQUE (run_id, seq));
INSERT INTO tcp_events VALUES(1767225600000000000,'vm',1,1000,'proc-0','ipv4','tcp','192.0.2.1',1024,'198.51.100.1',443,'ESTABLISHED','SYN_SENT',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,0);
INSERT INTO tcp_events VALUES(1767225600000001000,'vm',1,1001,'proc-1','ipv4','tcp','192.0.2.2',1025,'198.51.100.2',80,'SYN_SENT','SYN_RECV',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,1);
INSERT INTO tcp_events VALUES(1767225600000002000,'vm',1,1002,'proc-2','ipv4','tcp','192.0.2.3',1026,'198.51.100.3',5432,'SYN_RECV','FIN_WAIT1',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,2);
INSERT INTO tcp_events VALUES(1767225600000003000,'vm',1,1003,'proc-3','ipv4','tcp','192.0.2.4',1027,'198.51.100.4',443,'FIN_WAIT1','FIN_WAIT2',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,3);
INSERT INTO tcp_events VALUES(1767225600000004000,'vm',2,1004,'proc-4','ipv6','tcp','2001:db8::4',1028,'2001:db8::1',80,'FIN_WAIT2','TIME_WAIT',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,4);
INSERT INTO tcp_events VALUES(1767225600000005000,'vm',2,1005,'proc-5','ipv6','tcp','2001:db8::5',1029,'2001:db8::1',5432,'TIME_WAIT','CLOSE',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,5);
INSERT INTO tcp_events VALUES(1767225600000006000,'vm',2,NULL,NULL,'ipv6','tcp','2001:db8::6',1030,'2001:db8::1',443,'CLOSE','CLOSE_WAIT',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,6);
INSERT INTO tcp_events VALUES(1767225600000007000,'vm',2,1007,'proc-7','ipv6','tcp','2001:db8::7',1031,'2001:db8::1',80,'CLOSE_WAIT','LAST_ACK',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,7);
INSERT INTO tcp_events VALUES(1767225600000008000,'vm',3,1008,'proc-8','ipv4','tcp','192.0.2.9',1032,'198.51.100.9',5432,'LAST_ACK','LISTEN',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,8);
INSERT INTO tcp_events VALUES(1767225600000009000,'vm',3,1009,'proc-9','ipv4','tcp','192.0.2.10',1033,'198.51.100.10',443,'LISTEN','CLOSING',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,9);
INSERT INTO tcp_events VALUES(1767225600000010000,'vm',3,1010,'proc-10','ipv4','tcp','192.0.2.11',1034,'198.51.100.11',80,'CLOSING','NEW_SYN_RECV',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,10);
INSERT INTO tcp_events VALUES(1767225600000011000,'vm',3,1011,'proc-11','ipv4','tcp','192.0.2.12',1035,'198.51.100.12',5432,'NEW_SYN_RECV','ESTABLISHED',NULL,NULL,NULL,NULL,NULL,NULL,'ee32cc19-6448-44cc-a0af-dc1ab298fb49',2252136386101341352,11);
CREATE INDEX tcp_events_time ON tcp_events (time);
CREATE INDEX tcp_events_daddr ON tcp_events (daddr, dport);
CREATE INDEX tcp_events_saddr ON tcp_events (saddr, sport);
CREATE INDEX tcp_events_sock ON tcp_events (sock);
CREATE VIEW tcp_events_named AS SELECT strftime('%Y-%m-%dT%H:%M:%S', time / 1000000000, 'unixepoch') || printf('.%09dZ', time % 1000000000) AS time, host, sock, pid, comm, family, protocol, saddr, sport, daddr, dport, oldstate, newstate, netns, cgroup, uid, bytes_sent, bytes_received, lifetime_ns, boot_id, run_id, seq FROM tcp_events;
COMMIT;
PRAGMA user_version = 1;
