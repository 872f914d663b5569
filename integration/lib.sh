# shellcheck shell=bash
# integration/lib.sh: helpers shared by the kernel tests. Source it; do not run it.
#
# Every kernel test works in throwaway network namespaces so it never touches the
# host's ruleset. The helpers here create them (named nfqw-<pid>-<n>, so parallel
# ctest runs and other checkouts do not collide), give them the veth interfaces a
# ruleset names, and delete them again on exit, error or interrupt.
#
#   nfqw_require_kernel            exit 77 with a loud SKIP unless nft and netns work
#   nfqw_netns_new VAR [IFNAME..]  create a namespace (+ veth interfaces), name -> $VAR
#   nfqw_netns_del NS              delete one namespace now
#   nfqw_tmpdir VAR                make a scratch directory (removed by nfqw_cleanup)
#   nfqw_cleanup                   delete every namespace and scratch directory made here
#   nfqw_trap_cleanup              run nfqw_cleanup on exit, error, INT and TERM
#   nfqw_needed_interfaces FILE    print the names in FILE's "# needs-interfaces:" header
#   nfqw_nft NS ARGS...            run nft inside namespace NS
#   nfqw_load_file NS FILE         nft -f FILE in NS, with FILE's directory as include path
#   nfqw_rulesets DIR              print DIR/*.nft, sorted, one a line
#   nfqw_usage SCRIPT              print SCRIPT's header comment (its --help) and exit 0
#   nfqw_binary_and_rulesets [NFQWALL] [RULESET..]
#                                  set nfqwall and files from a comparison script's arguments
#   nfqw_netns_for VAR FILE        a fresh namespace with the interfaces FILE needs -> $VAR
#   nfqw_netns_loaded VAR FILE     the same with FILE loaded by nft -f; on failure prints
#                                  nft's errors, deletes the namespace and returns 1

NFQW_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
NFQW_NETNS_LIST=()
NFQW_NETNS_SEQ=0
NFQW_TMPDIRS=()

nfqw_skip() {
	printf '\n*** SKIP: %s ***\n\n' "$*" >&2
	exit 77
}

# Exit 77 (ctest: skipped) unless this process can create a network namespace and
# drive nf_tables inside it.
nfqw_require_kernel() {
	command -v nft >/dev/null 2>&1 || nfqw_skip "nft is not installed (apt-get install nftables)"
	command -v ip >/dev/null 2>&1 || nfqw_skip "ip is not installed (apt-get install iproute2)"
	local probe="nfqw-$$-probe"
	if ! ip netns add "$probe" 2>/dev/null; then
		nfqw_skip "cannot create a network namespace (needs root or CAP_SYS_ADMIN + CAP_NET_ADMIN)"
	fi
	NFQW_NETNS_LIST+=("$probe")
	if ! ip netns exec "$probe" nft list ruleset >/dev/null 2>&1; then
		nfqw_netns_del "$probe"
		nfqw_skip "nft cannot reach nf_tables inside a network namespace"
	fi
	if ! ip -n "$probe" link add nfqw-probe0 type veth peer name nfqw-probe1 2>/dev/null; then
		nfqw_netns_del "$probe"
		nfqw_skip "cannot create veth interfaces (CONFIG_VETH missing?)"
	fi
	nfqw_netns_del "$probe"
}

# nfqw_netns_new VAR [IFNAME...]: create a fresh namespace with lo up and one veth
# pair per IFNAME (IFNAME is one end, nfqw-peerN the other, both inside the
# namespace), and store its name in VAR. The veths are up unless NFQW_LINK_STATE=down:
# tests that only load rulesets keep them down, so that IPv6 neighbour discovery and
# MLD reports sent on link-up do not move rule counters under them.
nfqw_netns_new() {
	local var=$1
	shift
	local ns="nfqw-$$-${NFQW_NETNS_SEQ}"
	NFQW_NETNS_SEQ=$((NFQW_NETNS_SEQ + 1))
	ip netns add "$ns" || return 1
	NFQW_NETNS_LIST+=("$ns")
	ip -n "$ns" link set lo up || return 1
	local i=0 ifname
	for ifname in "$@"; do
		if ! ip -n "$ns" link add "$ifname" type veth peer name "nfqw-peer$i"; then
			echo "cannot create veth interface '$ifname' in $ns" >&2
			return 1
		fi
		ip -n "$ns" link set "$ifname" "${NFQW_LINK_STATE:-up}"
		ip -n "$ns" link set "nfqw-peer$i" "${NFQW_LINK_STATE:-up}"
		i=$((i + 1))
	done
	printf -v "$var" '%s' "$ns"
}

nfqw_netns_del() {
	local gone=$1 ns keep=()
	ip netns del "$gone" 2>/dev/null || true
	for ns in "${NFQW_NETNS_LIST[@]}"; do
		[[ $ns == "$gone" ]] || keep+=("$ns")
	done
	NFQW_NETNS_LIST=("${keep[@]}")
}

nfqw_tmpdir() {
	local var=$1 dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/nfqw.XXXXXX")
	NFQW_TMPDIRS+=("$dir")
	printf -v "$var" '%s' "$dir"
}

nfqw_cleanup() {
	local ns dir
	for ns in "${NFQW_NETNS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	NFQW_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
NFQW_NETNS_LIST=()
	for dir in "${NFQW_TMPDIRS[@]}"; do
		rm -rf -- "$dir"
	done
	NFQW_TMPDIRS=()
}

# Install the cleanup: namespaces go away however the script ends.
nfqw_trap_cleanup() {
	trap nfqw_cleanup EXIT
	trap 'nfqw_cleanup; exit 130' INT
	trap 'nfqw_cleanup; exit 143' TERM
}

# A ruleset that binds to interfaces says so in a comment header:
#   # needs-interfaces: lan0 wan0
# Anything in parentheses is commentary ("(none)"); names must be valid ifnames.
nfqw_needed_interfaces() {
	local file=$1 line names name
	line=$(grep -m1 -E '^#[[:space:]]*needs-interfaces:' "$file" || true)
	[[ -n $line ]] || return 0
	names=${line#*needs-interfaces:}
	names=$(sed -E 's/\([^)]*\)//g' <<<"$names")
	for name in $names; do
		if [[ ! $name =~ ^[A-Za-z0-9_.-]{1,15}$ ]]; then
			echo "$file: bad interface name '$name' in needs-interfaces" >&2
			return 1
		fi
		printf '%s\n' "$name"
	done
}

nfqw_nft() {
	local ns=$1
	shift
	ip netns exec "$ns" nft "$@"
}

# nft 1.0.6 resolves a relative `include` only through its include path (-I, then
# /etc), never against the including file; the bundled rulesets include relative to
# their own directory, so pass that directory explicitly.
nfqw_load_file() {
	local ns=$1 file=$2
	nfqw_nft "$ns" -I "$(dirname -- "$file")" -f "$file"
}

nfqw_rulesets() {
	local dir=$1
	find "$dir" -maxdepth 1 -type f -name '*.nft' | LC_ALL=C sort
}

nfqw_usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$1"
	exit 0
}

# The arguments of the scripts that compare nfqwall with the kernel: an optional nfqwall
# binary (else build/nfqwall, else nfqwall on PATH), then rulesets (else every
# rules/*.nft). Sets the globals nfqwall (an absolute path) and files (an array); exits 1
# when either cannot be found.
nfqw_binary_and_rulesets() {
	nfqwall=""
	if (($# > 0)) && [[ $1 != *.nft ]]; then
		nfqwall=$1
		shift
	fi
	if [[ -z $nfqwall && -x $NFQW_ROOT/build/nfqwall ]]; then
		nfqwall=$NFQW_ROOT/build/nfqwall
	elif [[ -z $nfqwall ]]; then
		nfqwall=$(command -v nfqwall || true)
	fi
	if [[ -z $nfqwall || ! -x $nfqwall ]]; then
		echo "nfqwall binary not found or not executable: '${nfqwall:-build/nfqwall}'" >&2
		exit 1
	fi
	nfqwall=$(cd -- "$(dirname -- "$nfqwall")" && pwd)/$(basename -- "$nfqwall")
	files=("$@")
	if ((${#files[@]} == 0)); then
		mapfile -t files < <(nfqw_rulesets "$NFQW_ROOT/rules")
	fi
	if ((${#files[@]} == 0)); then
		echo "no rulesets found in $NFQW_ROOT/rules" >&2
		exit 1
	fi
}

nfqw_netns_for() {
	local ifaces
	mapfile -t ifaces < <(nfqw_needed_interfaces "$2")
	nfqw_netns_new "$1" "${ifaces[@]}"
}

nfqw_netns_loaded() {
	local var=$1 file=$2 errors
	nfqw_netns_for "$var" "$file" || return 1
	if ! errors=$(nfqw_load_file "${!var}" "$file" 2>&1); then
		echo "    (a) nft -f does not load it, fix the ruleset first:"
		sed 's/^/    /' <<<"$errors"
		nfqw_netns_del "${!var}"
		return 1
	fi
}
