#!/usr/bin/env python3
"""An independent reference for `rtrmod validate` on bgpdump -m input: route
origin validation (RFC 6811 §2, with rtrmod's reasons), ASPA upstream
verification (draft-ietf-sidrops-aspa-verification) and the count of
invalid routes with no valid or not-found route covering them.  Written
from the RFCs with plain Python sets and dicts, not from rtrmod's code;
tests/validate.sh holds the numbers it printed.  Expiry is ignored.

usage: reference.py VRPS.json BGPDUMP.txt [--local-as N]
"""
import ipaddress
import json
import sys
from collections import Counter


def load_vrps(path):
    doc = json.load(open(path))
    by_prefix = {}
    for r in doc["roas"]:
        n = ipaddress.ip_network(r["prefix"])
        asn = r["asn"] if isinstance(r["asn"], int) else int(str(r["asn"])[2:])
        by_prefix.setdefault(n, []).append((asn, r["maxLength"]))
    aspa = {}
    for a in doc.get("aspas", []):
        aspa.setdefault(a["customer_asid"], set()).update(a["providers"])
    return by_prefix, aspa


def covering(by_prefix, net):
    for length in range(net.prefixlen, -1, -1):
        yield from by_prefix.get(net.supernet(new_prefix=length), [])


def rov(by_prefix, net, origin):
    """origin: an int, or None for an AS_SET (RFC 6811's NONE)."""
    vrps = list(covering(by_prefix, net))
    if not vrps:
        return "not-found", None
    if origin is not None and any(a == origin and a != 0 and net.prefixlen <= m for a, m in vrps):
        return "valid", None
    real = [(a, m) for a, m in vrps if a != 0]
    if origin is None:
        return "invalid", "as-set"
    if not real:
        return "invalid", "as0"
    if any(a == origin for a, m in real):
        return "invalid", "max-length"
    if any(net.prefixlen <= m for a, m in real):
        return "invalid", "origin-mismatch"
    return "invalid", "origin-and-max-length"


def aspa_upstream(aspa, segments):
    """segments: [(is_set, [asn...])], neighbor first."""
    if any(is_set for is_set, _ in segments):
        return "invalid"
    path = []
    for _, asns in segments:
        for a in asns:
            if not path or path[-1] != a:
                path.append(a)
    path.reverse()  # path[0] is the origin, path[-1] the neighbor
    n = len(path)
    if n == 0:
        return "invalid"

    def hop(a, b):
        if a not in aspa:
            return "none"
        return "provider" if b in aspa[a] else "not-provider"

    hops = [hop(path[i], path[i + 1]) for i in range(n - 1)]
    if "not-provider" in hops:
        return "invalid"
    if "none" in hops:
        return "unknown"
    return "valid"


def parse_path(text):
    segments = []
    for tok in text.replace("{", " {").split():
        if tok.startswith("{"):
            segments.append((True, [int(x) for x in tok.strip("{}").split(",")]))
        elif segments and not segments[-1][0]:
            segments[-1][1].append(int(tok))
        else:
            segments.append((False, [int(tok)]))
    return segments


def main():
    by_prefix, aspa = load_vrps(sys.argv[1])
    local_as = int(sys.argv[4]) if len(sys.argv) > 4 else None
    states, reasons, aspas = Counter(), Counter(), Counter()
    routes, bad, rejected = [], 0, 0
    for line in open(sys.argv[2]):
        f = line.rstrip("\n").split("|")
        net = ipaddress.ip_network(f[5])
        segments = parse_path(f[6])
        if not segments:
            if local_as is None:
                bad += 1
                continue
            origin = local_as
        else:
            origin = None if segments[-1][0] else segments[-1][1][-1]
        state, reason = rov(by_prefix, net, origin)
        states[state] += 1
        if reason:
            reasons[reason] += 1
        verdict = aspa_upstream(aspa, segments) if segments else "no-path"
        aspas[verdict] += 1
        rejected += state == "invalid" or verdict == "invalid"
        routes.append((net, state))
    good = {net for net, s in routes if s != "invalid"}
    stranded = [net for net, s in routes if s == "invalid" and not any(
        net.supernet(new_prefix=L) in good for L in range(net.prefixlen, -1, -1))]
    print("routes", len(routes), "prefixes", len({n for n, _ in routes}), "bad", bad)
    print("states", dict(states))
    print("reasons", dict(reasons))
    print("aspa", dict(aspas))
    print("rejected (ROV or ASPA invalid)", rejected)
    print("stranded routes", len(stranded), "prefixes", len(set(stranded)))


main()
