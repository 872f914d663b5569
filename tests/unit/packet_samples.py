#!/usr/bin/python3
"""Writes packet_samples.inc: real packets built with scapy for tests/unit/packet_test.cpp.

Each sample is a C++ initializer: name, what the buffer starts with, where scapy put each
layer ("IP@14 TCP@34", offsets of the built packet, one per layer), and the bytes in hex.
The test asserts the parser's offsets against those layer offsets, so the expectations come
from scapy, not from the parser. Regenerate after changing this file (Debian's python3-scapy;
the test does not need scapy):

    /usr/bin/python3 tests/unit/packet_samples.py > tests/unit/packet_samples.inc
"""
import struct
import sys

from scapy.all import (AH, ARP, ESP, GRE, GRE_PPTP, ICMP, IP, TCP, UDP, VXLAN, Dot1AD, Dot1Q, Ether,
                       ICMPv6EchoRequest, ICMPv6ND_NS, IPOption_LSRR, IPOption_NOP, IPOption_Router_Alert,
                       IPOption_RR, IPOption_SSRR, IPOption_Timestamp, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Padding, Raw, conf)
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.contrib.igmp import IGMP
from scapy.layers.sctp import SCTP, SCTPChunkData, SCTPChunkInit
from scapy.packet import NoPayload

SRC4, DST4 = "192.0.2.1", "198.51.100.7"
SRC6, DST6 = "2001:db8::1", "2001:db8:1::7"
MAC = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
TCP_OPTIONS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)]


def layer_offsets(pkt, names=None):
    """Offsets of every layer of a built packet, named by class unless renamed."""
    total = len(bytes(pkt))
    out = []
    layer = pkt
    index = 0
    while layer is not None and not isinstance(layer, NoPayload):
        name = (names or {}).get(index, type(layer).__name__)
        out.append(f"{name}@{total - len(bytes(layer))}")
        layer = layer.payload
        index += 1
    return " ".join(out)


def raw_layers(prefix, tail_name, tail_bytes):
    """A header scapy cannot build (DCCP, UDP-Lite, IPComp) appended as raw bytes."""
    pkt = prefix / Raw(tail_bytes)
    return pkt, layer_offsets(pkt, {len(prefix.layers()): tail_name})


def dccp_request():
    # Request with X=1: 16-byte generic header, 4-byte service code, then options:
    # mandatory (1), a 4-byte option 32, padding to doff.
    options = bytes([1, 32, 4, 0xAA, 0xBB, 0, 0, 0])
    doff = (16 + 4 + len(options)) // 4
    header = struct.pack("!HHBBHBBHI", 40000, 5001, doff, 0, 0, (0 << 1) | 1, 0, 0, 1)
    return header + struct.pack("!I", 42) + options + b"data"


def udplite():
    return struct.pack("!HHHH", 40000, 5004, 8, 0) + b"lite"


def ipcomp():
    return struct.pack("!BBH", 6, 0, 0x1234) + b"compressed"


def samples():
    s = []

    def add(name, first, pkt, layers=None):
        s.append((name, first, layers or layer_offsets(pkt), bytes(pkt)))

    tcp = TCP(sport=40000, dport=22, flags="S", seq=1000, options=TCP_OPTIONS)
    add("eth_ipv4_tcp", "ethernet", Ether(**MAC) / IP(src=SRC4, dst=DST4) / tcp / b"hello")
    add("eth_ipv4_udp", "ethernet", Ether(**MAC) / IP(src=SRC4, dst=DST4) / UDP(sport=40000, dport=53) / b"q")
    add("ipv4_tcp", "ipv4", IP(src=SRC4, dst=DST4) / TCP(sport=1, dport=443, flags="A") / b"x")
    add("ipv6_udp", "ipv6", IPv6(src=SRC6, dst=DST6) / UDP(sport=5353, dport=5353) / b"mdns")
    add("ip_autodetect_v6", "ip", IPv6(src=SRC6, dst=DST6) / TCP(sport=1, dport=2))
    add("ip_autodetect_v4", "ip", IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=2))
    # Ethernet frames shorter than 60 bytes are padded on the wire.
    add("eth_ipv4_udp_padded", "ethernet",
        Ether(**MAC) / IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=2) / b"ab" / Padding(b"\0" * 16))

    # Transport protocols.
    pkt, layers = raw_layers(Ether(**MAC) / IP(src=SRC4, dst=DST4, proto=136), "UDPLite", udplite())
    add("eth_ipv4_udplite", "ethernet", pkt, layers)
    sctp = (SCTP(sport=5000, dport=5001, tag=0x11223344) /
            SCTPChunkInit(init_tag=7, a_rwnd=65535, n_out_streams=1, n_in_streams=1, init_tsn=1) /
            SCTPChunkData(tsn=1, data=b"payload"))
    add("eth_ipv4_sctp", "ethernet", Ether(**MAC) / IP(src=SRC4, dst=DST4) / sctp)
    pkt, layers = raw_layers(Ether(**MAC) / IP(src=SRC4, dst=DST4, proto=33), "DCCP", dccp_request())
    add("eth_ipv4_dccp", "ethernet", pkt, layers)
    add("eth_ipv4_icmp_echo", "ethernet", Ether(**MAC) / IP(src=SRC4, dst=DST4) / ICMP(type=8, id=7, seq=1) / b"ping")
    add("eth_ipv4_icmp_error", "ethernet",
        Ether(**MAC) / IP(src=SRC4, dst=DST4) / ICMP(type=3, code=3) /
        IP(src=DST4, dst=SRC4) / UDP(sport=53, dport=40000))
    add("eth_ipv6_icmpv6_echo", "ethernet", Ether(**MAC) / IPv6(src=SRC6, dst=DST6) / ICMPv6EchoRequest(id=1, seq=2))
    add("eth_ipv6_icmpv6_ns", "ethernet", Ether(**MAC) / IPv6(src=SRC6, dst="ff02::1:ff00:7") / ICMPv6ND_NS(tgt=DST6))
    add("eth_ipv4_igmp", "ethernet", Ether(**MAC) / IP(src=SRC4, dst="224.0.0.251") / IGMP(type=0x16, gaddr="224.0.0.251"))
    add("eth_ipv4_esp", "ethernet", Ether(**MAC) / IP(src=SRC4, dst=DST4) / ESP(spi=0x1000, seq=5, data=b"\x11" * 16))
    add("eth_ipv4_ah_tcp", "ethernet",
        Ether(**MAC) / IP(src=SRC4, dst=DST4) / AH(nh=6, payloadlen=4, spi=0x2000, seq=9, icv=b"\x22" * 12) / TCP(sport=1, dport=80))
    pkt, layers = raw_layers(Ether(**MAC) / IP(src=SRC4, dst=DST4, proto=108), "IPComp", ipcomp())
    add("eth_ipv4_comp", "ethernet", pkt, layers)

    # Tunnels.
    add("ipv4_gre_ipv4_tcp", "ipv4", IP(src=SRC4, dst=DST4) / GRE() / IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=1, dport=80))
    add("ipv4_gre_csum_key_seq", "ipv4",
        IP(src=SRC4, dst=DST4) / GRE(chksum_present=1, key_present=1, seqnum_present=1, key=0x42, sequence_number=3) /
        IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2))
    add("ipv4_gre_routing", "ipv4",
        IP(src=SRC4, dst=DST4) / GRE(routing_present=1) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2))
    add("ipv4_gre_pptp", "ipv4",
        IP(src=SRC4, dst=DST4) / GRE_PPTP(seqnum_present=1, acknum_present=1, payload_len=4, call_id=9, seqence_number=1,
                                          ack_number=2) / Raw(b"\xff\x03\x00\x21"))
    add("ipv4_gretap", "ipv4",
        IP(src=SRC4, dst=DST4) / GRE(proto=0x6558) / Ether(**MAC) / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=7, dport=9))
    add("ipv6_gre_ipv6_tcp", "ipv6",
        IPv6(src=SRC6, dst=DST6) / GRE(proto=0x86DD) / IPv6(src="fd00::1", dst="fd00::2") / TCP(sport=3, dport=4))
    add("ipv4_vxlan", "ipv4",
        IP(src=SRC4, dst=DST4) / UDP(sport=49152, dport=4789) / VXLAN(vni=42) / Ether(**MAC) /
        IP(src="10.1.0.1", dst="10.1.0.2") / TCP(sport=5, dport=6))
    add("ipv4_vxlan_vlan_ipv6", "ipv4",
        IP(src=SRC4, dst=DST4) / UDP(sport=49152, dport=4789) / VXLAN(vni=43) / Ether(**MAC) / Dot1Q(vlan=5) /
        IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrDestOpt() / UDP(sport=7, dport=8))
    add("eth_ipv4_geneve", "ethernet",
        Ether(**MAC) / IP(src=SRC4, dst=DST4) / UDP(sport=49152, dport=6081) /
        GENEVE(vni=7, proto=0x6558, options=[GeneveOptions(classid=0x102, type=0x80, data=b"\x01\x02\x03\x04")]) /
        Ether(**MAC) / IP(src="10.2.0.1", dst="10.2.0.2") / UDP(sport=9, dport=10))
    add("ipv4_ipip", "ipv4", IP(src=SRC4, dst=DST4, proto=4) / IP(src="10.3.0.1", dst="10.3.0.2") / ICMP())

    # VLAN stacks.
    add("eth_vlan_ipv4_tcp", "ethernet", Ether(**MAC) / Dot1Q(vlan=100, prio=3) / IP(src=SRC4, dst=DST4) / TCP(sport=1, dport=2))
    add("eth_qinq_ipv6_udp", "ethernet",
        Ether(type=0x88A8, **MAC) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IPv6(src=SRC6, dst=DST6) / UDP(sport=1, dport=2))
    add("eth_vlan3_arp", "ethernet",
        Ether(**MAC) / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / ARP(psrc=SRC4, pdst=DST4))
    add("eth_arp", "ethernet", Ether(**MAC) / ARP(op=1, psrc=SRC4, pdst=DST4))
    add("arp_bare", "arp", ARP(op=2, psrc=SRC4, pdst=DST4))
    add("eth_lldp", "ethernet", Ether(type=0x88CC, **MAC) / Raw(b"\x02\x07\x04" + b"\0" * 12))

    # IPv4 options and fragments.
    add("ipv4_options_rr_ra", "ipv4",
        IP(src=SRC4, dst=DST4, options=[IPOption_NOP(), IPOption_RR(routers=["0.0.0.0"] * 2), IPOption_Router_Alert()]) /
        UDP(sport=1, dport=2))
    add("ipv4_options_lsrr", "ipv4",
        IP(src=SRC4, dst=DST4, options=[IPOption_LSRR(routers=["10.9.9.9", "10.8.8.8"])]) / TCP(sport=1, dport=2))
    add("ipv4_options_ssrr_ts", "ipv4",
        IP(src=SRC4, dst=DST4, options=[IPOption_SSRR(routers=["10.9.9.9"]), IPOption_Timestamp(flg=0, timestamp=0)]) /
        ICMP())
    add("ipv4_first_fragment", "ipv4", IP(src=SRC4, dst=DST4, id=77, flags="MF", frag=0) / UDP(sport=1, dport=2) / (b"f" * 16))
    add("ipv4_later_fragment", "ipv4", IP(src=SRC4, dst=DST4, id=77, proto=6, frag=185) / Raw(b"\x00\x50\x01\xbb" + b"d" * 20))

    # IPv6 extension-header chains.
    add("eth_ipv6_hbh_rt_dst_tcp", "ethernet",
        Ether(**MAC) / IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=["2001:db8::9"]) /
        IPv6ExtHdrDestOpt() / TCP(sport=1, dport=443, options=TCP_OPTIONS))
    add("ipv6_first_fragment_udp", "ipv6",
        IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrFragment(offset=0, m=1, id=5) / UDP(sport=1, dport=2) / (b"f" * 16))
    add("ipv6_later_fragment_tcp", "ipv6",
        IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrFragment(offset=100, m=0, id=5, nh=6) / Raw(b"\x00\x50\x01\xbb" + b"d" * 20))
    add("ipv6_later_fragment_dstopt", "ipv6",
        IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrFragment(offset=100, m=1, id=6, nh=60) / Raw(b"\x06\x00" + b"\x00" * 14))
    add("ipv6_hbh_ah_tcp", "ipv6",
        IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrHopByHop() / AH(nh=6, payloadlen=4, spi=0x3000, seq=1, icv=b"\x33" * 12) /
        TCP(sport=1, dport=22))
    add("ipv6_ah_dstopt_udp", "ipv6",
        IPv6(src=SRC6, dst=DST6) / AH(nh=60, payloadlen=4, spi=0x4000, seq=1, icv=b"\x44" * 12) / IPv6ExtHdrDestOpt() /
        UDP(sport=1, dport=2))
    add("ipv6_esp", "ipv6", IPv6(src=SRC6, dst=DST6) / ESP(spi=0x5000, seq=1, data=b"\x55" * 8))
    add("ipv6_no_next_header", "ipv6", IPv6(src=SRC6, dst=DST6, nh=59) / Raw(b"ignored"))
    add("ipv6_dstopt_mobility", "ipv6",
        IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrDestOpt(nh=135) / Raw(b"\x3b\x00\x00\x00\x00\x00\x00\x00"))
    return s


def main():
    out = sys.stdout
    out.write(f"// Generated by tests/unit/packet_samples.py (scapy {conf.version}); do not edit.\n")
    for name, first, layers, data in samples():
        out.write(f'{{"{name}", "{first}", "{layers}",\n "{data.hex()}"}},\n')


if __name__ == "__main__":
    main()
