#!/usr/bin/env python3
"""Extract the TCP payload streams of every connection in a pcap file.

Usage: extract.py CAPTURE.pcap OUTPREFIX SERVER_PORT

Reads a classic libpcap file (either byte order, micro- or nanosecond
timestamps) with Ethernet link type, IPv4 or IPv6 over TCP.  Segments are
reassembled by TCP sequence number, so retransmitted and reordered segments
are handled; a byte that arrives twice must carry the same value both times
or the script fails.  Connections are numbered 1, 2, ... in the order their
first packet appears, and for connection N it writes
OUTPREFIX.connN.s2c.bin (bytes from SERVER_PORT) and OUTPREFIX.connN.c2s.bin
(bytes to it).  Only the captured part of a payload is kept: a packet cut
short by the snap length, or claiming more than it holds, contributes what
was captured.  It prints one line per stream: name, length, SHA-256.
"""
import hashlib
import struct
import sys

LINKTYPE_ETHERNET = 1


def read_pcap(path):
    """Yield (link type, frame bytes) for each packet record."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit("%s: not a libpcap file" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl_len = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl_len]
        off += 16 + incl_len
        yield linktype, frame


def tcp_segment(linktype, frame):
    """Return (src, sport, dst, dport, seq, flags, payload) or None."""
    if linktype != LINKTYPE_ETHERNET or len(frame) < 14:
        return None
    ethertype = struct.unpack(">H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        if ip[9] != 6:
            return None
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:max(ihl, min(total, len(ip)))]
    elif ethertype == 0x86DD and len(ip) >= 40:
        plen = struct.unpack(">H", ip[4:6])[0]
        if ip[6] != 6:  # no extension headers expected on these captures
            return None
        src, dst = ip[8:24], ip[24:40]
        tcp = ip[40:40 + plen]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", tcp[0:8])
    doff = (tcp[12] >> 4) * 4
    flags = tcp[13]
    return src, sport, dst, dport, seq, flags, tcp[doff:]


class Direction:
    """One direction of a connection, reassembled by sequence number."""

    def __init__(self):
        self.isn = None  # sequence number of the first payload byte
        self.bytes = {}

    def add(self, seq, flags, payload):
        if flags & 0x02:  # SYN: data starts after it
            self.isn = (seq + 1) & 0xFFFFFFFF
            return
        if not payload:
            return
        if self.isn is None:  # capture started mid-connection
            self.isn = seq
        rel = (seq - self.isn) & 0xFFFFFFFF
        for i, b in enumerate(payload):
            old = self.bytes.setdefault(rel + i, b)
            if old != b:
                raise SystemExit("retransmitted byte %d differs" % (rel + i))

    def stream(self):
        out = bytearray()
        while len(out) in self.bytes:
            out.append(self.bytes[len(out)])
        if len(out) != len(self.bytes):
            raise SystemExit("gap in stream after %d bytes" % len(out))
        return bytes(out)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    path, prefix, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conns = {}  # (client addr, client port) -> (s2c, c2s)
    order = []
    for linktype, frame in read_pcap(path):
        seg = tcp_segment(linktype, frame)
        if seg is None:
            continue
        src, sport, dst, dport, seq, flags, payload = seg
        if sport == port:
            key, idx = (dst, dport), 0
        elif dport == port:
            key, idx = (src, sport), 1
        else:
            continue
        if key not in conns:
            conns[key] = (Direction(), Direction())
            order.append(key)
        conns[key][idx].add(seq, flags, payload)
    for n, key in enumerate(order, 1):
        for idx, name in ((0, "s2c"), (1, "c2s")):
            data = conns[key][idx].stream()
            out = "%s.conn%d.%s.bin" % (prefix, n, name)
            with open(out, "wb") as f:
                f.write(data)
            print("%s %d %s" % (out, len(data), hashlib.sha256(data).hexdigest()))


if __name__ == "__main__":
    main()
