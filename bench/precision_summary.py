"""Issue 18: fp32 vs bf16 runs of bench/precision-parity.sh side by side.
Usage: python3 bench/precision_summary.py bench/out/precision OUT.svg  > markdown on stdout
Per set: test accuracy / macro F1 per seed and precision, the paired difference (bf16 − fp32) per seed with its mean
and sd, each phase's seconds, and the mean training loss of each phase's last 50 logged steps. The SVG draws every
run's logged training loss (fp32 blue, bf16 orange), one panel per set and phase."""
import json, math, os, statistics, sys

root, svg_path = sys.argv[1], sys.argv[2]
runs = {}   # set -> precision -> seed -> dict
for s in sorted(os.listdir(root)):
    for name in sorted(os.listdir(os.path.join(root, s))):
        d = os.path.join(root, s, name)
        if not os.path.exists(os.path.join(d, "metrics.json")):
            continue
        p, seed = name.split("-s")
        m = json.load(open(os.path.join(d, "metrics.json")))
        log = [json.loads(l) for l in open(os.path.join(d, "log.jsonl")) if '"loss"' in l]
        cfg = json.load(open(os.path.join(d, "model", "training_config.json")))
        runs.setdefault(s, {}).setdefault(p, {})[int(seed)] = dict(m=m, log=log, recorded=cfg.get("precision"), threads=cfg.get("threads"))

def sd(xs):
    return statistics.stdev(xs) if len(xs) > 1 else 0.0

threads = sorted({r["threads"] for by_p in runs.values() for by_seed in by_p.values() for r in by_seed.values()})
print("Test scores of bench/precision-parity.sh's runs (each set's recipe is in the script's header; threads "
      + ", ".join(map(str, threads)) + ") in fp32 and bf16; Δ = bf16 − fp32 on the same seed. Seconds are each phase's wall-clock; loss is the mean"
      " logged training loss over each phase's last 50 logged steps.\n")
for s, by_p in runs.items():
    seeds = sorted(set(by_p.get("fp32", {})) & set(by_p.get("bf16", {})))
    model = next(iter(next(iter(by_p.values())).values()))["m"].get("base_model")
    print(f"### {s} ({len(seeds)} paired seeds; model {model})\n")
    print("| seed | precision (recorded) | test accuracy | test macro F1 | seconds per phase | total s | last-50 loss per phase |")
    print("|---|---|---|---|---|---|---|")
    for seed in seeds:
        for p in ("fp32", "bf16"):
            r = by_p[p][seed]
            t = r["m"]["test"]
            secs = r["m"]["phase_seconds"]
            phases = list(secs)
            loss = {ph: statistics.mean([e["loss"] for e in r["log"] if e["phase"] == ph][-50:]) for ph in phases
                    if any(e["phase"] == ph for e in r["log"])}
            print(f"| {seed} | {p} ({r['recorded']}) | {100 * t['accuracy']:.2f} | {100 * t['macro_f1']:.2f} | "
                  + ", ".join(f"{ph} {v:.0f}" for ph, v in secs.items()) + f" | {sum(secs.values()):.0f} | "
                  + ", ".join(f"{ph} {v:.3f}" for ph, v in loss.items()) + " |")
    if seeds:
        print()
        for key, label in (("accuracy", "test accuracy"), ("macro_f1", "test macro F1")):
            a = [100 * by_p["fp32"][k]["m"]["test"][key] for k in seeds]
            b = [100 * by_p["bf16"][k]["m"]["test"][key] for k in seeds]
            d = [y - x for x, y in zip(a, b)]
            print(f"- {label}: fp32 {statistics.mean(a):.2f} ± {sd(a):.2f}, bf16 {statistics.mean(b):.2f} ± {sd(b):.2f}; "
                  f"Δ per seed {', '.join(f'{x:+.2f}' for x in d)} (mean {statistics.mean(d):+.2f} ± {sd(d):.2f})")
        for ph in by_p["fp32"][seeds[0]]["m"]["phase_seconds"]:
            a = [by_p["fp32"][k]["m"]["phase_seconds"][ph] for k in seeds]
            b = [by_p["bf16"][k]["m"]["phase_seconds"][ph] for k in seeds]
            print(f"- {ph} seconds: fp32 {statistics.mean(a):.0f}, bf16 {statistics.mean(b):.0f} ({statistics.mean(a) / statistics.mean(b):.2f}×)")
        print()

# the loss curves, hand-written SVG (no plotting library needed)
panels = [(s, ph) for s, by_p in runs.items() for ph in ("dae", "cl", "ft")
          if any(e["phase"] == ph for r in by_p.get("fp32", {}).values() for e in r["log"])]
W, H, pad = 420, 220, 40
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W * 3}" height="{H * max(1, math.ceil(len(panels) / 3))}" font-family="sans-serif" font-size="11">',
       '<rect width="100%" height="100%" fill="white"/>']
for i, (s, ph) in enumerate(panels):
    x0, y0 = (i % 3) * W, (i // 3) * H
    curves = [(p, [(e["step"], e["loss"]) for e in r["log"] if e["phase"] == ph]) for p, by_seed in runs[s].items() for r in by_seed.values()]
    pts = [q for _, c in curves for q in c]
    if not pts:
        continue
    xmax = max(x for x, _ in pts); ymin = min(y for _, y in pts); ymax = max(y for _, y in pts)
    sx = lambda x: x0 + pad + (W - 2 * pad) * x / max(xmax, 1)
    sy = lambda y: y0 + H - pad + -(H - 2 * pad) * (y - ymin) / max(ymax - ymin, 1e-9)
    out.append(f'<text x="{x0 + pad}" y="{y0 + 16}">{s} · {ph} training loss (fp32 blue, bf16 orange)</text>')
    out.append(f'<rect x="{x0 + pad}" y="{y0 + pad}" width="{W - 2 * pad}" height="{H - 2 * pad}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{x0 + 2}" y="{y0 + pad + 4}">{ymax:.2f}</text><text x="{x0 + 2}" y="{y0 + H - pad}">{ymin:.2f}</text>')
    out.append(f'<text x="{x0 + W - pad - 40}" y="{y0 + H - pad + 14}">step {xmax}</text>')
    for p, c in curves:
        colour = "#1f77b4" if p == "fp32" else "#ff7f0e"
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-opacity="0.6" stroke-width="1" points="'
                   + " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in c) + '"/>')
out.append("</svg>")
open(svg_path, "w").write("\n".join(out))
