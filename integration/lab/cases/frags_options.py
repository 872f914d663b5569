# Scenario of frags_options.nft.
from scapy.all import IP, IPv6, IPv6ExtHdrFragment, TCP, UDP, Raw

# Known difference: nfqwall does not run sub-byte fields of extension headers yet (`frag
# more-fragments`, `frag frag-off`: "sub-byte extension header field is not supported by the
# engine yet", the rule never matches); the kernel matches them.
SUB_BYTE = "frag more-fragments / frag frag-off: unsupported in nfqwall (never matches), matched by the kernel"


def sub_byte_known(last):
    def known(p):
        if IPv6ExtHdrFragment not in p:
            return None
        f = p[IPv6ExtHdrFragment]
        if (last == 52 and f.m == 1) or (last == 53 and f.offset == 0):
            return SUB_BYTE
        return None
    return known

OPTIONS = [
    [],
    [("MSS", 1460)],
    [("MSS", 1250)],
    [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)],
    [("NOP", None), ("NOP", None), ("SAckOK", b"")],
    [("WScale", 2)],
    [("Timestamp", (5, 6))],
]


def scenario(lab):
    A4, A6 = lab.A4, lab.A6
    for last in (49, 50, 51, 52, 53):
        dst = f"203.0.113.{last}"
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=53) / Raw(b"D" * 60), frags=16)
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=54) / Raw(b"D" * 60), frags=24)
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=53) / Raw(b"d"))
        lab.a(IP(src=A4, dst=dst) / TCP(sport=9000, dport=53, flags="S") / Raw(b"T" * 40), frags=16)
    for last in (49, 50, 51, 52, 53):
        dst = f"2001:db8:b::{last}"
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=53) / Raw(b"D" * 60), frags=24, known=sub_byte_known(last))
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=54) / Raw(b"D" * 60), frags=32, known=sub_byte_known(last))
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=53) / Raw(b"d"))
    for options in OPTIONS:
        for dport in (80, 81, 82, 83, 84, 85, 86):
            lab.a(IP(src=A4, dst=lab.B4) / TCP(sport=9002, dport=dport, flags="S", options=options))
            lab.a(IPv6(src=A6, dst=lab.B6) / TCP(sport=9002, dport=dport, flags="S", options=options))
