#!/usr/bin/env bash
# `rtrmod dump` of `rtrmod serve`: the round trip.  The server serves a copy
# of data/vrps-sample.json with a SLURM file (slurmVersion 2: prefix filters
# by prefix, by ASN and by both, IPv4 and IPv6; a bgpsecFilter for one of
# the 2 router keys; an aspaFilter; prefix, BGPsec and ASPA assertions, one
# of them a VRP a filter drops, which must stay, as filters never remove
# assertions, RFC 8416 §3.2, §4).  `rtrmod dump` at RTR versions 2, 1 and 0
# must write exactly the set Python computes on its own from the sample and
# the SLURM rules:
#   v0 (RFC 6810): the VRPs (prefix, maxLength, ASN);
#   v1 (RFC 8210): and the router keys (ASN, SKI, SPKI);
#   v2 (8210bis):  and the ASPAs (customer, sorted providers).
# Then the copy loses a few VRPs, the server gets SIGHUP, and the dumps are
# the new set, at serial 1 of the same sessions.  SIGTERM must end the
# server with 0 (and no sanitizer report).
#
# It shares tests/interop/lib.sh (free port, spawn and stop by PID, bounded
# waits, the EXIT trap, the watchdog); everything is on 127.0.0.1.
# Exit status: 0 pass, 1 fail, 99 the harness broke.

unset INTEROP_SERVER # this is rtrmod's own round trip, not a StayRTR run
# shellcheck source=tests/interop/lib.sh
. "$top_srcdir/tests/interop/lib.sh"

# shellcheck disable=SC2119 # no peer: it checks python3, ps, ss, timeout
need_peer

# ---- the data and the SLURM file -------------------------------------------

cp "$top_srcdir/data/vrps-sample.json" "$tmp/a.json" || exit 99

# Key 1 (SKI 5D42...) and key 2 (SKI BE88...) are AS15562's; SKIs and the
# SPKI in base64url without '=' (RFC 8416 §3.3.2, §3.4.2).
cat >"$tmp/slurm.json" <<'EOF' || exit 99
{
  "slurmVersion": 2,
  "validationOutputFilters": {
    "prefixFilters": [
      {"prefix": "1.0.0.0/8", "comment": "by prefix: the 4 VRPs in 1/8"},
      {"prefix": "2c0f::/16", "comment": "by prefix, IPv6: 2 VRPs"},
      {"asn": 16509, "comment": "by ASN: 37 VRPs, IPv4 and IPv6"},
      {"prefix": "2.0.0.0/8", "asn": 20940, "comment": "by both: 2 of the 7 VRPs in 2/8"}
    ],
    "bgpsecFilters": [
      {"asn": 15562, "SKI": "voibVdC3Nzl9dcSfSFuFj6mK0R8", "comment": "key 2"}
    ],
    "aspaFilters": [
      {"customerAsid": 945, "comment": "AS945's ASPA"}
    ]
  },
  "locallyAddedAssertions": {
    "prefixAssertions": [
      {"asn": 64496, "prefix": "198.51.100.0/24", "maxPrefixLength": 26},
      {"asn": 13335, "prefix": "1.0.0.0/24", "comment": "filtered above, asserted back"},
      {"asn": 64497, "prefix": "2001:db8::/32", "maxPrefixLength": 48}
    ],
    "bgpsecAssertions": [
      {"asn": 64496, "SKI": "XUJQ4tgdREjYop786R0p_wdeyeI",
       "routerPublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ_g__LAQerAH2Mpp-GucoDAGBbhIqD33wNPsXxnAGb-mtZ7XQrVO9DQ6UlAShtig5-QfEKpTtFgiqfiAFQ",
       "comment": "key 1's SKI and SPKI for another AS"}
    ],
    "aspaAssertions": [
      {"customerAsn": 64496, "providerAsns": [64499, 64498]}
    ]
  }
}
EOF

# The expected set, in Python alone: vrps.py's line format ("vrp PREFIX
# MAXLEN ASN", "key ASN SKI SPKI", "aspa CUSTOMER P1,P2"); the SLURM rules
# of RFC 8416 §3.3, §3.4 and draft-ietf-sidrops-aspa-slurm applied here.
cat >"$tmp/expect.py" <<'EOF' || exit 99
import base64, ipaddress, json, sys

sys.path.insert(0, sys.argv[1])
import vrps  # noqa: E402  (tests/interop/vrps.py: parsing and line format)

source, slurm, version = sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(source, encoding="utf-8") as f:
    doc = json.load(f)
with open(slurm, encoding="utf-8") as f:
    s = json.load(f)
filters, adds = s["validationOutputFilters"], s["locallyAddedAssertions"]


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def prefix_filtered(prefix, asn):
    """§3.3.1: the VRP's prefix is the filter's or more specific, and its
    AS is the filter's; a member the filter lacks matches anything."""
    net = ipaddress.ip_network(prefix)
    for f in filters["prefixFilters"]:
        if "prefix" in f:
            fnet = ipaddress.ip_network(f["prefix"])
            if fnet.version != net.version or not net.subnet_of(fnet):
                continue
        if "asn" in f and f["asn"] != asn:
            continue
        return True
    return False


def key_filtered(asn, ski):
    """§3.3.2: the key's AS and SKI are the filter's (those it has)."""
    return any(("asn" not in f or f["asn"] == asn) and ("SKI" not in f or b64url(f["SKI"]) == ski)
               for f in filters["bgpsecFilters"])


out = set()
for r in doc.get("roas", []):
    if not prefix_filtered(r["prefix"], vrps.asn(r["asn"])):
        out.add(vrps.vrp(r["prefix"], r.get("maxLength"), r["asn"]))
for a in adds["prefixAssertions"]:
    out.add(vrps.vrp(a["prefix"], a.get("maxPrefixLength"), a["asn"]))
if version >= 1:
    for k in doc.get("bgpsec_keys", []):
        ski = bytes.fromhex(k["ski"])
        if not key_filtered(vrps.asn(k["asn"]), ski):
            out.add(vrps.key(k["asn"], k["ski"], vrps.b64(k["pubkey"])))
    for a in adds["bgpsecAssertions"]:
        out.add(vrps.key(a["asn"], b64url(a["SKI"]).hex(), b64url(a["routerPublicKey"])))
if version >= 2:
    dropped = {f["customerAsid"] for f in filters.get("aspaFilters", [])}
    aspas = {}
    for a in doc.get("aspas", []):
        if a["customer_asid"] not in dropped:
            aspas.setdefault(a["customer_asid"], set()).update(a["providers"])
    # An asserted customer that is also in the data gets the union of both,
    # as several ASPA objects of one customer do.
    for a in adds.get("aspaAssertions", []):
        aspas.setdefault(a["customerAsn"], set()).update(a["providerAsns"])
    for cust, provs in aspas.items():
        out.add(vrps.aspa(cust, provs))
for line in sorted(out):
    print(line)
EOF

# expect OUT VERSION: the set the served copy stands for at VERSION.
expect() {
	"$python" "$tmp/expect.py" "$interop_dir" "$tmp/a.json" "$tmp/slurm.json" "$2" >"$1" || exit 99
}

# ---- the server ----------------------------------------------------------------

serve_args=(-slurm "$tmp/slurm.json")
serve_start "$tmp/a.json"
wait_for 15 "rtrmod serve has loaded the data" grep -q "serving serial 0" "$tmp/serve.log" ||
	exit 1

# dump VERSION NAME: `rtrmod dump` at VERSION into $tmp/NAME.json, its
# records as lines in $tmp/NAME, its "rtr_version session_id serial" in
# $meta; stderr in $tmp/NAME.log.  Fails (returns 1) quietly: callers say.
dump() {
	local v=$1 name=$2 st
	rm -f "$tmp/$name.json" "$tmp/$name"
	meta=
	timeout 30 "$rtrmod" dump -connect "127.0.0.1:$serve_port" -rtr.version "$v" \
		-timeout 10 -file "$tmp/$name.json" >"$tmp/$name.log" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then
		echo "rtrmod dump exit status $st" >>"$tmp/$name.log"
		return 1
	fi
	if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/$name.log"; then
		echo "rtrmod dump: sanitizer report" >>"$tmp/$name.log"
		return 1
	fi
	"$python" "$vrps_py" set "$tmp/$name.json" >"$tmp/$name" || return 1
	meta=$("$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))["metadata"]
print(m["rtr_version"], m["session_id"], m["serial"])' "$tmp/$name.json") || return 1
}

# check_dumps WANT SERIAL: dumps at versions 2, 1, 0 equal WANT (which is
# $tmp/WANT-vN for each), each at SERIAL, and in the Session ID the first
# dump at that version got: rtrmod keeps one per version (module/cache.c,
# RFC 8210 §7), and a reload keeps them.
sessions=(- - -)
check_dumps() {
	local want=$1 serial=$2 v got_v got_session got_serial
	for v in 2 1 0; do
		if ! dump "$v" "got-$want-v$v"; then
			fail "rtrmod dump -rtr.version $v ($want)"
			show "$tmp/got-$want-v$v.log" 20
			continue
		fi
		same "dump v$v ($want): exactly the expected set" "$tmp/$want-v$v" "$tmp/got-$want-v$v"
		read -r got_v got_session got_serial <<<"$meta"
		[ "${sessions[v]}" != - ] || sessions[v]=$got_session
		if [ "$got_v" = "$v" ] && [ "$got_session" = "${sessions[v]}" ] &&
			[ "$got_serial" = "$serial" ]; then
			ok "dump v$v ($want): version $v, session ${sessions[v]}, serial $serial"
		else
			fail "dump v$v ($want): version, session, serial $meta; wanted $v ${sessions[v]} $serial"
		fi
	done
}

for v in 2 1 0; do
	expect "$tmp/want1-v$v" "$v"
done
check_dumps want1 0

# ---- a few VRPs go; SIGHUP ----------------------------------------------------
# 2.48.3.0/24, 2.56.140.0/22 and 2a14:4580::/29 are served: they leave the
# set.  1.0.0.0/24 (filtered, but asserted), 2a14:8980::/48 (AS16509) and
# 2c0f:f3c0::/32 (in 2c0f::/16) are filtered: no change.
"$python" - "$tmp/a.json" <<'EOF' || exit 99
import json, os, sys

path = sys.argv[1]
gone = {("1.0.0.0/24", 13335), ("2.48.3.0/24", 5384), ("2.56.140.0/22", 209231),
        ("2a14:4580::/29", 213556), ("2a14:8980::/48", 16509), ("2c0f:f3c0::/32", 3491)}
with open(path, encoding="utf-8") as f:
    doc = json.load(f)
kept = [r for r in doc["roas"] if (r["prefix"], r["asn"]) not in gone]
if len(kept) != len(doc["roas"]) - len(gone):
    sys.exit("the sample lacks some of the VRPs to remove")
doc["roas"] = kept
with open(path + ".new", "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=1)
os.replace(path + ".new", path)
EOF
for v in 2 1 0; do
	expect "$tmp/want2-v$v" "$v"
done
if [ "$(comm -23 "$tmp/want1-v2" "$tmp/want2-v2" | grep -c '^vrp ')" -ne 3 ] ||
	[ "$(comm -3 "$tmp/want1-v2" "$tmp/want2-v2" | wc -l)" -ne 3 ]; then
	say "ERROR: the edit should take exactly 3 VRPs out of the expected set"
	exit 99
fi

serve_reload
wait_for 15 "rtrmod serve reloads on SIGHUP (serial 1)" grep -q "cache: serial 1:" "$tmp/serve.log"
check_dumps want2 1

serve_stop
finish
