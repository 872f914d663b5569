#!/usr/bin/python3
# integration/log_format_vs_kernel.py: the kernel's `log` lines against nfqwall's, packet for
# packet. Driven by log_format_vs_kernel.sh, which creates the namespaces and two veth pairs
# (lfa0 and lfa1 in namespace A; lfb0 in namespace B, and lfb1 as the port of bridge br0 in B)
# and runs this as root with Debian's python3-scapy.
#
# Roles (the first argument):
#   compare NS_A NS_B REPLAY TAG   load the logging ruleset into B, capture lfb0, send the test
#                                  traffic from A, then hold every kernel line carrying TAG
#                                  against REPLAY's line for the captured packet
#   capture FILE IFNAME...         (inside B) write every frame on the interfaces to FILE as
#                                  "IFNAME in|out HEX", VLAN tags put back in place
#   send                           (inside A) the crafted test packets
#   socket                         (inside B, as an unprivileged user) packets of local sockets
#
# Exit status: 0 every line matches, 1 a difference, 77 the kernel printed no log line at all.
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

MAC_A = "02:00:00:00:77:01"
MAC_B = "02:00:00:00:77:02"
IP4_A, IP4_B = "10.77.0.1", "10.77.0.2"
IP6_A, IP6_B = "fd00:77::1", "fd00:77::2"
SOCKET_USER = 65534  # nobody/nogroup: the UID and GID the socket packets carry
SOCKET_UDP_PORT, SOCKET_TCP_PORT = 45678, 45679
BRIDGE_SOURCE_MAC = "02:00:00:00:78:01"  # the crafted frames on lfa1; the rules log only these
REASSEMBLED_PORT = 7777  # fragments go there; the input hooks see them reassembled and skip them

NF_LOG_TCPSEQ, NF_LOG_TCPOPT, NF_LOG_IPOPT, NF_LOG_UID, NF_LOG_MACDECODE = 0x01, 0x02, 0x04, 0x08, 0x20
NF_LOG_ALL = 0x2F
LEVELS = {"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warn": 4, "notice": 5, "info": 6, "debug": 7}

# The log statements of the ruleset: (name, family, hook, nft flags, level, NF_LOG_* flags, mark).
# Their prefix is "TAG NAME: "; NAME says which packets reach it (see predictions()).
STATEMENTS = [
    ("nd", "netdev", "ingress", "", "warn", 0, 0),
    ("pre4", "ip", "prerouting", "flags all", "warn", NF_LOG_ALL, 0),
    ("in4-plain", "ip", "input", "", "warn", 0, 0),
    ("in4-seq", "ip", "input", "level info flags tcp sequence", "info", NF_LOG_TCPSEQ, 0),
    ("in4-tcpopt", "ip", "input", "level debug flags tcp options", "debug", NF_LOG_TCPOPT, 0),
    ("in4-ipopt", "ip", "input", "level notice flags ip options", "notice", NF_LOG_IPOPT, 0),
    ("in4-uid", "ip", "input", "level err flags skuid", "err", NF_LOG_UID, 0),
    ("in4-ether", "ip", "input", "flags ether", "warn", NF_LOG_MACDECODE, 0),
    ("in4-mark", "ip", "input", "flags all", "warn", NF_LOG_ALL, 0x2A),
    ("out4", "ip", "output", "flags all", "warn", NF_LOG_ALL, 0),
    ("pre6", "ip6", "prerouting", "flags all", "warn", NF_LOG_ALL, 0),
    ("in6-plain", "ip6", "input", "", "warn", 0, 0),
    ("in6-ipopt", "ip6", "input", "level info flags ip options", "info", NF_LOG_IPOPT, 0),
    ("in6-mark", "ip6", "input", "flags all", "warn", NF_LOG_ALL, 0x2A),
    ("out6", "ip6", "output", "flags all", "warn", NF_LOG_ALL, 0),
    ("inet", "inet", "prerouting", "flags ip options flags ether", "warn", NF_LOG_IPOPT | NF_LOG_MACDECODE, 0),
    ("arpin", "arp", "input", "flags all", "warn", NF_LOG_ALL, 0),
    ("arpout", "arp", "output", "flags ether", "warn", NF_LOG_MACDECODE, 0),
    ("br", "bridge", "prerouting", "", "warn", 0, 0),
    ("br-ether", "bridge", "prerouting", "level crit flags ether", "crit", NF_LOG_MACDECODE, 0),
]


def ruleset(tag):
    def log(name):
        s = next(s for s in STATEMENTS if s[0] == name)
        return f'log prefix "{tag} {name}: " {s[3]}'.rstrip()

    skip_reassembled = f"udp dport {REASSEMBLED_PORT} accept"
    return f"""
table netdev lfnd {{
    chain ingress {{
        type filter hook ingress device "lfb0" priority 0; policy accept;
        ether saddr {MAC_A} ether type ip {log("nd")}
        ether saddr {MAC_A} ip6 saddr {IP6_A} {log("nd")}
        ether type arp {log("nd")}
    }}
}}
table ip lf4 {{
    chain pre {{
        type filter hook prerouting priority 0; policy accept;
        ip saddr {IP4_A} {log("pre4")}
    }}
    chain in {{
        type filter hook input priority 0; policy accept;
        {skip_reassembled}
        ip saddr {IP4_A} {log("in4-plain")}
        ip saddr {IP4_A} {log("in4-seq")}
        ip saddr {IP4_A} {log("in4-tcpopt")}
        ip saddr {IP4_A} {log("in4-ipopt")}
        ip saddr {IP4_A} {log("in4-uid")}
        ip saddr {IP4_A} {log("in4-ether")}
        ip saddr {IP4_A} meta mark set 0x2a {log("in4-mark")}
    }}
    chain out {{
        type filter hook output priority 0; policy accept;
        ip daddr {IP4_A} {log("out4")}
    }}
}}
table ip6 lf6 {{
    chain pre {{
        type filter hook prerouting priority 0; policy accept;
        ip6 saddr {IP6_A} {log("pre6")}
    }}
    chain in {{
        type filter hook input priority 0; policy accept;
        {skip_reassembled}
        ip6 saddr {IP6_A} {log("in6-plain")}
        ip6 saddr {IP6_A} {log("in6-ipopt")}
        ip6 saddr {IP6_A} meta mark set 0x2a {log("in6-mark")}
    }}
    chain out {{
        type filter hook output priority 0; policy accept;
        ip6 daddr {IP6_A} {log("out6")}
    }}
}}
table inet lfinet {{
    chain pre {{
        type filter hook prerouting priority 10; policy accept;
        ip saddr {IP4_A} {log("inet")}
        ip6 saddr {IP6_A} {log("inet")}
    }}
}}
table bridge lfbr {{
    chain pre {{
        type filter hook prerouting priority 0; policy accept;
        ether saddr {BRIDGE_SOURCE_MAC} {log("br")}
        ether saddr {BRIDGE_SOURCE_MAC} {log("br-ether")}
    }}
}}
table arp lfarp {{
    chain in {{
        type filter hook input priority 0; policy accept;
        {log("arpin")}
    }}
    chain out {{
        type filter hook output priority 0; policy accept;
        {log("arpout")}
    }}
}}
"""


# ---------------------------------------------------------------------------------------------
# capture (inside B)

def capture(path, *ifnames):
    ETH_P_ALL, PACKET_OUTGOING = 0x0003, 4
    SOL_PACKET, PACKET_AUXDATA = 263, 8
    TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 0x10, 0x40
    sockets = {}
    for ifname in ifnames:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        # The kernel hands the outer VLAN tag over apart (it lives in skb->vlan_tci): ask for it.
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.bind((ifname, 0))
        sockets[s] = ifname
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(path, "w") as out:
        print("ready", flush=True)
        while not stop:
            try:
                readable, _, _ = select.select(list(sockets), [], [], 0.1)
            except InterruptedError:
                continue
            for s in readable:
                data, ancillary, _, address = s.recvmsg(65535, socket.CMSG_SPACE(64))
                for level, kind, value in ancillary:
                    if level != SOL_PACKET or kind != PACKET_AUXDATA:
                        continue
                    status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", value[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        tpid = tpid if status & TP_STATUS_VLAN_TPID_VALID else 0x8100
                        data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
                direction = "out" if address[2] == PACKET_OUTGOING else "in"
                out.write(f"{sockets[s]} {direction} {data.hex()}\n")
            out.flush()


# ---------------------------------------------------------------------------------------------
# send (inside A): every packet the kernel logs comes from here or answers one of these

def send():
    from scapy.all import (ARP, ICMP, Dot1AD, Dot1Q, IP, TCP, UDP, Ether, IPOption_NOP, IPOption_Router_Alert, IPv6,
                           IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, ICMPv6EchoRequest,
                           ICMPv6PacketTooBig, ICMPv6ParamProblem, ICMPv6DestUnreach, AH, ESP, Raw, conf,
                           fragment, fragment6, sendp)
    from scapy.layers.inet import IPerror, TCPerror, UDPerror
    from scapy.layers.inet6 import IPerror6, UDPerror as UDPerror6
    conf.verb = 0
    eth = Ether(src=MAC_A, dst=MAC_B)
    tcp_options = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)]
    v4 = []
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4001, flags="DF") /
              TCP(sport=40000, dport=22, seq=1000, flags="S", window=64240, options=tcp_options))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4002, tos=0xB8) /
              TCP(sport=40001, dport=22, seq=0xDEADBEEF, ack=77, flags=0x1F8 | 0x1, urgptr=9, window=512) / b"data")
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4003, ttl=3) / UDP(sport=5353, dport=9) / (b"x" * 12))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4004) / ICMP(type=8, id=0x4242, seq=7) / b"ping")
    # ICMP errors quoting a packet of B's: port unreachable, need-to-fragment, redirect, time
    # exceeded, parameter problem, and one whose quote is cut inside its TCP header.
    quoted_udp = IPerror(src=IP4_B, dst=IP4_A, id=999, ttl=64) / UDPerror(sport=33000, dport=53)
    quoted_tcp = IPerror(src=IP4_B, dst=IP4_A, id=998, flags="DF") / TCPerror(sport=44000, dport=80, seq=5, flags="S")
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4005) / ICMP(type=3, code=3) / quoted_udp)
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4006) / ICMP(type=3, code=4, nexthopmtu=1400) / quoted_tcp)
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4007) / ICMP(type=5, code=1, gw="10.77.0.254") / quoted_udp)
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4008) / ICMP(type=11, code=0) / quoted_tcp)
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4009) / ICMP(type=12, code=0, ptr=20) / quoted_udp)
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4010) / ICMP(type=3, code=1) / bytes(quoted_tcp)[:20])
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4011) / ICMP(type=3, code=1) / bytes(quoted_tcp)[:30])
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4012) / ICMP(type=13) / (b"\0" * 4))  # timestamp, cut short
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4013) / Raw(bytes(ICMP(type=8))[:4]))  # proto set below
    v4[-1].proto = 1
    # IP options (router alert + NOPs: nothing rewrites them between prerouting and input).
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4014, options=[IPOption_Router_Alert(), IPOption_NOP(), IPOption_NOP(),
                                                        IPOption_NOP(), IPOption_NOP()]) /
              TCP(sport=40002, dport=23, flags="S"))
    # Transport headers cut short, TCP options cut short.
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4015, proto=6) / Raw(bytes(TCP(sport=40003, dport=24))[:10]))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4016, proto=17) / Raw(b"\x01\x02\x03"))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4017) / Raw(bytes(TCP(sport=40004, dport=25, dataofs=15, flags="S"))))
    v4[-1].proto = 6
    # Other protocols: UDP-Lite, ESP, AH, an unknown one, and a packet marked CE... via the flag.
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4018, proto=136) / Raw(bytes(UDP(sport=1, dport=2, len=8))))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4019) / ESP(spi=0x1234ABCD, seq=1) / (b"\0" * 16))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4020) / AH(spi=0xCAFE, seq=2, nh=6, icv=bytes(12)) /
              TCP(sport=40005, dport=26))
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4021, proto=253) / b"unknown")
    v4.append(IP(src=IP4_A, dst=IP4_B, id=4022, flags="evil") / UDP(sport=5354, dport=9))
    # Fragments of one UDP datagram, and a non-first TCP, ICMP, ESP and AH fragment: prerouting
    # sees them one by one (nothing here loads nf_defrag), input only the reassembled datagram.
    big = IP(src=IP4_A, dst=IP4_B, id=4030) / UDP(sport=5355, dport=REASSEMBLED_PORT) / (b"f" * 100)
    v4.extend(fragment(big, fragsize=48))
    for proto, iid in ((6, 4031), (1, 4032), (50, 4033), (51, 4034)):
        v4.append(IP(src=IP4_A, dst=IP4_B, id=iid, proto=proto, frag=5) / (b"\0" * 24))

    v6 = []
    v6.append(IPv6(src=IP6_A, dst=IP6_B, tc=0x28, fl=0x12345, hlim=17) /
              TCP(sport=41000, dport=22, seq=1, flags="S", options=tcp_options))
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / UDP(sport=5356, dport=9) / b"hello")
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6EchoRequest(id=0x77, seq=3, data=b"ping6"))
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
              UDP(sport=5357, dport=9) / b"ext")
    quoted6 = IPerror6(src=IP6_B, dst=IP6_A) / UDPerror6(sport=33001, dport=53)
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6DestUnreach(code=4) / quoted6)
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6PacketTooBig(mtu=1280) / quoted6)
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6ParamProblem(code=0, ptr=6) / quoted6)
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6DestUnreach(code=1) / bytes(quoted6)[:30])
    v6.append(IPv6(src=IP6_A, dst=IP6_B, nh=58) / Raw(b"\x80\x00"))  # ICMPv6 cut short
    v6.append(IPv6(src=IP6_A, dst=IP6_B, nh=59) / b"nothing")
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / AH(spi=0xBEEF, seq=1, nh=6, icv=bytes(12)) /
              TCP(sport=41001, dport=27))
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / IPv6ExtHdrDestOpt() / ESP(spi=0x600D, seq=1) / (b"\0" * 16))
    big6 = (IPv6(src=IP6_A, dst=IP6_B) / IPv6ExtHdrFragment(id=0xABCDEF) /
            UDP(sport=5358, dport=REASSEMBLED_PORT) / (b"g" * 120))
    v6.extend(fragment6(big6, 96))

    # An ICMPv6 error quoting a packet with 100 destination-options headers: with `flags ip
    # options` its line outgrows the kernel's 1 KiB buffer (and prints "please increase
    # S_SIZE" once per boot).
    quoted_chain = IPerror6(src=IP6_B, dst=IP6_A, nh=60)
    for i in range(100):
        quoted_chain = quoted_chain / IPv6ExtHdrDestOpt(nh=60 if i < 99 else 59)
    v6.append(IPv6(src=IP6_A, dst=IP6_B) / ICMPv6DestUnreach(code=0) / quoted_chain)

    frames = [eth / p for p in v4 + v6]
    # ARP: a request B answers (its reply is logged at arp output), a reply, a non-Ethernet
    # hardware type, and one cut short (only netdev ingress sees it: arp_rcv drops it first).
    frames.append(eth / ARP(op=1, hwsrc=MAC_A, psrc=IP4_A, pdst=IP4_B))
    frames.append(eth / ARP(op=2, hwsrc=MAC_A, psrc=IP4_A, hwdst=MAC_B, pdst=IP4_B))
    ieee802_request = struct.pack("!HHBBH", 6, 0x0800, 6, 4, 1) + bytes.fromhex(MAC_A.replace(":", "")) + \
        socket.inet_aton(IP4_A) + bytes(6) + socket.inet_aton(IP4_B)
    frames.append(Ether(src=MAC_A, dst=MAC_B, type=0x0806) / ieee802_request)
    frames.append(Ether(src=MAC_A, dst=MAC_B, type=0x0806) / bytes(ARP(op=1, psrc=IP4_A, pdst=IP4_B))[:12])
    for frame in frames:
        sendp(frame, iface="lfa0")
        time.sleep(0.02)

    # Through the bridge: one VLAN tag (the kernel holds it apart), two tags (the inner one
    # stays, skb->protocol is 802.1Q), and untagged IPv6, ARP and an unknown ethertype.
    to_bridge = Ether(src=BRIDGE_SOURCE_MAC, dst="02:00:00:00:78:02")
    echo = IP(src="10.78.0.1", dst="10.78.0.2", id=4100) / ICMP(type=8, id=1, seq=1)
    bridged = [
        to_bridge / Dot1Q(prio=5, vlan=100) / echo,
        to_bridge / Dot1Q(vlan=10) / Dot1Q(vlan=20) / echo,
        to_bridge / Dot1AD(vlan=30) / Dot1Q(vlan=40) / echo,
        to_bridge / IPv6(src="fd00:78::1", dst="fd00:78::2") / UDP(sport=1, dport=2),
        to_bridge / ARP(op=1, hwsrc=BRIDGE_SOURCE_MAC, psrc="10.78.0.1", pdst="10.78.0.2"),
        Ether(src=BRIDGE_SOURCE_MAC, dst="02:00:00:00:78:02", type=0x88B5) / b"local experimental",
    ]
    for frame in bridged:
        sendp(frame, iface="lfa1")
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# socket (inside B, unprivileged): packets whose socket has an owner for `flags skuid`

def socket_traffic():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((IP4_B, SOCKET_UDP_PORT))
    u.sendto(b"from a socket", (IP4_A, 9))
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u6.bind((IP6_B, SOCKET_UDP_PORT))
    u6.sendto(b"from a socket", (IP6_A, 9))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind((IP4_B, SOCKET_TCP_PORT))
    t.settimeout(2)
    try:
        t.connect((IP4_A, 9))  # A answers with a reset
    except OSError:
        pass
    time.sleep(0.3)


# ---------------------------------------------------------------------------------------------
# compare (in the initial namespace)

def run(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def netns(ns, *args, **kw):
    return run("ip", "netns", "exec", ns, *args, **kw)


class Kmsg:
    """The kernel's records from now on (not namespaced: every line of the host)."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def read(self):
        records = []
        while True:
            try:
                record = os.read(self.fd, 8192).decode("utf-8", "replace")
            except BlockingIOError:
                break
            except BrokenPipeError:  # overwritten while we read: keep going
                continue
            header, _, text = record.partition(";")
            level = int(header.split(",")[0]) & 7
            records.append((level, text.split("\n")[0]))
        return records


def unescape_kmsg(text):
    # /dev/kmsg writes unprintable bytes and backslashes as \xNN.
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def parse_frame(data):
    """What the prediction needs to know about a frame: its ethertype, its IP addresses, whether
    it is an IPv4 fragment (ip_local_deliver reassembles those before the input hook; IPv6
    reassembles after it) and whether the ruleset's `udp dport 7777 accept` takes it."""
    ethertype = struct.unpack("!H", data[12:14])[0]
    info = {"ethertype": ethertype, "src": None, "dst": None, "ipv4_fragment": False, "skipped": False}
    payload = data[14:]
    if ethertype == 0x0800 and len(payload) >= 20:
        info["src"] = socket.inet_ntop(socket.AF_INET, payload[12:16])
        info["dst"] = socket.inet_ntop(socket.AF_INET, payload[16:20])
        info["ipv4_fragment"] = (struct.unpack("!H", payload[6:8])[0] & 0x3FFF) != 0
    elif ethertype == 0x86DD and len(payload) >= 40:
        info["src"] = socket.inet_ntop(socket.AF_INET6, payload[8:24])
        info["dst"] = socket.inet_ntop(socket.AF_INET6, payload[24:40])
        next_header, offset = payload[6], 40
        while next_header in (0, 43, 44, 51, 60) and offset + 8 <= len(payload):
            if next_header == 44 and struct.unpack("!H", payload[offset + 2:offset + 4])[0] & 0xFFF8:
                break  # a non-first fragment: `udp dport` cannot match it
            if next_header == 51:
                length = (payload[offset + 1] + 2) * 4
            elif next_header == 44:
                length = 8
            else:
                length = (payload[offset + 1] + 1) * 8
            next_header, offset = payload[offset], offset + length
        info["skipped"] = next_header == 17 and payload[offset + 2:offset + 4] == struct.pack("!H", REASSEMBLED_PORT)
    return info


def predictions(ifname, direction, data):
    """The log statements this frame passes through, in the order the kernel runs them, each as
    (statement, replay request fields). Mirrors ruleset()."""
    info = parse_frame(data)
    requests = []

    def add(name, hook_iif, hook_oif, first, payload, trim, socket_owner="-"):
        s = next(s for s in STATEMENTS if s[0] == name)
        requests.append((s, [s[1], s[2], hook_iif, hook_oif, hex(s[6]), hex(s[5]), socket_owner, first,
                             "1" if trim else "0", payload.hex()]))

    ethertype, src, dst = info["ethertype"], info["src"], info["dst"]
    if ifname == "lfb1":
        if direction == "in" and data[6:12] == bytes.fromhex(BRIDGE_SOURCE_MAC.replace(":", "")):
            add("br", "lfb1", "-", "ethernet", data, False)
            add("br-ether", "lfb1", "-", "ethernet", data, False)
        return requests
    if direction == "in":
        if (ethertype == 0x0800 and data[6:12] == bytes.fromhex(MAC_A.replace(":", ""))) or \
                (ethertype == 0x86DD and src == IP6_A) or ethertype == 0x0806:
            add("nd", "lfb0", "-", "ethernet", data, False)
        if ethertype == 0x0800 and src == IP4_A:
            add("pre4", "lfb0", "-", "ethernet", data, True)
            add("inet", "lfb0", "-", "ethernet", data, True)
            if not info["ipv4_fragment"]:
                for name in ("in4-plain", "in4-seq", "in4-tcpopt", "in4-ipopt", "in4-uid", "in4-ether", "in4-mark"):
                    add(name, "lfb0", "-", "ethernet", data, True)
        elif ethertype == 0x86DD and src == IP6_A:
            add("pre6", "lfb0", "-", "ethernet", data, True)
            add("inet", "lfb0", "-", "ethernet", data, True)
            if not info["skipped"]:
                for name in ("in6-plain", "in6-ipopt", "in6-mark"):
                    add(name, "lfb0", "-", "ethernet", data, True)
        elif ethertype == 0x0806 and len(data) >= 14 + 28 and data[18:20] == b"\x06\x04":
            # arp_rcv drops what is shorter or has other address lengths before the hook
            add("arpin", "lfb0", "-", "ethernet", data, False)
    else:
        payload = data[14:]  # the output hooks run before the Ethernet header exists
        owner = "-"
        if ethertype in (0x0800, 0x86DD):
            sport_offset = 20 if ethertype == 0x0800 else 40
            if len(payload) >= sport_offset + 2:
                sport = struct.unpack("!H", payload[sport_offset:sport_offset + 2])[0]
                if sport in (SOCKET_UDP_PORT, SOCKET_TCP_PORT):
                    owner = f"{SOCKET_USER}:{SOCKET_USER}"
        if ethertype == 0x0800 and dst == IP4_A:
            add("out4", "-", "lfb0", "ipv4", payload, False, owner)
        elif ethertype == 0x86DD and dst == IP6_A:
            add("out6", "-", "lfb0", "ipv6", payload, False, owner)
        elif ethertype == 0x0806:
            add("arpout", "-", "lfb0", "arp", payload, False)
    return requests


def compare(ns_a, ns_b, replay, tag):
    here = os.path.abspath(__file__)
    workdir = os.environ.get("NFQW_WORKDIR", "/tmp")
    capture_file = os.path.join(workdir, "capture.txt")
    ruleset_file = os.path.join(workdir, "log.nft")
    with open(ruleset_file, "w") as f:
        f.write(ruleset(tag))

    kmsg = Kmsg()
    sniffer = subprocess.Popen(["ip", "netns", "exec", ns_b, sys.executable, here, "capture", capture_file,
                                "lfb0", "lfb1"], stdout=subprocess.PIPE, text=True)
    try:
        if sniffer.stdout.readline().strip() != "ready":
            print("the capture did not start", file=sys.stderr)
            return 1
        netns(ns_b, "nft", "-f", ruleset_file)
        netns(ns_a, sys.executable, here, "send")
        netns(ns_b, "setpriv", f"--reuid={SOCKET_USER}", f"--regid={SOCKET_USER}", "--clear-groups",
              sys.executable, here, "socket")
        time.sleep(1.0)
        netns(ns_b, "nft", "flush", "ruleset")
        time.sleep(0.2)
    finally:
        sniffer.send_signal(signal.SIGTERM)
        sniffer.wait(timeout=10)

    kernel = {}  # statement name -> [(level, text)]
    for level, text in kmsg.read():
        text = unescape_kmsg(text)
        if text.startswith(tag + " "):
            name = text[len(tag) + 1:].split(":", 1)[0]
            kernel.setdefault(name, []).append((level, text))
    if not kernel:
        print(f"\n*** SKIP: the kernel logged no line with prefix '{tag}' (nf_log_all_netns, "
              "nf_log_syslog, or /dev/kmsg not showing this kernel's messages) ***\n", file=sys.stderr)
        return 77

    frames = []
    with open(capture_file) as f:
        for line in f:
            ifname, direction, hexdata = line.split()
            frames.append((ifname, direction, bytes.fromhex(hexdata)))
    requests = []
    unlogged = []  # frames no statement logs (IPv6 multicast listener reports, ...)
    for ifname, direction, data in frames:
        predicted = predictions(ifname, direction, data)
        requests.extend(predicted)
        if not predicted:
            unlogged.append(f"{ifname} {direction} {data[:64].hex()}")
    lines = "\n".join(" ".join(fields + [f"{tag} {s[0]}: ".encode().hex()]) for s, fields in requests) + "\n"
    replayed = subprocess.run([replay], input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
    ours = {}
    for (s, fields), text in zip(requests, replayed):
        ours.setdefault(s[0], []).append((LEVELS[s[4]], text, fields))

    compared = failed = 0
    for s in STATEMENTS:
        name = s[0]
        theirs, mine = kernel.get(name, []), ours.get(name, [])
        if len(theirs) != len(mine):
            failed += 1
            print(f"{name}: the kernel logged {len(theirs)} lines, nfqwall predicts {len(mine)}")
        for i, ((klevel, ktext), (olevel, otext, fields)) in enumerate(zip(theirs, mine)):
            compared += 1
            if ktext != otext or klevel != olevel:
                failed += 1
                print(f"{name} #{i + 1} differs:\n  kernel <{klevel}> {ktext!r}\n  nfqwall<{olevel}> {otext!r}\n"
                      f"  request: {' '.join(fields)}")
        for ktext in theirs[len(mine):]:
            print(f"  kernel only: {ktext[1]!r}")
        for o in mine[len(theirs):]:
            print(f"  nfqwall only: {o[1]!r}")
    print(f"log_format_vs_kernel: {compared} lines of {len(frames)} captured frames compared "
          f"over {len(STATEMENTS)} log statements ({len(unlogged)} frames reach none), {failed} differences")
    if os.environ.get("NFQW_SHOW_LINES"):  # every kernel line with the request that replays it
        for frame in unlogged:
            print(f"not logged: {frame}")
        for name, entries in kernel.items():
            for (level, text), (_, _, fields) in zip(entries, ours.get(name, [])):
                print(f"<{level}> {text}\n    request: {' '.join(fields)}")
    return 1 if failed else 0


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role == "capture":
        capture(*sys.argv[2:])
        return 0
    if role == "send":
        send()
        return 0
    if role == "socket":
        socket_traffic()
        return 0
    if role == "compare":
        return compare(*sys.argv[2:6])
    print(__doc__ or "usage: see the header of this file", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
