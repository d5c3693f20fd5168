#!/usr/bin/env bash
# Issue 17: embed and predict stream their input. Peak RSS of `embed` (tiny-bert fixture) and `predict` (a scratch:tiny
# classifier trained here in seconds) on 100,000 and on 1,000,000 input lines (snips2 texts, cycled): flat memory
# means the two peaks are close. Usage: bench/stream-memory.sh [big=1000000] → bench/results/stream-memory.md
set -euo pipefail
cd "$(dirname "$0")/.."
big=${1:-1000000}
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$work" "$big" <<'PY'
import json, sys, itertools
work, big = sys.argv[1], int(sys.argv[2])
texts = [json.loads(l)["text"] for l in open("../shared/datasets/snips2/train.jsonl")]
for n in (100000, big):
    with open(f"{work}/in-{n}.txt", "w") as f:
        for t in itertools.islice(itertools.cycle(texts), n): f.write(t + "\n")
PY
pt train --data ../shared/datasets/snips2 --limit 200 --model scratch:tiny --vocab ../shared/models/bert-base-uncased/vocab.txt \
  --phases ft --ft-epochs 1 --out "$work/clf" --quiet > /dev/null
peak() { /usr/bin/time -f "%M %e" -o "$work/time" "$@" > /dev/null 2>&1; cat "$work/time"; }
out=bench/results/stream-memory.md
{
  echo "| command | lines | peak RSS (MB) | seconds |"
  echo "|---|---|---|---|"
  for n in 100000 "$big"; do
    read -r kb s < <(peak dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll embed --model ../shared/models/fixtures/tiny-bert \
      --input "$work/in-$n.txt" --output "$work/emb.jsonl")
    echo "| embed (tiny-bert) | $n | $((kb / 1024)) | $s |"
    read -r kb s < <(peak dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll predict --model "$work/clf/model" \
      --input "$work/in-$n.txt" --output "$work/pred.jsonl")
    echo "| predict (scratch:tiny classifier) | $n | $((kb / 1024)) | $s |"
  done
} | tee "$out"
