#!/usr/bin/python3
# integration/lab/lab.py: the differential lab's driver (see README.md beside this file).
#
# The kernel is the oracle: a router namespace R between two hosts A and B loads a case's
# ruleset with `nft -f`; the case's scenario sends crafted packets from A and B through R; R's
# two veths are captured (AF_PACKET, kernel timestamps). Every packet that entered R is
# matched with what R sent out: a forwarded copy (the kernel accepted it, with its rewritten
# bytes), a reply (a reject's TCP reset or ICMP error quoting it), or nothing (dropped). The
# entering packets go to a pcapng with one interface block per veth, which `nfqwall eval`
# replays with routes that mirror R's; its verdict lines and its --out bytes must say the same.
#
# Roles (the first argument):
#   setup NS_A NS_R NS_B          configure three fresh namespaces (made by lab.sh) as A-R-B
#   run --ns NS_A,NS_R,NS_B --nfqwall BIN --work DIR CASE...
#                                 run each case (cases/NAME: NAME.nft + NAME.py) and compare
#   routes                        print nfqwall's --route arguments for R's table
#
# Exit status of run: 0 every compared packet agrees, 1 a disagreement or a harness failure.
import ctypes
import importlib.util
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

# ---------------------------------------------------------------------------------------------
# The topology. Interface names are fixed (each lives in its own per-run namespace, so parallel
# runs never collide); rulesets may name them (iifname "ra0", oifname "rb0").

MAC_A, MAC_RA = "02:00:00:51:01:02", "02:00:00:51:01:01"
MAC_B, MAC_RB = "02:00:00:51:02:02", "02:00:00:51:02:01"
IF_A, IF_RA, IF_RB, IF_B = "a0", "ra0", "rb0", "b0"
A4, RA4, RB4, B4 = "10.81.1.2", "10.81.1.1", "10.81.2.1", "10.81.2.2"
A6, RA6, RB6, B6 = "fd00:81:1::2", "fd00:81:1::1", "fd00:81:2::1", "fd00:81:2::2"
# Extra prefixes routed through A or B: sources and destinations for scenarios.
NETS_A = ["192.0.2.0/24", "2001:db8:a::/48"]
NETS_B = ["198.51.100.0/24", "203.0.113.0/24", "2001:db8:b::/48"]


def prefix_length(cidr):
    if cidr == "default":
        return -1
    if "/" in cidr:
        return int(cidr.split("/")[1])
    return 128 if ":" in cidr else 32


def nfqwall_routes(extra=()):
    """R's routing table as nfqwall's --route list. nfqwall takes the first route that holds
    an address, the kernel the longest prefix: listed longest first, they answer the same."""
    routes = [f"{a}=lo" for a in (RA4, RB4, RA6, RB6)]
    routes += [f"10.81.1.0/24={IF_RA}", "fd00:81:1::/64=" + IF_RA] + [f"{n}={IF_RA}" for n in NETS_A]
    routes += [f"10.81.2.0/24={IF_RB}", "fd00:81:2::/64=" + IF_RB] + [f"{n}={IF_RB}" for n in NETS_B]
    routes += list(extra)
    routes.sort(key=lambda r: -prefix_length(r.split("=")[0]))  # stable: ties keep their order
    args = []
    for r in routes:
        args += ["--route", r]
    return args


def sh(*argv, check=True, input=None):
    r = subprocess.run(argv, input=input, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def setup(ns_a, ns_r, ns_b):
    sh("ip", "-n", ns_r, "link", "add", IF_RA, "address", MAC_RA, "type", "veth",
       "peer", "name", IF_A, "netns", ns_a, "address", MAC_A)
    sh("ip", "-n", ns_r, "link", "add", IF_RB, "address", MAC_RB, "type", "veth",
       "peer", "name", IF_B, "netns", ns_b, "address", MAC_B)
    quiet = ["net.ipv6.conf.all.router_solicitations=0", "net.ipv6.conf.default.router_solicitations=0",
             "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0"]
    for ns in (ns_a, ns_r, ns_b):
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", *quiet)
    sh("ip", "netns", "exec", ns_r, "sysctl", "-qw",
       "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
       "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
       "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.default.send_redirects=0",
       # Every reject must be answered: no ICMP rate limits in R.
       "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0",
       "net.ipv4.icmp_msgs_per_sec=100000", "net.ipv4.icmp_msgs_burst=100000")
    for ns, ifname, a4, a6 in ((ns_a, IF_A, A4, A6), (ns_r, IF_RA, RA4, RA6), (ns_r, IF_RB, RB4, RB6),
                               (ns_b, IF_B, B4, B6)):
        sh("ip", "-n", ns, "addr", "add", f"{a4}/24", "dev", ifname)
        sh("ip", "-n", ns, "addr", "add", f"{a6}/64", "dev", ifname, "nodad")
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv4.conf.{ifname}.rp_filter=0",
           f"net.ipv6.conf.{ifname}.router_solicitations=0")
    for ns in (ns_a, ns_r, ns_b):
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    # Crafted packets carry their own checksums; forwarded and rewritten ones must carry real
    # ones too: no checksum offload anywhere (ethtool is optional: veths fill in their
    # checksums before a capture socket sees a frame only for locally made packets).
    have_ethtool = subprocess.run(["sh", "-c", "command -v ethtool"], capture_output=True).returncode == 0
    for ns, ifname in ((ns_a, IF_A), (ns_r, IF_RA), (ns_r, IF_RB), (ns_b, IF_B)):
        if have_ethtool:
            sh("ip", "netns", "exec", ns, "ethtool", "-K", ifname, "tx", "off", "rx", "off", check=False)
        sh("ip", "-n", ns, "link", "set", ifname, "up")
    # R's routes and fixed neighbours: no ARP or neighbour discovery during a scenario.
    for net in NETS_A:
        sh("ip", "-n", ns_r, "route", "add", net, "via", A6 if ":" in net else A4)
    for net in NETS_B:
        sh("ip", "-n", ns_r, "route", "add", net, "via", B6 if ":" in net else B4)
    for addr, mac, ifname in ((A4, MAC_A, IF_RA), (A6, MAC_A, IF_RA), (B4, MAC_B, IF_RB), (B6, MAC_B, IF_RB)):
        sh("ip", "-n", ns_r, "neigh", "replace", addr, "lladdr", mac, "dev", ifname, "nud", "permanent")
    # A and B are only packet sources and sinks: their stacks neither answer nor send anything
    # (crafted packets leave through packet sockets, which no hook sees).
    sink = ("table inet labsink {\n chain pre { type filter hook prerouting priority -500; policy drop; }\n"
            " chain out { type filter hook output priority -500; policy drop; }\n}\n")
    for ns in (ns_a, ns_b):
        sh("ip", "netns", "exec", ns, "nft", "-f", "-", input=sink)


# ---------------------------------------------------------------------------------------------
# Namespaces: the driver opens its packet sockets inside A, R and B by switching its own
# network namespace (setns) before each socket() call; a socket stays in the namespace it
# was made in.

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def in_netns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = 35
SOL_PACKET, PACKET_STATISTICS = 263, 6  # tpacket_stats: packets, drops (reset by each read)


def packet_socket(ns, ifname, capture):
    in_netns(ns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL) if capture else 0)
    if capture:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((ifname, ETH_P_ALL if capture else 0))
    return s


# ---------------------------------------------------------------------------------------------
# Packet keys. The scenario's packets are numbered; the number rides in the IPv4 id or the IPv6
# flow label (rulesets must not rewrite those, nor the addresses). A copy leaving R belongs to
# the entering packet with the same version, addresses, marker and fragment offset.

def ip_key(l3):
    """(version, src, dst, marker, fragment offset, more fragments) of an IP packet, or None."""
    if len(l3) < 20:
        return None
    v = l3[0] >> 4
    if v == 4:
        ident, frag = struct.unpack("!HH", l3[4:8])
        return (4, socket.inet_ntop(socket.AF_INET, l3[12:16]), socket.inet_ntop(socket.AF_INET, l3[16:20]),
                ident, frag & 0x1FFF, bool(frag & 0x2000))
    if v == 6 and len(l3) >= 40:
        label = struct.unpack("!I", l3[0:4])[0] & 0xFFFFF
        nh, off, offset, more = l3[6], 40, 0, False
        while nh in (0, 43, 60, 44) and off + 8 <= len(l3):
            if nh == 44:
                fo = struct.unpack("!H", l3[off + 2:off + 4])[0]
                offset, more = fo >> 3, bool(fo & 1)
                break
            nh, off = l3[off], off + (l3[off + 1] + 1) * 8
        return (6, socket.inet_ntop(socket.AF_INET6, l3[8:24]), socket.inet_ntop(socket.AF_INET6, l3[24:40]),
                label, offset, more)
    return None


def l3_of(frame):
    """The IP packet of an Ethernet frame, trimmed to its IP length (veths pad nothing, but be safe)."""
    if len(frame) < 14:
        return b""
    etype = struct.unpack("!H", frame[12:14])[0]
    l3 = frame[14:]
    if etype == 0x0800 and len(l3) >= 20:
        return l3[:struct.unpack("!H", l3[2:4])[0]]
    if etype == 0x86DD and len(l3) >= 40:
        return l3[:40 + struct.unpack("!H", l3[4:6])[0]]
    return b""


def l4_offset(l3):
    """(protocol, offset) of the transport header, following IPv6 extension headers; None on fragments."""
    if l3[0] >> 4 == 4:
        if struct.unpack("!H", l3[6:8])[0] & 0x1FFF:
            return None
        return l3[9], (l3[0] & 15) * 4
    nh, off = l3[6], 40
    while nh in (0, 43, 60, 44) and off + 8 <= len(l3):
        if nh == 44:
            if struct.unpack("!H", l3[off + 2:off + 4])[0] >> 3:
                return None
            nh, off = l3[off], off + 8
            continue
        nh, off = l3[off], off + (l3[off + 1] + 1) * 8
    return nh, off


ICMP_CODES = {0: "net-unreachable", 1: "host-unreachable", 2: "prot-unreachable", 3: "port-unreachable",
              9: "net-prohibited", 10: "host-prohibited", 13: "admin-prohibited"}
ICMP6_CODES = {0: "no-route", 1: "admin-prohibited", 3: "addr-unreachable", 4: "port-unreachable",
               5: "policy-fail", 6: "reject-route"}
# icmpx codes, as nfqwall prints them, to what the kernel sends for each family.
ICMPX = {"no-route": ("net-unreachable", "no-route"), "port-unreachable": ("port-unreachable", "port-unreachable"),
         "host-unreachable": ("host-unreachable", "addr-unreachable"),
         "admin-prohibited": ("admin-prohibited", "admin-prohibited")}


def reply_of(l3):
    """When L3 is a reply a reject sends, (kind, key of the packet it answers); else None.
    Kinds: "tcp reset" (answers the packet with swapped addresses and ports), "icmp CODE",
    "icmpv6 CODE" (the packet is quoted)."""
    lo = l4_offset(l3)
    if lo is None:
        return None
    proto, off = lo
    v = l3[0] >> 4
    if proto == 6 and len(l3) >= off + 20 and l3[off + 13] & 0x04:
        sport, dport = struct.unpack("!HH", l3[off:off + 4])
        k = ip_key(l3)
        return "tcp reset", ("tcp", v, k[2], k[1], dport, sport)
    if v == 4 and proto == 1 and len(l3) >= off + 8 + 20 and l3[off] == 3:
        return f"icmp {ICMP_CODES.get(l3[off + 1], l3[off + 1])}", ip_key(l3[off + 8:])
    if v == 6 and proto == 58 and len(l3) >= off + 8 + 40 and l3[off] == 1:
        return f"icmpv6 {ICMP6_CODES.get(l3[off + 1], l3[off + 1])}", ip_key(l3[off + 8:])
    return None


def tcp_tuple(l3):
    lo = l4_offset(l3)
    if lo is None or lo[0] != 6 or len(l3) < lo[1] + 4:
        return None
    k = ip_key(l3)
    sport, dport = struct.unpack("!HH", l3[lo[1]:lo[1] + 4])
    return ("tcp", k[0], k[1], k[2], sport, dport)


def ipv4_checksum(header):
    header = bytearray(header)
    header[10:12] = b"\0\0"
    s = sum(struct.unpack(f"!{len(header) // 2}H", bytes(header)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# ---------------------------------------------------------------------------------------------
# Captures in and out.

def write_pcapng(path, interfaces, records):
    """records: (interface index, timestamp ns, frame). One interface block per name, with
    if_name and nanosecond timestamps (if_tsresol 9)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    def option(code, value):
        return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for name in interfaces:
        opts = option(2, name.encode()) + option(9, b"\x09") + option(0, b"")
        out.append(block(1, struct.pack("<HHI", 1, 0, 262144) + opts))
    for ifindex, ts, frame in records:
        out.append(block(6, struct.pack("<IIIII", ifindex, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame))
                         + frame))
    with open(path, "wb") as f:
        f.write(b"".join(out))


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise RuntimeError(f"{path}: not a pcap file")
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


# ---------------------------------------------------------------------------------------------
# Scenarios. A case's NAME.py defines scenario(lab); lab.a(pkt) / lab.b(pkt) send an IP packet
# (scapy, without the Ethernet header) from A or B into R. Options:
#   known="..."  a known difference between nfqwall and the kernel (still sent, still compared,
#                reported, but not a failure; the report says when it starts agreeing); with
#                frags, a dict {fragment index: "..."} names the fragments it applies to, or a
#                function of the (fragment) packet returns the text or None
#   frags=N      send the packet as fragments of N payload bytes (IPv4 and IPv6)

class Sent:
    def __init__(self, number, side, frame, summary, known):
        self.number, self.side, self.frame, self.summary, self.known = number, side, frame, summary, known
        self.l3 = l3_of(frame)
        self.key = ip_key(self.l3)


class Lab:
    A4, RA4, RB4, B4, A6, RA6, RB6, B6 = A4, RA4, RB4, B4, A6, RA6, RB6, B6
    IF_RA, IF_RB = IF_RA, IF_RB

    def __init__(self):
        from scapy.all import Ether
        self._ether = Ether
        self.queue = []
        self.marker = 0
        self.pauses = {}  # index in queue: seconds to wait (capturing) before sending it

    def wait(self, seconds):
        """Pause the scenario (the capture goes on): timestamps in the capture show it, so
        nfqwall's tracker sees the same time pass (e.g. UDP's 2 s before ASSURED)."""
        self.pauses[len(self.queue)] = self.pauses.get(len(self.queue), 0) + seconds

    def a(self, pkt, known=None, frags=None):
        return self._send("a", pkt, known, frags)

    def b(self, pkt, known=None, frags=None):
        return self._send("b", pkt, known, frags)

    def _send(self, side, pkt, known, frags):
        from scapy.all import IP, IPv6, IPv6ExtHdrFragment, fragment, fragment6
        self.marker += 1
        if self.marker >= 0xFFFF:
            raise RuntimeError("a case sends at most 65534 packets")
        pkt = pkt.copy()
        if IP in pkt:
            pkt[IP].id = self.marker
            parts = fragment(pkt, fragsize=frags) if frags else [pkt]
        elif IPv6 in pkt:
            pkt[IPv6].fl = self.marker
            if frags:
                # fragment6 wants the fragment header in place and a size counting the headers.
                if IPv6ExtHdrFragment not in pkt:
                    payload = pkt[IPv6].payload
                    pkt[IPv6].remove_payload()
                    pkt = pkt / IPv6ExtHdrFragment(id=self.marker) / payload
                parts = fragment6(pkt, frags + 48)
            else:
                parts = [pkt]
        else:
            raise RuntimeError(f"not an IP packet: {pkt.summary()}")
        src, dst = (MAC_A, MAC_RA) if side == "a" else (MAC_B, MAC_RB)
        for i, p in enumerate(parts):
            frame = bytes(self._ether(src=src, dst=dst) / p)
            note = known(p) if callable(known) else known.get(i) if isinstance(known, dict) else known
            self.queue.append(Sent(0, side, frame, p.summary(), note))


# ---------------------------------------------------------------------------------------------
# nfqwall's verdict lines.

LINE = re.compile(r"^(\d+) (accept|drop|reject|queue)(?: at (\S+))?(?: by (.*)| (\(.*))$")
CHANGE = re.compile(r" \[([^\[\]]*)\]$")


def parse_eval(stdout):
    result = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        origin, changes = m.group(4) or m.group(5), []
        while True:
            c = CHANGE.search(origin)
            if not c:
                break
            changes.insert(0, c.group(1))
            origin = origin[:c.start()]
        result[int(m.group(1))] = {"verdict": m.group(2), "hook": m.group(3), "origin": origin,
                                   "changes": changes, "line": line}
    return result


def nfqwall_answer(entry, family):
    """nfqwall's answer in the kernel's words: accept, drop, or reject: the reply it would send."""
    if entry["verdict"] != "reject":
        return entry["verdict"]
    text = next((c[len("reject with "):] for c in entry["changes"] if c.startswith("reject with ")), "?")
    if ": no reply sent" in text:
        return "drop"  # a reject the kernel does not answer: on the wire, a drop
    if text.startswith("icmpx "):
        code = text[len("icmpx "):]
        four, six = ICMPX.get(code, (code, code))
        text = f"icmp {four}" if family == 4 else f"icmpv6 {six}"
    return "reject with " + text


# ---------------------------------------------------------------------------------------------
# The kernel's trace: every packet entering R gets nftrace from a chain that runs before any
# chain of a case (prerouting, priority -400 < raw); `nft monitor trace` names each rule met.

TRACE_TABLE = """table inet labtrace {
\tchain prerouting {
\t\ttype filter hook prerouting priority -400; policy accept;
\t\tmeta nftrace set 1
\t}
}
"""


TRACE_LINE = re.compile(r"^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (packet: .*|rule .* \(verdict \S+.*\)|policy \S+.*?|verdict \S+.*?)\s*$")


def wait_for_monitor(pid, limit=5.0):
    """Until `nft monitor` (pid: `ip netns exec` execs it) waits for events: it has listed the
    ruleset and joined the trace group once it sleeps in poll. A fixed pause lost traces on a
    loaded machine."""
    deadline = time.monotonic() + limit
    time.sleep(0.05)
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/wchan") as f:
                if f.read().startswith("poll_schedule_timeout"):
                    break
        except OSError:
            break
        time.sleep(0.02)
    time.sleep(0.05)


def parse_trace(path):
    """The kernel's trace as packets: {marker: [events of one packet, in order]}, a packet per
    passage through the lab's own trace chain. Each event: (family, table, chain, text) where
    text is "rule RULE (verdict V)", "policy V" or "verdict V"."""
    packets, open_ = {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            m = TRACE_LINE.match(line.rstrip("\n"))
            if not m:
                continue
            tid, fam, table, chain, text = m.groups()
            if text.startswith("packet: "):
                if table == "labtrace":
                    marker = re.search(r" ip id (\d+) | ip6 flowlabel (\d+) ", text + " ")
                    if marker:
                        marker = int(marker.group(1) or marker.group(2))
                    else:
                        # nft prints an IPv6 packet it cannot decode (a later fragment) as raw
                        # bytes from the network header on: the flow label is in the first word.
                        raw = re.search(r" ether type ip6 @th,0,\d+ 0x([0-9a-f]{8})", text)
                        marker = int(raw.group(1), 16) & 0xFFFFF if raw else None
                    events = []
                    open_[tid] = events
                    if marker is not None:
                        packets.setdefault(marker, []).append(events)
                continue
            if table == "labtrace" or tid not in open_:
                continue
            if text.startswith("policy "):
                text = " ".join(text.split()[:2])  # "policy accept meta mark 0x1": the mark is not the verdict
            open_[tid].append((fam, table, chain, text))
    return packets


def kernel_decider(events):
    """The event that decided: the last rule with a final verdict, or the last policy."""
    for fam, table, chain, text in reversed(events):
        m = re.match(r"rule (.*) \(verdict ([a-z]+)", text)
        if m and m.group(2) in ("accept", "drop", "queue"):
            return m.group(1)
        if text.startswith("policy "):
            return f"chain {fam} {table} {chain} {text}"
    return None


ROUTER_DROPS = ("(TTL or hop limit", "(no route to")


def nfqwall_decider(origin):
    """The rule or policy nfqwall's line names; None when no chain saw the packet."""
    if origin.startswith("(no chain on "):
        return None
    return re.sub(r"^\S+:\d+: ", "", origin)


ICMP_CODE_NUMBERS = {"icmp": {v: k for k, v in ICMP_CODES.items()}, "icmpv6": {v: k for k, v in ICMP6_CODES.items()}}


def normalise_rule(text):
    """A rule as nft 1.0.6 prints it in a trace and as nfqwall prints it (upstream 1.1), in one
    spelling. N1-N4 and N6 are the listing normalisations of kernel_roundtrip.sh (numbered as in
    docs/kernel-differences.md); T1-T3 are the trace's own."""
    if text is None:
        return None
    # T1: a trace prints a rule's counter with its values; nfqwall prints the statement.
    text = re.sub(r"\bcounter packets \d+ bytes \d+", "counter", text)
    # N1: 1.0.6 omits the default burst of a packet-rate limit.
    text = re.sub(r"(limit rate (?:over |until )?\d+/(?:second|minute|hour|day|week)) burst 5 packets", r"\1", text)

    # N2: "VALUE / MASK" (1.0.6) is "& (A | B) == VALUE" (1.1).
    def flags(m):
        lhs, neg, val, mask = m.group(1), m.group(2), m.group(3), m.group(4).split(",")
        mask_text = "(" + " | ".join(mask) + ")" if len(mask) > 1 else mask[0]
        return f"{lhs} & {mask_text} {'!=' if neg else '=='} " + " | ".join(val.split(","))
    text = re.sub(r"\b(tcp flags|ct state|ct status) (!= )?([a-z0-9-]+(?:,[a-z0-9-]+)*) / "
                  r"([a-z0-9-]+(?:,[a-z0-9-]+)*)", flags, text)
    # N3: "oif exists|missing" (1.0.6) is "check exists|missing" (1.1).
    text = re.sub(r"\b(fib [a-z]+(?: \. [a-z]+)*) oif (exists|missing)\b", r"\1 check \2", text)

    # N4: "meta mark 0xVALUE/LEN" (1.0.6) is "meta mark & 0xMASK == 0xVALUE" (1.1).
    def mark(m):
        mask = 0 if int(m.group(4)) == 0 else (0xFFFFFFFF << (32 - int(m.group(4)))) & 0xFFFFFFFF
        return f"{m.group(1)} & 0x{mask:08x} {'!=' if m.group(2) else '=='} 0x{m.group(3)}"
    text = re.sub(r"\b((?:meta|ct) mark) (!= )?0x([0-9a-f]{8})/(\d+)\b", mark, text)
    # T2: 1.0.6 prints an icmp/icmpv6 code match by name, nfqwall by number.
    text = re.sub(r"\b(icmp|icmpv6) code (!= )?([a-z-]+)\b",
                  lambda m: f"{m.group(1)} code {m.group(2) or ''}"
                            f"{ICMP_CODE_NUMBERS[m.group(1)].get(m.group(3), m.group(3))}", text)
    # T3: 1.0.6 prints a masked `ip frag-off` in decimal, 1.1 in hex.
    text = re.sub(r"\bip frag-off & (\d+) (==|!=) (\d+)\b",
                  lambda m: f"ip frag-off & 0x{int(m.group(1)):x} {m.group(2)} 0x{int(m.group(3)):x}", text)
    # N6: the order of the items of a one-line { ... } carries no meaning.
    text = re.sub(r"\{ ([^{}]*) \}", lambda m: "{ " + ", ".join(sorted(m.group(1).split(", "))) + " }", text)
    return text


# ---------------------------------------------------------------------------------------------
# The connection table: `conntrack -L` in R against `nfqwall eval --ct-list`.

# R's sysctls for a connection-tracking case (reset before each one, so a case's CT_SYSCTL
# never leaks into the next) and nfqwall's --ct-config: the same keys and values.
CT_SYSCTL_DEFAULT = {"nf_conntrack_acct": 1, "nf_conntrack_tcp_loose": 1, "nf_conntrack_tcp_be_liberal": 0,
                     "nf_conntrack_udp_timeout": 30, "nf_conntrack_udp_timeout_stream": 120,
                     "nf_conntrack_icmp_timeout": 30, "nf_conntrack_icmpv6_timeout": 30,
                     "nf_conntrack_tcp_timeout_close": 10, "nf_conntrack_tcp_max_retrans": 3}


def ct_parse(line):
    """A `conntrack -L` line as (key, timeout, fields): the key is the protocol (name and
    number: generic protocols are all "unknown"), the original tuple and the zone (an entry's
    identity); fields everything else but the timeout and use=
    (the reference count, which differs by design), in order."""
    toks = line.split()
    if len(toks) < 3 or not toks[2].isdigit():
        return None
    proto, timeout, rest = toks[0], int(toks[2]), [t for t in toks[3:] if not t.startswith("use=")]
    orig, seen_src = [], False
    for t in rest:
        if t.startswith("src="):
            if seen_src:
                break
            seen_src = True
        if seen_src:
            if t.startswith(("packets=", "bytes=", "[", "zone-orig=")):
                break
            orig.append(t)
    zone = [t for t in rest if t.startswith("zone=")]
    return (" ".join([proto, toks[1]] + orig + zone), timeout, rest)


def ct_compare(run):
    """Entries by key (order-insensitive); every field equal but the timeout, which must be
    within 1 s once the kernel's is moved to the time of the capture's last packet (nfqwall
    counts its timeouts from there, the kernel from the listing). CT_KNOWN = {substring: text}
    marks an entry whose kernel or nfqwall line (or key) holds the substring as a known
    difference: reported, not a failure, noted when it agrees."""
    last_ns = max((ts for ts, _, _ in run.entering), default=run.ct_list_time_ns)
    shift = (run.ct_list_time_ns - last_ns) / 1e9
    known_marks = dict(getattr(run.module, "CT_KNOWN", {}))
    out = {"problems": [], "report": [], "known": 0, "known_agree": 0, "agree": 0, "entries": 0, "shift": shift}

    def table(text, who):
        entries = {}
        for line in text.splitlines():
            parsed = ct_parse(line)
            if parsed is None:
                continue
            if parsed[0] in entries:
                out["problems"].append(f"conntrack: {who} lists {parsed[0]} twice")
            entries[parsed[0]] = (parsed[1], parsed[2], line.strip())
        return entries

    kernel, nfq = table(run.ct_kernel, "the kernel"), table(run.eval_stdout, "nfqwall")
    out["entries"] = len(set(kernel) | set(nfq))
    used = set()
    for key in sorted(set(kernel) | set(nfq)):
        k, n = kernel.get(key), nfq.get(key)
        problem = None
        if k is None:
            problem = "only nfqwall lists it"
        elif n is None:
            problem = "only the kernel lists it"
        elif k[1] != n[1]:
            diffs = [f"{a} / {b}" for a, b in zip(k[1], n[1]) if a != b]
            if len(k[1]) != len(n[1]):
                diffs.append(f"{len(k[1])} / {len(n[1])} fields")
            problem = "fields differ (kernel / nfqwall): " + ", ".join(diffs)
        elif abs(n[0] - (k[0] + shift)) > 1:
            problem = (f"timeout: kernel {k[0]} at the listing, {k[0] + shift:.1f} at the last packet; "
                       f"nfqwall {n[0]}")
        texts = [key] + ([k[2]] if k else []) + ([n[2]] if n else [])
        mark = next((m for m in known_marks if any(m in t for t in texts)), None)
        if mark is not None:
            used.add(mark)
        if problem is None:
            if mark is not None:
                out["known_agree"] += 1
                out["report"].append(f"  note conntrack {key}: known difference now agrees ({known_marks[mark]})")
            else:
                out["agree"] += 1
            continue
        detail = (f"\n      kernel:  {k[2] if k else '(none)'}\n      nfqwall: {n[2] if n else '(none)'}")
        if mark is not None:
            out["known"] += 1
            out["report"].append(f"  known conntrack {key}: {problem} (known: {known_marks[mark]}){detail}")
        else:
            out["problems"].append(f"conntrack {key}: {problem}{detail}")
    for mark in set(known_marks) - used:
        out["report"].append(f"  note conntrack: known difference `{mark}` names no entry of either listing "
                             f"(now agrees: both list nothing) ({known_marks[mark]})")
        out["known_agree"] += 1
    return out


# ---------------------------------------------------------------------------------------------
# One case.

class CaseRun:
    """Everything one case produced, for the comparisons (and for a case's own compare())."""

    def __init__(self, runner, case_path):
        self.runner = runner
        self.name = os.path.basename(case_path)
        self.ruleset = case_path + ".nft"
        self.work = runner.work
        self.ns_r = runner.ns_r
        # A case may import helpers that sit beside it (cases_ct/ctlib.py).
        if os.path.dirname(os.path.abspath(case_path)) not in sys.path:
            sys.path.insert(0, os.path.dirname(os.path.abspath(case_path)))
        spec = importlib.util.spec_from_file_location(f"labcase_{self.name}", case_path + ".py")
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.routes = list(getattr(self.module, "ROUTES", []))  # extra "CIDR=IF" routes of R
        # Connection-tracking cases (cases_ct/, or CT = True): R's sysctls and nfqwall's
        # --ct-config from CT_SYSCTL, and `conntrack -L` against `nfqwall eval --ct-list`.
        self.ct = bool(getattr(self.module, "CT", os.path.basename(os.path.dirname(case_path)) == "cases_ct"))
        self.ct_sysctl = dict(CT_SYSCTL_DEFAULT)
        self.ct_sysctl.update(getattr(self.module, "CT_SYSCTL", {}))
        if set(self.ct_sysctl) != set(CT_SYSCTL_DEFAULT):
            raise RuntimeError(f"{self.name}: CT_SYSCTL may only change {', '.join(CT_SYSCTL_DEFAULT)}")
        self.ct_kernel, self.ct_list_time_ns, self.pauses = "", 0, {}
        self.sent, self.entering, self.leaving, self.kernel = [], [], [], {}
        self.trace_path, self.traces = None, None
        self.eval_stdout = self.eval_stderr = ""
        self.lines, self.out_bytes = {}, {}
        self.elapsed = 0.0

    def path(self, suffix):
        return os.path.join(self.work, f"{self.name}{suffix}")

    def r_exec(self, *argv, check=False, input=None):
        """Run a command in R (e.g. `conntrack -L` for a case's own comparison)."""
        return sh("ip", "netns", "exec", self.ns_r, *argv, check=check, input=input)


class HarnessError(Exception):
    pass


class Runner:
    def __init__(self, ns_a, ns_r, ns_b, nfqwall, work):
        self.ns_r, self.nfqwall, self.work = ns_r, nfqwall, work
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.tx = {"a": packet_socket(ns_a, IF_A, False), "b": packet_socket(ns_b, IF_B, False)}
        self.rx = {packet_socket(ns_r, IF_RA, True): IF_RA, packet_socket(ns_r, IF_RB, True): IF_RB}
        _libc.setns(home, CLONE_NEWNET)
        os.close(home)
        self.trace = os.environ.get("LAB_TRACE", "1") != "0"

    def drain(self, seconds):
        """Every frame the capture sockets hold, until `seconds` pass without one."""
        got = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return got
            readable, _, _ = select.select(list(self.rx), [], [], left)
            for s in readable:
                data, ancillary, _, address = s.recvmsg(65535, socket.CMSG_SPACE(16))
                ts = time.time_ns()
                for level, kind, value in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("qq", value[:16])
                        ts = sec * 1_000_000_000 + nsec
                got.append((ts, self.rx[s], address[2] == PACKET_OUTGOING, data))
                deadline = time.monotonic() + seconds

    def run_case(self, case_path):
        run = CaseRun(self, case_path)
        try:
            self.build_scenario(run)
            self.kernel_side(run)
            self.kernel_answers(run)
            self.nfqwall_side(run)
            return self.compare(run)
        except HarnessError as e:
            print(f"FAIL {run.name}: harness: {e}")
            sys.stdout.flush()
            return {"packets": 0, "agree": 0, "differ": 1, "known": 0, "known_agree": 0}
        finally:
            for route in run.routes:
                cidr, ifname = route.split("=")
                run.r_exec("ip", "route", "del", cidr)

    def build_scenario(self, run):
        lab = Lab()
        run.module.scenario(lab)
        run.sent = lab.queue
        run.pauses = lab.pauses
        keys = [s.key for s in run.sent]
        if len(set(keys)) != len(keys):
            raise HarnessError("two packets of the scenario share a key (marker + fragment offset)")

    def kernel_side(self, run):
        """Load the ruleset into R (flushing the previous case's), send, capture."""
        run.r_exec("nft", "flush", "ruleset", check=True)
        if run.ct:
            run.r_exec("sysctl", "-qw", *(f"net.netfilter.{k}={v}" for k, v in run.ct_sysctl.items()), check=True)
        run.r_exec("sh", "-c", "command -v conntrack >/dev/null && conntrack -F 2>/dev/null")
        for route in run.routes:
            cidr, ifname = route.split("=")
            via = {IF_RA: A6 if ":" in cidr else A4, IF_RB: B6 if ":" in cidr else B4}.get(ifname)
            if via is None:
                raise HarnessError(f"route {route}: the interface must be {IF_RA} or {IF_RB}")
            run.r_exec("ip", "route", "add", cidr, "via", via, check=True)
        r = run.r_exec("nft", "-f", run.ruleset)
        if r.returncode != 0:
            raise HarnessError(f"nft -f {run.ruleset} failed:\n" + "\n".join(r.stderr.splitlines()[:12]))
        monitor = None
        if self.trace:
            run.r_exec("nft", "-f", "-", input=TRACE_TABLE, check=True)
            run.trace_path = run.path(".trace.txt")
            monitor = subprocess.Popen(["ip", "netns", "exec", self.ns_r, "nft", "monitor", "trace"],
                                       stdout=open(run.trace_path, "w"), stderr=subprocess.STDOUT)
            wait_for_monitor(monitor.pid)
        try:
            self.drain(0.05)  # whatever the stack sent before this case
            started = time.monotonic()
            captured = []
            for i, s in enumerate(run.sent):
                if i in run.pauses:
                    captured += self.drain(run.pauses[i])
                self.tx[s.side].send(s.frame)
                captured += self.drain(0.0005)
            captured += self.drain(0.3)
            run.elapsed = time.monotonic() - started
            if run.ct:
                # The kernel's table right after the scenario, and when it was listed (the
                # timeouts it prints count down from then).
                before = time.time_ns()
                r = run.r_exec("conntrack", "-L")
                run.ct_list_time_ns = (before + time.time_ns()) // 2
                if r.returncode != 0:
                    raise HarnessError(f"conntrack -L in R failed: {r.stderr.strip()}")
                run.ct_kernel = r.stdout
                with open(run.path(".ct-kernel.txt"), "w") as f:
                    f.write(f"# conntrack -L in R at {run.ct_list_time_ns} ns\n{r.stdout}")
        finally:
            if monitor:
                monitor.terminate()
                monitor.wait()
        if monitor:
            run.traces = parse_trace(run.trace_path)
        # A frame the capture lost would read as a drop: make sure none was.
        for sock, ifname in self.rx.items():
            _, drops = struct.unpack("II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
            if drops:
                raise HarnessError(f"the capture on {ifname} lost {drops} frames")

        # Entering packets are the scenario's frames, byte for byte; their order is nfqwall's.
        by_frame = {}
        for s in run.sent:
            by_frame.setdefault(s.frame, []).append(s)
        unmatched = []
        for ts, ifname, outgoing, data in sorted(captured, key=lambda c: c[0]):
            if outgoing:
                run.leaving.append((ts, ifname, data))
            elif data in by_frame and by_frame[data]:
                run.entering.append((ts, ifname, by_frame[data].pop(0)))
            else:
                unmatched.append((ts, ifname, data))
        # The capture of a fragment that completes a reassembly (conntrack's defrag) can show
        # the bytes R forwarded instead (the kernel rewrites the data the capture shares): take
        # such a frame by its key on the interface it was sent to.
        for ts, ifname, data in unmatched:
            key = ip_key(l3_of(data))
            for s in run.sent:
                pending = by_frame.get(s.frame, [])
                if s.key == key and {"a": IF_RA, "b": IF_RB}[s.side] == ifname and any(x is s for x in pending):
                    pending.remove(next(x for x in pending if x is s))
                    run.entering.append((ts, ifname, s))
                    break
        run.entering.sort(key=lambda e: e[0])
        missing = [s for s in run.sent if any(x is s for x in by_frame.get(s.frame, []))]
        if missing:
            raise HarnessError(f"{len(missing)} sent packets never entered R: " + ", ".join(f"#{run.sent.index(m) + 1} {m.summary}" for m in missing))
        interfaces = [IF_RA, IF_RB]
        write_pcapng(run.path(".pcapng"), interfaces,
                     [(interfaces.index(i), ts, s.frame) for ts, i, s in run.entering])

    def kernel_answers(self, run):
        """The kernel's answer per entering packet: forwarded copies and replies, by key."""
        by_key = {s.key: s for s in run.sent}
        for ts, ifname, data in run.leaving:
            l3 = l3_of(data)
            k = ip_key(l3)
            if k in by_key:
                run.kernel.setdefault(k, []).append(("forward", ifname, l3))
                continue
            rep = reply_of(l3)
            if rep is None:
                continue
            kind, answered = rep
            if kind == "tcp reset":
                # The latest TCP packet entering before the reset with that connection's tuple.
                cands = [s for t, _, s in run.entering if t <= ts and tcp_tuple(s.l3) == answered]
                if cands:
                    run.kernel.setdefault(cands[-1].key, []).append(("reject with tcp reset", ifname, l3))
            elif answered in by_key:
                run.kernel.setdefault(answered, []).append(("reject with " + kind, ifname, l3))

    def nfqwall_side(self, run):
        out_pcap = run.path(".out.pcap")
        # R's two interfaces are veths (meta iifkind/oifkind "veth"); a capture cannot say so.
        kinds = [arg for name in (IF_RA, IF_RB) for arg in ("--if-kind", f"{name}=veth")]
        cmd = [self.nfqwall, "eval", "-f", run.ruleset, "--pcap", run.path(".pcapng"), *nfqwall_routes(run.routes),
               *kinds, "--out", out_pcap, *getattr(run.module, "NFQWALL_ARGS", [])]
        if run.ct:
            # The same tunables as R's sysctls, and the table at the end.
            with open(run.path(".ct-config"), "w") as f:
                f.writelines(f"{k} = {v}\n" for k, v in run.ct_sysctl.items())
            cmd += ["--ct-list", "--ct-config", run.path(".ct-config")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        run.eval_stdout, run.eval_stderr = r.stdout, r.stderr
        with open(run.path(".eval.txt"), "w") as f:
            f.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
        if r.returncode != 0:
            raise HarnessError(f"nfqwall eval exited {r.returncode}:\n{r.stderr}")
        run.lines = parse_eval(r.stdout)
        passed = read_pcap(out_pcap)
        accepted = [n for n in sorted(run.lines) if run.lines[n]["verdict"] == "accept"]
        if len(accepted) != len(passed):
            raise HarnessError(f"{len(accepted)} accept lines but {len(passed)} packets in --out")
        run.out_bytes = {n: l3_of(f) for n, f in zip(accepted, passed)}

    def packet_problems(self, run, number, s, trace_seen, report):
        """What differs for one packet (empty: they agree); None when the rule was not compared."""
        events = run.kernel.get(s.key, [])
        forwards = [e for e in events if e[0] == "forward"]
        replies = [e for e in events if e[0] != "forward"]
        problems = []
        if len(forwards) > 1:
            problems.append(f"the kernel forwarded it {len(forwards)} times")
        if forwards and replies:
            problems.append("the kernel both forwarded it and answered it")
        k_answer = "accept" if forwards else (replies[0][0] if replies else "drop")
        entry = run.lines.get(number)
        if entry is None:
            raise HarnessError(f"nfqwall printed no line for packet {number}")
        n_answer = nfqwall_answer(entry, s.key[0])
        # The router's own drops (TTL expiry, no route) come before forward: the kernel may
        # answer them with its ICMP error (time exceeded, unreachable), no rule decides.
        router_drop = entry["origin"].startswith(ROUTER_DROPS)
        if router_drop and n_answer == "drop" and (k_answer == "drop" or k_answer.startswith("reject with icmp")):
            n_answer = k_answer
        if k_answer != n_answer:
            problems.append(f"kernel: {k_answer}; nfqwall: {n_answer}")
        elif k_answer == "accept":
            # nfqwall's --out holds the packet as forwarded: the router's TTL decrement included.
            expected = run.out_bytes[number]
            got = forwards[0][2]
            if got != expected:
                problems.append(bytes_diff(got, expected))
        compared = False
        if run.traces is not None:
            # The n-th packet with a marker (fragments share theirs) is the n-th trace with it.
            marker = s.key[3]
            index = trace_seen.get(marker, 0)
            trace_seen[marker] = index + 1
            groups = run.traces.get(marker, [])
            if k_answer == n_answer and not router_drop:
                if index >= len(groups):
                    # Lost trace events (a netlink overrun) cost this comparison only.
                    report.append(f"  warning #{number}: no kernel trace, deciding rule not compared: {s.summary}")
                else:
                    compared = True
                    k_rule, n_rule = kernel_decider(groups[index]), nfqwall_decider(entry["origin"])
                    if normalise_rule(k_rule) != normalise_rule(n_rule):
                        problems.append(f"deciding rule: kernel `{k_rule}`; nfqwall `{n_rule}`")
        return problems, compared, entry

    def compare(self, run):
        agree = differ = known_differ = known_agree = rules_compared = 0
        report, trace_seen = [], {}
        for number, (ts, ifname, s) in enumerate(run.entering, 1):
            problems, compared, entry = self.packet_problems(run, number, s, trace_seen, report)
            rules_compared += compared
            if not problems:
                if s.known:
                    known_agree += 1
                    report.append(f"  note #{number}: known difference now agrees ({s.known}): {s.summary}")
                else:
                    agree += 1
            elif s.known:
                known_differ += 1
                brief = "; ".join(p.splitlines()[0] for p in problems)
                report.append(f"  known #{number} {s.summary}: {brief} (known: {s.known})")
            else:
                differ += 1
                report.append(f"  DISAGREE #{number} ({ifname}) {s.summary}\n      " + "\n      ".join(problems) +
                              f"\n      nfqwall: {entry['line']}")
        # A case's own comparison (e.g. the connection table): a list of problems.
        extra = getattr(run.module, "compare", None)
        case_problems = list(extra(run)) if extra else []
        ct_summary, ct = "", None
        if run.ct:
            ct = ct_compare(run)
            case_problems += ct["problems"]
            report += ct["report"]
            ct_summary = (f"conntrack -L: {ct['entries']} entries, {ct['agree']} agree, "
                          f"{len(ct['problems'])} disagree, {ct['known']} known differences "
                          f"({ct['known_agree']} known now agree), timeouts shifted by {ct['shift']:.2f}s; ")
        for problem in case_problems:
            report.append(f"  DISAGREE (case) {problem}")
        status = "ok" if differ == 0 and not case_problems else "FAIL"
        print(f"{status} {run.name}: {len(run.entering)} packets, {agree} agree, {differ} disagree, "
              f"{known_differ} known differences ({known_agree} of them now agree), "
              f"{'deciding rule compared for %d, ' % rules_compared if run.traces is not None else ''}"
              f"{ct_summary}kernel side {run.elapsed:.2f}s")
        for line in report:
            print(line)
        sys.stdout.flush()
        result = {"packets": len(run.entering), "agree": agree, "differ": differ + len(case_problems),
                  "known": known_differ, "known_agree": known_agree}
        if ct is not None:
            result.update(ct_entries=ct["entries"], ct_agree=ct["agree"], ct_known=ct["known"],
                          ct_known_agree=ct["known_agree"])
        return result


def bytes_diff(got, expected):
    from scapy.all import IP, IPv6
    cls = IP if got and got[0] >> 4 == 4 else IPv6
    fields = []
    fa, fb = cls(got).show(dump=True).splitlines(), cls(expected).show(dump=True).splitlines()
    for x, y in zip(fa, fb):
        if x != y:
            fields.append(f"kernel {' '.join(x.split())} / nfqwall {' '.join(y.split())}")
    lines = ["forwarded bytes differ: " + ("; ".join(fields) or f"lengths {len(got)} / {len(expected)}"),
             f"        kernel:  {got.hex()}", f"        nfqwall: {expected.hex()}"]
    return "\n".join(lines)


def main(argv):
    if not argv:
        print(__doc__ or "usage: lab.py setup|run|routes ...", file=sys.stderr)
        return 2
    role = argv[0]
    if role == "setup":
        setup(*argv[1:4])
        return 0
    if role == "routes":
        print(" ".join(nfqwall_routes()))
        return 0
    if role == "run":
        import argparse
        p = argparse.ArgumentParser(prog="lab.py run")
        p.add_argument("--ns", required=True)
        p.add_argument("--nfqwall", required=True)
        p.add_argument("--work", required=True)
        p.add_argument("cases", nargs="+")
        a = p.parse_args(argv[1:])
        from scapy.all import conf
        conf.verb = 0
        ns_a, ns_r, ns_b = a.ns.split(",")
        runner = Runner(ns_a, ns_r, ns_b, a.nfqwall, a.work)
        totals = {"packets": 0, "agree": 0, "differ": 0, "known": 0, "known_agree": 0}
        started = time.monotonic()
        for case in a.cases:
            case = re.sub(r"\.(nft|py)$", "", case)
            for k, v in runner.run_case(case).items():
                totals[k] = totals.get(k, 0) + v
        ct_totals = ""
        if "ct_entries" in totals:
            ct_totals = (f"; conntrack -L: {totals['ct_entries']} entries, {totals['ct_agree']} agree, "
                         f"{totals['ct_known']} known differences ({totals['ct_known_agree']} now agree)")
        print(f"lab: {len(a.cases)} cases, {totals['packets']} packets, {totals['agree']} agree, "
              f"{totals['differ']} disagree, {totals['known']} known differences "
              f"({totals['known_agree']} known differences now agree){ct_totals}; "
              f"{time.monotonic() - started:.1f}s")
        return 1 if totals["differ"] else 0
    print(f"unknown role {role}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
