#!/bin/sh
# Builds the shared-table stress program with ThreadSanitizer (the project's CMake has no
# TSan configuration) and runs it: three threads creating, answering, dropping, listing,
# deleting and re-marking connections on one small tracker. Exits non-zero on a race report
# or when the table's count and its listing disagree.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/nfqwall_conntrack_tsan
c++ -std=c++20 -O1 -g -fsanitize=thread -I"$root/src" -I"$root" \
    "$root/tests/tsan/conntrack_stress.cpp" "$root"/src/conntrack/tracker.cpp "$root"/src/conntrack/proto_*.cpp \
    "$root/src/conntrack/config.cpp" "$root/src/packet/packet.cpp" "$root/src/packet/checksum.cpp" -o "$out"
TSAN_OPTIONS=halt_on_error=1 "$out"
