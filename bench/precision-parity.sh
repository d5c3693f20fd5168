#!/usr/bin/env bash
# Issue 18: is bf16 the same training as fp32? The README main job (snips2; scratch:mini, dae,cl,ft, cl-aug 1,
# 2 fine-tuning epochs) and the same recipe on sst2's first 8,000 training rows, seeds 1-3, fp32 and bf16 one after
# the other per seed. Writes bench/out/precision/SET/PRECISION-sSEED/ (a finished run is kept, so a killed script
# resumes), then bench/results/precision-parity.md (test accuracy and phase seconds, paired over seeds) and
# bench/results/precision-loss.svg (every run's training loss).
# Usage: bench/precision-parity.sh [SETS="snips2 sst2"] [SEEDS="1 2 3"] [THREADS=2] [PHASETUNE=path/to/phasetune.dll]
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
    snips2) data=(--data $D/snips2) ;;
    sst2) data=(--data $D/sst2 --limit 8000) ;;
    *) echo "unknown set '$set' (snips2, sst2)" >&2; exit 2 ;;
  esac
  for seed in $seeds; do
    for p in fp32 bf16; do
      out=bench/out/precision/$set/$p-s$seed
      [[ -f $out/metrics.json ]] && continue
      echo "== $set seed $seed $p"
      /usr/bin/time -f "wall %e s" dotnet "$dll" train "${data[@]}" --model scratch:mini --vocab ../shared/models/bert-base-uncased/vocab.txt \
        --phases dae,cl,ft --cl-aug 1 --ft-epochs 2 --seed "$seed" --threads "$threads" --precision "$p" --quiet --out "$out"
    done
  done
done
mkdir -p bench/results
python3 bench/precision_summary.py bench/out/precision bench/results/precision-loss.svg > bench/results/precision-parity.md
cat bench/results/precision-parity.md
