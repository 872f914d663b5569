#!/usr/bin/env bash
# integration/kernel_roundtrip.sh [NFQWALL_BINARY] [RULESET...]
# integration/kernel_roundtrip.sh --self-test
#
# Checks `nfqwall list -f FILE` against the real kernel, for every RULESET
# (default: every rules/*.nft):
#   (a) load FILE with `nft -f` in a fresh network namespace (with the veth
#       interfaces its "# needs-interfaces:" header names) and take
#       `nft list ruleset`: the kernel listing;
#   (b) run `nfqwall list -f FILE` in that same namespace: our listing;
#   (c) compare the two after normalising both (see normalise below and
#       docs/kernel-differences.md: the system nft is 1.0.6, nfqwall prints like
#       upstream nft 1.1);
#   (d) load our listing with `nft -f` in a second fresh namespace, list it, and
#       require exactly the kernel listing of (a).
# Prints PASS/FAIL per ruleset (with unified diffs on failure) and
# "kernel round trip: P/N rulesets identical".
#
# NFQWALL_BINARY defaults to build/nfqwall, then nfqwall on PATH.
# --self-test checks the normalisation on known 1.0.6/1.1 pairs (no kernel needed).
#
# Exit status: 0 all identical, 1 any failure, 77 no nft / no network namespaces.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"
# Loading and listing needs no traffic: links stay down so that no packet moves a counter.
NFQW_LINK_STATE=down

# ---------------------------------------------------------------------------
# Listing normalisation. nft 1.0.6 (Debian bookworm, the kernel side here) and
# upstream nft 1.1 (what nfqwall prints) differ in how they print a few
# expressions. Both listings go through the same filter, which rewrites the
# 1.0.6 spelling into the 1.1 spelling and leaves 1.1 text alone, so neither
# side is favoured. Each rule is documented in docs/kernel-differences.md
# (the numbers match).
# ---------------------------------------------------------------------------
normalise() {
	perl -pe '
		# N1: 1.0.6 omits the default burst of a packet-rate limit.
		s{(limit rate (?:over |until )?\d+/(?:second|minute|hour|day|week)) burst 5 packets}{$1}g;

		# N2: 1.0.6 prints a masked flag match as "VALUE / MASK" with comma lists;
		# 1.1 prints "& (A | B) == VALUE" (parentheses only around a multi-flag mask).
		s{\b(tcp flags|ct state|ct status) (!= )?([a-z0-9-]+(?:,[a-z0-9-]+)*) / ([a-z0-9-]+(?:,[a-z0-9-]+)*)}{
			my ($lhs, $neg, $val, $mask) = ($1, $2, $3, $4);
			my @m = split /,/, $mask;
			my $m = @m > 1 ? "(" . join(" | ", @m) . ")" : $m[0];
			"$lhs & $m " . ($neg ? "!=" : "==") . " " . join(" | ", split /,/, $val)
		}ge;

		# N3: 1.0.6 prints a fib presence check as "oif exists|missing";
		# 1.1 prints "check exists|missing".
		s{\b(fib [a-z]+(?: \. [a-z]+)*) oif (exists|missing)\b}{$1 check $2}g;

		# N4: 1.0.6 prints a mark compared under a prefix-shaped mask as
		# "0xVALUE/LEN"; 1.1 prints "& 0xMASK == 0xVALUE".
		s{\b((?:meta|ct) mark) (!= )?0x([0-9a-f]{8})/(\d+)\b}{
			my ($lhs, $neg, $val, $len) = ($1, $2, $3, $4);
			my $mask = $len == 0 ? 0 : (0xffffffff << (32 - $len)) & 0xffffffff;
			sprintf("%s & 0x%08x %s 0x%s", $lhs, $mask, ($neg ? "!=" : "=="), $val)
		}ge;

		# N7: 1.0.6 names dstnat only on prerouting and srcnat only on postrouting;
		# upstream (since 2023) also on output and input.
		s{(hook output priority )(-?\d+);}{ my $d = $2 + 100; abs($d) <= 10 ? $1 . "dstnat" . ($d > 0 ? " + $d" : $d < 0 ? " - " . -$d : "") . ";" : $1 . $2 . ";" }ge
			if /type nat /;
		s{(hook input priority )(-?\d+);}{ my $d = $2 - 100; abs($d) <= 10 ? $1 . "srcnat" . ($d > 0 ? " + $d" : $d < 0 ? " - " . -$d : "") . ";" : $1 . $2 . ";" }ge
			if /type nat /;
	' | perl -0777 -pe '
		# N5: 1.1 wraps the elements of some named sets and maps one per line
		# (",\n\t\t\t     "); 1.0.6 keeps them on one line. Join the wrapped lines.
		s{,\n\t\t\t     }{, }g;

		# N6: 1.0.6 lists hash-set elements in kernel order, 1.1 sorts them.
		# Order within a brace group carries no meaning: sort the ", "-separated items.
		s{\{ ([^{}\n]*) \}}{"{ " . join(", ", sort split(/, /, $1)) . " }"}ge;
	'
}

# The reverse, for step (d) only: rewrite 1.1 spellings that nft 1.0.6 cannot
# parse into their 1.0.6 equivalents before loading our listing into the kernel.
downgrade_for_nft106() {
	perl -pe '
		# D3 (reverse of N3): 1.0.6 has no "fib ... check" keyword.
		s{\b(fib [a-z]+(?: \. [a-z]+)*) check (exists|missing)\b}{$1 oif $2}g;
		# D7 (reverse of N7): 1.0.6 refuses dstnat on output and srcnat on input.
		s{(hook output priority )dstnat(?: ([+-]) (\d+))?;}{ $1 . (-100 + (($2 // "+") eq "-" ? -($3 // 0) : ($3 // 0))) . ";" }ge;
		s{(hook input priority )srcnat(?: ([+-]) (\d+))?;}{ $1 . (100 + (($2 // "+") eq "-" ? -($3 // 0) : ($3 // 0))) . ";" }ge;
	'
}

self_test() {
	local fails=0 old new a b
	# Pairs: nft 1.0.6 listing line | nft 1.1 listing line of the same rule.
	while IFS='|' read -r old new; do
		[[ -n $old ]] || continue
		a=$(normalise <<<"$old")
		b=$(normalise <<<"$new")
		if [[ $a != "$b" ]]; then
			printf 'FAIL normalise: %s\n   1.0.6 -> %s\n   1.1   -> %s\n' "$old" "$a" "$b"
			fails=$((fails + 1))
		fi
		if [[ $(normalise <<<"$b") != "$b" ]]; then
			printf 'FAIL idempotent: %s\n' "$b"
			fails=$((fails + 1))
		fi
	done <<'EOF'
		icmp type echo-request limit rate 10/second accept|		icmp type echo-request limit rate 10/second burst 5 packets accept
		type nat hook output priority -100; policy accept;|		type nat hook output priority dstnat; policy accept;
		type nat hook input priority 95; policy accept;|		type nat hook input priority srcnat - 5; policy accept;
		iifname vmap { "lan0" : jump input_lan, "wan0" : jump input_wan, "dmz0" : jump input_dmz }|		iifname vmap { "dmz0" : jump input_dmz, "lan0" : jump input_lan, "wan0" : jump input_wan }
		limit rate over 6/minute drop|		limit rate over 6/minute burst 5 packets drop
		update @m { ip saddr limit rate over 6/minute } counter name "ssh_flood" drop|		update @m { ip saddr limit rate over 6/minute burst 5 packets } counter name "ssh_flood" drop
		limit rate 5/minute burst 10 packets log|		limit rate 5/minute burst 10 packets log
		limit rate 1 mbytes/second|		limit rate 1 mbytes/second
		elements = { 2.2.2.1 limit rate 5/second }|		elements = { 2.2.2.1 limit rate 5/second burst 5 packets }
		tcp flags != syn / fin,syn,rst,ack ct state new counter packets 0 bytes 0 drop|		tcp flags & (fin | syn | rst | ack) != syn ct state new counter packets 0 bytes 0 drop
		tcp flags syn / syn,rst tcp option maxseg size set rt mtu|		tcp flags & (syn | rst) == syn tcp option maxseg size set rt mtu
		tcp flags syn,ack / syn,ack|		tcp flags & (syn | ack) == syn | ack
		tcp flags & syn == syn|		tcp flags & syn == syn
		tcp flags syn tcp option maxseg size set rt mtu|		tcp flags syn tcp option maxseg size set rt mtu
		ip6 saddr 2001:db8::/32 drop|		ip6 saddr 2001:db8::/32 drop
		fib saddr . iif oif missing counter packets 0 bytes 0 drop|		fib saddr . iif check missing counter packets 0 bytes 0 drop
		fib daddr oif exists|		fib daddr check exists
		fib daddr type local dnat ip to tcp dport map @publish|		fib daddr type local dnat ip to tcp dport map @publish
		fib daddr oif "lo"|		fib daddr oif "lo"
		meta mark 0x00010000/16|		meta mark & 0xffff0000 == 0x00010000
		ct mark != 0x00000100/24|		ct mark & 0xffffff00 != 0x00000100
		meta mark & 0x00004000 == 0x00004000 accept|		meta mark & 0x00004000 == 0x00004000 accept
EOF
	# The downgrade must undo N3 so nft 1.0.6 can load a 1.1 listing.
	a=$(downgrade_for_nft106 <<<'		fib saddr . iif check missing drop')
	if [[ $a != '		fib saddr . iif oif missing drop' ]]; then
		printf 'FAIL downgrade: got %s\n' "$a"
		fails=$((fails + 1))
	fi
	if ((fails)); then
		echo "normalisation self-test: $fails failure(s)"
		return 1
	fi
	echo "normalisation self-test: all pairs agree"
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
if [[ ${1:-} == --self-test ]]; then
	command -v perl >/dev/null 2>&1 || nfqw_skip "perl is needed for the listing normalisation"
	self_test
	exit
fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	nfqw_usage "${BASH_SOURCE[0]}"
fi

nfqw_binary_and_rulesets "$@"

command -v perl >/dev/null 2>&1 || nfqw_skip "perl is needed for the listing normalisation"
nfqw_require_kernel
nfqw_trap_cleanup
work="" ns_a="" ns_d="" # set by nfqw_tmpdir / nfqw_netns_loaded / nfqw_netns_for
nfqw_tmpdir work

# ---------------------------------------------------------------------------
# One ruleset
# ---------------------------------------------------------------------------
pass=0
total=0
for file in "${files[@]}"; do
	total=$((total + 1))
	name=$(basename -- "$file" .nft)
	out="$work/$name"
	failed=()

	# (a) the kernel listing
	if ! nfqw_netns_loaded ns_a "$file" >"$out.load.err"; then
		echo "FAIL $name"
		cat "$out.load.err"
		continue
	fi
	nfqw_nft "$ns_a" list ruleset >"$out.kernel"

	# (b) our listing, in the same namespace so interface names resolve the same
	rc=0
	ip netns exec "$ns_a" timeout 120 "$nfqwall" list -f "$file" >"$out.ours" 2>"$out.ours.err" || rc=$?
	nfqw_netns_del "$ns_a"
	if ((rc != 0)); then
		if ((rc == 124)); then
			failed+=("(b) nfqwall list -f did not finish within 120 s")
		fi
		failed+=("(b) nfqwall list -f exited with status $rc:")
		failed+=("$(cat "$out.ours.err")")
	fi

	# (c) compare after normalising both sides
	normalise <"$out.kernel" >"$out.kernel.norm"
	normalise <"$out.ours" >"$out.ours.norm"
	if ! diff -u --label "nft list ruleset (nft 1.0.6, normalised)" --label "nfqwall list -f $name.nft (normalised)" \
		"$out.kernel.norm" "$out.ours.norm" >"$out.diff"; then
		failed+=("(c) nfqwall's listing differs from the kernel's:")
		failed+=("$(cat "$out.diff")")
	fi

	# (d) our listing must load and give back exactly the kernel listing
	if [[ -s $out.ours ]]; then
		downgrade_for_nft106 <"$out.ours" >"$out.ours.106"
		nfqw_netns_for ns_d "$file"
		if ! nfqw_nft "$ns_d" -f "$out.ours.106" >"$out.reload.err" 2>&1; then
			failed+=("(d) nft -f cannot load nfqwall's listing:")
			failed+=("$(cat "$out.reload.err")")
		else
			nfqw_nft "$ns_d" list ruleset >"$out.relisted"
			if ! diff -u --label "nft list ruleset after nft -f $name.nft" \
				--label "nft list ruleset after nft -f (nfqwall list -f $name.nft)" \
				"$out.kernel" "$out.relisted" >"$out.rdiff"; then
				failed+=("(d) nfqwall's listing loads into a different ruleset:")
				failed+=("$(cat "$out.rdiff")")
			fi
		fi
		nfqw_netns_del "$ns_d"
	else
		failed+=("(d) skipped: nfqwall printed nothing")
	fi

	if ((${#failed[@]} == 0)); then
		pass=$((pass + 1))
		echo "PASS $name"
	else
		echo "FAIL $name"
		printf '%s\n' "${failed[@]}" | sed 's/^/    /'
	fi
done

echo "kernel round trip: $pass/$total rulesets identical"
((pass == total))
