# SPDX-License-Identifier: MIT
"""The names that the test eventer namesev hands over (tests/plugins/namesev.c),
and what a JSON reader gets of them, for the tests that check them."""


def text(k):
    """The text of the k-th name, as bytes: id 1000 + k."""
    return [b"/test.slice/c%d.scope", b'/test.slice/q"uote\\back%d',
            b"/test.slice/tab\tnl\n%d", b"/test.slice/bytes\x01\xff\xc3\xa9%d"][k % 4] % k


def as_json(b):
    """What a JSON reader gets for the bytes b: UTF-8 as characters, any
    other byte as the code point of its value (the sinks' \\u00XX)."""
    out, i = "", 0
    while i < len(b):
        for n in (4, 3, 2, 1):
            try:
                out += b[i:i + n].decode("utf-8")
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out += chr(b[i])
            i += 1
    return out
