#!/usr/bin/env bash
# Benchmarks RustWebSocketPeer / RustWebSocketServer against Godot's built-in
# WebSocketPeer and prints one Markdown table:
#   ci/bench.sh                 (about 2-3 minutes after the builds)
# Steps: ci/install-godot.sh, ci/build.sh release, the core-only ceiling
# (cargo bench --bench core_throughput, no Godot), then
# godot_project/bench/bench.gd headless: the throughput workloads in one Godot
# process (both implementations, alternating), and the idle-connection
# workload in one process per implementation (so that neither can reuse heap
# memory the other freed). Raw outputs are kept in .cache/bench/.
# Env: WSP_TEST_HOOKS=1 builds (and benches) the test-hooks library instead of
# the shipping one, sharing the build that ci/test.sh makes.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[bench] $*" >&2; }
out=.cache/bench
mkdir -p "$out"

bash ci/install-godot.sh >&2
bash ci/build.sh release >&2

features=()
if [[ "${WSP_TEST_HOOKS:-0}" == 1 ]]; then
  features=(--features test-hooks)
fi
say "core ceiling: cargo bench --bench core_throughput"
cargo bench --quiet "${features[@]}" --bench core_throughput >"$out/core.txt" 2>"$out/core.err" \
  || { tail -n 30 "$out/core.err" >&2; say "FAILED: cargo bench"; exit 1; }

godot_bench() {
  local log="$1"
  shift
  if ! timeout --kill-after=10 600 ci/godot --headless --path godot_project \
      -s res://bench/bench.gd -- "$@" </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "FAILED: bench.gd $*"
    exit 1
  fi
}
say "Godot: throughput workloads"
godot_bench "$out/throughput.txt" throughput
say "Godot: 1000 idle connections, built-in"
godot_bench "$out/idle_builtin.txt" idle builtin
say "Godot: 1000 idle connections, ours"
godot_bench "$out/idle_ours.txt" idle ours

godot_version=$(ci/godot --headless --version 2>/dev/null | tail -n1 || true)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
python3 - "$out" "$godot_version" "$cpu" "$(nproc)" <<'EOF'
import sys, datetime
out, godot, cpu, cores = sys.argv[1:5]

def rows(path, tag):
    found = {}
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if parts and parts[0] == tag:
            found[tuple(parts[1:-1])] = parts[-1]
    return found

core = {k[0]: float(v) for k, v in rows(f"{out}/core.txt", "CEIL").items()}
thr = {}
for line in open(f"{out}/throughput.txt"):
    p = line.rstrip("\n").split("\t")
    if p[0] == "ROW":
        thr[p[1]] = (float(p[2]), float(p[3]))
idle = {}
for impl in ("builtin", "ours"):
    for k, v in rows(f"{out}/idle_{impl}.txt", "IDLE").items():
        idle[(k[0], k[1])] = float(v)

def fmt(v):
    if v < 0:
        return "failed"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}"

# key, workload, unit, higher is better, target ratio, ceiling key, absolute target
spec = [
    ("small_w64", "1. 64 B binary, W=64, get_packet() per message", "messages/s", True, 1.5, "small_w64"),
    ("small_w64_batch", "1b. 64 B binary, W=64, ours: get_packets() batch (built-in: per message)", "messages/s", True, 10.0, "small_w64"),
    ("large_w4", "2. 1 MiB binary, W=4, get_packet() per message", "MiB/s", True, 5.0, "large_w4"),
    ("large_w4_batch", "2b. 1 MiB binary, W=4, ours: get_packets() (built-in: get_packet())", "MiB/s", True, 5.0, "large_w4"),
    ("ping_pong", "3. 64 B ping-pong, W=1", "round trips/s", True, 1.6, "ping_pong"),
    ("echo_1m_w1", "3b. 1 MiB echo, W=1: server peer put_packet(get_packet()), client get_packet()", "MiB/s", True, None, "echo_1m_w1"),
    ("echo_1m_w4", "3c. 1 MiB echo as 3b, W=4", "MiB/s", True, 3.5, "echo_1m_w4"),
    ("huge_16m", "4. 16 MiB single messages, W=1", "MiB/s", True, None, None),
    ("server_poll", "5a. server-side poll, 1000 idle peers (ours: server.poll(); built-in: loop of peer.poll())", "µs/frame", False, None, None),
    ("client_poll", "5b. client side: loop of client.poll() over 1000 idle clients, mean", "µs/frame", False, None, None),
    ("client_poll_median", "5b'. as 5b, median frame", "µs/frame", False, 2.0, None),
    ("client_poll_p99", "5b''. as 5b, 99th percentile frame", "µs/frame", False, 2.0, None),
    ("memory", "5c. resident memory per idle connection (both ends)", "KiB", False, 1.0, None),
    ("echo_100", "6. server + 100 clients echoing 256 B, W=4 per client", "echoes/s", True, None, None),
]
# Rows whose target also asks for a share of the core ceiling.
ceiling_floor = {"ping_pong": 0.70}
values = dict(thr)
values["server_poll"] = (idle.get(("builtin", "server_poll_us"), -1), idle.get(("ours", "server_poll_us"), -1))
values["client_poll"] = (idle.get(("builtin", "client_poll_us"), -1), idle.get(("ours", "client_poll_us"), -1))
for key in ("client_poll_median", "client_poll_p99"):
    values[key] = (idle.get(("builtin", key + "_us"), -1), idle.get(("ours", key + "_us"), -1))
values["memory"] = (idle.get(("builtin", "kib_per_conn"), -1), idle.get(("ours", "kib_per_conn"), -1))

print(f"Godot {godot}; {cpu}, {cores} cores; {datetime.date.today()}")
print()
print("| workload | unit | Godot built-in | ours | ours vs built-in (> 1: ours better) | target | met | core ceiling | ours / ceiling |")
print("|---|---|---:|---:|---:|---|---|---:|---:|")
for key, name, unit, higher, target, ceil_key in spec:
    b, o = values.get(key, (-1.0, -1.0))
    ok = b > 0 and o > 0
    ratio = (o / b if higher else b / o) if ok else 0.0
    tgt, met = "", ""
    if key == "server_poll":
        tgt, met = "≤ 1000 µs", ("yes" if 0 < o <= 1000 else "no")
    elif key == "memory":
        tgt, met = "≤ built-in", ("yes" if ok and o <= b else "no")
    elif target is not None:
        tgt, met = f"≥ {target:g}×", ("yes" if ratio >= target else "no")
    ceil, frac = "", ""
    if ceil_key and ceil_key in core:
        c = core[ceil_key]
        ceil = fmt(c)
        frac = f"{100 * o / c:.0f}%" if o > 0 else ""
        floor = ceiling_floor.get(key)
        if floor is not None:
            tgt += f", ≥ {100 * floor:.0f}% of ceiling"
            met = "yes" if met == "yes" and o >= floor * c else "no"
    shown = f"{ratio:.2f}×" if ok else "n/a"
    print(f"| {name} | {unit} | {fmt(b)} | {fmt(o)} | {shown} | {tgt} | {met} | {ceil} | {frac} |")
print()
print("Rates are per second of main-thread CPU time (/proc/thread-self/schedstat), each the")
print("best of 5 rounds of 0.5 s (16 MiB: 1 s) alternating built-in and ours on fresh")
print("loopback connections; both ends in one Godot process, polled on the main thread, the same")
print("GDScript loop for both. Built-in peers: inbound/outbound_buffer_size 1 MiB (64 B rows),")
print("8 MiB (1 MiB rows), 32 MiB (16 MiB row), 64 KiB (ping-pong, echo, idle), max_queued_packets")
print("4096, set_no_delay(true) like ours. Idle rows: 1000 connections opened in one process per")
print("implementation with default settings; poll cost is CPU time per frame (mean over 500 frames,")
print("and the median and 99th percentile of 500 frames timed one by one), memory is the VmRSS")
print("growth divided by 1000. Core ceiling: the same loops on the Rust core without Godot")
print("(cargo bench --bench core_throughput).")
EOF
