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
#       1.1.6; see docs/kernel-differences.md, rules J1..J12);
#   (d) load our JSON with `nft -j -f` in a second fresh namespace (after the
#       downgrade nft 1.0.6's JSON parser needs, rules D-J2..D-J5 and
#       D-J10) and require
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
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# Loading and listing needs no traffic: links stay down so that no packet moves a counter.
NFQW_LINK_STATE=down
compare="$here/json_compare.py"

# (a) to (d) for one ruleset; what failed goes to $out.report, one line each.
check_ruleset() {
	local file=$1 out=$2 ns_a="" ns_d="" rc=0 step load
	local -a steps
	: >"$out.report"

	# (a) the kernel listings, JSON and text
	if ! nfqw_netns_loaded ns_a "$file" >"$out.report"; then
		return 1
	fi
	if ! nfqw_nft "$ns_a" -j list ruleset >"$out.kernel.json" 2>"$out.kernel.err"; then
		nfqw_skip "nft cannot list JSON (built without libjansson?): $(cat "$out.kernel.err")"
	fi
	nfqw_nft "$ns_a" list ruleset >"$out.kernel"

	# (b) our JSON, in the same namespace so interface names resolve the same
	ip netns exec "$ns_a" timeout 120 "$nfqwall" list -j -f "$file" >"$out.ours.json" 2>"$out.ours.err" || rc=$?
	nfqw_netns_del "$ns_a"
	if ((rc != 0)); then
		printf '(b) nfqwall list -j -f exited with status %s:\n%s\n' "$rc" "$(cat "$out.ours.err")" >>"$out.report"
		return 1
	fi
	if ! python3 -m json.tool "$out.ours.json" >/dev/null 2>"$out.parse.err"; then
		printf "(b) nfqwall's output is not JSON:\n%s\n" "$(cat "$out.parse.err")" >>"$out.report"
		return 1
	fi

	# (c) the same items as nft's JSON
	if ! python3 "$compare" "$out.kernel.json" "$out.ours.json" >"$out.diff"; then
		printf "(c) nfqwall's JSON differs from nft's:\n%s\n" "$(cat "$out.diff")" >>"$out.report"
	fi

	# (d) loaded back, the kernel lists exactly what it listed in (a)
	mkdir -p "$out.load"
	mapfile -t steps < <(python3 "$compare" --downgrade "$out.kernel.json" "$out.ours.json" "$out.load")
	nfqw_netns_for ns_d "$file"
	for step in "${steps[@]}"; do
		load=(-f "$step")
		[[ $step != *.json ]] || load=(-j -f "$step")
		if ! nfqw_nft "$ns_d" "${load[@]}" >"$out.reload.err" 2>&1; then
			printf "(d) nft %s cannot load nfqwall's JSON:\n%s\n" "${load[*]}" "$(cat "$out.reload.err")" >>"$out.report"
			nfqw_netns_del "$ns_d"
			return 1
		fi
	done
	nfqw_nft "$ns_d" list ruleset >"$out.relisted"
	nfqw_netns_del "$ns_d"
	# D-J10: nft 1.0.6 reads no "auto-merge" from JSON; nothing else is forgiven.
	if ! diff -u --label "nft list ruleset after nft -f FILE" --label "nft list ruleset after loading nfqwall's JSON" \
		<(grep -v $'^\t\tauto-merge$' "$out.kernel") <(grep -v $'^\t\tauto-merge$' "$out.relisted") >"$out.rdiff"; then
		printf "(d) nfqwall's JSON loads into a different ruleset:\n%s\n" "$(cat "$out.rdiff")" >>"$out.report"
	fi
	[[ ! -s $out.report ]]
}

case ${1:-} in
--self-test)
	command -v python3 >/dev/null 2>&1 || nfqw_skip "python3 is needed for the JSON comparison"
	exec python3 "$compare" --self-test
	;;
-h | --help) nfqw_usage "${BASH_SOURCE[0]}" ;;
esac
command -v python3 >/dev/null 2>&1 || nfqw_skip "python3 is needed for the JSON comparison"
nfqw_binary_and_rulesets "$@"
nfqw_require_kernel
nfqw_trap_cleanup
work="" # set by nfqw_tmpdir
nfqw_tmpdir work

pass=0
for file in "${files[@]}"; do
	name=$(basename -- "$file" .nft)
	if check_ruleset "$file" "$work/$name"; then
		pass=$((pass + 1))
		echo "PASS $name ($(tail -n 1 "$work/$name.diff"))"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$work/$name.report"
	fi
done

echo "json round trip: $pass/${#files[@]} rulesets identical"
((pass == ${#files[@]}))
