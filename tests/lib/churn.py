#!/usr/bin/env python3
"""Loopback TCP traffic for the tracefs tests and benchmark.

  churn.py serve FAMILY PORTFILE COMM [rst]   accept one connection, then close
                                              (after EOF, or at once with a RST)
  churn.py dualserve PORTFILE COMM            serve, on a dual-stack [::] listener
                                              (IPv4 clients too)
  churn.py connect FAMILY PORT COMM [rst]     connect, then close (or await the RST)
  churn.py refused FAMILY COMM                connect to a closed port
  churn.py churn FAMILY SECONDS PROCS [RATE]  connections as fast as possible, or
                                              RATE per second in all; prints the count

FAMILY is 4 (127.0.0.1) or 6 (::1). CHURN_PORT, if set, is the port that
serve and churn listen on and refused probes (else any free one), so that
a capture can be filtered to it. COMM becomes the process's command name,
so that a test can tell the server's events from the client's.
"""
import ctypes
import errno
import multiprocessing
import os
import socket
import struct
import sys
import time

PR_SET_NAME = 15


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def family_of(arg):
    return (socket.AF_INET, "127.0.0.1") if arg == "4" else (socket.AF_INET6, "::1")


def linger_rst(sock):
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def serve(fam, portfile, comm, rst=False):
    set_comm(comm)
    if fam == "dual":
        lst = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        lst.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        host = "::"
    else:
        af, host = family_of(fam)
        lst = socket.socket(af, socket.SOCK_STREAM)
    lst.bind((host, int(os.environ.get("CHURN_PORT", "0"))))
    lst.listen(8)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(lst.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    conn, _ = lst.accept()
    if rst:
        conn.recv(1)
        linger_rst(conn)
    else:
        while conn.recv(4096):
            pass
        # Let the client's FIN be acknowledged on its own, so that the client
        # goes through FIN_WAIT2 rather than a simultaneous close.
        time.sleep(0.2)
    conn.close()
    lst.close()


def connect(fam, port, comm, rst=False):
    set_comm(comm)
    af, host = family_of(fam)
    c = socket.socket(af, socket.SOCK_STREAM)
    c.connect((host, int(port)))
    if rst:
        c.send(b"x")
        try:
            c.recv(1)
        except ConnectionResetError:
            pass
        time.sleep(0.1)
    c.close()


def refused(fam, comm):
    set_comm(comm)
    af, host = family_of(fam)
    # A port nobody listens on: bind one, and connect to it unlistened.
    probe = socket.socket(af, socket.SOCK_STREAM)
    probe.bind((host, int(os.environ.get("CHURN_PORT", "0"))))
    port = probe.getsockname()[1]
    c = socket.socket(af, socket.SOCK_STREAM)
    try:
        c.connect((host, port))
    except ConnectionRefusedError:
        pass
    else:
        sys.exit("connect to an unlistened port succeeded")
    c.close()
    probe.close()
    print(port)


def churn_server(lst, stop):
    parent = os.getppid()
    # If the parent is killed it never sets stop: end with it, not never.
    while not stop.is_set() and os.getppid() == parent:
        try:
            conn, _ = lst.accept()
        except OSError:
            continue
        conn.close()


def churn_client(fam, port, seconds, rate, out):
    af, host = family_of(fam)
    n = 0
    start = time.monotonic()
    end = start + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if rate and n >= rate * (now - start):
            time.sleep(0.001)
            continue
        c = socket.socket(af, socket.SOCK_STREAM)
        try:
            c.connect((host, port))
            c.recv(1)
            n += 1
        except OSError:
            pass
        c.close()
    out.put(n)


def churn(fam, seconds, procs, rate=0):
    set_comm("tca-churn")
    af, host = family_of(fam)
    procs = int(procs)
    lst = socket.socket(af, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((host, int(os.environ.get("CHURN_PORT", "0"))))
    lst.listen(4096)
    lst.settimeout(0.2)
    port = lst.getsockname()[1]
    stop = multiprocessing.Event()
    servers = [multiprocessing.Process(target=churn_server, args=(lst, stop)) for _ in range(procs)]
    out = multiprocessing.Queue()
    per = float(rate) / procs if rate else 0
    clients = [multiprocessing.Process(target=churn_client, args=(fam, port, float(seconds), per, out))
               for _ in range(procs)]
    for p in servers + clients:
        p.start()
    total = sum(out.get() for _ in clients)
    for p in clients:
        p.join()
    stop.set()
    for p in servers:
        p.join()
    lst.close()
    print(total, port)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "serve":
        serve(args[0], args[1], args[2], len(args) > 3 and args[3] == "rst")
    elif cmd == "dualserve":
        serve("dual", args[0], args[1])
    elif cmd == "connect":
        connect(args[0], args[1], args[2], len(args) > 3 and args[3] == "rst")
    elif cmd == "refused":
        refused(args[0], args[1])
    elif cmd == "churn":
        churn(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
