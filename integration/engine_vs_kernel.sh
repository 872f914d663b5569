#!/usr/bin/env bash
# integration/engine_vs_kernel.sh [NFQWALL] [CASE...]
#
# nfqwall's engine against the kernel's nf_tables on the same stateless rulesets and the same
# packets, in the differential lab of integration/lab/ (README.md there): three fresh network
# namespaces A — R — B; R forwards and loads each case's ruleset (lab/cases/NAME.nft) with
# `nft -f`; the case's scenario (lab/cases/NAME.py) sends crafted packets from A and B; R's
# veths are captured. Each packet's kernel verdict (forwarded, and with which bytes; dropped;
# rejected, and with which reply) is held against `nfqwall eval` replaying R's ingress capture
# (pcapng, one interface block per veth) with routes that mirror R's, and the bytes nfqwall
# writes out (--out) against the bytes R forwarded. Packets of a known difference are compared
# and reported but do not fail the test. Default: every case in lab/cases/.
#
# Exit status: 0 every packet agrees, 1 a disagreement or a harness failure, 77 (skipped,
# loudly) without root, network namespaces, nft, veths or python3-scapy.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lab/lab.sh
source "$here/lab/lab.sh"

case ${1:-} in -h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;; esac
nfqwall=$root/build/nfqwall
if (($# > 0)) && [[ $1 != *.nft && $1 != *.py && -x $1 && ! -d $1 ]]; then
	nfqwall=$1
	shift
fi
[[ -x $nfqwall ]] || {
	echo "nfqwall binary not found or not executable: $nfqwall" >&2
	exit 1
}
nfqwall=$(cd -- "$(dirname -- "$nfqwall")" && pwd)/$(basename -- "$nfqwall")
cases=("$@")
if ((${#cases[@]} == 0)); then
	mapfile -t cases < <(find "$LAB_DIR/cases" -maxdepth 1 -name '*.nft' | LC_ALL=C sort)
fi

lab_require
nfqw_trap_cleanup
work=""
nfqw_tmpdir work
[[ -z ${NFQW_KEEP_WORK:-} ]] || { work=$NFQW_KEEP_WORK; mkdir -p "$work"; }
lab_up
lab_run "$nfqwall" "$work" "${cases[@]}"
