#!/usr/bin/env bash
# check_vs_kernel.sh NFQWALL: `nfqwall check -f` and the kernel must agree on every file in
# check-cases/: each is loaded with `nft -f` into a fresh network namespace and checked by
# nfqwall; both accept it or both refuse it. A case whose first line is `# same-message`
# must also give the same first error line (location and message) as nft.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
NFQW_LINK_STATE=down

nfqwall=${1:?usage: check_vs_kernel.sh PATH-TO-nfqwall}
[[ -x $nfqwall ]] || { echo "not executable: $nfqwall" >&2; exit 2; }
nfqwall=$(realpath -- "$nfqwall")

nfqw_require_kernel
nfqw_trap_cleanup
netns=""
nfqw_netns_new netns

pass=0 fail=0
for file in "$here"/check-cases/*.nft; do
	name=$(basename -- "$file" .nft)
	nfqw_nft "$netns" flush ruleset
	# Run from the case directory so both tools print the same relative file name.
	kernel_out=$(cd "$here/check-cases" && ip netns exec "$netns" nft -f "$name.nft" 2>&1) && kernel_rc=0 || kernel_rc=$?
	ours_out=$(cd "$here/check-cases" && "$nfqwall" check -f "$name.nft" 2>&1) && ours_rc=0 || ours_rc=$?
	problem=""
	if (( (kernel_rc == 0) != (ours_rc == 0) )); then
		problem="kernel exit $kernel_rc, nfqwall exit $ours_rc"
	elif head -n1 "$file" | grep -q '^# same-message' && (( kernel_rc != 0 )); then
		k=$(head -n1 <<<"$kernel_out")
		o=$(head -n1 <<<"$ours_out")
		[[ $k == "$o" ]] || problem="first error differs"
	fi
	if [[ -z $problem ]]; then
		pass=$((pass + 1))
		printf 'PASS %s\n' "$name"
	else
		fail=$((fail + 1))
		printf 'FAIL %s: %s\n' "$name" "$problem"
		printf '  nft:\n%s\n' "$(sed 's/^/    /' <<<"$kernel_out")"
		printf '  nfqwall:\n%s\n' "$(sed 's/^/    /' <<<"$ours_out")"
	fi
done
printf 'check vs kernel: %d/%d cases agree\n' "$pass" $((pass + fail))
(( fail == 0 ))
