#!/usr/bin/env bash
# Fixed-seed runs of every command that trains, printing sha256 sums of every saved model file, of metrics.json /
# results.json without their seconds, and of every log.jsonl: run it on two builds (e.g. before and after a
# refactoring) and diff the outputs. Needs a Release build in REPO. Usage: bench/same-outputs.sh REPO OUT > sums.txt
set -uo pipefail
repo=$1; out=$2; rm -rf "$out"; mkdir -p "$out"
pt() { dotnet "$repo/src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll" "$@" --quiet > /dev/null; echo "exit $? $1"; }
S=$(cd "$repo/../shared" && pwd); V=$S/models/bert-base-uncased/vocab.txt
mt=$out/multitask.toml
sed "s|../shared|$S|g" "$repo/bench/same-outputs-multitask.toml" > "$mt"
common=(--data $S/datasets/snips2 --model scratch:tiny --vocab $V --limit 300 --threads 2 --seed 7 --ft-epochs 2 --cl-aug 1)
pt train "${common[@]}" --phases dae,cl,ft --out $out/t1
pt train "${common[@]}" --phases joint,ft --cl-projection linear --joint-mode alternate --out $out/t2
pt train "${common[@]}" --phases supcon,ft --freeze-encoder --out $out/t3
pt pretrain --objective simcse --data $S/datasets/snips2 --model scratch:tiny --vocab $V --limit 200 --threads 2 --seed 7 --out $out/p1
pt pretrain --objective dae --data $S/datasets/snips2 --model scratch:tiny --vocab $V --limit 200 --threads 2 --seed 7 --out $out/p2
pt pretrain --objective mnrl --data $S/datasets/snips2 --model scratch:tiny --vocab $V --limit 200 --threads 2 --seed 7 --out $out/p3
pt multitask --config "$mt" --max-steps 6 --limit-per-task 40 --out $out/m1
pt ablate "${common[@]}" --variants 3phase,ft,dae+ft --seeds 1 --out $out/a1
cd $out
find . -path "*model/*" -type f | sort | xargs sha256sum; find . -name "*.safetensors" -not -path "*model/*" | sort | xargs sha256sum
for f in $(find . -name metrics.json -o -name results.json | sort); do
  echo "$(python3 -c "
import json,sys
def strip(o):
    if isinstance(o,dict): return {k:strip(v) for k,v in o.items() if 'seconds' not in k}
    if isinstance(o,list): return [strip(v) for v in o]
    return o
print(json.dumps(strip(json.load(open('$f'))),sort_keys=True))" | sha256sum | cut -c1-64)  $f"
done
for f in $(find . -name log.jsonl | sort); do echo "$(sha256sum < $f | cut -c1-64)  $f"; done
