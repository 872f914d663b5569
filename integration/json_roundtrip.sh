#!/usr/bin/env bash
# integration/json_roundtrip.sh [NFQWALL_BINARY] [RULESET...]
# integration/json_roundtrip.sh --self-test
#
# Checks `nfqwall list -j -f FILE` against the real kernel, for every RULESET
# (default: every rules/*.nft):
#   (a) load FILE with `nft -f` in a fresh network namespace (with the veth
#       interfaces its "# needs-interfaces:" header names) and take both
#       `nft -j list ruleset` and `nft list ruleset`: the kernel listings;
#   (b) run `nfqwall list -j -f FILE` in that same namespace: our JSON, which
#       must parse as JSON;
#   (c) compare the two JSON documents structurally with json_compare.py, which
#       rewrites nft 1.0.6's spelling into upstream 1.1.6's (nfqwall prints like
#       1.1.6; see docs/kernel-differences.md, rules J1..J8);
#   (d) load our JSON with `nft -j -f` in a second fresh namespace (after the
#       downgrade nft 1.0.6's JSON parser needs, rules D-J2..D-J5) and require
#       that `nft list ruleset` there prints exactly the kernel text listing of
#       (a): the strongest check, as it goes through the kernel and back.
# Prints PASS/FAIL per ruleset (with the differing items on failure) and
# "json round trip: P/N rulesets identical".
#
# NFQWALL_BINARY defaults to build/nfqwall, then nfqwall on PATH.
# --self-test checks the JSON normalisation on known pairs (no kernel needed).
#
# Exit status: 0 all identical, 1 any failure, 77 no nft / no network namespaces.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# Loading and listing needs no traffic: links stay down so that no packet moves a counter.
NFQW_LINK_STATE=down
compare="$here/json_compare.py"

if [[ ${1:-} == --self-test ]]; then
	command -v python3 >/dev/null 2>&1 || nfqw_skip "python3 is needed for the JSON comparison"
	exec python3 "$compare" --self-test
fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
	exit 0
fi

nfqwall=""
if (($# > 0)) && [[ $1 != *.nft ]]; then
	nfqwall=$1
	shift
fi
if [[ -z $nfqwall ]]; then
	if [[ -x $root/build/nfqwall ]]; then
		nfqwall=$root/build/nfqwall
	else
		nfqwall=$(command -v nfqwall || true)
	fi
fi
if [[ -z $nfqwall || ! -x $nfqwall ]]; then
	echo "nfqwall binary not found or not executable: '${nfqwall:-build/nfqwall}'" >&2
	exit 1
fi
nfqwall=$(cd -- "$(dirname -- "$nfqwall")" && pwd)/$(basename -- "$nfqwall")

files=("$@")
if ((${#files[@]} == 0)); then
	mapfile -t files < <(nfqw_rulesets "$root/rules")
fi
((${#files[@]} > 0)) || {
	echo "no rulesets found in $root/rules" >&2
	exit 1
}

command -v python3 >/dev/null 2>&1 || nfqw_skip "python3 is needed for the JSON comparison"
nfqw_require_kernel
nfqw_trap_cleanup
work="" ns_a="" ns_d="" # set by nfqw_tmpdir / nfqw_netns_new
nfqw_tmpdir work

pass=0
total=0
for file in "${files[@]}"; do
	total=$((total + 1))
	name=$(basename -- "$file" .nft)
	out="$work/$name"
	failed=()
	mapfile -t ifaces < <(nfqw_needed_interfaces "$file")

	# (a) the kernel listings, JSON and text
	nfqw_netns_new ns_a "${ifaces[@]}"
	if ! nfqw_load_file "$ns_a" "$file" >"$out.load.err" 2>&1; then
		echo "FAIL $name"
		echo "    (a) nft -f does not load it, fix the ruleset first:"
		sed 's/^/    /' "$out.load.err"
		nfqw_netns_del "$ns_a"
		continue
	fi
	if ! nfqw_nft "$ns_a" -j list ruleset >"$out.kernel.json" 2>"$out.kernel.err"; then
		nfqw_skip "nft cannot list JSON (built without libjansson?): $(cat "$out.kernel.err")"
	fi
	nfqw_nft "$ns_a" list ruleset >"$out.kernel"

	# (b) our JSON, in the same namespace so interface names resolve the same
	rc=0
	ip netns exec "$ns_a" timeout 120 "$nfqwall" list -j -f "$file" >"$out.ours.json" 2>"$out.ours.err" || rc=$?
	nfqw_netns_del "$ns_a"
	if ((rc != 0)); then
		failed+=("(b) nfqwall list -j -f exited with status $rc:")
		failed+=("$(cat "$out.ours.err")")
	elif ! python3 -m json.tool "$out.ours.json" >/dev/null 2>"$out.parse.err"; then
		failed+=("(b) nfqwall's output is not JSON:")
		failed+=("$(cat "$out.parse.err")")
	fi

	if ((${#failed[@]} == 0)); then
		# (c) compare with the kernel's JSON
		if ! python3 "$compare" "$out.kernel.json" "$out.ours.json" >"$out.diff"; then
			failed+=("(c) nfqwall's JSON differs from nft's:")
			failed+=("$(cat "$out.diff")")
		fi

		# (d) our JSON must load and give back exactly the kernel's text listing
		mkdir -p "$out.load"
		mapfile -t steps < <(python3 "$compare" --downgrade "$out.kernel.json" "$out.ours.json" "$out.load")
		nfqw_netns_new ns_d "${ifaces[@]}"
		loaded=1
		for step in "${steps[@]}"; do
			case $step in
			*.json) load=(-j -f "$step") ;;
			*) load=(-f "$step") ;;
			esac
			if ! nfqw_nft "$ns_d" "${load[@]}" >"$out.reload.err" 2>&1; then
				failed+=("(d) nft ${load[*]} cannot load nfqwall's JSON:")
				failed+=("$(cat "$out.reload.err")")
				loaded=0
				break
			fi
		done
		if ((loaded)); then
			nfqw_nft "$ns_d" list ruleset >"$out.relisted"
			# D-J10: nft 1.0.6 reads no "auto-merge" from JSON; nothing else is forgiven.
			if ! diff -u --label "nft list ruleset after nft -f $name.nft" \
				--label "nft list ruleset after nft -j -f (nfqwall list -j -f $name.nft)" \
				<(grep -v $'^\t\tauto-merge$' "$out.kernel") \
				<(grep -v $'^\t\tauto-merge$' "$out.relisted") >"$out.rdiff"; then
				failed+=("(d) nfqwall's JSON loads into a different ruleset:")
				failed+=("$(cat "$out.rdiff")")
			fi
		fi
		nfqw_netns_del "$ns_d"
	fi

	if ((${#failed[@]} == 0)); then
		pass=$((pass + 1))
		echo "PASS $name ($(tail -n 1 "$out.diff"))"
	else
		echo "FAIL $name"
		printf '%s\n' "${failed[@]}" | sed 's/^/    /'
	fi
done

echo "json round trip: $pass/$total rulesets identical"
((pass == total))
