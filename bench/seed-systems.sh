#!/usr/bin/env bash
# The issue-4 benchmarks at a 2-core scale (not tests):
#  (a) multi-task SST-5 / Quora / STS-B with scratch:mini: vanilla (each task in turn: training_order round_robin),
#      interleaved batches, MT-DNN, MT-DNN+PCGrad,
#      MT-DNN after SimCSE pre-training; 1 epoch on a seeded 2,000-example sample of each task's splits.
#  (b) MASSIVE intents with scratch:mini: fine-tune, +LLRD, +warmup, +both, SupCon→classifier, SimCLR→classifier;
#      a seeded stratified sample of 4,000 training examples, full dev and test.
# Usage: bench/seed-systems.sh [threads]   → bench/out/seed2/*/metrics.json, bench/out/seed3/*/metrics.json
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
shared=$(cd ../shared && pwd)
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
mkdir -p bench/out/seed2/configs bench/out/seed3
base=bench/out/seed2/configs/base.toml
sed -e "s|\.\./\.\./shared|$shared|g" -e "s|^epochs = .*|epochs = 1|" -e "s|^max_length = .*|max_length = 64|" \
    -e "s|^seed = .*|seed = 1\nthreads = $threads|" examples/multitask-sst5-quora-stsb.toml > "$base"
variant() { # name training_order pcgrad pretrain
  sed -e "s|^training_order = .*|training_order = \"$2\"|" -e "s|^pcgrad = .*|pcgrad = $3|" -e "s|^pretrain = .*|pretrain = \"$4\"|" "$base" > bench/out/seed2/configs/$1.toml
  pt multitask --config bench/out/seed2/configs/$1.toml --out bench/out/seed2/$1 --limit-per-task 2000 --quiet | tail -n 4
}
variant vanilla round_robin false none
variant round-robin interleaved false none
variant mtdnn mtdnn false none
variant mtdnn-pcgrad mtdnn true none
variant simcse-mtdnn mtdnn false simcse

common=(--data ../shared/datasets/massive_en --sample 4000 --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt
        --ft-epochs 5 --patience 5 --lr-ft 1e-3 --lr-head 1e-3 --batch-size 32 --max-length 48 --threads "$threads" --seed 1 --quiet)
pt train "${common[@]}" --phases ft --warmup-ratio 0 --out bench/out/seed3/finetune | head -n 1
pt train "${common[@]}" --phases ft --warmup-ratio 0 --llrd 0.8 --out bench/out/seed3/llrd | head -n 1
pt train "${common[@]}" --phases ft --warmup-ratio 0.1 --out bench/out/seed3/warmup | head -n 1
pt train "${common[@]}" --phases ft --warmup-ratio 0.1 --llrd 0.8 --out bench/out/seed3/llrd-warmup | head -n 1
pt train "${common[@]}" --phases supcon,ft --freeze-encoder --warmup-ratio 0.1 --out bench/out/seed3/supcon-classifier | head -n 1
pt train "${common[@]}" --phases simclr,ft --freeze-encoder --warmup-ratio 0.1 --out bench/out/seed3/simclr-classifier | head -n 1
