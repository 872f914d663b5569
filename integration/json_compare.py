#!/usr/bin/env python3
"""integration/json_compare.py KERNEL.json OURS.json
integration/json_compare.py --downgrade KERNEL.json OURS.json DIR
integration/json_compare.py --self-test

Compares `nft -j list ruleset` (KERNEL.json, printed by the system nft) with
`nfqwall list -j` (OURS.json, printed like upstream nft 1.1.6) structurally: both
documents are parsed, passed through the same normalisation, and compared item by
item; key order inside objects carries no meaning. The normalisation rewrites the
nft 1.0.6 spelling of a construct into the 1.1.6 spelling and leaves 1.1.6 alone,
so neither side is favoured. Each rule J1..J9 below is documented in
docs/kernel-differences.md.

Prints one line per differing item (with both sides) and a summary line
"json: N/M items identical"; exits 0 when every item matches, 1 otherwise.

--downgrade writes OURS.json as files DIR/01.json, DIR/02.nft, ... that nft 1.0.6
loads in that order (`nft -j -f` for .json, `nft -f` for .nft) and prints their
names: what its JSON parser cannot read is rewritten (D-J2..D-J5).
"""
import difflib
import json
import sys

# Where each kind of item sits inside a table's listing (upstream json.c,
# table_print_json_full): the table, chains, objects, sets and maps, flowtables, rules.
OBJECT_KINDS = ("counter", "quota", "ct helper", "limit", "ct timeout", "secmark",
                "ct expectation", "synproxy", "tunnel")
RANK = {"table": 0, "chain": 1, "set": 3, "map": 3, "meter": 3, "flowtable": 4, "rule": 5}
FLAG_KEYS = ("flags", "type_flags")


def kind_of(item):
    return next(iter(item))


def rank_of(item):
    kind = kind_of(item)
    return 2 if kind in OBJECT_KINDS else RANK.get(kind, 6)


def normalise_value(value, parent_key=None):
    """J1, J2, J4, J8 inside any object or array."""
    if isinstance(value, dict):
        out = {}
        for key, member in value.items():
            # J8: element expiry times depend on when the listing ran.
            # J10: nft 1.0.6 has no "auto-merge" in JSON, neither written nor read.
            if key in ("expires", "auto-merge"):
                continue
            member = normalise_value(member, key)
            # J1: nft 1.0.6 writes a flag list of one item as that item.
            if key in FLAG_KEYS and isinstance(member, str):
                member = [member]
            # J4: nft 1.0.6 writes a concatenated map data type as one string.
            if key == "map" and isinstance(member, str) and " . " in member:
                member = member.split(" . ")
            # J7: elements are listed in kernel (hash) order by 1.0.6, sorted by 1.1;
            # their order carries no meaning.
            if key in ("elem", "set") and isinstance(member, list):
                member = sorted(member, key=lambda e: json.dumps(e, sort_keys=True))
            out[key] = member
        # J2: nft 1.0.6 writes several flags as a list where 1.1 writes an OR: the mask
        # of a flag test, and the value an equality compares with.
        if set(out) == {"&"} and isinstance(out["&"], list):
            out["&"] = [{"|": op} if isinstance(op, list) and len(op) > 1 else op for op in out["&"]]
        if out.get("op") in ("==", "!=") and isinstance(out.get("right"), list) and len(out["right"]) > 1:
            out["right"] = {"|": out["right"]}
        # J11: nft 1.0.6 nests `a | b | c` as binary operations, 1.1 writes one list.
        if len(out) == 1:
            (op, operands), = out.items()
            if op in ("|", "&", "^") and isinstance(operands, list):
                flat = []
                for operand in operands:
                    if isinstance(operand, dict) and list(operand) == [op] and isinstance(operand[op], list):
                        flat.extend(operand[op])
                    else:
                        flat.append(operand)
                out[op] = flat
        return out
    if isinstance(value, list):
        return [normalise_value(v, parent_key) for v in value]
    return value


def normalise_document(doc):
    items = [normalise_value(i) for i in doc["nftables"] if kind_of(i) != "metainfo"]
    for item in items:
        body = item[kind_of(item)]
        # J9: nft 1.0.6 does not write the device of a netdev base chain.
        # J12: nor the comment of a table or chain, and it writes a table's name in place
        # of each of its flags.
        if kind_of(item) == "chain":
            body.pop("dev", None)
        if kind_of(item) in ("table", "chain"):
            body.pop("comment", None)
        if kind_of(item) == "table":
            body.pop("flags", None)
        # J3: nft 1.0.6 leaves "dynamic" out of a set's JSON flags (its text has it).
        if kind_of(item) in ("set", "map") and isinstance(body.get("flags"), list):
            body["flags"] = [f for f in body["flags"] if f != "dynamic"]
            if not body["flags"]:
                del body["flags"]
    # J6: nft 1.0.6 lists a table's chains after its sets; 1.1 right after the table.
    grouped, order = {}, []
    for item in items:
        body = item[kind_of(item)]
        key = (body.get("family"), body.get("table") if kind_of(item) != "table" else body.get("name"))
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append(item)
    return [i for key in order for i in sorted(grouped[key], key=rank_of)]


def identity(item):
    kind = kind_of(item)
    body = item[kind]
    return (kind, body.get("family"), body.get("table"), body.get("chain"), body.get("name"), body.get("handle"))


def align_typeof(kernel_items, our_items):
    """J5: nft 1.0.6 writes `typeof` keys as type names; take them as equal."""
    kernel_sets = {identity(i): i for i in kernel_items if kind_of(i) in ("set", "map")}
    for item in our_items:
        if kind_of(item) not in ("set", "map"):
            continue
        ours = item[kind_of(item)]
        theirs = kernel_sets.get(identity(item))
        if theirs and isinstance(ours.get("type"), dict) and "typeof" in ours["type"]:
            kernel_type = theirs[kind_of(theirs)].get("type")
            if not isinstance(kernel_type, dict):
                ours["type"] = kernel_type


def compare(kernel_doc, our_doc):
    kernel = normalise_document(kernel_doc)
    ours = normalise_document(our_doc)
    align_typeof(kernel, ours)
    # Items are aligned as a diff aligns lines, so that one extra item does not make every
    # later one differ; handles are compared once items are aligned, so that one handle
    # given out differently does not hide what the items say.
    a = [json.dumps(without_handle(i), sort_keys=True) for i in kernel]
    b = [json.dumps(without_handle(i), sort_keys=True) for i in ours]
    same = 0
    lines = []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            for ka, kb in zip(range(a0, a1), range(b0, b1)):
                ha, hb = handle_of(kernel[ka]), handle_of(ours[kb])
                if ha == hb:
                    same += 1
                else:
                    lines.append("  handle %s in nft, %s in nfqwall: %s" % (ha, hb, a[ka]))
            continue
        for index in range(a0, a1):
            lines.append("  nft %3d:     %s" % (index, a[index]))
        for index in range(b0, b1):
            lines.append("  nfqwall %3d: %s" % (index, b[index]))
    return same, max(len(a), len(b)), lines


def handle_of(item):
    return item[kind_of(item)].get("handle")


def without_handle(item):
    body = dict(item[kind_of(item)])
    body.pop("handle", None)
    return {kind_of(item): body}


def downgrade(kernel_doc, our_doc):
    """What nft 1.0.6's JSON parser needs to load a 1.1.6 listing: a list of steps, each
    ("json", document) or ("nft", text), to load in order."""
    kernel_sets = {identity(i): i for i in kernel_doc["nftables"] if kind_of(i) in ("set", "map")}
    steps = []
    pending = []
    for item in nest_operations(our_doc)["nftables"]:
        if kind_of(item) in ("set", "map"):
            ours = item[kind_of(item)]
            # D-J3: "dynamic" is no set flag to nft 1.0.6 ("Invalid set flag"); it sets the
            # flag itself for sets that rules update.
            if "dynamic" in ours.get("flags", []):
                ours["flags"] = [f for f in ours["flags"] if f != "dynamic"]
                if not ours["flags"]:
                    del ours["flags"]
            # D-J5: nft 1.0.6 cannot read {"typeof": ...} keys: use the type names it printed.
            theirs = kernel_sets.get(identity(item))
            if theirs and isinstance(ours.get("type"), dict):
                ours["type"] = theirs[kind_of(theirs)]["type"]
            # D-J4: nft 1.0.6 reads no map with concatenated data from JSON, not even its own
            # listing ("Invalid map type"): that map is added with an nft command written
            # from our JSON instead, in its place in the sequence.
            if isinstance(ours.get("map"), list):
                if pending:
                    steps.append(("json", {"nftables": pending}))
                    pending = []
                steps.append(("nft", map_command(ours)))
                continue
        pending.append(item)
    if pending:
        steps.append(("json", {"nftables": pending}))
    return steps


def element_text(e):
    """The nft syntax of an element expression of our JSON (D-J4 only needs values)."""
    if isinstance(e, list):
        return "%s : %s" % (element_text(e[0]), element_text(e[1]))
    if isinstance(e, bool):
        return "exists" if e else "missing"
    if isinstance(e, (int, str)):
        text = str(e)
        simple = all(c.isalnum() or c in ".:/_-" for c in text)
        return text if simple else json.dumps(text)
    (kind, body), = e.items()
    if kind == "concat":
        return " . ".join(element_text(x) for x in body)
    if kind == "prefix":
        return "%s/%d" % (element_text(body["addr"]), body["len"])
    if kind == "range":
        return "%s-%s" % (element_text(body[0]), element_text(body[1]))
    if kind == "elem":
        text = element_text(body["val"])
        if "timeout" in body:
            text += " timeout %ds" % body["timeout"]
        if "comment" in body:
            text += " comment %s" % json.dumps(body["comment"])
        return text
    if body is None:
        return kind
    return "%s %s" % (kind, body["target"])


def type_text(names):
    return " . ".join(names) if isinstance(names, list) else names


def map_command(m):
    spec = ["type %s : %s" % (type_text(m["type"]), type_text(m["map"]))]
    if m.get("flags"):
        spec.append("flags %s" % ",".join(m["flags"]))
    for key, word in (("policy", "policy"), ("size", "size")):
        if key in m:
            spec.append("%s %s" % (word, m[key]))
    if "timeout" in m:
        spec.append("timeout %ds" % m["timeout"])
    if "comment" in m:
        spec.append("comment %s" % json.dumps(m["comment"]))
    if m.get("elem"):
        spec.append("elements = { %s }" % ", ".join(element_text(e) for e in m["elem"]))
    return "add map %s %s %s { %s; }\n" % (m["family"], m["table"], m["name"], "; ".join(spec))


def nest_operations(value):
    if isinstance(value, list):
        return [nest_operations(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: nest_operations(v) for k, v in value.items()}
    if len(out) == 1:
        (op, operands), = out.items()
        if op in ("|", "&", "^", "<<", ">>") and isinstance(operands, list) and len(operands) > 2:
            nested = operands[0]
            for operand in operands[1:]:
                nested = {op: [nested, operand]}
            return nested
    return out


SELF_TEST_PAIRS = [
    # (nft 1.0.6, nft 1.1.6) spellings of the same item.
    ({"rule": {"expr": [{"log": {"flags": "all"}}]}},
     {"rule": {"expr": [{"log": {"flags": ["all"]}}]}}),
    ({"rule": {"expr": [{"masquerade": {"flags": "persistent", "type_flags": "prefix"}}]}},
     {"rule": {"expr": [{"masquerade": {"flags": ["persistent"], "type_flags": ["prefix"]}}]}}),
    ({"rule": {"expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}},
                                                                ["syn", "ack"]]}, "right": "syn"}}]}},
     {"rule": {"expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}},
                                                                {"|": ["syn", "ack"]}]}, "right": "syn"}}]}}),
    ({"map": {"name": "y", "type": "ipv4_addr", "map": "ipv4_addr . inet_service"}},
     {"map": {"name": "y", "type": "ipv4_addr", "map": ["ipv4_addr", "inet_service"]}}),
    ({"rule": {"expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}},
                                                                ["syn", "ack", "urg"]]}, "right": ["ack", "urg"]}}]}},
     {"rule": {"expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}},
                                                                {"|": ["syn", "ack", "urg"]}]},
                                   "right": {"|": ["ack", "urg"]}}}]}}),
    ({"set": {"name": "s", "elem": [{"|": [{"|": ["fin", "psh"]}, "ack"]}]}},
     {"set": {"name": "s", "elem": [{"|": ["fin", "psh", "ack"]}]}}),
    ({"table": {"name": "t", "flags": ["t"]}}, {"table": {"name": "t", "flags": ["dormant"], "comment": "x"}}),
    ({"chain": {"name": "c", "type": "filter", "hook": "ingress"}},
     {"chain": {"name": "c", "type": "filter", "hook": "ingress", "dev": "up0"}}),
    ({"set": {"name": "s", "elem": ["b", "a"]}},
     {"set": {"name": "s", "elem": ["a", "b"], "auto-merge": True}}),
    ({"set": {"name": "s", "flags": ["timeout"], "elem": [{"elem": {"val": "1.2.3.4", "timeout": 600,
                                                                      "expires": 598}}]}},
     {"set": {"name": "s", "flags": ["timeout", "dynamic"], "elem": [{"elem": {"val": "1.2.3.4",
                                                                                 "timeout": 600}}]}}),
]


def self_test():
    failures = 0
    for old, new in SELF_TEST_PAIRS:
        a = normalise_document({"nftables": [old]})
        b = normalise_document({"nftables": [new]})
        if a != b:
            print("FAIL normalise:\n  1.0.6 -> %s\n  1.1.6 -> %s" % (json.dumps(a), json.dumps(b)))
            failures += 1
        if normalise_document({"nftables": b}) != b:
            print("FAIL idempotent: %s" % json.dumps(b))
            failures += 1
    order = normalise_document({"nftables": [
        {"table": {"family": "ip", "name": "t"}},
        {"set": {"family": "ip", "table": "t", "name": "s"}},
        {"chain": {"family": "ip", "table": "t", "name": "c"}},
        {"rule": {"family": "ip", "table": "t", "chain": "c"}},
    ]})
    if [kind_of(i) for i in order] != ["table", "chain", "set", "rule"]:
        print("FAIL order: %s" % [kind_of(i) for i in order])
        failures += 1
    print("json normalisation self-test: %s" % ("all pairs agree" if failures == 0 else "%d failure(s)" % failures))
    return 0 if failures == 0 else 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) == 5 and argv[1] == "--downgrade":
        with open(argv[2]) as k, open(argv[3]) as o:
            steps = downgrade(json.load(k), json.load(o))
        for number, (kind, content) in enumerate(steps, 1):
            path = "%s/%02d.%s" % (argv[4], number, kind)
            with open(path, "w") as f:
                f.write(json.dumps(content) + "\n" if kind == "json" else content)
            print(path)
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as k, open(argv[2]) as o:
        same, total, lines = compare(json.load(k), json.load(o))
    for line in lines:
        print(line)
    print("json: %d/%d items identical" % (same, total))
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
