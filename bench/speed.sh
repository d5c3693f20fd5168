#!/usr/bin/env bash
# Issue 5: PhaseTune vs the PyTorch peer (../shared/bench/torch_peer.py) side by side, alternating, on the same
# workload (MiniLM-L12 shape, batch 32, the token lengths of snips2's training set, 2 threads).
# Needs the peer's PyTorch: apt-get install -y python3-torch libopenblas0-pthread.
# Encoding is also timed through the ONNX export (issue 13): PhaseTune.Inference on the float graph with length-sorted
# calls, the same graph with each batch as one padded call (a plain OnnxRuntime run), and the int8 graph.
# TorchSharp training and encoding also run with --precision bf16 (issue 18) beside fp32, and "precision" times the DAE
# phase's step as well (`bench train --objective dae`: encoder, tied decoder, 30,522-way projection; no peer).
# Usage: bench/speed.sh [rounds] [all|encode|precision]   → bench/results/speed.jsonl (every run) and
# bench/results/speed.md (medians); "encode" runs the encoding scenarios only, into bench/results/speed-encode.{jsonl,md};
# "precision" only the peer, fp32 and bf16 on the snips2 workload, into bench/results/speed-precision.{jsonl,md}.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; what=${2:-all}
[[ $what == all || $what == encode || $what == precision ]] || { echo "usage: bench/speed.sh [rounds] [all|encode|precision]" >&2; exit 2; }
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
peer() { /usr/bin/python3 ../shared/bench/torch_peer.py "$@"; }
mkdir -p bench/out bench/results
cfg=../shared/models/all-MiniLM-L12-v2/config.json
snips=bench/out/snips2-lengths.txt
pt lengths --data ../shared/datasets/snips2/train.jsonl --model ../shared/models/all-MiniLM-L12-v2 > "$snips"
seq128=bench/out/seq128-lengths.txt
for i in $(seq 256); do echo 128; done > "$seq128"
name=speed; [[ $what != all ]] && name=speed-$what
out=bench/results/$name.jsonl
: > "$out"
run() { # scenario impl args...
  local scenario=$1 impl=$2; shift 2
  local line
  if [[ $impl == peer ]]; then line=$(peer "$@"); else line=$(pt bench "$@"); fi
  echo "{\"scenario\":\"$scenario\",\"result\":$line}" | tee -a "$out"
}
common=(--config "$cfg" --batch 32 --threads 2)
for r in $(seq "$rounds"); do
  if [[ $what == precision ]]; then
    run encode peer "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --inference
    run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2
    run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --precision bf16
    run train peer "${common[@]}" --lengths "$snips" --steps 20 --warmup 2
    run train phasetune train "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --profile
    run train phasetune train "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --profile --precision bf16
    run train-dae phasetune train "${common[@]}" --lengths "$snips" --steps 10 --warmup 2 --profile --objective dae
    run train-dae phasetune train "${common[@]}" --lengths "$snips" --steps 10 --warmup 2 --profile --objective dae --precision bf16
    continue
  fi
  run encode peer "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --inference
  run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2
  run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --precision bf16
  run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --onnx
  run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --onnx --onnx-unsorted
  run encode phasetune encode "${common[@]}" --lengths "$snips" --steps 50 --warmup 2 --onnx --quantize int8
  run encode-seq128 peer "${common[@]}" --lengths "$seq128" --steps 5 --warmup 1 --inference
  run encode-seq128 phasetune encode "${common[@]}" --lengths "$seq128" --steps 5 --warmup 1
  run encode-seq128 phasetune encode "${common[@]}" --lengths "$seq128" --steps 5 --warmup 1 --precision bf16
  run encode-seq128 phasetune encode "${common[@]}" --lengths "$seq128" --steps 5 --warmup 1 --onnx
  run encode-seq128 phasetune encode "${common[@]}" --lengths "$seq128" --steps 5 --warmup 1 --onnx --quantize int8
  [[ $what == encode ]] && continue
  run train peer "${common[@]}" --lengths "$snips" --steps 20 --warmup 2
  run train phasetune train "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --profile
  run train phasetune train "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --profile --precision bf16
  run train-group-by-length peer "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --group-by-length
  run train-group-by-length phasetune train "${common[@]}" --lengths "$snips" --steps 20 --warmup 2 --group-by-length
  run train-seq128 peer "${common[@]}" --lengths "$seq128" --steps 3 --warmup 1
  run train-seq128 phasetune train "${common[@]}" --lengths "$seq128" --steps 3 --warmup 1 --profile
  run train-seq128 phasetune train "${common[@]}" --lengths "$seq128" --steps 3 --warmup 1 --profile --precision bf16
done
# flat memory: RSS after step 200 (rss_mb_after_warmup) vs after step 2,000 (rss_mb) on the tiny fixture's shape
[[ $what == all ]] && run memory-tiny phasetune train --config ../shared/models/fixtures/tiny-bert/config.json --lengths "$snips" \
  --batch 32 --threads 2 --warmup 200 --steps 1800
/usr/bin/python3 bench/speed_summary.py "$out" > "bench/results/$name.md"
cat "bench/results/$name.md"
