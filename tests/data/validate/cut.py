#!/usr/bin/env python3
"""Cut the committed validate.sh sample from the real data in
/work/shared/data (see README.md here).  Run once; not part of the tests.

usage: cut.py VRPS.json BGPDUMP.txt OUTDIR
"""
import ipaddress
import json
import sys

ROUTE_LINES = 7000  # the first lines of the table, through its first AS_SET routes


def main():
    vrps_path, table_path, out = sys.argv[1:4]
    with open(table_path) as f:
        lines = [next(f) for _ in range(ROUTE_LINES)]
    with open(out + "/rrc06_head.bgpdump", "w") as f:
        f.writelines(lines)

    # Every VRP that covers one of the sample's route prefixes: exactly
    # the VRPs that can decide these routes' validity.
    routes = {ipaddress.ip_network(l.split("|")[5]) for l in lines}
    keys = {(n.version, int(n.network_address) >> (n.max_prefixlen - L), L)
            for n in routes for L in range(n.prefixlen + 1)}
    doc = json.load(open(vrps_path))
    roas = []
    for r in doc["roas"]:
        n = ipaddress.ip_network(r["prefix"])
        k = (n.version, int(n.network_address) >> (n.max_prefixlen - n.prefixlen), n.prefixlen)
        if k in keys:
            roas.append(r)

    def obj(o):
        return "{ " + ", ".join('"%s": %s' % (k, json.dumps(v)) for k, v in o.items()) + " }"

    md = dict(doc["metadata"])
    with open(out + "/vrps_sample.json", "w") as f:
        f.write('{\n\t"metadata": %s,\n' % obj(md))
        f.write('\t"roas": [\n' + ",\n".join("\t\t" + obj(r) for r in roas) + "\n\t],\n")
        f.write('\t"bgpsec_keys": [\n' + ",\n".join("\t\t" + obj(k) for k in doc["bgpsec_keys"]) + "\n\t],\n")
        f.write('\t"aspas": [\n' + ",\n".join("\t\t" + obj(a) for a in doc["aspas"]) + "\n\t]\n}\n")
    print("%d route lines, %d VRPs, %d ASPAs" % (len(lines), len(roas), len(doc["aspas"])))


main()
