#!/usr/bin/env python3
"""Servers and clients that know which process holds which socket, and the
check of tcp-audit's owners against that knowledge (tracefs-owners.sh).

  owners.py forking PORT LOG SECONDS        accept; a forked child handles each
  owners.py reuseport PORT LOG SECONDS N    N processes, SO_REUSEPORT on one port
  owners.py server PORT LOG SECONDS         one process, one connection at a time
  owners.py clients PORT LOG N [PAR]        N short-lived client processes
  owners.py check LOST EVENTS LOG...        compare; exit 1 with the reason
                                            (LOST: events the capture lost; then
                                            only wrong owners count)

Each process writes what it holds to LOG, one line each:
  accepted HOLDER_PID LISTENER_OWNER_PID SERVER_PORT CLIENT_PORT
  client PID CLIENT_PORT SERVER_PORT
A socket with more than one holder over its life (a forking server's
parent, from its accept to its close, then the child) has a line for each,
in the order they held it: an event may name a holder only in that order.
"""
import json
import os
import signal
import socket
import sys
import time


def log(path, line):
    # O_APPEND writes of one short line do not interleave between processes.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, (line + "\n").encode())
    os.close(fd)


def listener(port, reuseport=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(256)
    s.settimeout(0.2)
    return s


def handle(conn, path, holder, owner, port):
    peer = conn.getpeername()[1]
    log(path, f"accepted {holder} {owner} {port} {peer}")
    conn.settimeout(5)
    try:
        while conn.recv(64):
            pass
    except OSError:
        pass
    conn.close()


def accept_loop(s, seconds, on_conn):
    end = time.time() + seconds
    while time.time() < end:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        on_conn(conn)


def forking(port, path, seconds):
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # reap children at once
    s = listener(port)
    owner = os.getpid()

    def on_conn(conn):
        # The parent holds the socket alone from its accept to the fork:
        # an event then (the client's FIN) rightly names it.
        log(path, f"accepted {owner} {owner} {port} {conn.getpeername()[1]}")
        r, w = os.pipe()
        if os.fork() == 0:
            s.close()
            os.close(w)
            # Until the parent has closed its copy, it holds the socket
            # too (its close would be the last one): wait for that.
            os.read(r, 1)
            os.close(r)
            handle(conn, path, os.getpid(), owner, port)
            os._exit(0)
        os.close(r)
        conn.close()  # the child alone holds it now
        os.close(w)

    accept_loop(s, seconds, on_conn)


def server(port, path, seconds, reuseport=False):
    s = listener(port, reuseport)
    me = os.getpid()
    accept_loop(s, seconds, lambda c: handle(c, path, me, me, port))


def reuseport(port, path, seconds, n):
    kids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            server(port, path, seconds, True)
            os._exit(0)
        kids.append(pid)
    for pid in kids:
        os.waitpid(pid, 0)


def one_client(port, path):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(("127.0.0.1", port))
    log(path, f"client {os.getpid()} {c.getsockname()[1]} {port}")
    c.sendall(b"x")
    c.close()


def clients(port, path, n, par=8):
    running = 0
    for _ in range(n):
        if running >= par:
            os.wait()
            running -= 1
        if os.fork() == 0:
            code = 0
            try:
                one_client(port, path)
            except OSError as e:
                print(f"client: {e}", file=sys.stderr)
                code = 1
            os._exit(code)
        running += 1
    bad = 0
    while running:
        _, st = os.wait()
        bad += st != 0
        running -= 1
    if bad:
        sys.exit(f"{bad} clients failed")


def check(events_path, logs):
    accepted, client = {}, {}
    for path in logs:
        for line in open(path):
            f = line.split()
            if f[0] == "accepted":
                key = (int(f[3]), int(f[4]))
                a = accepted.setdefault(key, {"holders": set(), "owners": set(), "order": []})
                a["holders"].add(int(f[1]))
                if int(f[1]) not in a["order"]:
                    a["order"].append(int(f[1]))
                a["owners"].add(int(f[2]))
            elif f[0] == "client":
                client.setdefault((int(f[2]), int(f[3])), set()).add(int(f[1]))
    wrong, per_sock, acc_socks, order = [], {}, set(), {}
    n = {"accepted": 0, "accepted_named": 0, "client": 0, "client_named": 0}
    for line in open(events_path):
        e = json.loads(line)
        if "type" in e:
            continue  # a run or gap record
        key = (e["sport"], e["dport"])
        if key in accepted and key not in client:
            kind = "accepted"
            a = accepted[key]
            ok = {"holder": a["holders"], "listener": a["owners"]}
        elif key in client and key not in accepted:
            kind = "client"
            ok = {"holder": client[key], "listener": set()}
        else:
            continue
        n[kind] += 1
        if e["pid"] is None:
            continue
        n[kind + "_named"] += 1
        if e.get("owner") not in ok or e["pid"] not in ok[e["owner"]]:
            wrong.append(e)
            n[kind + "_wrong"] = n.get(kind + "_wrong", 0) + 1
        per_sock.setdefault(e["sock"], []).append(e)
        if kind == "accepted":
            acc_socks.add(e["sock"])
            order[e["sock"]] = accepted[key]["order"]
    if wrong:
        # The counts first, for a comparison table; then the failure.
        print(json.dumps({**n, "accepted_sockets": len(accepted), "wrong": len(wrong)}))
        sys.exit(f"{len(wrong)} events with a wrong owner, e.g. {wrong[:3]}")
    # From the holder's first event on, every event carries the holder, or
    # one that held the socket after it.
    for sock, evs in per_sock.items():
        seen, held = None, order.get(sock)
        for e in evs:
            if seen is not None and (e.get("owner") != "holder" or e["pid"] != seen) and not (
                    held and e.get("owner") == "holder" and e["pid"] in held[held.index(seen) + 1:]):
                sys.exit(f"socket {sock}: an event after the holder's without it: {e}")
            if e.get("owner") == "holder":
                seen = e["pid"]
    holders = {s for s in acc_socks if any(e.get("owner") == "holder" for e in per_sock[s])}
    print(json.dumps({**n, "accepted_sockets": len(accepted), "with_holder": len(holders),
                      "wrong": 0}))
    return n, len(accepted), len(holders)


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "forking":
        forking(int(a[0]), a[1], float(a[2]))
    elif cmd == "reuseport":
        reuseport(int(a[0]), a[1], float(a[2]), int(a[3]))
    elif cmd == "server":
        server(int(a[0]), a[1], float(a[2]))
    elif cmd == "clients":
        clients(int(a[0]), a[1], int(a[2]), int(a[3]) if len(a) > 3 else 8)
    elif cmd == "check":
        n, nacc, nhold = check(a[1], a[2:])
        # A loss (a machine busier than the reader) takes events, and with
        # them holders; it never excuses a wrong owner.
        if int(a[0]):
            return
        if n["client"] and n["client_named"] < 0.99 * n["client"]:
            sys.exit(f"only {n['client_named']} of {n['client']} client events named")
        if nacc and nhold < 0.95 * nacc:
            sys.exit(f"only {nhold} of {nacc} accepted sockets ever named their holder")
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
