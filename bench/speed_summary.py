"""Medians of bench/speed.sh's runs per scenario and implementation, as a markdown table."""
import json, statistics, sys
from collections import defaultdict

def impl(result):
    if result["impl"].startswith("pytorch"):
        return "peer"
    if result["impl"] == "phasetune-torchsharp":
        return "phasetune" if result.get("precision", "fp32") == "fp32" else "phasetune-" + result["precision"]
    return result["impl"] + ("" if result.get("sort_by_length", True) else "-unsorted")

runs = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[(r["scenario"], impl(r["result"]))].append(r["result"])
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
bf16 = [s for s, i in runs if i == "phasetune-bf16"]
if bf16:
    print("\nbf16 matrix products (`--precision bf16`) against PhaseTune's own fp32 and the peer, medians:\n")
    print("| scenario | runs | fp32 sent/s | bf16 sent/s | bf16 ÷ fp32 | bf16 ÷ peer |")
    print("|---|---|---|---|---|---|")
    for scenario in bf16:
        b = med(runs[(scenario, "phasetune-bf16")], "sentences_per_s")
        f = med(runs[(scenario, "phasetune")], "sentences_per_s") if (scenario, "phasetune") in runs else None
        p = med(runs[(scenario, "peer")], "sentences_per_s") if (scenario, "peer") in runs else None
        print(f"| {scenario} | {len(runs[(scenario, 'phasetune-bf16')])} | {f or 0:.1f} | {b:.1f} | "
              f"**{b / f:.2f}×** | {f'{b / p:.2f}×' if p else '–'} |" if f else f"| {scenario} | – | – | {b:.1f} | – | – |")
for scenario, impl in runs:
    rs = runs[(scenario, impl)]
    if impl in ("phasetune", "phasetune-bf16") and "profile_ms_per_step" in rs[0]:
        parts = rs[0]["profile_ms_per_step"].keys()
        print(f"\n{scenario}, PhaseTune {'bf16' if impl.endswith('bf16') else 'fp32'} ms per step (median of {len(rs)}): " +
              ", ".join(f"{k} {statistics.median(x['profile_ms_per_step'][k] for x in rs):.0f}" for k in parts))
for r in runs.get(("memory-tiny", "phasetune"), []):
    a, b = r["rss_mb_after_warmup"], r["rss_mb"]
    print(f"\nmemory-tiny: RSS {a:.1f} MB after step {r['warmup']} → {b:.1f} MB after step {r['warmup'] + r['steps']} ({(b - a) / a:+.1%})")

onnx = [(s, i) for s, i in runs if i.startswith("phasetune-onnx")]
if onnx:
    print("\nEncoding through the ONNX export (PhaseTune.Inference on OnnxRuntime), medians; ratios against the same "
          "scenario's TorchSharp path and float export (length-sorted calls):\n")
    print("| scenario | runtime | runs | sent/s | ÷ TorchSharp | ÷ float export | ÷ peer | startup to first embedding (s) | folder (MB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for scenario, i in onnx:
        rs = runs[(scenario, i)]
        o = med(rs, "sentences_per_s")
        ts = runs.get((scenario, "phasetune"))
        fl = runs.get((scenario, "phasetune-onnx-float"))
        pe = runs.get((scenario, "peer"))
        ratio = lambda other: f"{o / med(other, 'sentences_per_s'):.2f}×" if other else "–"
        print(f"| {scenario} | {i.removeprefix('phasetune-onnx-')} | {len(rs)} | {o:.1f} | {ratio(ts)} | {ratio(fl)} | {ratio(pe)} | "
              f"{med(rs, 'startup_s'):.2f} | {rs[0]['folder_mb']:.1f} |")
