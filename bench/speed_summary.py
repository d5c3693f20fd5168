"""Medians of bench/speed.sh's runs per scenario and implementation, as a markdown table."""
import json, statistics, sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["scenario"], "peer" if r["result"]["impl"].startswith("pytorch") else "phasetune")].append(r["result"])
med = lambda rs, k: statistics.median(x[k] for x in rs)
print("| scenario | runs | peer sent/s | PhaseTune sent/s | ratio | PhaseTune model GFLOP/s | sgemm GFLOP/s | GFLOP/s ÷ sgemm |")
print("|---|---|---|---|---|---|---|---|")
for scenario in dict.fromkeys(s for s, _ in runs):
    peer, ours = runs.get((scenario, "peer"), []), runs.get((scenario, "phasetune"), [])
    if not peer or not ours:
        continue
    p, o = med(peer, "sentences_per_s"), med(ours, "sentences_per_s")
    g, s = med(ours, "model_gflop_per_s"), med(ours, "sgemm_gflop_per_s")
    print(f"| {scenario} | {len(ours)} | {p:.1f} | {o:.1f} | **{o / p:.2f}×** | {g:.1f} | {s:.1f} | {g / s:.0%} |")
for scenario, impl in runs:
    rs = runs[(scenario, impl)]
    if impl == "phasetune" and "profile_ms_per_step" in rs[0]:
        parts = rs[0]["profile_ms_per_step"].keys()
        print(f"\n{scenario}, PhaseTune ms per step (median of {len(rs)}): " +
              ", ".join(f"{k} {statistics.median(x['profile_ms_per_step'][k] for x in rs):.0f}" for k in parts))
for r in runs.get(("memory-tiny", "phasetune"), []):
    a, b = r["rss_mb_after_warmup"], r["rss_mb"]
    print(f"\nmemory-tiny: RSS {a:.1f} MB after step {r['warmup']} → {b:.1f} MB after step {r['warmup'] + r['steps']} ({(b - a) / a:+.1%})")
