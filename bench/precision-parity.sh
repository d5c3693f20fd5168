#!/usr/bin/env bash
# Issue 18: is bf16 the same training as fp32? Seeds 1-3, fp32 and bf16 one after the other per seed:
# - snips2: the README main job (scratch:mini, dae,cl,ft, cl-aug 1, 2 fine-tuning epochs);
# - sst2's first 8,000 training rows from the pretrained stand-in (../shared/models/bert-mini-standin, the pretrained
#   preset with issue 19's fine-tuning rate 3e-4, DAE 1 epoch, CL aug 1, fine-tuning at most 3 epochs). The README
#   recipe from scratch learns nothing on sst2 (49.9 % test, one class, fp32 seed 1), which would make the comparison
#   empty; from the stand-in both precisions learn.
# Writes bench/out/precision/SET/PRECISION-sSEED/ (a finished run is kept, so a killed script resumes), then
# bench/results/precision-parity.md (test accuracy and phase seconds, paired over seeds) and
# bench/results/precision-loss.svg (every run's training loss).
# Usage: [PRECISIONS="fp32 bf16"] bench/precision-parity.sh [SETS="snips2 sst2"] [SEEDS="1 2 3"] [THREADS=2] [PHASETUNE=path/to/phasetune.dll]
# (PRECISIONS=fp32 and PRECISIONS=bf16 side by side split the runs over two processes.)
set -euo pipefail
cd "$(dirname "$0")/.."
sets=${1:-snips2 sst2}; seeds=${2:-1 2 3}; threads=${3:-2}; dll=${4:-}
if [[ -z $dll ]]; then
  dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
  dll=src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll
fi
D=../shared/datasets
for set in $sets; do
  case $set in
    snips2) data=(--data $D/snips2 --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt --ft-epochs 2) ;;
    sst2) data=(--data $D/sst2 --limit 8000 --model ../shared/models/bert-mini-standin --preset pretrained --lr-ft 3e-4 --dae-epochs 1 --ft-epochs 3) ;;
    *) echo "unknown set '$set' (snips2, sst2)" >&2; exit 2 ;;
  esac
  for seed in $seeds; do
    for p in ${PRECISIONS:-fp32 bf16}; do
      out=bench/out/precision/$set/$p-s$seed
      [[ -f $out/metrics.json ]] && continue
      echo "== $set seed $seed $p"
      /usr/bin/time -f "wall %e s" dotnet "$dll" train "${data[@]}" --phases dae,cl,ft --cl-aug 1 --seed "$seed" --threads "$threads" \
        --precision "$p" --quiet --out "$out"
    done
  done
done
mkdir -p bench/results
python3 bench/precision_summary.py bench/out/precision bench/results/precision-loss.svg > bench/results/precision-parity.md
cat bench/results/precision-parity.md
