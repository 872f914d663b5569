#!/usr/bin/python3
"""Writes the captures the eval golden tests replay (Debian's python3-scapy).

    /usr/bin/python3 tests/golden/make_captures.py DIR

Every packet has a fixed timestamp, so the captures (and the replay's clock) are the same on
every run. The pcapng file is written by hand: it needs two interface blocks with if_name
options and packets on each, which is the point of the test.
"""
import struct
import sys
from pathlib import Path

from scapy.all import ARP, ICMP, IP, TCP, UDP, CookedLinux, Ether, IPv6, Raw, conf, wrpcap

conf.verb = 0
T0 = 1_700_000_000
MAC = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def stamp(packets):
    for i, p in enumerate(packets):
        p.time = T0 + i
    return packets


def forward_packets():
    eth = Ether(**MAC)
    full = eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(sport=40000, dport=80)
    return stamp([
        eth / IP(src="10.0.0.5", dst="192.0.2.10") / TCP(sport=40000, dport=80),    # trusted source
        eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(sport=40001, dport=22),    # vmap accept
        eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(sport=40002, dport=23),    # vmap drop
        eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(sport=40003, dport=25),    # reject
        eth / IP(src="10.1.0.6", dst="198.51.100.53") / UDP(sport=5353, dport=53),  # accept
        full,                                                                        # policy drop, logged
        Ether(src=MAC["src"], dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.1.0.6", pdst="10.1.0.1"),
        Ether(src=MAC["src"], dst="01:80:c2:00:00:0e", type=0x88CC) / Raw(b"\x02\x07\x04" + b"\x00" * 20),
        Raw(bytes(full)[:30]),                                                       # IPv4 header cut short
        eth / IPv6(src="2001:db8::6", dst="2001:db8:1::10") / TCP(sport=40004, dport=22),
        Raw(bytes(full)[:10]),                                                       # not even an Ethernet header
        eth / IP(src="10.1.0.6", dst="192.0.2.10", chksum=0x1234) / TCP(sport=40005, dport=22),  # ip_rcv drops it
    ])


def route_packets():
    eth = Ether(**MAC)
    return stamp([
        eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(sport=40000, dport=443),   # to dmz0
        eth / IP(src="10.1.0.6", dst="8.8.8.8") / UDP(sport=40001, dport=53),      # to wan0 (default)
        eth / IPv6(src="2001:db8::6", dst="2001:db8:1::10") / TCP(dport=443),      # ip6: no chains
    ])


def host_packets():
    eth = Ether(**MAC)
    return stamp([
        eth / IP(src="10.1.0.6", dst="192.0.2.1") / TCP(sport=40000, dport=22),     # local ssh
        eth / IP(src="10.1.0.6", dst="192.0.2.99") / TCP(sport=40001, dport=22),    # not local
        eth / IP(src="10.1.0.6", dst="192.0.2.1") / ICMP(type=8),                   # ping
        Ether(src="02:00:00:00:00:66", dst=MAC["dst"]) / IP(src="10.1.0.6", dst="192.0.2.1") / UDP(dport=9),
        eth / IP(src="192.0.2.1", dst="198.51.100.25") / TCP(sport=40002, dport=25),  # output to eth0
        eth / IP(src="192.0.2.1", dst="10.9.0.1") / TCP(sport=40003, dport=443),      # output to eth1
    ])


def rewrite_packets():
    eth = Ether(**MAC)
    return stamp([
        eth / IP(src="198.51.100.7", dst="203.0.113.1") / TCP(sport=40000, dport=80, flags="S") / Raw(b"hello"),
        eth / IP(src="198.51.100.7", dst="203.0.113.1") / TCP(sport=40001, dport=443, flags="S"),
    ])


def raw_ip_packets():
    """The host packets without a link header (DLT_RAW), for the output path."""
    return stamp([p[IP] for p in host_packets()[4:]])


def jump_packets():
    eth = Ether(**MAC)
    return stamp([
        eth / IP(src="10.1.1.1", dst="192.0.2.10") / TCP(dport=80),   # through web, back, policy
        eth / IP(src="10.1.1.1", dst="192.0.2.10") / TCP(dport=443),  # accepted in web
        eth / IP(src="10.1.1.1", dst="192.0.2.10") / TCP(dport=22),   # goto ssh
        eth / IP(src="10.9.9.9", dst="192.0.2.10") / TCP(dport=443),  # return from web
        eth / IP(src="10.1.1.1", dst="192.0.2.10") / UDP(dport=53),   # the anonymous chain
    ])


def cooked_packets():
    """A Linux cooked capture (DLT_LINUX_SLL, as `tcpdump -i any` writes)."""
    return stamp([
        CookedLinux(pkttype=0, proto=0x0800) / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(dport=22),
        CookedLinux(pkttype=1, proto=0x0800) / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(dport=80),
    ])


def pcapng(path, interfaces, packets):
    """packets: (interface index, epoch seconds, bytes)."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        length = len(body) + 12
        return struct.pack("<II", kind, length) + body + struct.pack("<I", length)

    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for name in interfaces:
        opt = name.encode()
        options = struct.pack("<HH", 2, len(opt)) + opt + b"\0" * (-len(opt) % 4) + struct.pack("<HH", 0, 0)
        out += block(1, struct.pack("<HHI", 1, 0, 0) + options)
    for index, seconds, data in packets:
        micros = seconds * 1_000_000
        body = struct.pack("<IIIII", index, micros >> 32, micros & 0xFFFFFFFF, len(data), len(data)) + data
        out += block(6, body)
    Path(path).write_bytes(out)


def two_interfaces(path):
    eth = Ether(**MAC)
    packets = [
        (0, T0, eth / IP(src="10.1.0.6", dst="192.0.2.10") / TCP(dport=443)),  # lan0 -> mark 1
        (1, T0 + 1, eth / IP(src="10.2.0.6", dst="8.8.8.8") / UDP(dport=53)),  # guest0 -> wan0
        (1, T0 + 2, eth / IP(src="10.2.0.6", dst="192.0.2.10") / TCP(dport=443)),  # guest0 -> dmz0
    ]
    pcapng(path, ["lan0", "guest0"], [(i, t, bytes(p)) for i, t, p in packets])


def main(directory):
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    wrpcap(str(d / "forward.pcap"), forward_packets())
    wrpcap(str(d / "routes.pcap"), route_packets())
    wrpcap(str(d / "host.pcap"), host_packets())
    wrpcap(str(d / "rewrite.pcap"), rewrite_packets())
    wrpcap(str(d / "raw-output.pcap"), raw_ip_packets(), linktype=101)
    wrpcap(str(d / "cooked.pcap"), cooked_packets())
    wrpcap(str(d / "jumps.pcap"), jump_packets())
    two_interfaces(d / "two-interfaces.pcapng")


if __name__ == "__main__":
    main(sys.argv[1])
