# shellcheck shell=bash
# integration/lab/lab.sh: the differential lab, A — R — B in three network namespaces, with the
# kernel as the oracle for `nfqwall eval`. Source it after integration/lib.sh; do not run it.
# See README.md beside this file.
#
#   lab_require            exit 77 (loud SKIP) without root, namespaces, nft, veths or scapy
#   lab_up                 create the namespaces (deleted by nfqw_cleanup) and the topology;
#                          sets LAB_NS_A, LAB_NS_R, LAB_NS_B
#   lab_run NFQWALL WORK CASE...
#                          run each case (integration/lab/cases/NAME, or $LAB_CASES/NAME when
#                          LAB_CASES names another directory of lab/, or a path without
#                          extension) through the kernel and nfqwall and compare; 0 agree

LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
LAB_PYTHON=/usr/bin/python3 # Debian's, which has python3-scapy (see ../shared/README.md)

lab_require() {
	[[ $(id -u) == 0 ]] || nfqw_skip "needs root (network namespaces, packet sockets, setns)"
	nfqw_require_kernel
	"$LAB_PYTHON" -c 'import scapy.all' 2>/dev/null || nfqw_skip "python3-scapy is not installed for $LAB_PYTHON"
}

lab_up() {
	LAB_NS_A="" LAB_NS_R="" LAB_NS_B=""
	nfqw_netns_new LAB_NS_A || return 1
	nfqw_netns_new LAB_NS_R || return 1
	nfqw_netns_new LAB_NS_B || return 1
	"$LAB_PYTHON" "$LAB_DIR/lab.py" setup "$LAB_NS_A" "$LAB_NS_R" "$LAB_NS_B" || return 1
	sleep 0.3 # link-up traffic (MLD reports of R) passes before a scenario starts
}

lab_run() {
	local nfqwall=$1 work=$2 case cases=()
	shift 2
	for case in "$@"; do
		case=${case%.nft}
		case=${case%.py}
		[[ $case == */* ]] || case=$LAB_DIR/${LAB_CASES:-cases}/$case
		cases+=("$case")
	done
	"$LAB_PYTHON" "$LAB_DIR/lab.py" run --ns "$LAB_NS_A,$LAB_NS_R,$LAB_NS_B" \
		--nfqwall "$nfqwall" --work "$work" "${cases[@]}"
}
