#!/usr/bin/env bash
# Issue 19: PhaseTune's mlm phase against the PyTorch script that made the stand-in (../shared/tools/pretrain_standin.py,
# curve in ../shared/models/bert-mini-standin/log.jsonl), from scratch with the script's settings: bert-mini shape
# (scratch:mini), bert-base-uncased vocabulary, the script's corpus (bench/standin_corpus.py), whole texts packed into
# blocks of at most 128 tokens as the script packs them (--pack-whole-texts), batch 32, masking 15 %, no dropout, AdamW
# lr 5e-4 / eps 1e-6 / weight decay 0.01, clipping 1.0, seed 41, and the script's schedule: 3,112 steps, 300 of them
# warmup (9.64 %). With the same packing a step holds about the same tokens (~3,030), so steps are compared with steps.
# STREAM=1 packs one token stream cut every 128 tokens instead (4,096 tokens a step; 2,304 steps span the script's
# tokens), as the first cross-check did. STEPS stops earlier (the schedule still spans the whole; a killed run resumes).
# Dev: the script's 2,000 held-out texts, scored 12 times over the schedule.
# PRECISION defaults to fp32, the script's arithmetic (training's own default, auto, is bf16 on this machine).
# Speed is this invocation's wall clock (tokenising, dev checks and checkpoints included), so run it whole, not resumed.
# Usage: [STREAM=1] [PRECISION=fp32] bench/mlm-crosscheck.sh [STEPS] [OUT=bench/out/mlm-crosscheck]   → OUT/compare.md
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${STREAM:-0} == 1 ]]; then total=2304; packing=(); else total=3112; packing=(--pack-whole-texts); fi
steps=${1:-$total}; out=${2:-bench/out/mlm-crosscheck}; precision=${PRECISION:-fp32}
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
mkdir -p "$out"
[ -f "$out/corpus/dev.jsonl" ] || /usr/bin/python3 bench/standin_corpus.py "$out/corpus"
start=$(date +%s)
# dotnet itself in the background (not a shell function), so that $! is the process a kill stops
dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll pretrain --objective mlm --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt \
  --train "$out/corpus/train.jsonl" --dev "$out/corpus/dev.jsonl" --block-size 128 "${packing[@]}" --batch-size-mlm 32 \
  --mlm-max-steps "$total" --lr-mlm 5e-4 --warmup-mlm 0.0964 --eps-mlm 1e-6 --weight-decay-mlm 0.01 --dropout 0 \
  --select-checks 12 --seed 41 --threads 2 --precision "$precision" --quiet --out "$out/run" &
pid=$!
# stop after STEPS optimiser steps: the log's last step line tells how far the run is
while kill -0 $pid 2>/dev/null; do
  sleep 20
  # 0 until the log exists and its last line is whole (pipefail would add a second 0 to a tail | python pipe)
  last=$(/usr/bin/python3 -c "
import json, sys
try: print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])['step'])
except Exception: print(0)" "$out/run/log.jsonl")
  if (( last >= steps && steps < total )); then kill $pid; wait $pid || true; break; fi
done
wait $pid 2>/dev/null || true
echo "wall seconds: $(( $(date +%s) - start ))" > "$out/wall.txt"
/usr/bin/python3 - "$out/run/log.jsonl" ../shared/models/bert-mini-standin/log.jsonl "$out/wall.txt" "${STREAM:-0}" "$precision" > "$out/compare.md" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = [r for r in ours if r.get("phase") == "mlm"]
ref = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
wall = float(open(sys.argv[3]).read().split(":")[1])
STREAM = sys.argv[4] == "1"
PRECISION = sys.argv[5]
# tokens a step: full blocks when streaming; with whole texts, the script's own average (the same packing)
TOK = 32 * 128 if STREAM else ref[-1]["tokens"] / ref[-1]["step"]

def interp(points, x):
    """Linear interpolation of (tokens, value) points at x; None outside."""
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return None

ref_train = [(r["tokens"], r["loss"]) for r in ref]
ref_dev = [(r["tokens"], r["dev_loss"]) for r in ref if "dev_loss" in r]
print("Dev MLM loss (2,000 held-out texts, fixed masks) at equal tokens; the script's dev checks every 500 steps, "
      "interpolated linearly between them:\n")
print("| PhaseTune step | tokens (M) | PhaseTune dev loss | script dev loss at these tokens |")
print("|---|---|---|---|")
for r in ours:
    if "dev_score" in r:
        t = r["step"] * TOK
        y = interp(ref_dev, t)
        print(f"| {r['step']} | {t / 1e6:.2f} | {-r['dev_score']:.3f} | {'–' if y is None else f'{y:.3f}'} |")
# training loss: PhaseTune logs the step's loss every 10 steps, the script a 50-step mean; compare 500k-token windows
print("\nTraining loss, mean over windows of 0.5 M tokens (PhaseTune: its logged steps in the window; the script: its "
      "50-step means whose end falls in the window):\n")
print("| tokens (M) | PhaseTune | script |")
print("|---|---|---|")
end = ours[-1]["step"] * TOK
w = 500_000
for lo in range(0, int(end), w):
    a = [r["loss"] for r in ours if "loss" in r and lo < r["step"] * TOK <= lo + w]
    b = [r["loss"] for r in ref if lo < r["tokens"] <= lo + w]
    if a and b:
        print(f"| {lo / 1e6:.1f}–{(lo + w) / 1e6:.1f} | {sum(a) / len(a):.3f} | {sum(b) / len(b):.3f} |")
steps = ours[-1]["step"]
ref_rate = ref[-1]["tokens"] / ref[-1]["seconds"]
print(f"\nSpeed ({PRECISION}): PhaseTune {steps} steps × {TOK:.0f} tokens in {wall:.0f} s wall (dev checks and checkpoints included) = "
      f"{steps * TOK / wall:.0f} tokens/s; the script {ref[-1]['tokens']} tokens in {ref[-1]['seconds']} s = {ref_rate:.0f} tokens/s "
      f"(its log's own clock) → {steps * TOK / wall / ref_rate:.2f}×.")
PY
cat "$out/compare.md"
