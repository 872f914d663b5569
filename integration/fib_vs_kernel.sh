#!/usr/bin/env bash
# integration/fib_vs_kernel.sh [QUERY]
#
# `fib` answered by hostroute::kernel_fib (the daemon's oracle: RTM_GETROUTE over rtnetlink)
# against the kernel's own nft `fib` for the same packets. A fresh namespace R holds the
# routes (interfaces v0, v1, v2, veth pairs to p0, p1, p2 in a second namespace P that sends
# the packets):
#
#   IPv4  10.10.0.1/24 v0, 10.11.0.1/24 v1, 10.12.0.1/24 v2; default via 10.10.0.2 (v0);
#         198.51.100.0/24 via v1; 192.0.2.0/24 multipath via v1 and v2; 192.0.3.0/24
#         multipath via v3 (down: a dead nexthop) and v2; blackhole
#         203.0.113.0/26, unreachable .64/26, prohibit .128/26; `local 100.64.0.0/16 dev lo`;
#         `broadcast 10.20.0.255 dev v1` in the local table;
#         rules: fwmark 0x10 -> table 100 (198.51.100.0/24 via v2),
#                tos 0x10 -> table 101 (198.51.100.0/24 via v2),
#                from 10.99.0.0/16 -> table 100
#   IPv6  fd10::1/64 v0, fd11::1/64 v1, fd12::1/64 v2, link-local fe80::10 v0, fe80::11 v1,
#         fe80::12 v2 (all nodad); default via fd10::2 (v0); 2001:db8:100::/48 via v1;
#         blackhole / unreachable / prohibit / throw 2001:db8:b1::/48 .. b4::/48; anycast
#         2001:db8:a::1 on v0; v2 forwards (the kernel's anycast fd12::); rules: fwmark 0x10 -> table 100 (2001:db8:100::/48 via v2,
#         blackhole 2001:db8:b1::/48 is unicast there), tclass 0x10 -> table 101 (via v2)
#
# fib_vs_kernel.py (the case table is there) loads a ruleset that records each case's fib
# result in R, sends the packets, asks QUERY (the nfqwall_fib_query tool; default
# build/integration/nfqwall_fib_query) the same questions inside R, and compares: type
# local/unicast/broadcast/multicast/anycast/blackhole/unreachable/prohibit/throw, oif and
# oifname by daddr and by `saddr . iif` (reverse path, right and wrong interface), `mark`
# with a fwmark rule, TOS rules, multipath, the loopback and zeronet shortcuts and the
# present flag (`fib daddr oif exists`). Cases marked KNOWN are differences rtnetlink cannot
# remove (docs/kernel-differences.md, "fib in the daemon").
#
# Exit status: 0 all agree, 1 a difference, 77 (skipped, loudly) without root, namespaces or
# python3-scapy.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

case ${1:-} in -h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;; esac
query=${1:-$root/build/integration/nfqwall_fib_query}
[[ -x $query ]] || {
	echo "query tool not found or not executable: $query" >&2
	exit 1
}
query=$(cd -- "$(dirname -- "$query")" && pwd)/$(basename -- "$query")

python=/usr/bin/python3 # Debian's, which has python3-scapy (see ../shared/README.md)
[[ $(id -u) == 0 ]] || nfqw_skip "needs root (network namespaces)"
nfqw_require_kernel
"$python" -c 'import scapy.all' 2>/dev/null || nfqw_skip "python3-scapy is not installed for $python"

nfqw_trap_cleanup
ns_r="" ns_p=""
nfqw_netns_new ns_r
nfqw_netns_new ns_p
r() { ip -n "$ns_r" "$@"; }
# No duplicate address detection (the addresses are usable at once) and no router
# solicitations; P needs no IPv6 of its own (scapy writes its frames raw).
ip netns exec "$ns_r" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.addr_gen_mode=1
ip netns exec "$ns_p" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
for i in 0 1 2 3; do
	ip -n "$ns_r" link add "v$i" address "02:00:00:00:10:0$i" type veth peer name "p$i" netns "$ns_p" \
		address "02:00:00:00:20:0$i"
	r addr add "10.1$i.0.1/24" dev "v$i"
	r addr add "fd1$i::1/64" dev "v$i" nodad
	r addr add "fe80::1$i/64" dev "v$i" nodad
	r link set "v$i" up
	ip -n "$ns_p" link set "p$i" up
done

r route add default via 10.10.0.2 dev v0
r route add 198.51.100.0/24 via 10.11.0.2 dev v1
r route add 192.0.2.0/24 nexthop via 10.11.0.2 dev v1 nexthop via 10.12.0.2 dev v2
r route add blackhole 203.0.113.0/26
r route add unreachable 203.0.113.64/26
r route add prohibit 203.0.113.128/26
r route add local 100.64.0.0/16 dev lo
r route add broadcast 10.20.0.255 dev v1 table local
r route add 198.51.100.0/24 via 10.12.0.2 dev v2 table 100
r route add 198.51.100.0/24 via 10.12.0.2 dev v2 table 101
# A multipath route whose first nexthop is dead: v3 is taken down once the route exists.
r route add 192.0.3.0/24 nexthop via 10.13.0.2 dev v3 nexthop via 10.12.0.2 dev v2
r link set v3 down
r rule add pref 100 fwmark 0x10 lookup 100
r rule add pref 101 tos 0x10 lookup 101
r rule add pref 102 from 10.99.0.0/16 lookup 100

r -6 route add default via fd10::2 dev v0
r -6 route add 2001:db8:100::/48 via fd11::2 dev v1
r -6 route add blackhole 2001:db8:b1::/48
r -6 route add unreachable 2001:db8:b2::/48
r -6 route add prohibit 2001:db8:b3::/48
r -6 route add throw 2001:db8:b4::/48
r -6 route add anycast 2001:db8:a::1 dev v0 table local
r -6 route add 2001:db8:100::/48 via fd12::2 dev v2 table 100
r -6 route add 2001:db8:b1::/48 via fd12::2 dev v2 table 100
r -6 route add 2001:db8:100::/48 via fd12::2 dev v2 table 101
r -6 rule add pref 100 fwmark 0x10 lookup 100
r -6 rule add pref 101 tos 0x10 lookup 101
# Forwarding on v2 makes the kernel add its own anycast route for fd12:: (subnet-router).
ip netns exec "$ns_r" sysctl -qw net.ipv6.conf.v2.forwarding=1

started=$(date +%s%N)
status=0
"$python" "$here/fib_vs_kernel.py" "$ns_r" "$ns_p" "$query" || status=$?
echo "fib_vs_kernel: $((($(date +%s%N) - started) / 1000000)) ms"
exit "$status"
