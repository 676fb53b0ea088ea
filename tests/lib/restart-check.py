#!/usr/bin/env python3
"""Check the json sink's output of several runs that continued each other.

  restart-check.py EVENTS --runs N --events N [--kernel-gap N] [--chains]
                   [--same-sock PORT]

Asserts: N runs, all ended clean (but the first --crashed, unclean), each chained to the one before it
(prev_run_id); in each run no seq stored twice and every seq up to
last_seq stored or in a gap; exactly --events events in all; gap records
only of reason kernel, adding up to --kernel-gap (default 0). With
--chains, every socket's states chain (each event starts where the one
before it ended) from CLOSE or LISTEN to a final CLOSE, across the runs.
With --same-sock, the sockets with local or remote port PORT have events
in more than one run, and one id each (client and server side: 2 ids).
Exits 1 with a reason.
"""
import argparse
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from completeness import read_json, verdict  # noqa: E402


def fail(msg):
    sys.exit("restart-check: " + msg)


def read(path):
    runs, rows, gaps, events = {}, defaultdict(list), defaultdict(list), []
    try:
        order = read_json(path, runs, rows, gaps, events)
    except SystemExit as e:
        fail(str(e.code))
    return runs, order, rows, gaps, events


def check_chains(events, order):
    rank = {r: i for i, r in enumerate(order)}
    socks = defaultdict(list)
    for e in events:
        socks[e["sock"]].append(e)
    for sock, evs in socks.items():
        evs.sort(key=lambda e: (rank[e["run_id"]], e["seq"]))
        states = ["%s>%s" % (e["oldstate"], e["newstate"]) for e in evs]
        if evs[0]["oldstate"] not in ("CLOSE", "LISTEN") or evs[-1]["newstate"] != "CLOSE":
            fail("socket %d: its states do not run from CLOSE or LISTEN to CLOSE: %s" %
                 (sock, " ".join(states)))
        for a, b in zip(evs, evs[1:]):
            if a["newstate"] != b["oldstate"]:
                fail("socket %d: a state change is missing: %s" % (sock, " ".join(states)))
    return len(socks)


def check_same_sock(events, port):
    ids = defaultdict(set)
    for e in events:
        if port in (e["sport"], e["dport"]) and e["oldstate"] != "LISTEN" and e["newstate"] != "LISTEN":
            ids[e["sock"]].add(e["run_id"])
    if len(ids) != 2:
        fail("port %d: expected the client's and the server's socket, got %d ids: %s" %
             (port, len(ids), sorted(ids)))
    for sock, runs in ids.items():
        if len(runs) < 2:
            fail("port %d: socket %d has events in one run only: the test did not restart "
                 "across its life" % (port, sock))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--kernel-gap", type=int, default=0)
    ap.add_argument("--chains", action="store_true")
    ap.add_argument("--same-sock", type=int)
    ap.add_argument("--crashed", type=int, default=0,
                    help="the first N runs ended unclean (killed)")
    a = ap.parse_args()
    runs, order, rows, gaps, events = read(a.file)
    if len(order) != a.runs:
        fail("expected %d runs, found %d" % (a.runs, len(order)))
    kernel = 0
    for i, run in enumerate(order):
        info = runs[run]
        if i < a.crashed:
            if info["state"] != "unclean":
                fail("run %d was killed, but its record says %s" % (run, info["state"]))
            continue
        if info["state"] != "clean":
            fail("run %d ended %s" % (run, info["state"]))
        if i and info["prev"] != order[i - 1]:
            fail("run %d continued run %d, not the run before it, %d" % (run, info["prev"], order[i - 1]))
        v, problems, _, _, _ = verdict(run, info, rows[run], gaps[run])
        if problems or v != "complete":
            fail("run %d is %s: %s" % (run, v, "; ".join(problems)))
        for _, count, reason in gaps[run]:
            if reason != "kernel":
                fail("run %d has a %s gap of %d" % (run, reason, count))
            kernel += count
    if len(events) != a.events:
        fail("expected %d events, stored %d" % (a.events, len(events)))
    if kernel != a.kernel_gap:
        fail("expected kernel gaps of %d events, found %d" % (a.kernel_gap, kernel))
    nsocks = check_chains(events, order) if a.chains else 0
    if a.same_sock:
        check_same_sock(events, a.same_sock)
    print("restart-check: %d runs, %d events, %d sockets, kernel gaps %d" %
          (len(order), len(events), nsocks, kernel))


if __name__ == "__main__":
    main()
