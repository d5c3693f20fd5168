#!/usr/bin/env bash
# The issue-3 ablation benchmark: 7 variants x 3 seeds, scratch:mini encoder, on training subsets sized for a
# 2-core machine. Writes bench/out/<dataset>/results.{json,md}. Long (about an hour per dataset); not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=${1:?usage: bench/ablate.sh snips2|sst5 [train-limit]}
limit=${2:-2000}
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll ablate \
  --data ../shared/datasets/"$dataset" --limit "$limit" \
  --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt \
  --variants 3phase,joint,ft,dae+ft,cl+ft,noimb,extraimb --seeds 1,2,3 \
  --dae-epochs 1 --cl-aug 1 --ft-epochs 4 --patience 2 --threads 2 \
  --out bench/out/"$dataset"
