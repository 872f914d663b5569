# Scenario of headers.nft.
from scapy.all import (IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, ICMPv6EchoReply, IPOption_NOP,
                       IPOption_Router_Alert, Raw)


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for last in (1, 2, 3, 4, 5):
        lab.a(IP(src=A4, dst=f"203.0.113.{last}") / UDP(sport=10000, dport=1) / Raw(b"e"))
        lab.b(IP(src=B4, dst=f"192.0.2.{last}") / UDP(sport=10000, dport=1) / Raw(b"e"))
    for options in ([], [IPOption_Router_Alert()], [IPOption_NOP()] * 4, [IPOption_NOP()] * 8):
        for l4 in (TCP(sport=10001, dport=22, flags="S"), UDP(sport=10001, dport=53), TCP(sport=10001, dport=23),
                   UDP(sport=10001, dport=7778), TCP(sport=10001, dport=6666)):
            lab.a(IP(src=A4, dst=B4, options=options) / l4 / Raw(b"o"))
    for icmp in (ICMP(type=8, id=77, seq=1), ICMP(type=8, id=78, seq=150), ICMP(type=8, id=78, seq=201),
                 ICMP(type=8, code=1, id=79), ICMP(type=0, id=77), ICMP(type=13, id=77)):
        lab.a(IP(src=A4, dst=B4) / icmp / Raw(b"i" * 8))
    for icmp in (ICMPv6EchoRequest(id=77, seq=1), ICMPv6EchoRequest(id=78, seq=150), ICMPv6EchoRequest(id=78, seq=300),
                 ICMPv6EchoReply(id=1)):
        lab.a(IPv6(src=A6, dst=B6) / icmp)
    for tcp in (TCP(sport=10002, dport=80, seq=12345), TCP(sport=10002, dport=80, seq=12346),
                TCP(sport=10002, dport=80, flags="A", ack=0x10000000), TCP(sport=10002, dport=80, flags="A", ack=0x20000000),
                TCP(sport=10002, dport=80, window=999), TCP(sport=10002, dport=80, window=1000),
                TCP(sport=10002, dport=80, flags="U", urgptr=5), TCP(sport=10002, dport=80, flags="PA", urgptr=0),
                TCP(sport=10002, dport=80, options=[("NOP", None)] * 40), TCP(sport=10002, dport=7777)):
        lab.a(IP(src=A4, dst=B4) / tcp)
        lab.a(IPv6(src=A6, dst=B6) / tcp)
    for payload, chksum in ((b"", None), (b"abc", None), (b"abcd", None), (b"z", 0), (b"z", None)):
        for dport in (9, 10):
            lab.a(IP(src=A4, dst=B4) / UDP(sport=10003, dport=dport, chksum=chksum) / Raw(payload))
    lab.a(IP(src=A4, dst="192.0.2.99") / UDP(sport=10004, dport=1))
    lab.b(IP(src=B4, dst="192.0.2.99") / UDP(sport=10004, dport=1))
    lab.b(IP(src="192.0.2.99", dst=A4) / UDP(sport=10004, dport=1))
    lab.a(IP(src=A4, dst=B4) / UDP(sport=10004, dport=1))
    for src in ("2001:db8:a::63", "2001:db8:a::64"):
        lab.a(IPv6(src=src, dst=B6) / UDP(sport=10005, dport=7778))
        lab.a(IPv6(src=src, dst=B6) / UDP(sport=10005, dport=7779))
    for dst in ("2001:db8:b::1", "2001:db8:b::2", "2001:db8:b::3"):
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=10006, dport=1))
        lab.b(IPv6(src=B6, dst=dst.replace(":b::", ":a::")) / UDP(sport=10006, dport=1))
