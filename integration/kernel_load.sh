#!/usr/bin/env bash
# integration/kernel_load.sh [--update-goldens] [RULESET...]
#
# Checks the bundled example rulesets against the real kernel, without nfqwall:
#   1. each ruleset (default: every rules/*.nft) loads with `nft -f` in a fresh
#      network namespace that has the interfaces its "# needs-interfaces:" header
#      names;
#   2. its `nft list ruleset` output loads again in a second fresh namespace and
#      lists identically there (the listing is a fixed point);
#   3. with nft 1.0.6, the listing equals the golden
#      integration/expected/<name>.nft1.0.6.txt (other nft versions print a few
#      things differently, see docs/kernel-differences.md, so the golden check is
#      skipped for them). --update-goldens rewrites the goldens instead.
#
# Exit status: 0 all pass, 1 any failure, 77 no nft / no network namespaces.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# Loading and listing needs no traffic: links stay down so that no packet moves a counter.
NFQW_LINK_STATE=down

update_goldens=0
files=()
for arg in "$@"; do
	case $arg in
	--update-goldens) update_goldens=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
		exit 0
		;;
	*) files+=("$arg") ;;
	esac
done
# Every bundled ruleset must have a golden; a file named on the command line
# is compared only if it has one.
require_golden=0
if ((${#files[@]} == 0)); then
	mapfile -t files < <(nfqw_rulesets "$root/rules")
	require_golden=1
fi
((${#files[@]} > 0)) || {
	echo "no rulesets found in $root/rules" >&2
	exit 1
}

nfqw_require_kernel
nfqw_trap_cleanup

nft_version=$(nft --version | awk '{print $2}')
nft_version=${nft_version#v}
golden_dir="$here/expected"
work="" ns1="" ns2="" # set by nfqw_tmpdir / nfqw_netns_new
nfqw_tmpdir work

pass=0
total=0
for file in "${files[@]}"; do
	total=$((total + 1))
	name=$(basename -- "$file" .nft)
	failed=()
	mapfile -t ifaces < <(nfqw_needed_interfaces "$file")

	nfqw_netns_new ns1 "${ifaces[@]}"
	if ! nfqw_load_file "$ns1" "$file" >"$work/$name.load.err" 2>&1; then
		failed+=("does not load with nft -f:")
		failed+=("$(cat "$work/$name.load.err")")
	else
		nfqw_nft "$ns1" list ruleset >"$work/$name.kernel"

		nfqw_netns_new ns2 "${ifaces[@]}"
		if ! nfqw_nft "$ns2" -f "$work/$name.kernel" >"$work/$name.reload.err" 2>&1; then
			failed+=("its kernel listing does not load again:")
			failed+=("$(cat "$work/$name.reload.err")")
		else
			nfqw_nft "$ns2" list ruleset >"$work/$name.relisted"
			if ! diff -u --label "listing after nft -f $name.nft" --label "after reloading that listing" \
				"$work/$name.kernel" "$work/$name.relisted" >"$work/$name.diff"; then
				failed+=("the listing is not a fixed point:")
				failed+=("$(cat "$work/$name.diff")")
			fi
		fi
		nfqw_netns_del "$ns2"

		golden="$golden_dir/$name.nft$nft_version.txt"
		if ((update_goldens)); then
			mkdir -p "$golden_dir"
			cp "$work/$name.kernel" "$golden"
			echo "wrote ${golden#"$root"/}"
		elif [[ $nft_version == 1.0.6 ]]; then
			if [[ ! -f $golden ]]; then
				if ((require_golden)); then
					failed+=("no golden ${golden#"$root"/} (run with --update-goldens)")
				fi
			elif ! diff -u --label "${golden#"$root"/}" --label "nft list ruleset" \
				"$golden" "$work/$name.kernel" >"$work/$name.gdiff"; then
				failed+=("the listing differs from the golden (rerun with --update-goldens if intended):")
				failed+=("$(cat "$work/$name.gdiff")")
			fi
		fi
	fi
	nfqw_netns_del "$ns1"

	if ((${#failed[@]} == 0)); then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		echo "FAIL $name"
		printf '%s\n' "${failed[@]}" | sed 's/^/    /'
	fi
done

if [[ $nft_version != 1.0.6 ]] && ((!update_goldens)); then
	echo "note: nft $nft_version, golden listings (nft 1.0.6) not compared"
fi
echo "kernel load: $pass/$total rulesets load and re-list identically"
((pass == total))
