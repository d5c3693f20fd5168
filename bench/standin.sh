#!/usr/bin/env bash
# Issue 19 (and issue 11's MLM run): continue pre-training the shared stand-in (../shared/models/bert-mini-standin)
# with PhaseTune's own mlm objective on the corpus its script used (bench/standin_corpus.py: every shared training
# text + imdb unsup, dev/test texts removed), 128-token blocks, batch 32, 2,000 held-out texts scored 12 times as the
# dev MLM loss (dev_score in log.jsonl; the best check's weights are kept). HOURS becomes a step budget of 3,000 steps
# an hour, as measured: 4,500 steps (HOURS=1.5) ran 94 min wall on the idle 2-core machine, bf16, tokenising and dev
# checks included (one corpus epoch is about 5,700 steps). Fill-mask samples from the
# stand-in and from the result. A killed run resumes. Usage: bench/standin.sh HOURS [OUT=bench/out/standin]
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:?usage: bench/standin.sh HOURS [OUT]}; out=${2:-bench/out/standin}
steps=$(/usr/bin/python3 -c "print(max(1, round($hours * 3000)))")
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
mkdir -p "$out"
[ -f "$out/corpus/dev.jsonl" ] || /usr/bin/python3 bench/standin_corpus.py "$out/corpus"
time pt pretrain --objective mlm --model ../shared/models/bert-mini-standin --train "$out/corpus/train.jsonl" \
  --dev "$out/corpus/dev.jsonl" --block-size 128 --batch-size-mlm 32 --mlm-max-steps "$steps" --lr-mlm 2e-4 \
  --warmup-mlm 0.05 --eps-mlm 1e-6 --weight-decay-mlm 0.01 --select-checks 12 --seed 41 --threads 2 --quiet \
  --out "$out/run"
printf '%s\n' "the [MASK] was terrible and boring" "this movie was [MASK] ." "play the [MASK] album by adele" \
  "will it [MASK] in boston tomorrow" "book a table for two at an italian [MASK]" "the [MASK] won the football match" \
  "stocks fell as [MASK] prices rose" > "$out/fill-mask-in.txt"
pt fill-mask --model ../shared/models/bert-mini-standin --input "$out/fill-mask-in.txt" --output "$out/fill-mask-standin.jsonl" --top-k 5
pt fill-mask --model "$out/run/model" --input "$out/fill-mask-in.txt" --output "$out/fill-mask-continued.jsonl" --top-k 5
