#!/usr/bin/env bash
# Issue 11: masked-LM pre-training of a bert-mini-shaped encoder (scratch:mini) on training texts of ../shared/datasets
# (snips2 as the main set, sst2, sst5, massive_en and the agnews subset as --unlabeled text; dev/test texts are removed
# by --unlabeled), 128-token blocks, then fill-mask samples. Usage: bench/mlm-pretrain.sh OUT [epochs]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; epochs=${2:-1}
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
D=../shared/datasets
time pt pretrain --objective mlm --data $D/snips2 --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt \
  --unlabeled $D/sst2/train.jsonl $D/sst5/train.jsonl $D/massive_en/train.jsonl $D/agnews/train_subset.jsonl \
  --block-size 128 --batch-size-mlm 32 --epochs "$epochs" --lr 5e-4 --threads 2 --quiet --out "$out"
printf '%s\n' "play the [MASK] album by adele" "will it [MASK] in boston tomorrow" "book a table for two at an italian [MASK]" \
  "this movie was [MASK] and boring" "the [MASK] won the football match" > "$out/fill-mask-in.txt"
pt fill-mask --model "$out/model" --input "$out/fill-mask-in.txt" --output "$out/fill-mask.jsonl" --top-k 5
