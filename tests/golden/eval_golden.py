#!/usr/bin/python3
"""Golden tests of `nfqwall eval`: each case of eval_cases.txt is run from the source
directory over the captures make_captures.py writes, and its stdout, stderr and exit code are
compared exactly with tests/golden/NAME.expected. Some cases check more (the rewritten
packets `--out` wrote, read back with scapy).

    /usr/bin/python3 tests/golden/eval_golden.py --nfqwall build/nfqwall --work /tmp/g [--case NAME]
    /usr/bin/python3 tests/golden/eval_golden.py --nfqwall build/nfqwall --work /tmp/g --update

--update rewrites the .expected files from what the build prints now (review the diff before
committing it). Exits 77 (skipped) without scapy.
"""
import argparse
import difflib
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent.parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import make_captures  # noqa: E402  (needs scapy)
    from scapy.all import IP, TCP, Ether, rdpcap
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)


def load_cases():
    cases = {}
    for line in (HERE / "eval_cases.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, args = line.split(":", 1)
        cases[name.strip()] = args.strip()
    return cases


def checksums_hold(packet):
    """True when the IP and TCP checksums are what scapy computes for the bytes."""
    rebuilt = Ether(bytes(packet))
    del rebuilt[IP].chksum
    del rebuilt[TCP].chksum
    rebuilt = Ether(bytes(rebuilt))
    return rebuilt[IP].chksum == packet[IP].chksum and rebuilt[TCP].chksum == packet[TCP].chksum


def check_rewrite_out(work):
    """The one packet that passed was written as rewritten, with valid checksums."""
    packets = rdpcap(str(work / "passed.pcap"))
    problems = []
    if len(packets) != 1:
        return [f"expected 1 packet in passed.pcap, found {len(packets)}"]
    p = packets[0]
    if p[IP].dst != "10.0.0.9" or p[TCP].dport != 8080:
        problems.append(f"not rewritten: {p[IP].dst}:{p[TCP].dport}")
    if not checksums_hold(p):
        problems.append("checksums do not verify")
    if bytes(p[TCP].payload) != b"hello":
        problems.append("payload changed")
    if float(p.time) != float(make_captures.T0):
        problems.append(f"timestamp changed: {p.time}")
    return problems


EXTRA_CHECKS = {"rewrite_out": check_rewrite_out}


def run_case(name, args, nfqwall, captures, work):
    work.mkdir(parents=True, exist_ok=True)
    argv = [nfqwall] + [a.format(captures=captures, work=work) for a in shlex.split(args)]
    r = subprocess.run(argv, cwd=SOURCE, capture_output=True, text=True, timeout=120)
    return f"{r.stdout}--- stderr ---\n{r.stderr}--- exit {r.returncode} ---\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nfqwall", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--case", action="append", help="only these cases (default: all)")
    ap.add_argument("--update", action="store_true", help="rewrite the .expected files")
    opts = ap.parse_args()

    work = Path(opts.work).resolve()
    captures = work / "captures"
    make_captures.main(captures)
    cases = load_cases()
    names = opts.case or list(cases)
    failed = []
    for name in names:
        if name not in cases:
            print(f"unknown case {name}")
            return 2
        case_work = work / name
        got = run_case(name, cases[name], str(Path(opts.nfqwall).resolve()), captures, case_work)
        expected_file = HERE / f"{name}.expected"
        if opts.update:
            expected_file.write_text(got)
        expected = expected_file.read_text() if expected_file.exists() else ""
        problems = []
        if got != expected:
            diff = difflib.unified_diff(expected.splitlines(True), got.splitlines(True), f"{name}.expected", "got")
            problems.append("output differs:\n" + "".join(diff))
        if name in EXTRA_CHECKS:
            problems += EXTRA_CHECKS[name](case_work)
        print(f"{'FAIL' if problems else 'ok  '} {name}")
        for p in problems:
            print("  " + p.replace("\n", "\n  "))
        if problems:
            failed.append(name)
    if failed:
        print(f"{len(failed)} of {len(names)} cases failed: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
