#!/usr/bin/env python3
"""The FRR bgpd tests' (frr_rtrmod*.sh) cases and their reading of vtysh.

The route cases are fixed here: for IPv4 and IPv6, one route of each
RFC 6811 outcome (valid; invalid by origin, by max length, by both, by
AS0 VRPs only; not found), and two that the VRP change turns around (a
not-found one becomes invalid, an invalid one valid).  What each route's
state and reason are is computed again from the whole served set (so a VRP
of the real data covering a case would show), with plain `ipaddress`
arithmetic sharing nothing with rtrmod; the reason names are those of
rtrmod_rov_reason_name().

    frr.py cases DIR                  DIR/c1.json, DIR/c2.json (the cases'
                                      VRPs before and after), DIR/routes
    frr.py expect SET ROUTES          "PREFIX ORIGIN STATE REASON" per route
                                      under a `vrps.py set` file
    frr.py check-kinds EXPECT N       the computed states are the intended
                                      ones (column N of the cases: 1 before,
                                      2 after); a harness check
    frr.py route-states FILE PFX...   `show bgp ... PFX json` outputs, one
                                      after the other: "PREFIX STATE"
                                      (absent when not in the table)
    frr.py table FILE                 `show bgp ipvX unicast json` outputs:
                                      the prefixes in the table
    frr.py text-rows FILE             the VRP rows of an rpki show command's
                                      text, as `vrps.py set` lines
    frr.py json-rows FILE             the same from its json
    frr.py prefix-rows SET PFX ASN    the rows `show rpki prefix PFX ASN`
                                      lists: covering VRPs allowing the
                                      length, of origin ASN (any when 0)
    frr.py keys FILE                  the key paths of a JSON document
    frr.py counts FILE                ipv4PrefixCount ipv6PrefixCount
    frr.py rpki-node FILE             the lines of the `rpki` node (and any
                                      `debug rpki`) of a configuration
"""

import ipaddress
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vrps import read_vrps, run, vrp  # noqa: E402

# (prefix, origin, intended state before, after the change)
CASES = [
    ("10.1.1.0/24", 64501, "valid", "valid"),
    ("10.2.0.0/16", 64599, "invalid/origin-mismatch", "invalid/origin-mismatch"),
    ("10.3.3.0/24", 64503, "invalid/max-length", "invalid/max-length"),
    ("10.4.4.0/24", 64599, "invalid/origin-and-max-length", "invalid/origin-and-max-length"),
    ("10.5.5.0/24", 64505, "invalid/as0", "invalid/as0"),
    ("10.6.0.0/16", 64506, "not-found", "not-found"),
    ("10.7.0.0/16", 64507, "not-found", "invalid/origin-mismatch"),
    ("10.8.0.0/16", 64508, "invalid/origin-mismatch", "valid"),
    ("2001:db8:1:1::/64", 64501, "valid", "valid"),
    ("2001:db8:2::/48", 64599, "invalid/origin-mismatch", "invalid/origin-mismatch"),
    ("2001:db8:3:3::/64", 64503, "invalid/max-length", "invalid/max-length"),
    ("2001:db8:4:4::/64", 64599, "invalid/origin-and-max-length", "invalid/origin-and-max-length"),
    ("2001:db8:5:5::/64", 64505, "invalid/as0", "invalid/as0"),
    ("2001:db8:6::/48", 64506, "not-found", "not-found"),
    ("2001:db8:7::/48", 64507, "not-found", "invalid/origin-mismatch"),
    ("2001:db8:8::/48", 64508, "invalid/origin-mismatch", "valid"),
]

# (prefix, maxLength, asn) the cases are judged by
VRPS_BEFORE = [
    ("10.1.0.0/16", 24, 64501),
    ("10.2.0.0/16", 16, 64502),
    ("10.3.0.0/16", 20, 64503),
    ("10.4.0.0/16", 20, 64504),
    ("10.5.0.0/16", 24, 0),
    ("10.8.0.0/16", 16, 64599),
    ("2001:db8:1::/48", 64, 64501),
    ("2001:db8:2::/48", 48, 64502),
    ("2001:db8:3::/48", 56, 64503),
    ("2001:db8:4::/48", 56, 64504),
    ("2001:db8:5::/48", 64, 0),
    ("2001:db8:8::/48", 48, 64599),
]
VRPS_ADDED = [
    ("10.7.0.0/16", 16, 64599),
    ("10.8.0.0/16", 16, 64508),
    ("2001:db8:7::/48", 48, 64599),
    ("2001:db8:8::/48", 48, 64508),
]


def write_roas(path, vrps):
    doc = {"roas": [{"asn": a, "prefix": p, "maxLength": m, "ta": "test"} for p, m, a in vrps]}
    with open(path + ".new", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    os.replace(path + ".new", path)


def cmd_cases(out):
    write_roas(os.path.join(out, "c1.json"), VRPS_BEFORE)
    write_roas(os.path.join(out, "c2.json"), VRPS_BEFORE + VRPS_ADDED)
    with open(os.path.join(out, "routes"), "w", encoding="utf-8") as f:
        for p, o, k1, k2 in CASES:
            f.write(f"{p} {o} {k1} {k2}\n")


def judge(vrps, prefix, origin):
    """RFC 6811 section 2 state, and why an invalid route is invalid
    (RFC 6483 section 4 for AS0): "as0" when only AS0 VRPs cover it,
    "max-length" when a covering VRP has its origin but too short a
    maxLength, "origin-mismatch" when one allows its length but none has
    its origin, "origin-and-max-length" when none does either."""
    net = ipaddress.ip_network(prefix)
    cover = [(m, a) for vnet, m, a in vrps if vnet.version == net.version and net.subnet_of(vnet)]
    if not cover:
        return "not-found", "none"
    if any(a == origin and a != 0 and net.prefixlen <= m for m, a in cover):
        return "valid", "none"
    real = [(m, a) for m, a in cover if a != 0]
    if not real:
        return "invalid", "as0"
    if any(a == origin for _, a in real):
        return "invalid", "max-length"
    if any(net.prefixlen <= m for m, _ in real):
        return "invalid", "origin-mismatch"
    return "invalid", "origin-and-max-length"


def routes(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def cmd_expect(setfile, routefile):
    vrps = read_vrps(setfile)
    out = []
    for r in routes(routefile):
        state, reason = judge(vrps, r[0], int(r[1]))
        out.append(f"{ipaddress.ip_network(r[0])} {r[1]} {state} {reason}")
    return out


def cmd_check_kinds(expectfile, routefile, column):
    got = {r[0]: r[2] if r[3] == "none" else f"{r[2]}/{r[3]}" for r in routes(expectfile)}
    bad = []
    for r in routes(routefile):
        want = r[1 + int(column)]
        if got.get(str(ipaddress.ip_network(r[0]))) != want:
            bad.append(f"{r[0]}: meant {want}, the served set makes it {got.get(r[0])}")
    if bad:
        raise ValueError("; ".join(bad))
    return []


def json_docs(path):
    """The JSON documents of a vtysh run with several -c, one after the
    other (vtysh prints nothing between them)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    dec = json.JSONDecoder()
    i, docs = 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


STATES = {"valid": "valid", "invalid": "invalid", "not found": "not-found"}


def cmd_route_states(path, prefixes):
    docs = json_docs(path)
    if len(docs) != len(prefixes):
        raise ValueError(f"{len(docs)} JSON documents for {len(prefixes)} prefixes")
    out = []
    for pfx, doc in zip(prefixes, docs):
        net = ipaddress.ip_network(pfx)
        paths = doc.get("paths", [])
        if not paths:
            out.append(f"{net} absent")
            continue
        if str(ipaddress.ip_network(doc["prefix"])) != str(net):
            raise ValueError(f"asked for {net}, got {doc['prefix']}")
        states = {STATES.get(p.get("rpkiValidationState"), repr(p.get("rpkiValidationState")))
                  for p in paths}
        out.append(f"{net} {','.join(sorted(states))}")
    return out


def cmd_table(path):
    out = []
    for doc in json_docs(path):
        out += [str(ipaddress.ip_network(p)) for p in doc.get("routes", {})]
    return out


# "10.1.0.0                                    16 -  24        64501"
ROW_RE = re.compile(r"^(\S+)\s+(\d+) -\s+(\d+)\s+(\d+)\s*$")


def cmd_text_rows(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW_RE.match(line)
            if m:
                out.append(vrp(f"{m[1]}/{m[2]}", m[3], m[4]))
    return out


def cmd_json_rows(path):
    out = []
    for doc in json_docs(path):
        for p in doc.get("prefixes", []):
            out.append(vrp(f"{p['prefix']}/{p['prefixLenMin']}", p["prefixLenMax"], p["asn"]))
    return out


def cmd_prefix_rows(setfile, prefix, origin):
    net = ipaddress.ip_network(prefix)
    origin = int(origin)
    out = []
    for vnet, m, a in read_vrps(setfile):
        if vnet.version == net.version and net.subnet_of(vnet) and m >= net.prefixlen:
            if origin == 0 or a == origin:
                out.append(vrp(str(vnet), m, a))
    return out


def key_paths(doc, at=""):
    if isinstance(doc, dict):
        out = set()
        for k, v in doc.items():
            out.add(f"{at}.{k}")
            out |= key_paths(v, f"{at}.{k}")
        return out
    if isinstance(doc, list):
        out = set()
        for v in doc:
            out |= key_paths(v, f"{at}[]")
        return out
    return set()


def cmd_keys(path):
    out = set()
    for doc in json_docs(path):
        out |= key_paths(doc)
    return out


def cmd_counts(path):
    doc = json_docs(path)[0]
    print(doc.get("ipv4PrefixCount", 0), doc.get("ipv6PrefixCount", 0))


def cmd_rpki_node(path):
    """`debug rpki`, then the `rpki` node's lines up to its `exit`, in order."""
    out, inside = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "debug rpki":
                out.append(line)
            elif line == "rpki":
                inside = True
                out.append(line)
            elif inside:
                out.append(line)
                if line in ("exit", "!"):
                    inside = False
    for line in out:
        print(line)


COMMANDS = {
    "cases": lambda a: cmd_cases(*a),
    "expect": lambda a: cmd_expect(*a),
    "check-kinds": lambda a: cmd_check_kinds(*a),
    "route-states": lambda a: cmd_route_states(a[0], a[1:]),
    "table": lambda a: cmd_table(*a),
    "text-rows": lambda a: cmd_text_rows(*a),
    "json-rows": lambda a: cmd_json_rows(*a),
    "prefix-rows": lambda a: cmd_prefix_rows(*a),
    "keys": lambda a: cmd_keys(*a),
    "counts": lambda a: cmd_counts(*a),
    "rpki-node": lambda a: cmd_rpki_node(*a),
}


def main(argv):
    return run("frr.py", __doc__, argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
