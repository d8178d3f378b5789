#!/usr/bin/env python3
"""The benchmark's markdown report from bench/run's JSON lines.

    bench/report.py RESULTS.jsonl [--mode full|smoke] [--stamp …] …   markdown to stdout
    bench/report.py RESULTS.jsonl --check                            exit 1 on any error
"""

import argparse
import json
import os
import platform
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def find(rows, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    return None


def adjacent_bound(rows, login, start):
    """The hashing bound measured next to a login measurement (the mean of the one
    before and the one after it), or the run's first if there is none."""
    near = [r for r in rows if r.get("scenario") == "argon2" and r.get("phase")
            and r.get("backend") == login.get("backend") and r.get("accounts") == login.get("accounts")
            and r.get("round") == login.get("round")]
    if not near:
        near = [start]
    hash_ms = sum(r["hash_ms"] for r in near) / len(near)
    all_cores = sum(r["all_cores_hashes_per_s"] for r in near) / len(near)
    return near[0]["cores"] * 1000.0 / hash_ms, hash_ms, all_cores


def fmt(v, digits=0):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}"


def per_op(r, key):
    v = r.get(key)
    return v / r["ops"] if v is not None and r.get("ops") else None


def ratio(a, b):
    if not a or not b:
        return None
    return a / b


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem} RAM, {platform.system()} {platform.release()}"


def best_of_rounds(rows):
    """Each measurement was repeated in rounds; keep the round with the highest
    throughput (disturbances on a shared machine only ever slow a server down)."""
    best, order = {}, []
    for r in rows:
        if r.get("scenario") not in LOAD_SCENARIOS:
            order.append(r)
            continue
        key = (r["scenario"], r["target"], r.get("backend"), r.get("accounts"))
        if key not in best:
            order.append(key)
            best[key] = r
        elif r.get("rps", 0) > best[key].get("rps", 0):
            best[key] = r
    return [best[k] if isinstance(k, tuple) else k for k in order]


LOAD_SCENARIOS = [
    "discovery", "jwks", "client_credentials", "code_flow", "password_login", "refresh",
    "client_credentials_paced", "client_credentials_paced_under_storm", "login_storm",
]


def check(rows):
    bad = []
    for r in rows:
        if r.get("scenario") not in LOAD_SCENARIOS:
            continue
        if r.get("errors", 0) > 0 or r.get("ops", 0) == 0:
            bad.append(r)
    for r in bad:
        print(f"bench check: {r['target']} {r.get('backend')} {r['scenario']}: "
              f"{r.get('ops', 0)} ok, {r.get('errors')} errors", file=sys.stderr)
    return not bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--mode", default="full")
    ap.add_argument("--stamp", default="")
    ap.add_argument("--seconds", default="?")
    ap.add_argument("--rounds", default="1")
    ap.add_argument("--users", default="?")
    ap.add_argument("--connections", default="?")
    ap.add_argument("--threads", default="?")
    ap.add_argument("--versions", default="")
    ap.add_argument("--command", default="bench/run")
    a = ap.parse_args()
    raw = load(a.results)
    if a.check:
        sys.exit(0 if check(raw) else 1)
    rows = best_of_rounds(raw)

    out = []
    w = out.append
    small = 1000
    load_rows = [r for r in rows if r.get("scenario") in LOAD_SCENARIOS]
    big = max([r.get("accounts", 0) for r in load_rows] + [small])
    w(f"# propusk benchmark — {a.stamp}")
    w("")
    w(f"- Command: `{a.command}` ({a.mode} run)")
    w(f"- Machine: {machine()}; every server and the load generators share it")
    w(f"- Software: {a.versions}")
    w(f"- Load: wrk {a.threads} threads × {a.connections} connections for single requests; "
      f"goose {a.users} users (each its own cookie jar) for the flows; {a.seconds} s per measurement "
      f"after a warm-up; closed loop (each connection/user sends its next request when the last is answered)")
    w(f"- Order: all servers run side by side; each scenario measures them one after the other, in "
      f"{a.rounds} round(s); the tables show each measurement's best round (all rounds are in the .jsonl)")
    w("- Server CPU: utime+stime from /proc of the server process (for propusk on PostgreSQL, "
      "plus its PostgreSQL backends) over the measurement, divided by the operations")
    w("")

    def rps(target, scenario, backend=None, accounts=small):
        want = dict(target=target, scenario=scenario)
        if backend:
            want["backend"] = backend
        r = find(rows, accounts=accounts, **want) or (find(rows, **want) if accounts == small else None)
        return r["rps"] if r else None

    backends = [b for b in ("sqlite", "postgres")
                if any(r["target"] == "propusk" and r.get("backend") == b for r in load_rows)]
    w("## Ratios: propusk ÷ peer (throughput, same run)")
    w("")
    w("| scenario | peer | " + " | ".join(f"propusk {b} /s" for b in backends) + " | peer /s | " +
      " | ".join(f"ratio ({b})" for b in backends) + " | target |")
    w("|" + "---|" * (4 + 2 * len(backends)))
    peers = [("glewlwyd", "sqlite", "Glewlwyd"), ("node", "memory", "node-oidc-provider (in memory)"),
             ("node", "postgres", "node-oidc-provider (PostgreSQL)")]
    goals = {("discovery", "glewlwyd"): 2.0, ("client_credentials", "node"): 10.0, ("code_flow", "node"): 5.0}
    targets = []
    for scenario in ("discovery", "jwks", "client_credentials", "code_flow", "refresh"):
        for peer, peer_backend, peer_name in peers:
            p = find(rows, target=peer, backend=peer_backend, scenario=scenario)
            if p is None:
                continue
            ours = [rps("propusk", scenario, b) for b in backends]
            ratios = [ratio(o, p["rps"]) for o in ours]
            need = goals.get((scenario, peer))
            w(f"| {scenario} | {peer_name} | " + " | ".join(fmt(o) for o in ours) + f" | {fmt(p['rps'])} | "
              + " | ".join(f"{fmt(x, 2)}×" if x else "—" for x in ratios) + f" | {f'≥ {need:g}×' if need else ''} |")
            if need:
                for b, x in zip(backends, ratios):
                    targets.append((f"{scenario}: propusk ({b}) ≥ {need:g}× {peer_name}", x is not None and x >= need,
                                    f"{x:.2f}×" if x else "—"))
    w("")

    w("## All figures")
    w("")
    w("| scenario | server | backend | accounts | tool | throughput /s | p50 ms | p99 ms | server CPU-ms per op | load generator CPU-ms per op | other CPU % | errors |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    order = {s: i for i, s in enumerate(LOAD_SCENARIOS)}
    for r in sorted(load_rows, key=lambda r: (order[r["scenario"]], r["target"] != "propusk", r["target"],
                                              r.get("backend", ""), r.get("accounts", 0))):
        w(f"| {r['scenario']} | {r['target']} | {r.get('backend', '')} | {fmt(r.get('accounts'))} | {r.get('tool')} | "
          f"{fmt(r['rps'])} | {fmt(r['p50_ms'], 2)} | {fmt(r['p99_ms'], 2)} | "
          f"{fmt(r.get('cpu_ms_per_op'), 3)} | {fmt(per_op(r, 'loadgen_cpu_ms'), 3)} | "
          f"{fmt(r.get('other_cpu_pct'), 0)} | {r.get('errors', 0)} |")
    w("")
    w("*Other CPU %*: CPU time used during the measurement by processes other than the server and the "
      "load generator, in % of one core (other work on the shared machine; near 0 means an undisturbed "
      "figure). For the storm rows it includes the other half of the pair.")
    w("")
    w("An *op* is one HTTP request for wrk rows, one whole flow for goose rows: code_flow = "
      "authorize (with a session) → code → token → userinfo; password_login = authorize → login page → "
      "POST password → resume → code → token; refresh = one rotation; login_storm = one wrong password.")
    w("")

    argon = find(rows, scenario="argon2")
    if argon:
        w("## Password login against the hashing bound")
        w("")
        w(f"Argon2id m={argon['memory_kib']} KiB, t={argon['iterations']}, p={argon['parallelism']} "
          f"(propusk's defaults): at the start of the run one hash took {argon['hash_ms']:.1f} ms on one core here (the argon2 crate "
          f"hashing into memory it reuses, as propusk's hashing threads do), so the bound "
          f"is {argon['cores']} cores ÷ {argon['hash_ms']:.1f} ms = **{argon['bound_per_s']:.1f} logins/s** "
          f"(all cores hashing at once measured {argon['all_cores_hashes_per_s']:.1f} hashes/s).")
        w("")
        w("Each login figure is set against the bound measured right before and right after it "
          "(the mean of the two): this machine's speed drifts within a run. \"Ceiling\" is what "
          "the cores reach hashing and nothing else, as a share of the bound: no login can do "
          "better, whatever its requests cost.")
        w("")
        w("| backend | accounts | logins /s | hash ms (next to it) | bound /s | all cores hashing /s | ceiling | % of bound | p50 ms | p99 ms | server CPU-ms per login |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in load_rows:
            if r["target"] == "propusk" and r["scenario"] == "password_login":
                bound, hash_ms, all_cores = adjacent_bound(rows, r, argon)
                share = r["rps"] / bound * 100
                w(f"| {r['backend']} | {fmt(r['accounts'])} | {r['rps']:.1f} | {hash_ms:.1f} | {bound:.1f} | "
                  f"{all_cores:.1f} | {all_cores / bound * 100:.0f} % | {share:.0f} % | "
                  f"{fmt(r['p50_ms'], 1)} | {fmt(r['p99_ms'], 1)} | {fmt(r.get('cpu_ms_per_op'), 1)} |")
                targets.append((f"password login ≥ 90 % of the hashing bound ({r['backend']}, "
                                 f"{r['accounts']:,} accounts)", share >= 90, f"{share:.0f} %"))
        w("")

    storms = [r for r in load_rows if r["scenario"] == "client_credentials_paced_under_storm"]
    if storms:
        w("## Login storm: client_credentials while wrong passwords pour in")
        w("")
        w("A steady API client (8 connections, 5 ms pause after each answer) asks for client_credentials "
          "tokens, first alone, then while 16 simulated browsers post wrong passwords as fast as they are "
          "answered (each costs a full Argon2id verification).")
        w("")
        w("| backend | cc /s alone | cc /s in storm | cc p50 alone ms | cc p50 in storm ms | cc p99 alone ms | cc p99 in storm ms | p99 ratio | wrong passwords /s |")
        w("|---|---|---|---|---|---|---|---|---|")
        for s in storms:
            b = s["backend"]
            alone = find(rows, target="propusk", backend=b, scenario="client_credentials_paced")
            storm = find(rows, target="propusk", backend=b, scenario="login_storm")
            x = s["p99_ms"] / alone["p99_ms"] if alone and alone["p99_ms"] else None
            w(f"| {b} | {fmt(alone and alone['rps'])} | {fmt(s['rps'])} | {fmt(alone and alone['p50_ms'], 2)} | "
              f"{fmt(s['p50_ms'], 2)} | {fmt(alone and alone['p99_ms'], 2)} | "
              f"{fmt(s['p99_ms'], 2)} | {fmt(x, 2)}× | {fmt(storm and storm['rps'], 1)} |")
            targets.append((f"client_credentials p99 flat during a login storm ({b}; flat = within 1.5×)",
                            x is not None and x <= 1.5, f"{x:.2f}×" if x else "—"))
        w("")

    if big > small:
        w(f"## Scale: {small:,} against {big:,} accounts")
        w("")
        w(f"The {small:,}-account figures here were measured on the same server right before the "
          f"seeding (round 0 in the .jsonl), the {big:,}-account ones right after it: this machine's "
          "speed drifts over a run, so figures from the start of the run are no fair reference.")
        w("")
        w("| backend | flow | p50 ms (1k) | p50 ms (1M) | p99 ms (1k) | p99 ms (1M) | /s (1k) | /s (1M) |")
        w("|---|---|---|---|---|---|---|---|")
        for b in backends:
            for sc in ("code_flow", "password_login"):
                # A run from before the adjacent baseline has no round 0: the run's first.
                s1 = (find(raw, target="propusk", backend=b, scenario=sc, accounts=small, round=0)
                      or find(raw, target="propusk", backend=b, scenario=sc, accounts=small))
                s2 = find(raw, target="propusk", backend=b, scenario=sc, accounts=big)
                if not (s1 and s2):
                    continue
                w(f"| {b} | {sc} | {s1['p50_ms']:.2f} | {s2['p50_ms']:.2f} | {s1['p99_ms']:.2f} | "
                  f"{s2['p99_ms']:.2f} | {s1['rps']:.0f} | {s2['rps']:.0f} |")
                grew = s2["p50_ms"] / s1["p50_ms"] if s1["p50_ms"] else None
                targets.append((f"{sc} latency does not grow with the account count ({b}; p50 within 1.25×)",
                                grew is not None and grew <= 1.25, f"p50 ×{grew:.2f}" if grew else "—"))
        w("")

    mem = [r for r in rows if r.get("scenario") == "memory"]
    if mem:
        w("## Memory")
        w("")
        w("| server | backend | idle RSS MB | peak RSS MB (VmHWM, end of its runs) |")
        w("|---|---|---|---|")
        seen = []
        for r in mem:
            key = (r["target"], r["backend"])
            if key in seen:
                continue
            seen.append(key)
            idle = find(rows, scenario="memory", target=r["target"], backend=r["backend"], phase="idle")
            peak = find(rows, scenario="memory", target=r["target"], backend=r["backend"], phase="peak")
            w(f"| {r['target']} | {r['backend']} | {fmt(idle and idle['rss_kb'] / 1024, 1)} | "
              f"{fmt(peak and peak['hwm_kb'] / 1024, 1)} |")
            if r["target"] == "propusk" and idle:
                targets.append((f"idle RSS ≤ 20 MB ({r['backend']})", idle["rss_kb"] <= 20 * 1024,
                                f"{idle['rss_kb'] / 1024:.1f} MB"))
        w("")
        w("propusk's RSS on PostgreSQL is propusk's own; PostgreSQL's memory is not counted.")
        w("")

    if targets:
        w("## Targets")
        w("")
        for name, ok, value in targets:
            w(f"- {'met' if ok else '**missed**'}: {name}: {value}")
        w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
