#!/usr/bin/env python3
"""The interop tests' independent view of a VRP set, in plain Python.

Reads the JSON files `rtrmod serve` is given (rpki-client, StayRTR and
Routinator layouts) and the peers' own printouts, and prints each as the
same sorted lines, so a test compares them with `diff`:

    vrp  PREFIX MAXLEN ASN      e.g. "vrp 1.0.0.0/24 24 13335"
    key  ASN SKI SPKI           SKI and SPKI in lower-case hex
    aspa CUSTOMER P1,P2,...     providers sorted, no duplicates

Nothing here shares code with rtrmod: prefixes go through the standard
`ipaddress` module, and a set is a Python set.

    vrps.py set FILE...               the union of the files' VRPs/keys/ASPAs
    vrps.py edit IN OUT FROM N_DEL    IN less N_DEL VRPs, plus FROM's new ones
    vrps.py unexpire IN OUT           IN without the records' expiry times
    vrps.py merge OUT FILE...         one rpki-client file, no expiry fields
    vrps.py rtrclient-csv FILE        `rtrclient -e -t csv` output
    vrps.py rtrclient-log FILE [SKIP] replay `rtrclient -p -k` +/- lines
    vrps.py rtrclient-delta FILE SKIP the +/- lines after the first SKIP
    vrps.py bird FILE                 `birdc show route table rN all`
    vrps.py frr-json FILE             `show rpki prefix-table json`
    vrps.py rtrdump FILE              `rtrdump` JSON output
    vrps.py rtrdump-delta FILE        the +/- prefix PDUs of its -datapdu log
    vrps.py rov-cases FILE...         "PREFIX ORIGIN STATE" routes to check
    vrps.py route-cases SET1 SET2     IPv4 routes, states under two `set`s
    vrps.py frr-states FILE           `show bgp ipv4 unicast`: PREFIX STATE
"""

import base64
import ipaddress
import json
import os
import re
import sys


def asn(value):
    """An ASN from 13335, "13335" or "AS13335"."""
    if isinstance(value, str):
        value = value.upper().removeprefix("AS")
    n = int(value)
    if not 0 <= n <= 0xFFFFFFFF:
        raise ValueError(f"ASN {value} out of range")
    return n


def vrp(prefix, maxlen, origin):
    net = ipaddress.ip_network(prefix, strict=True)
    maxlen = net.prefixlen if maxlen is None else int(maxlen)
    if not net.prefixlen <= maxlen <= net.max_prefixlen:
        raise ValueError(f"bad maxLength {maxlen} for {net}")
    return f"vrp {net} {maxlen} {asn(origin)}"


def key(origin, ski_hex, spki):
    return f"key {asn(origin)} {ski_hex.lower()} {spki.hex()}"


def aspa(customer, providers):
    ps = sorted({asn(p) for p in providers})
    return f"aspa {asn(customer)} {','.join(map(str, ps))}"


def b64(text):
    """Standard or URL-safe base64, padded or not."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def load(path):
    """The set of lines one source file stands for."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = set()
    for r in doc.get("roas", []):
        out.add(vrp(r["prefix"], r.get("maxLength"), r["asn"]))
    for k in doc.get("bgpsec_keys", []):
        out.add(key(k["asn"], k["ski"], b64(k["pubkey"])))
    for k in doc.get("routerKeys", []):
        out.add(key(k["asn"], k["SKI"], b64(k["routerPublicKey"])))
    for a in doc.get("aspas", []):
        cust = a.get("customer_asid", a.get("customer"))
        out.add(aspa(cust, a["providers"]))
    return out


def cmd_set(paths):
    union = set()
    for p in paths:
        union |= load(p)
    return union


def cmd_edit(src, dst, extra, n_del):
    """Remove N_DEL roas of SRC spread evenly from its first to its last
    (so IPv6 and AS0 ones at the end go too), add the roas of EXTRA whose VRP SRC does not have, write DST
    (through a temporary file and rename, as validators publish)."""
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    with open(extra, encoding="utf-8") as f:
        more = json.load(f)["roas"]
    roas = doc["roas"]
    n_del = min(int(n_del), len(roas))
    last = len(roas) - 1
    doomed = {round(k * last / max(1, n_del - 1)) for k in range(n_del)}
    kept = [r for i, r in enumerate(roas) if i not in doomed]
    have = {vrp(r["prefix"], r.get("maxLength"), r["asn"]) for r in roas}
    for r in more:
        line = vrp(r["prefix"], r.get("maxLength"), r["asn"])
        if line not in have:
            have.add(line)
            kept.append(r)
    doc["roas"] = kept
    with open(dst + ".new", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    os.replace(dst + ".new", dst)
    return None


def cmd_unexpire(src, dst):
    """SRC without the records' `expires` (rpki-client's per-record end of
    validity), each record on its own line as rpki-client writes them."""
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    with open(dst + ".new", "w", encoding="utf-8") as f:
        f.write("{\n")
        for n, (name, value) in enumerate(doc.items()):
            sep = "," if n + 1 < len(doc) else ""
            if isinstance(value, list):
                f.write(f"\t{json.dumps(name)}: [\n")
                for i, r in enumerate(value):
                    r = {k: v for k, v in r.items() if k != "expires"}
                    comma = "," if i + 1 < len(value) else ""
                    f.write(f"\t\t{json.dumps(r)}{comma}\n")
                f.write(f"\t]{sep}\n")
            else:
                f.write(f"\t{json.dumps(name)}: {json.dumps(value)}{sep}\n")
        f.write("}\n")
    os.replace(dst + ".new", dst)
    return None


def cmd_merge(dst, paths):
    """For running the tests against StayRTR: one -cache file; no
    duplicates (StayRTR 0.5.1 sends a router key twice if it is listed
    twice); no `expires` (it drops records whose time has passed)."""
    merged = {"roas": {}, "bgpsec_keys": {}, "aspas": {}}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        for kind, recs in merged.items():
            for r in doc.get(kind, []):
                r = {k: v for k, v in r.items() if k not in ("expires", "ta")}
                recs[json.dumps(r, sort_keys=True)] = r
    with open(dst + ".new", "w", encoding="utf-8") as f:
        json.dump({kind: list(recs.values()) for kind, recs in merged.items()}, f)
    os.replace(dst + ".new", dst)
    return None


def cmd_rtrclient_csv(path):
    """`rtrclient -e -t csv`: "1.9.0.0, 16, 24, 4788" after "Sync done"."""
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = [x.strip() for x in line.split(",")]
            if len(fields) != 4:
                continue
            addr, plen, maxlen, origin = fields
            out.add(vrp(f"{addr}/{plen}", maxlen, origin))
    return out


# `rtrclient -p`: "+ 8.8.4.0        24 -  24        15169"
PFX_RE = re.compile(r"^([+-]) (\S+)\s+(\d+) -\s+(\d+)\s+(\d+)\s*$")
# `rtrclient -k`: "+ HOST: ...", "ASN: 15562", "  SKI: 5d:42:..", "  SPKI: 30:59:.."
# with the SPKI wrapped on tab-indented lines.
KEY_RE = re.compile(r"^([+-]) HOST:")


def rtrclient_events(path):
    """The +/- events of a `rtrclient -p -k` log, in order."""
    events = []
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = PFX_RE.match(line)
        if m:
            sign, addr, plen, maxlen, origin = m.groups()
            events.append((sign, vrp(f"{addr}/{plen}", maxlen, origin)))
            i += 1
            continue
        m = KEY_RE.match(line)
        if m and i + 3 < len(lines):
            origin = lines[i + 1].split(":", 1)[1].strip()
            ski = lines[i + 2].split(":", 1)[1].strip().replace(":", "")
            spki = lines[i + 3].split(":", 1)[1].strip()
            i += 4
            while i < len(lines) and lines[i].startswith("\t"):
                spki += lines[i].strip()
                i += 1
            events.append((m.group(1), key(origin, ski, bytes.fromhex(spki.replace(":", "")))))
            continue
        i += 1
    return events


def cmd_rtrclient_log(path, skip=0):
    """The table the events build, with an error for an impossible event
    (withdrawing what is absent, announcing what is present)."""
    table = set()
    for n, (sign, item) in enumerate(rtrclient_events(path)):
        if n < skip:
            continue
        if sign == "+":
            if item in table:
                raise ValueError(f"event {n}: announce of a present {item}")
            table.add(item)
        else:
            if item not in table:
                raise ValueError(f"event {n}: withdraw of an absent {item}")
            table.discard(item)
    return table


def cmd_rtrclient_delta(path, skip):
    return {f"{sign} {item}" for sign, item in rtrclient_events(path)[int(skip):]}


def cmd_bird(path):
    """`birdc show route table r4`: "15.217.0.0/16-24 AS16509  [rpki1 ...".
    Continuation lines (same net, other origin) begin with blanks."""
    out = set()
    net = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\S+)-(\d+) AS(\d+)\s", line)
            if m:
                net = m.group(1)
                out.add(vrp(net, m.group(2), m.group(3)))
                continue
            m = re.match(r"^\s+(\S+)-(\d+)?\s*AS(\d+)\s", line)
            if m and net:
                out.add(vrp(m.group(1), m.group(2), m.group(3)))
    return out


def cmd_frr_json(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = set()
    for p in doc["prefixes"]:
        if p["prefixLenMin"] is None:
            continue
        out.add(vrp(f"{p['prefix']}/{p['prefixLenMin']}", p["prefixLenMax"], p["asn"]))
    return out


# `rtrdump -datapdu -loglevel debug`: "Received: PDU IPv4 Prefix v1
# 192.42.176.30/32(->/32), origin: AS396560, flags: 1" (1 announce, 0 withdraw)
DUMP_PFX_RE = re.compile(r"PDU IPv[46] Prefix v\d+ (\S+)\(->/(\d+)\), origin: AS(\d+), flags: (\d+)")


def cmd_rtrdump_delta(path):
    """The prefix PDUs of an rtrdump debug log as "+ vrp ..." / "- vrp ..."."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = DUMP_PFX_RE.search(line)
            if m:
                sign = "+" if int(m.group(4)) & 1 else "-"
                out.append(f"{sign} {vrp(m.group(1), m.group(2), m.group(3))}")
    return out


def cmd_rtrdump(path):
    """rtrdump's file: roas, bgpsec_keys (hex ski, base64 pubkey), and
    ASPAs as its draft had them (provider_authorizations per AFI)."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = set()
    for r in doc.get("roas") or []:
        out.add(vrp(r["prefix"], r["maxLength"], r["asn"]))
    for k in doc.get("bgpsec_keys") or []:
        out.add(key(k["asn"], k["ski"], b64(k["pubkey"])))
    for a in doc.get("aspas") or []:
        out.add(aspa(a["customer_asid"], a["providers"]))
    pa = doc.get("provider_authorizations") or {}
    for afi in ("ipv4", "ipv6"):
        for a in pa.get(afi) or []:
            out.add(aspa(a["customer_asid"], a["providers"]))
    return out


def rov(vrps, prefix, origin):
    """RFC 6811 section 2: valid if a covering VRP matches the origin
    (never AS0, RFC 6483) with maxLength at least the route's length;
    invalid if some VRP covers the route; not-found otherwise."""
    net = ipaddress.ip_network(prefix)
    covered = False
    for vnet, maxlen, vasn in vrps:
        if vnet.version == net.version and net.subnet_of(vnet):
            covered = True
            if vasn == origin and vasn != 0 and net.prefixlen <= maxlen:
                return "valid"
    return "invalid" if covered else "not-found"


def cmd_rov_cases(paths):
    """Routes to ask a router about, each with the state RFC 6811 gives it
    under the VRPs of PATHS: for VRPs spread over the set (and every AS0
    one) the VRP's own prefix from its origin, from another AS, at its maxLength
    and one bit past it; plus two documentation prefixes nothing covers."""
    vrps = []
    for line in cmd_set(paths):
        kind, *rest = line.split()
        if kind == "vrp":
            vrps.append((ipaddress.ip_network(rest[0]), int(rest[1]), int(rest[2])))
    vrps.sort(key=lambda v: (v[0].version, v[0], v[1], v[2]))
    picked = []
    for version in (4, 6):
        fam = [v for v in vrps if v[0].version == version]
        if fam:
            picked += [fam[i] for i in sorted({0, len(fam) // 3, 2 * len(fam) // 3, len(fam) - 1})]
            picked += [v for v in fam if v[2] == 0][:2]
    routes = []
    for vnet, maxlen, vasn in picked:
        routes.append((vnet, vasn))
        routes.append((vnet, 64496))
        if maxlen > vnet.prefixlen:
            routes.append((next(vnet.subnets(new_prefix=maxlen)), vasn))
        if maxlen < vnet.max_prefixlen:
            routes.append((next(vnet.subnets(new_prefix=maxlen + 1)), vasn))
    routes.append((ipaddress.ip_network("198.51.100.0/24"), 64496))
    routes.append((ipaddress.ip_network("2001:db8::/32"), 64496))
    out = []
    for net, origin in routes:
        line = f"{net} {origin} {rov(vrps, net, origin)}"
        if line not in out:
            out.append(line)
    return out


def read_vrps(path):
    """A file of "vrp PREFIX MAXLEN ASN" lines (as `set` prints)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            kind, *rest = line.split()
            if kind == "vrp":
                out.append((ipaddress.ip_network(rest[0]), int(rest[1]), int(rest[2])))
    return sorted(out, key=lambda v: (v[0].version, v[0], v[1], v[2]))


def cmd_route_cases(before, after):
    """IPv4 routes for a BGP speaker to send a router, one per prefix (as a
    plain BGP session carries one path per prefix), each as "PREFIX ORIGIN
    STATE-BEFORE STATE-AFTER" under the VRP lists BEFORE and AFTER: VRPs
    spread over BEFORE, from their origin, from another AS, and one bit
    past their maxLength; the first VRPs the change withdraws and adds;
    a prefix nothing covers.  No AS0 origin (a BGP AS_PATH cannot hold it)."""
    v1, v2 = read_vrps(before), read_vrps(after)
    fam = [v for v in v1 if v[0].version == 4 and v[2] != 0]
    gone = [v for v in v1 if v not in set(v2) and v[0].version == 4 and v[2] != 0]
    new = [v for v in v2 if v not in set(v1) and v[0].version == 4 and v[2] != 0]
    routes = []
    for n, i in enumerate(sorted({0, len(fam) // 4, len(fam) // 2, 3 * len(fam) // 4, len(fam) - 1})):
        vnet, maxlen, vasn = fam[i]
        routes.append((vnet, vasn if n % 2 == 0 else 64496))
        if maxlen < 32:
            routes.append((next(vnet.subnets(new_prefix=maxlen + 1)), vasn))
    routes += [(vnet, vasn) for vnet, _, vasn in gone[:3] + new[:3]]
    routes.append((ipaddress.ip_network("198.51.100.0/24"), 64496))
    out, seen = [], set()
    for net, origin in routes:
        if net not in seen:
            seen.add(net)
            out.append(f"{net} {origin} {rov(v1, net, origin)} {rov(v2, net, origin)}")
    return out


def cmd_frr_states(path):
    """`show bgp ipv4 unicast`: "V*> 1.0.0.0/24  ..." as "PREFIX STATE"."""
    names = {"V": "valid", "I": "invalid", "N": "not-found"}
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([VIN])[ *>=sdhirSR]*\s(\d+\.\d+\.\d+\.\d+/\d+)", line)
            if m:
                out.add(f"{ipaddress.ip_network(m.group(2))} {names[m.group(1)]}")
    return out


def run(name, doc, argv, commands):
    """A helper's command line: argv[1] names one of `commands` (name ->
    function of the other arguments, giving the lines to print sorted, or
    None).  Exit status 0; 1 when the command fails; 2 on a usage error.
    frr.py runs its commands through this too."""
    if len(argv) < 2:
        print(doc, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd not in commands:
        print(f"{name}: unknown command {cmd}", file=sys.stderr)
        return 2
    try:
        lines = commands[cmd](args)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        print(f"{name} {cmd}: {e}", file=sys.stderr)
        return 1
    if lines is not None:
        for line in sorted(lines):
            print(line)
    return 0


COMMANDS = {
    "set": lambda a: cmd_set(a),
    "edit": lambda a: cmd_edit(*a),
    "merge": lambda a: cmd_merge(a[0], a[1:]),
    "unexpire": lambda a: cmd_unexpire(*a),
    "rtrclient-csv": lambda a: cmd_rtrclient_csv(*a),
    "rtrclient-log": lambda a: cmd_rtrclient_log(a[0], *map(int, a[1:])),
    "rtrclient-delta": lambda a: cmd_rtrclient_delta(*a),
    "bird": lambda a: cmd_bird(*a),
    "frr-json": lambda a: cmd_frr_json(*a),
    "rtrdump": lambda a: cmd_rtrdump(*a),
    "rtrdump-delta": lambda a: cmd_rtrdump_delta(*a),
    "rov-cases": lambda a: cmd_rov_cases(a),
    "route-cases": lambda a: cmd_route_cases(*a),
    "frr-states": lambda a: cmd_frr_states(*a),
}


def main(argv):
    return run("vrps.py", __doc__, argv, COMMANDS)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
