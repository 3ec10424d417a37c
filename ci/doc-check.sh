#!/usr/bin/env bash
# Checks the class reference that Godot's editor help (F1) shows for the
# extension: every class, method, property, signal and constant of
# RustWebSocketPeer, RustWebSocketServer and RustWebSocketMultiplayerPeer must have a description.
#
# How the editor gets it: gdext's `register-docs` feature compiles the `///`
# comments into XML and hands it to Godot at the editor init stage; the editor
# then generates the class skeleton from ClassDB and merges that XML in.
# `godot --doctool DIR --gdextension-docs` does the same generate + merge, but
# merges the XML files already in DIR/doc_classes (it never sees the XML the
# library registers). So this script
#   1. writes the XML the library registers into DIR/doc_classes (a cargo unit
#      test, rust/src/godot/editor_docs.rs, compiled with the same features as
#      ci/test.sh's cargo-test stage, so its build is reused),
#   2. runs the doctool on the built addon: the output lists what ClassDB
#      really registers, with the library's descriptions merged in,
#   3. lists every item left without a description and exits 1 if any.
# Needs ci/install-godot.sh and ci/build.sh to have run.
#   ci/doc-check.sh            (WSP_DOC_OUT=dir keeps the XML there)
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh doc-check

[[ -f godot_project/.godot/extension_list.cfg ]] \
  || die "godot_project/.godot/extension_list.cfg missing: run ci/build.sh first"

out="${WSP_DOC_OUT:-}"
if [[ -z "$out" ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
rm -rf "$out/doc_classes" "$out/registered"
mkdir -p "$out/doc_classes"

say "dumping the XML the library registers with the editor"
WSP_DOCS_OUT="$out/registered" cargo test --quiet --release --features test-hooks --lib -- \
  --ignored --exact godot::editor_docs::tests::dump_editor_docs >"$out/cargo.log" 2>&1 \
  || { tail -n 30 "$out/cargo.log" >&2; die "cargo test dump_editor_docs"; }
cp "$out"/registered/*.xml "$out/doc_classes/" 2>/dev/null \
  || die "the library registered no documentation (is the register-docs feature on?)"

say "ci/godot --headless --path godot_project --doctool $out --gdextension-docs"
timeout --kill-after=10 120 ci/godot --headless --path godot_project \
  --doctool "$out" --gdextension-docs </dev/null >"$out/doctool.log" 2>&1 \
  || { tail -n 30 "$out/doctool.log" >&2; die "godot --doctool (exit $?)"; }

python3 - "$out/doc_classes" <<'EOF'
import os, sys
import xml.etree.ElementTree as ET

folder = sys.argv[1]
classes = ["RustWebSocketPeer", "RustWebSocketServer", "RustWebSocketMultiplayerPeer"]

def text(node):
    return "" if node is None else "".join(node.itertext()).strip()

missing, counts = [], {}
for cls in classes:
    path = os.path.join(folder, cls + ".xml")
    if not os.path.isfile(path):
        missing.append(f"{cls}: no {cls}.xml written by the doctool")
        continue
    root = ET.parse(path).getroot()
    for part in ("brief_description", "description"):
        if not text(root.find(part)):
            missing.append(f"{cls}: empty <{part}>")
    n = 0
    for kind, xpath in (("method", "methods/method"), ("signal", "signals/signal")):
        for item in root.findall(xpath):
            n += 1
            if not text(item.find("description")):
                missing.append(f"{cls}: {kind} {item.get('name')}()")
    for item in root.findall("members/member"):
        n += 1
        if not text(item):
            missing.append(f"{cls}: property {item.get('name')}")
    for item in root.findall("constants/constant"):
        n += 1
        if not text(item):
            missing.append(f"{cls}: constant {item.get('name')}")
    counts[cls] = n
    print(f"[doc-check] {cls}: {n} items "
          f"({len(root.findall('methods/method'))} methods, "
          f"{len(root.findall('members/member'))} properties, "
          f"{len(root.findall('signals/signal'))} signals, "
          f"{len(root.findall('constants/constant'))} constants)")

# Guard against a vacuous pass (a class registered with nothing in it).
for cls, n in counts.items():
    if n < 5:
        missing.append(f"{cls}: only {n} documented items found; expected the full API")

if missing:
    print("[doc-check] FAILED: items without a description in the editor help:")
    for m in missing:
        print(f"  - {m}")
    sys.exit(1)
print("[doc-check] ok: every class, method, property and signal is documented")
EOF
