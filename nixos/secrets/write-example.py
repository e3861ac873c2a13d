#!/usr/bin/env python3
"""Writes the EXAMPLE sops files (placeholder values only) where the sops binary cannot be installed:
a fresh data key, each value AES-256-GCM with the AAD "<key>:", the MAC (SHA-512 of the values,
upper-case hex) sealed with the AAD lastmodified, the data key age-encrypted to each recipient
(needs `age` and python3-cryptography). Real secrets: use sops itself (docs/deploy.md).

  write-example.py OUT KEY=VALUE... --to age1... [--to age1...]
  write-example.py --check FILE IDENTITY_FILE   # opens the data key with an age identity, checks values and MAC

nixos/secrets/README.md: how the examples were checked (one more throwaway recipient, then dropped)."""
import base64, hashlib, os, subprocess, sys, datetime, re
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def enc(key, value, aad):
    iv = os.urandom(32)
    ct = AESGCM(key).encrypt(iv, value.encode(), aad.encode())
    data, tag = ct[:-16], ct[-16:]
    b = lambda x: base64.b64encode(x).decode()
    return f"ENC[AES256_GCM,data:{b(data)},iv:{b(iv)},tag:{b(tag)},type:str]"

def dec(key, token, aad):
    m = re.match(r"ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:str\]", token)
    d, iv, tag = (base64.b64decode(x) for x in m.groups())
    return AESGCM(key).decrypt(iv, d + tag, aad.encode()).decode()

def write(out, pairs, recipients):
    key = os.urandom(32)
    lines = []
    mac = hashlib.sha512()
    for k, v in pairs:
        lines.append(f"{k}: {enc(key, v, k + ':')}")
        mac.update(v.encode())
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append("sops:")
    lines.append("    age:")
    for r in recipients:
        armored = subprocess.run(["age", "-r", r, "-a"], input=key, capture_output=True, check=True).stdout.decode()
        lines.append(f"        - recipient: {r}")
        lines.append("          enc: |")
        for l in armored.strip().splitlines():
            lines.append("            " + l)
    lines.append(f'    lastmodified: "{now}"')
    lines.append(f"    mac: {enc(key, mac.hexdigest().upper(), now)}")
    lines.append("    unencrypted_suffix: _unencrypted")
    lines.append("    version: 3.10.2")
    open(out, "w").write("\n".join(lines) + "\n")

def check(path, identity):
    text = open(path).read()
    blocks = re.findall(r"enc: \|\n((?:            .*\n)+)", text)
    key = None
    for b in blocks:
        armored = "\n".join(l.strip() for l in b.splitlines()) + "\n"
        r = subprocess.run(["age", "-d", "-i", identity], input=armored.encode(), capture_output=True)
        if r.returncode == 0:
            key = r.stdout
    assert key and len(key) == 32, "no recipient block opens with this identity"
    mac = hashlib.sha512()
    values = {}
    for k, token in re.findall(r"(?m)^([A-Za-z0-9_-]+): (ENC\[.*\])$", text):
        values[k] = dec(key, token, k + ":")
        mac.update(values[k].encode())
    lm = re.search(r'lastmodified: "([^"]+)"', text).group(1)
    stored = dec(key, re.search(r"(?m)^    mac: (ENC\[.*\])$", text).group(1), lm)
    assert stored == mac.hexdigest().upper(), "MAC mismatch"
    print("ok", len(values), "values, MAC verified:", values)

if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "--check":
        check(a[1], a[2]); sys.exit()
    out, rest = a[0], a[1:]
    recipients, pairs = [], []
    i = 0
    while i < len(rest):
        if rest[i] == "--to":
            recipients.append(rest[i + 1]); i += 2
        else:
            k, v = rest[i].split("=", 1); pairs.append((k, v)); i += 1
    write(out, pairs, recipients)
