"""Issue 19's tables from `ablate` outputs: per set, accuracy and macro F1 per variant (mean ± sd over seeds), and each
variant's paired difference from plain fine-tuning (ft) over the same seeds: mean ± sd of the per-seed differences and
how many seeds it wins. A difference smaller than its own spread (or winning on only some seeds) is not a finding.

Usage: ablate_summary.py NAME=ROOT [NAME=ROOT ...]   (ROOT holds <set>/results.json; NAME labels the columns,
e.g. standin=bench/out/pretrained-standin scratch=bench/out/pretrained-scratch)"""
import json, os, statistics, sys

SETS = ["snips2", "sst2", "sst5", "massive_en", "agnews"]
VARIANTS = ["3phase", "joint", "ft", "dae+ft", "cl+ft", "noimb", "tfidf"]


def load(root):
    out = {}
    for s in SETS:
        p = os.path.join(root, s, "results.json")
        if os.path.exists(p):
            out[s] = json.load(open(p))["variants"]
    return out


def scores(runs, variant, metric):
    return {seed: m[metric] * 100 for seed, m in runs.get(variant, {}).items()}


def ms(xs):
    return f"{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}" if len(xs) > 1 else (f"{xs[0]:.2f}" if xs else "–")


roots = [a.split("=", 1) for a in sys.argv[1:]]
data = {name: load(root) for name, root in roots}
for s in SETS:
    present = [n for n, _ in roots if s in data[n]]
    if not present:
        continue
    print(f"\n### {s}\n")
    print("| variant | " + " | ".join(f"{n} accuracy | {n} macro F1 | {n} Δ acc vs ft (paired) | {n} seeds > ft" for n in present) + " |")
    print("|---|" + "---|---|---|---|" * len(present))
    for v in VARIANTS:
        cells = []
        for n in present:
            runs = data[n][s]
            acc, f1, ft = scores(runs, v, "accuracy"), scores(runs, v, "macro_f1"), scores(runs, "ft", "accuracy")
            if not acc:
                cells += ["–"] * 4
                continue
            common = sorted(set(acc) & set(ft))
            d = [acc[k] - ft[k] for k in common]
            cells += [ms(list(acc.values())), ms(list(f1.values())),
                      "" if v == "ft" else ms(d), "" if v == "ft" else f"{sum(x > 0 for x in d)}/{len(d)}"]
        print(f"| {v} | " + " | ".join(cells) + " |")

print("\n### Summary: test accuracy, mean ± sd over seeds\n")
print("| set | start | " + " | ".join(VARIANTS) + " |")
print("|---|---|" + "---|" * len(VARIANTS))
for s in SETS:
    for n, _ in roots:
        if s in data[n]:
            print(f"| {s} | {n} | " + " | ".join(ms(list(scores(data[n][s], v, 'accuracy').values())) for v in VARIANTS) + " |")
