#!/usr/bin/env bash
# integration/log_format_vs_kernel.sh [REPLAY]
#
# The `log` statement's text: the kernel's own lines against vm::format_kernel_log's, packet
# for packet. Two fresh network namespaces joined by two veth pairs (lfa0 in A to lfb0 in B;
# lfa1 in A to lfb1, a port of bridge br0 in B); B loads a ruleset with `log` statements in
# every family that logs (netdev ingress, ip and ip6 prerouting/input/output, inet, arp
# input/output, bridge prerouting) and every log flag; A sends crafted
# packets (TCP with options and every flag, UDP, UDP-Lite, ICMP and ICMPv6 echo and errors
# quoting a packet, IPv4 options, IPv6 extension headers, fragments, ESP, AH, truncated
# headers, a line longer than the kernel's buffer, ARP, VLAN and QinQ frames through the
# bridge), an unprivileged socket in B sends a few of its own. B's interfaces are captured
# (AF_PACKET), the kernel's lines are read from /dev/kmsg by their unique prefix, and each
# captured frame goes through REPLAY (the nfqwall_log_format_replay tool; default
# build/integration/nfqwall_log_format_replay) once per log statement it reached. Lines must
# match byte for byte, with the same syslog level.
#
# A non-init namespace logs only with net.netfilter.nf_log_all_netns=1: the script sets it
# and restores the old value on exit. It turns off B's TCP/UDP early demux, which would give
# incoming packets of B's sockets a socket owner nfqwall has no way to know (see
# docs/kernel-differences.md).
#
# Exit status: 0 all match, 1 a difference, 77 (skipped, loudly) without root, namespaces,
# python3-scapy, setpriv, /dev/kmsg, or when the kernel logs nothing from a namespace.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

case ${1:-} in -h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;; esac
replay=${1:-$root/build/integration/nfqwall_log_format_replay}
[[ -x $replay ]] || {
	echo "replay tool not found or not executable: $replay" >&2
	exit 1
}

python=/usr/bin/python3 # Debian's, which has python3-scapy (see ../shared/README.md)
[[ $(id -u) == 0 ]] || nfqw_skip "needs root (namespaces, nf_log_all_netns, /dev/kmsg)"
nfqw_require_kernel
"$python" -c 'import scapy.all' 2>/dev/null || nfqw_skip "python3-scapy is not installed for $python"
command -v setpriv >/dev/null || nfqw_skip "setpriv (util-linux) is not installed"
[[ -r /dev/kmsg ]] || nfqw_skip "cannot read /dev/kmsg"
sysctl_key=net.netfilter.nf_log_all_netns
old_log_all_netns=$(sysctl -n "$sysctl_key" 2>/dev/null) || nfqw_skip "no $sysctl_key (nf_log_syslog not loaded?)"

# shellcheck disable=SC2317 # run by the traps below
restore() {
	sysctl -qw "$sysctl_key=$old_log_all_netns" || true
	nfqw_cleanup
}
trap restore EXIT
trap 'restore; exit 130' INT
trap 'restore; exit 143' TERM

ns_a="" ns_b="" work=""
nfqw_netns_new ns_a
nfqw_netns_new ns_b
nfqw_tmpdir work
ip -n "$ns_a" link add lfa0 address 02:00:00:00:77:01 type veth peer name lfb0 netns "$ns_b" address 02:00:00:00:77:02
for side in "a $ns_a lfa0 1 2 02:00:00:00:77:02" "b $ns_b lfb0 2 1 02:00:00:00:77:01"; do
	read -r _ ns ifname self peer peer_mac <<<"$side"
	# No router solicitations or duplicate address detection: only the test's own packets.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.router_solicitations=0 "net.ipv6.conf.$ifname.router_solicitations=0"
	ip -n "$ns" addr add "10.77.0.$self/24" dev "$ifname"
	ip -n "$ns" addr add "fd00:77::$self/64" dev "$ifname" nodad
	ip -n "$ns" link set "$ifname" up
	# Fixed neighbours: no ARP or neighbour solicitation except the test's.
	ip -n "$ns" neigh replace "10.77.0.$peer" lladdr "$peer_mac" dev "$ifname" nud permanent
	ip -n "$ns" neigh replace "fd00:77::$peer" lladdr "$peer_mac" dev "$ifname" nud permanent
done
ip netns exec "$ns_b" sysctl -qw net.ipv4.tcp_early_demux=0 net.ipv4.udp_early_demux=0
# The bridge's port: crafted frames only (no IPv6 on either end, so no MLD or solicitations).
ip -n "$ns_a" link add lfa1 address 02:00:00:00:78:aa type veth peer name lfb1 netns "$ns_b" address 02:00:00:00:78:bb
ip netns exec "$ns_a" sysctl -qw net.ipv6.conf.lfa1.disable_ipv6=1
ip netns exec "$ns_b" sysctl -qw net.ipv6.conf.lfb1.disable_ipv6=1
ip -n "$ns_b" link add br0 type bridge forward_delay 0
ip netns exec "$ns_b" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
ip -n "$ns_b" link set lfb1 master br0
ip -n "$ns_a" link set lfa1 up
ip -n "$ns_b" link set lfb1 up
ip -n "$ns_b" link set br0 up
sleep 0.5 # let link-up traffic (MLD reports) pass before logging starts

sysctl -qw "$sysctl_key=1"
tag="nfqw$$"
status=0
NFQW_WORKDIR=$work "$python" "$here/log_format_vs_kernel.py" compare "$ns_a" "$ns_b" "$replay" "$tag" || status=$?
if ((status == 77)); then
	nfqw_skip "the kernel printed no netfilter log line from a network namespace on this machine"
fi
exit "$status"
