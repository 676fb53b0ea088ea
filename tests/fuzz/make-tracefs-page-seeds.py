#!/usr/bin/env python3
# Writes the seed corpus of fuzz-tracefs-page.c into the directory given:
# kernel-shaped pages (one byte of CPU split first), and a few broken ones.
import struct, sys, os
out = sys.argv[1]
ID = 2287
def rec(sk, old, new, sport, dport, fam=2, flags=0x10, pid=0):
    b = struct.pack('<HBBiQiiHHHH', ID, flags, 0, pid, sk, old, new, sport, dport, fam, 6)
    b += bytes([127,0,0,1]) + bytes([127,0,0,2]) + bytes(16) + bytes(16)
    assert len(b) == 72
    return b
def hdr(t, d): return struct.pack('<I', (t & 31) | (d << 5))
def ev(data, d, long=False):
    if not long and len(data) % 4 == 0 and len(data) <= 112:
        return hdr(len(data)//4, d) + data
    pad = (-len(data)) % 4
    return hdr(0, d) + struct.pack('<I', len(data)+4) + data + bytes(pad)
def page(ts, events, missed=0, stored=None):
    body = b''.join(events)
    commit = len(body)
    tail = b''
    if missed:
        commit |= 1 << 31
        if stored is not None:
            commit |= 1 << 30
            tail = struct.pack('<Q', stored)
    return struct.pack('<QQ', ts, commit) + body + tail
def write(name, split, *parts):
    data = b''.join(parts)
    with open(os.path.join(out, name), 'wb') as f:
        f.write(bytes([split]) + data)
sk = 0xffff888000001000
life = [rec(sk, 7, 2, 40000, 80, flags=0, pid=1), rec(sk, 2, 1, 40000, 80), rec(sk, 1, 4, 40000, 80), rec(sk, 4, 7, 40000, 80)]
write('one-page', 255, page(1000, [ev(r, 10) for r in life]))
write('long-form-extend', 255, page(5, [ev(life[0], 1, True), hdr(30, 3) + struct.pack('<I', 2), ev(life[1], 2, True),
      hdr(29, 1) + struct.pack('<I', 8) + bytes(8), ev(life[2], 1)]))
write('missed-stored', 255, page(7, [ev(life[0], 1)], missed=1, stored=12))
write('missed-unknown', 255, page(7, [ev(life[1], 1)], missed=1))
write('two-cpus', 128, page(100, [ev(life[0], 1), ev(life[2], 50)]), page(120, [ev(life[1], 1), ev(life[3], 100)]))
lsk = 0xffff888000002000; csk = 0xffff888000003000
write('listener-child', 255, page(1, [ev(rec(lsk, 7, 10, 8080, 0, flags=0, pid=1), 1), ev(rec(csk, 10, 3, 8080, 5000), 1),
      ev(rec(csk, 3, 1, 8080, 5000), 1), ev(rec(csk, 1, 7, 8080, 5000), 1)]))
write('skaddr-zero', 255, page(1, [ev(rec(0, 7, 2, 1, 2), 1), ev(rec(0, 2, 7, 1, 2), 1), ev(rec(sk, 7, 2, 1, 2), 1)]))
write('empty', 255, page(1, []))
write('commit-too-big', 255, struct.pack('<QQ', 1, 5000) + ev(life[0], 1))
write('ipv6', 255, page(1, [ev(rec(sk, 7, 2, 1, 2, fam=10), 1)]))

def task(tid, body): return struct.pack('<HBBi', tid, 0, 0, 1) + body
newtask = task(205, struct.pack('<i', 500) + b'bash'.ljust(16, b'\0') + bytes(4) + struct.pack('<Qh', 0, 0) + bytes(6))
fname = b'/usr/bin/curl\0'
execr = task(365, struct.pack('<Iii', (len(fname) << 16) | 20, 500, 500) + fname)
rename = task(204, struct.pack('<i', 500) + b'bash'.ljust(16, b'\0') + b'worker'.ljust(16, b'\0') + struct.pack('<h', 0))
exitr = task(369, b'curl'.ljust(16, b'\0') + struct.pack('<iiB', 500, 120, 1) + bytes(3))
conn = rec(sk, 7, 2, 40000, 80, flags=0, pid=500)
write('tasks', 255, page(1, [ev(newtask, 1), ev(execr, 1), ev(conn, 1), ev(rename, 1), ev(exitr, 1),
      ev(rec(sk, 1, 7, 40000, 80, flags=0, pid=500), 1)]))
