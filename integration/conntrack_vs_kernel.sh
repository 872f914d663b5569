#!/usr/bin/env bash
# integration/conntrack_vs_kernel.sh [NFQWALL] [CASE...]
#
# nfqwall's connection tracker against the kernel's nf_conntrack, in the differential lab of
# integration/lab/ (README.md there): the cases of lab/cases_ct/ use connection tracking
# (ct state / mark / label / zone / status / direction / original / bytes, notrack). Each case
# is compared as engine_vs_kernel.sh compares its cases (per packet: verdict, forwarded bytes,
# deciding rule) and, in addition, `conntrack -L` in R right after the scenario against
# `nfqwall eval --ct-list` on R's ingress capture: the same entries, every field equal except
# `use=`, timeouts within 1 s once the kernel's is moved back to the capture's last packet.
# R's conntrack sysctls (accounting on) are passed to nfqwall with --ct-config. Differences the
# cases mark as known are reported on their own lines and do not fail the test. Default: every
# case in lab/cases_ct/.
#
# --self-test [NFQWALL]: the comparison must catch a wrong tracker. NFQWALL runs behind a
# wrapper that adds to the --ct-config it is given (a TIME_WAIT timeout of 60 s, no mid-stream
# pickup, liberal window checks); on ct_tcp the comparison must then report a timeout, an entry
# only the kernel lists, an entry whose fields differ and a verdict, and fail.
#
# Environment: LAB_TRACE=0 compares verdicts and bytes only (no `nft monitor trace`);
# NFQW_KEEP_WORK=DIR keeps the captures, nfqwall's output, the traces and the listings in DIR.
#
# Exit status: 0 every packet and every entry agrees (or is a known difference), 1 a
# disagreement or a harness failure, 77 (skipped, loudly) without root, network namespaces,
# nft, conntrack, veths or python3-scapy.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lab/lab.sh
source "$here/lab/lab.sh"

case ${1:-} in -h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;; esac
export LAB_CASES=cases_ct
command -v conntrack >/dev/null || nfqw_skip "conntrack (conntrack-tools) is not installed"
lab_prepare "$@"
nfqwall=$LAB_NFQWALL work=$LAB_WORK
if ((LAB_SELF_TEST == 0)); then
	lab_run "$nfqwall" "$work" "${LAB_CASE_LIST[@]}"
	exit
fi

cat >"$work/nfqwall-wrong" <<WRAPPER
#!/usr/bin/env bash
args=("\$@")
for i in "\${!args[@]}"; do
	if [[ \${args[\$i]} == --ct-config ]]; then
		{ cat "\${args[\$((i + 1))]}"; printf '%s\\n' 'nf_conntrack_tcp_timeout_time_wait = 60' \\
			'nf_conntrack_tcp_loose = 0' 'nf_conntrack_tcp_be_liberal = 1'; } >"$work/wrong.ct-config"
		args[\$((i + 1))]=$work/wrong.ct-config
	fi
done
exec "$nfqwall" "\${args[@]}"
WRAPPER
chmod +x "$work/nfqwall-wrong"
status=0
lab_run "$work/nfqwall-wrong" "$work" ct_tcp >"$work/self-test.out" 2>&1 || status=$?
missing=()
((status == 1)) || missing+=("the comparison exited $status, not 1")
grep -q 'sport=40001 dport=80: timeout: kernel 119 .*; nfqwall 59' "$work/self-test.out" || missing+=("the TIME_WAIT timeout")
grep -q 'sport=40008 dport=80: only the kernel lists it' "$work/self-test.out" || missing+=("the entry never picked up")
grep -q 'sport=40007 dport=80: fields differ' "$work/self-test.out" || missing+=("the counters of liberal window checks")
grep -q 'kernel: drop; nfqwall: accept' "$work/self-test.out" || missing+=("a verdict of liberal window checks")
if ((${#missing[@]})); then
	cat "$work/self-test.out"
	printf 'self-test: the comparison missed %s\n' "${missing[@]}"
	exit 1
fi
echo "self-test: the comparison caught every planted difference ($(grep -c DISAGREE "$work/self-test.out") reports)"
