#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Decentralised NATS authentication for the tests, without nsc (not packaged):
NKEYs and JWTs of an operator, its accounts and their users, and creds files.

  nats-jwt.py init DIR           an operator, a system account and account APP
                                 (JetStream on, no limits); DIR/server.conf is
                                 the nats-server config fragment for them
                                 (operator, system_account, MEMORY resolver
                                 and its preload)
  nats-jwt.py user DIR NAME      a user of APP (publish and subscribe to all):
                                 DIR/NAME.creds
  nats-jwt.py stranger DIR NAME  a user signed by an account key the operator
                                 never signed: DIR/NAME.creds, refused
  nats-jwt.py revoke DIR NAME    revoke user NAME in APP's JWT and write
                                 DIR/server.conf again (reload the server)
  nats-jwt.py seed DIR NAME      print NAME's seed (for tests that look for it
                                 in logs)

The keys are kept in DIR/keys.json. Formats (from the nkeys and jwt
libraries' documentation and sources, facts only):
- an NKEY is base32 (RFC 4648, no padding) of a prefix byte, the 32-byte
  Ed25519 public key and a CRC-16/XMODEM of both, little-endian;
- a seed is the same of two prefix bytes ('S' and the key's kind packed in
  10 bits) and the 32-byte Ed25519 private seed;
- a JWT is base64url (no padding) of {"typ":"JWT","alg":"ed25519-nkey"},
  of the claims, and of the Ed25519 signature of "header.claims" by the
  issuer's key; jti is a hash of the claims without it (the jwt library
  takes SHA-512/256; the server only keeps it as the id).
"""
import base64
import hashlib
import json
import os
import sys
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PREFIX = {"seed": 18 << 3, "operator": 14 << 3, "account": 0, "user": 20 << 3}


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def b32(raw):
    raw += crc16(raw).to_bytes(2, "little")
    return base64.b32encode(raw).decode().rstrip("=")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_key(kind):
    """A fresh key pair of that kind, as {"seed": S..., "public": O/A/U...}."""
    priv = Ed25519PrivateKey.generate()
    raw_seed = priv.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption())
    raw_pub = priv.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)
    p = PREFIX[kind]
    seed = b32(bytes([PREFIX["seed"] | (p >> 5), (p & 31) << 3]) + raw_seed)
    return {"seed": seed, "public": b32(bytes([p]) + raw_pub), "raw": raw_seed.hex()}


def private_of(key):
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key["raw"]))


def jti_of(claims):
    body = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    try:
        h = hashlib.new("sha512_256", body).digest()
    except ValueError:
        h = hashlib.sha256(body).digest()
    return base64.b32encode(h).decode().rstrip("=")


def jwt(issuer, subject, name, nats):
    claims = {"iat": int(time.time()), "iss": issuer["public"], "name": name,
              "sub": subject, "nats": dict(nats, version=2)}
    claims = dict(claims, jti=jti_of(claims))
    header = b64url(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signed = f"{header}.{payload}"
    return f"{signed}.{b64url(private_of(issuer).sign(signed.encode()))}"


NO_LIMITS = {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
             "wildcards": True, "conn": -1, "leaf": -1}
JETSTREAM = {"mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1}


def account_jwt(keys, name, jetstream, revocations=None):
    nats = {"type": "account", "limits": dict(NO_LIMITS, **(JETSTREAM if jetstream else {})),
            "default_permissions": {"pub": {}, "sub": {}}}
    if revocations:
        nats["revocations"] = revocations
    return jwt(keys["operator"], keys[name]["public"], name, nats)


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def write_creds(path, user_jwt, seed):
    write_private(path, "-----BEGIN NATS USER JWT-----\n" + user_jwt +
                  "\n------END NATS USER JWT------\n\n"
                  "************************* IMPORTANT *************************\n"
                  "NKEY Seed printed below can be used to sign and prove identity.\n"
                  "NKEYs are sensitive and should be treated as secrets.\n\n"
                  "-----BEGIN USER NKEY SEED-----\n" + seed +
                  "\n------END USER NKEY SEED------\n\n"
                  "*************************************************************\n")


def load(d):
    with open(os.path.join(d, "keys.json")) as f:
        return json.load(f)


def save(d, keys):
    write_private(os.path.join(d, "keys.json"), json.dumps(keys, indent=1))


def write_server_conf(d, keys):
    op_path = os.path.join(d, "operator.jwt")
    # The operator's JWT stays: a server cannot take a new one on reload.
    if not os.path.exists(op_path):
        op = jwt(keys["operator"], keys["operator"]["public"], "tca-test-operator",
                 {"type": "operator", "system_account": keys["SYS"]["public"]})
        with open(op_path, "w") as f:
            f.write(op + "\n")
    sys_jwt = account_jwt(keys, "SYS", False)
    app_jwt = account_jwt(keys, "APP", True, keys.get("revoked"))
    with open(os.path.join(d, "server.conf"), "w") as f:
        f.write(f'operator: "{op_path}"\n'
                f'system_account: {keys["SYS"]["public"]}\n'
                "resolver: MEMORY\n"
                "resolver_preload: {\n"
                f'  {keys["SYS"]["public"]}: "{sys_jwt}"\n'
                f'  {keys["APP"]["public"]}: "{app_jwt}"\n'
                "}\n")


def cmd_init(d):
    os.makedirs(d, exist_ok=True)
    keys = {"operator": new_key("operator"), "SYS": new_key("account"),
            "APP": new_key("account"), "users": {}}
    save(d, keys)
    write_server_conf(d, keys)


def mint_user(d, name, account):
    keys = load(d)
    user = new_key("user")
    nats = {"type": "user", "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1}
    write_creds(os.path.join(d, name + ".creds"),
                jwt(account, user["public"], name, nats), user["seed"])
    keys["users"][name] = user
    save(d, keys)


def cmd_revoke(d, name):
    keys = load(d)
    revoked = keys.setdefault("revoked", {})
    # Revoked are the user's JWTs issued at or before this time.
    revoked[keys["users"][name]["public"]] = int(time.time())
    save(d, keys)
    write_server_conf(d, keys)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("init", "user", "stranger", "revoke", "seed"):
        sys.exit(__doc__)
    cmd, d = argv[1], argv[2]
    if cmd == "init":
        cmd_init(d)
    elif len(argv) != 4:
        sys.exit(__doc__)
    elif cmd == "user":
        mint_user(d, argv[3], load(d)["APP"])
    elif cmd == "stranger":
        mint_user(d, argv[3], new_key("account"))
    elif cmd == "revoke":
        cmd_revoke(d, argv[3])
    else:
        print(load(d)["users"][argv[3]]["seed"])


if __name__ == "__main__":
    main(sys.argv)
