#!/usr/bin/env python3
"""Check a run's record the way an auditor would, from the store alone.

Reads the output of the json sinker or of the test sinker "flaky" and,
for every run found in it, checks that no seq is stored twice, that no
seq is both stored and inside a gap, and whether stored seqs and gaps
cover 1..last_seq. Prints one line per run:

    run RUN state STATE last_seq N events N gaps N (reasons) unknown N verdict V

and exits 1 when a check given on the command line does not hold:
    --complete RUN|last    that run (or the last one) must be complete
    --events N             that run must have N events and gaps together
"""
import argparse
import json
import sys
from collections import defaultdict

REASONS = {1: "kernel", 2: "source", 3: "queue_full", 4: "unflushed", 5: "refused",
           6: "unclean_end", 7: "spool"}
STATES = {1: "running", 2: "clean", 3: "failed", 4: "unclean"}


def read_flaky(path, runs, rows, gaps):
    order = []
    for line in open(path):
        f = line.split()
        if f[0] == "run":
            run = int(f[1])
            if run not in runs:
                order.append(run)
            runs[run] = {"state": STATES[int(f[2])], "last_seq": int(f[3]), "prev": int(f[4])}
        elif f[0] == "gap":
            gaps[int(f[1])].append((int(f[2]), int(f[3]), REASONS[int(f[4])]))
        elif f[0] == "name":
            continue  # what an id stands for: no event, no seq
        elif len(f) > 2:
            rows[int(f[2])].append(int(f[0]))  # flaky origin=yes: "seq sock run"
        else:
            rows[None].append(int(f[0]))
    return order


def read_json(path, runs, rows, gaps, events=None):
    """The runs in order of appearance; each event also goes to events,
    when given, as its parsed object."""
    order = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            o = json.loads(line)
        except ValueError:
            sys.exit(f"line {n} is not a whole JSON object (torn?): {line!r}")
        kind = o.get("type")
        if kind == "run":
            if o["run_id"] not in runs:
                order.append(o["run_id"])
            runs[o["run_id"]] = {"state": o["state"], "last_seq": o.get("last_seq", 0),
                                 "prev": o.get("prev_run_id", 0)}
        elif kind == "gap":
            gaps[o["run_id"]].append((o["first_seq"], o["count"] or 0, o["reason"]))
        elif kind == "name":
            continue  # what an id stands for: no event, no seq
        else:
            rows[o["run_id"]].append(o["seq"])
            if events is not None:
                events.append(o)
    return order


def verdict(run, info, seqs, gap_list):
    problems = []
    if len(seqs) != len(set(seqs)):
        problems.append("%d seqs stored twice" % (len(seqs) - len(set(seqs))))
    stored = set(seqs)
    covered = set()
    unknown = 0
    for first, count, _ in gap_list:
        if count == 0:
            unknown += 1
            continue
        span = set(range(first, first + count))
        if span & stored:
            problems.append("gap %d+%d overlaps stored events" % (first, count))
        if span & covered:
            problems.append("gap %d+%d overlaps another gap" % (first, count))
        covered |= span
    last = info.get("last_seq", 0)
    if info["state"] in ("clean", "failed"):
        missing = set(range(1, last + 1)) - stored - covered
        extra = {s for s in stored | covered if s > last}
        if missing:
            problems.append("%d seqs neither stored nor in a gap (first %d)" % (len(missing), min(missing)))
        if extra:
            problems.append("%d seqs past last_seq" % len(extra))
        v = "complete" if not problems and not unknown else "incomplete"
    elif info["state"] == "unclean":
        v = "unknown-size gap" if unknown else "incomplete"
    else:
        v = "running"
    return v, problems, len(stored), sum(c for _, c, _ in gap_list), unknown


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--format", choices=["json", "flaky"], default="json")
    ap.add_argument("--complete")
    ap.add_argument("--events", type=int)
    a = ap.parse_args()
    runs, rows, gaps = {}, defaultdict(list), defaultdict(list)
    order = (read_flaky if a.format == "flaky" else read_json)(a.file, runs, rows, gaps)
    if a.format == "flaky" and None in rows:
        # flaky's event lines carry no run: they belong to its one run
        # that is not some earlier run's record.
        own = [r for r in order if runs[r]["state"] != "unclean"]
        rows[own[-1]] = rows.pop(None)
    bad = 0
    result = {}
    for run in order:
        v, problems, nrows, ngaps, unknown = verdict(run, runs[run], rows[run], gaps[run])
        reasons = ",".join(sorted({r for _, _, r in gaps[run]})) or "-"
        print("run %d state %s last_seq %d events %d gaps %d (%s) unknown %d verdict %s" %
              (run, runs[run]["state"], runs[run]["last_seq"], nrows, ngaps, reasons, unknown, v))
        for p in problems:
            print("  problem:", p)
        bad |= bool(problems)
        result[run] = (v, nrows + ngaps)
    want = order[-1] if a.complete == "last" else (int(a.complete) if a.complete else None)
    if want is not None and result.get(want, ("absent",))[0] != "complete":
        print("run %s is not complete" % want)
        bad = 1
    if a.events is not None and want is not None and result[want][1] != a.events:
        print("run %s: events + gaps = %d, expected %d" % (want, result[want][1], a.events))
        bad = 1
    sys.exit(bad)


if __name__ == "__main__":
    main()
