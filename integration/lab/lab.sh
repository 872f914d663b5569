# shellcheck shell=bash
# integration/lab/lab.sh: the differential lab, A — R — B in three network namespaces, with the
# kernel as the oracle for `nfqwall eval`. Source it after integration/lib.sh; do not run it.
# See README.md beside this file.
#
#   lab_require            exit 77 (loud SKIP) without root, namespaces, nft, veths or scapy
#   lab_up                 create the namespaces (deleted by nfqw_cleanup) and the topology;
#                          sets LAB_NS_A, LAB_NS_R, LAB_NS_B
#   lab_prepare [--self-test] [NFQWALL] [CASE...]
#                          the command line of the lab's test scripts, then lab_require,
#                          cleanup on exit and lab_up: sets LAB_SELF_TEST (0/1), LAB_NFQWALL
#                          (absolute; default build/nfqwall), LAB_CASE_LIST (default: every case
#                          of lab/${LAB_CASES:-cases}) and LAB_WORK (scratch, or NFQW_KEEP_WORK)
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

lab_prepare() {
	LAB_SELF_TEST=0
	if [[ ${1:-} == --self-test ]]; then
		LAB_SELF_TEST=1
		shift
	fi
	LAB_NFQWALL=$LAB_DIR/../../build/nfqwall
	if (($# > 0)) && [[ $1 != *.nft && $1 != *.py && -x $1 && ! -d $1 ]]; then
		LAB_NFQWALL=$1
		shift
	fi
	[[ -x $LAB_NFQWALL ]] || {
		echo "nfqwall binary not found or not executable: $LAB_NFQWALL" >&2
		exit 1
	}
	LAB_NFQWALL=$(cd -- "$(dirname -- "$LAB_NFQWALL")" && pwd)/$(basename -- "$LAB_NFQWALL")
	LAB_CASE_LIST=("$@")
	if ((${#LAB_CASE_LIST[@]} == 0)); then
		mapfile -t LAB_CASE_LIST < <(find "$LAB_DIR/${LAB_CASES:-cases}" -maxdepth 1 -name '*.nft' | LC_ALL=C sort)
	fi
	lab_require
	nfqw_trap_cleanup
	LAB_WORK=""
	nfqw_tmpdir LAB_WORK
	[[ -z ${NFQW_KEEP_WORK:-} ]] || {
		LAB_WORK=$NFQW_KEEP_WORK
		mkdir -p "$LAB_WORK"
	}
	lab_up
}
