#!/usr/bin/env python3
"""Check the JSON events of one loopback scenario of the tracefs tests.

  tracefs-check.py EVENTS FAMILY PORT SCENARIO T0_NS T1_NS SERVER_PID CLIENT_PID

SCENARIO is normal (client closes first), rst (server resets) or refused
(connect to PORT, which nobody listens on; SERVER_PID is ignored). Asserts
the exact state sequence of each socket, its addresses, ports and family,
one stable sock id per socket and distinct ids across sockets, times inside
[T0-1s, T1+1s], and that every event is attributed to the socket's real
owner (by pid and comm) and never to anyone else. Exits 1 with a reason.
"""
import json
import sys

SEQ = {
    "normal": {
        "listener": ["CLOSE>LISTEN", "LISTEN>CLOSE"],
        "client": ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>FIN_WAIT1",
                   "FIN_WAIT1>FIN_WAIT2", "FIN_WAIT2>CLOSE"],
        "child": ["LISTEN>SYN_RECV", "SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE_WAIT",
                  "CLOSE_WAIT>LAST_ACK", "LAST_ACK>CLOSE"],
    },
    "rst": {
        "listener": ["CLOSE>LISTEN", "LISTEN>CLOSE"],
        "client": ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>CLOSE"],
        "child": ["LISTEN>SYN_RECV", "SYN_RECV>ESTABLISHED", "ESTABLISHED>CLOSE"],
    },
    "refused": {
        "client": ["CLOSE>SYN_SENT", "SYN_SENT>CLOSE"],
    },
}
COMM = {"listener": "tca-server", "child": "tca-server", "client": "tca-client"}


def fail(msg):
    sys.exit("tracefs-check: " + msg)


def main(path, family, port, scenario, t0, t1, server_pid, client_pid):
    port, t0, t1 = int(port), int(t0), int(t1)
    host = "127.0.0.1" if family == "ipv4" else "::1"
    anyaddr = "0.0.0.0" if family == "ipv4" else "::"
    pids = {"listener": int(server_pid), "child": int(server_pid), "client": int(client_pid)}
    evs = []
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if "type" in e:
                continue  # a run or gap record
            # Only this scenario's family: the port was free in both when
            # it was chosen, but another test may take it in the other.
            if (e["sport"] == port or e["dport"] == port) and e["family"] == family:
                evs.append(e)
    socks = {}
    for e in evs:
        socks.setdefault(e["sock"], []).append(e)
    roles = {}
    for sid, lst in socks.items():
        first = lst[0]
        if first["newstate"] == "LISTEN":
            role = "listener"
        elif first["oldstate"] == "LISTEN":
            role = "child"
        else:
            role = "client"
        if role in roles:
            fail(f"two sockets look like the {role}: ids {roles[role]} and {sid}: "
                 f"{socks[roles[role]]} and {lst}")
        roles[role] = sid
    want = SEQ[scenario]
    if sorted(roles) != sorted(want):
        fail(f"expected sockets {sorted(want)}, got {sorted(roles)}: {evs}")
    for role, sid in roles.items():
        lst = socks[sid]
        got = [f'{e["oldstate"]}>{e["newstate"]}' for e in lst]
        if got != want[role]:
            fail(f"{role} states: expected {want[role]}, got {got}")
        last_t = 0
        for e in lst:
            if e["family"] != family or e["protocol"] != "tcp":
                fail(f"{role}: family/protocol {e['family']}/{e['protocol']}")
            if e.get("pid") != pids[role] or e.get("comm") != COMM[role]:
                fail(f"{role} event {e['oldstate']}>{e['newstate']} attributed to "
                     f"{e.get('pid')}/{e.get('comm')}, expected {pids[role]}/{COMM[role]}")
            if e["saddr"] != host or e["daddr"] not in (host, anyaddr):
                fail(f"{role}: addresses {e['saddr']} -> {e['daddr']}")
            t = e["time_ns"] if "time_ns" in e else parse_time(e["time"])
            if not t0 - 10**9 <= t <= t1 + 10**9:
                fail(f"{role}: time {e['time']} outside the window [{t0}, {t1}] ns")
            if t < last_t:
                fail(f"{role}: events out of order")
            last_t = t
        if role == "listener" and (lst[0]["sport"] != port or lst[0]["daddr"] != anyaddr):
            fail(f"listener: port {lst[0]['sport']} daddr {lst[0]['daddr']}")
        if role == "child" and any(e["sport"] != port for e in lst):
            fail("child: local port is not the listener's")
        if role == "client" and any(e["dport"] != port for e in lst):
            fail("client: remote port is not the server's")
    if "child" in roles:
        cport = {e["sport"] for e in socks[roles["client"]][1:]}
        if cport != {e["dport"] for e in socks[roles["child"]]}:
            fail(f"client port {cport} is not the child's peer port")
    print(f"ok: {scenario} {family}: {len(evs)} events, {len(roles)} sockets")


def parse_time(s):
    # "2026-11-24T10:11:12.123456789Z"
    import calendar
    import time
    base, frac = s.rstrip("Z").split(".")
    sec = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    return sec * 10**9 + int(frac.ljust(9, "0")[:9])


if __name__ == "__main__":
    if len(sys.argv) != 9:
        sys.exit(__doc__)
    main(*sys.argv[1:])
