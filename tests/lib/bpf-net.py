#!/usr/bin/env python3
"""Loopback TCP with known ground truth, for the bpf eventer's tests.

  bpf-net.py prefork FAMILY PORTFILE WORKERS EACH TRUTH
      a parent (comm tca-parent) listens and forks WORKERS workers (tca-worker)
      that accept EACH connections each; writes "listener PID PORT" and one
      "accept PID PEERPORT" per connection to TRUTH
  bpf-net.py forkaccept FAMILY PORTFILE N TRUTH
      a parent (tca-parent) accepts N connections and forks a child
      (tca-backend) for each, as PostgreSQL does, closing its own copy before
      the child answers; writes "listener PID PORT", "accept PID PEERPORT"
      and "backend PID PEERPORT"
  bpf-net.py clients FAMILY PORT N PARALLEL TRUTH
      N short-lived client processes (tca-client), PARALLEL at a time, each
      writes "client PID LOCALPORT", sends a line and awaits the reply
  bpf-net.py sink FAMILY PORTFILE REPLY
      accept one connection (tca-server), read to EOF, send REPLY bytes, close
  bpf-net.py send FAMILY PORT SEND COMM
      connect, send SEND bytes, shut down, read to EOF, close; prints the
      local port and the bytes received

BPFNET_PORT, if set, is the port the servers listen on (else any free one).
"""
import ctypes
import os
import socket
import sys

PR_SET_NAME = 15


def set_comm(name):
    ctypes.CDLL(None).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def family_of(arg):
    return (socket.AF_INET, "127.0.0.1") if arg == "4" else (socket.AF_INET6, "::1")


def record(path, line):
    # One write on an O_APPEND file: lines from many processes stay whole.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, (line + "\n").encode())
    os.close(fd)


def listen(fam, portfile, backlog):
    af, host = family_of(fam)
    lst = socket.socket(af, socket.SOCK_STREAM)
    lst.bind((host, int(os.environ.get("BPFNET_PORT", "0"))))
    lst.listen(backlog)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(lst.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    return lst


def read_line(conn):
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            break
        data += chunk
    return data


def worker(lst, each, truth):
    set_comm("tca-worker")
    for _ in range(each):
        conn, peer = lst.accept()
        record(truth, f"accept {os.getpid()} {peer[1]}")
        read_line(conn)
        conn.sendall(b"ok\n")
        while conn.recv(64):
            pass
        conn.close()
    os._exit(0)


def prefork(fam, portfile, workers, each, truth):
    set_comm("tca-parent")
    lst = listen(fam, portfile, 128)
    record(truth, f"listener {os.getpid()} {lst.getsockname()[1]}")
    pids = []
    for _ in range(int(workers)):
        pid = os.fork()
        if pid == 0:
            worker(lst, int(each), truth)
        pids.append(pid)
    status = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        status |= st
    lst.close()
    sys.exit(1 if status else 0)


def backend(conn, peer, go, truth):
    set_comm("tca-backend")
    record(truth, f"backend {os.getpid()} {peer}")
    read_line(conn)
    os.read(go, 1)  # the parent has closed its copy
    conn.sendall(b"ok\n")
    while conn.recv(64):
        pass
    conn.close()
    os._exit(0)


def forkaccept(fam, portfile, n, truth):
    set_comm("tca-parent")
    lst = listen(fam, portfile, 128)
    record(truth, f"listener {os.getpid()} {lst.getsockname()[1]}")
    failed = 0
    for _ in range(int(n)):
        conn, peer = lst.accept()
        record(truth, f"accept {os.getpid()} {peer[1]}")
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            lst.close()
            os.close(go_w)
            backend(conn, peer[1], go_r, truth)
        os.close(go_r)
        conn.close()
        os.write(go_w, b"x")
        os.close(go_w)
        _, st = os.waitpid(pid, 0)
        failed |= st
    lst.close()
    sys.exit(1 if failed else 0)


def client(fam, port, truth):
    set_comm("tca-client")
    af, host = family_of(fam)
    c = socket.socket(af, socket.SOCK_STREAM)
    c.connect((host, int(port)))
    record(truth, f"client {os.getpid()} {c.getsockname()[1]}")
    c.sendall(b"hi\n")
    read_line(c)
    c.close()
    os._exit(0)


def clients(fam, port, n, parallel, truth):
    running, failed = 0, 0
    for _ in range(int(n)):
        if running == int(parallel):
            _, st = os.wait()
            failed |= st
            running -= 1
        if os.fork() == 0:
            client(fam, port, truth)
        running += 1
    while running:
        _, st = os.wait()
        failed |= st
        running -= 1
    sys.exit(1 if failed else 0)


def sink(fam, portfile, reply):
    set_comm("tca-server")
    lst = listen(fam, portfile, 8)
    conn, _ = lst.accept()
    while conn.recv(65536):
        pass
    conn.sendall(b"r" * int(reply))
    conn.close()
    lst.close()


def send(fam, port, size, comm):
    set_comm(comm)
    af, host = family_of(fam)
    c = socket.socket(af, socket.SOCK_STREAM)
    c.connect((host, int(port)))
    lport = c.getsockname()[1]
    c.sendall(b"s" * int(size))
    c.shutdown(socket.SHUT_WR)
    got = 0
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    c.close()
    print(lport, got)


def main(argv):
    cmds = {"prefork": prefork, "forkaccept": forkaccept, "clients": clients, "sink": sink, "send": send}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
