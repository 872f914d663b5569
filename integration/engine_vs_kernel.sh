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
# --self-test [NFQWALL]: the harness must catch a wrong engine. NFQWALL runs behind a wrapper
# that changes the ruleset it is given (one verdict flipped, a TTL rewrite added, a rule's text
# changed but not its effect); the comparison must then report a verdict, a forwarded-bytes and
# a deciding-rule disagreement, and fail.
#
# Environment: LAB_TRACE=0 compares verdicts and bytes only (no `nft monitor trace`);
# NFQW_KEEP_WORK=DIR keeps the captures, nfqwall's output and the traces in DIR.
#
# Exit status: 0 every packet agrees (--self-test: every planted difference was caught), 1 a
# disagreement or a harness failure, 77 (skipped, loudly) without root, network namespaces,
# nft, veths or python3-scapy.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lab/lab.sh
source "$here/lab/lab.sh"

case ${1:-} in -h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;; esac
lab_prepare "$@"
nfqwall=$LAB_NFQWALL work=$LAB_WORK
if ((LAB_SELF_TEST == 0)); then
	lab_run "$nfqwall" "$work" "${LAB_CASE_LIST[@]}"
	exit
fi

# The self-test: plant three differences in the ruleset nfqwall is given.
cat >"$work/nfqwall-wrong" <<WRAPPER
#!/usr/bin/env bash
args=("\$@")
for i in "\${!args[@]}"; do
	if [[ \${args[\$i]} == -f ]]; then
		sed -e 's/udp dport 53 accept/udp dport 53 drop/' \\
			-e 's/tcp dport 22 accept/tcp dport 22 ip ttl set 9 accept/' \\
			-e 's/== syn tcp dport 80 accept/== syn tcp dport 80 counter accept/' \\
			"\${args[\$((i + 1))]}" >"$work/wrong.nft"
		args[\$((i + 1))]=$work/wrong.nft
	fi
done
exec "$nfqwall" "\${args[@]}"
WRAPPER
chmod +x "$work/nfqwall-wrong"
status=0
LAB_TRACE=1 lab_run "$work/nfqwall-wrong" "$work" inet_payload >"$work/self-test.out" 2>&1 || status=$?
missing=()
((status == 1)) || missing+=("the comparison exited $status, not 1")
grep -q 'kernel: accept; nfqwall: drop' "$work/self-test.out" || missing+=("the flipped verdict")
grep -q 'forwarded bytes differ: kernel ttl = 63 / nfqwall ttl = 9' "$work/self-test.out" ||
	missing+=("the planted TTL rewrite")
# shellcheck disable=SC2016 # the backquotes are literal: they quote rules in the report
grep -q 'deciding rule: kernel `tcp flags .*tcp dport 80 accept`; nfqwall `.* tcp dport 80 counter accept`' \
	"$work/self-test.out" ||
	missing+=("the changed rule text")
if ((${#missing[@]})); then
	cat "$work/self-test.out"
	printf 'self-test: the harness missed %s\n' "${missing[@]}"
	exit 1
fi
echo "self-test: the harness caught every planted difference ($(grep -c DISAGREE "$work/self-test.out") packets)"
