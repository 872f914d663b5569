#!/usr/bin/env bash
# Installs what nfqwall needs to build and test, from Debian packages only.
# Safe to run repeatedly: it installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  tao-pegtl-dev libspdlog-dev libfmt-dev libmnl-dev libnetfilter-queue-dev
  libcli11-dev nlohmann-json3-dev libpcap-dev libcap-ng-dev libsystemd-dev
  googletest libgtest-dev libbenchmark-dev
  iproute2 iptables nftables conntrack python3-scapy ethtool
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
