#!/usr/bin/env bash
# Issue 13: every export passes the ONNX checker (python3-onnx's onnx.checker, full_check: schema and shape
# inference), and int8 keeps a classifier's accuracy. The suite checks outputs through OnnxRuntime only; the Python
# checker stays here, as python3-onnx is no dependency of the build or the tests (apt-get install -y python3-onnx).
# Exports the fixtures tiny-bert, tiny-roberta and tiny-bert-st, and CLASSIFIER when given (a trained DIR/model), as
# float and int8. With CLASSIFIER and DATA (a labelled file or folder), evaluates the saved model (TorchSharp) and its
# two exports (OnnxRuntime) on DATA and counts the texts whose label int8 changes.
# Usage: bench/onnx-check.sh [CLASSIFIER DATA]   → bench/results/onnx-check.md
set -euo pipefail
cd "$(dirname "$0")/.."
classifier=${1:-}; data=${2:-}
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
pt() { dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll "$@"; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
F=../shared/models/fixtures
sources=("$F/tiny-bert" "$F/tiny-roberta" "$F/tiny-bert-st"); [[ -n $classifier ]] && sources+=("$classifier")
exports=()
for src in "${sources[@]}"; do
  for q in none int8; do
    out="$work/$(basename "$(dirname "$src")")-$(basename "$src")-$q"
    pt export --model "$src" --out "$out" --quantize "$q" >/dev/null
    exports+=("$out/model.onnx")
  done
done
{
  echo "ONNX checker (python3-onnx $(/usr/bin/python3 -c 'import onnx; print(onnx.__version__)'), full_check):"
  echo
  /usr/bin/python3 - "${exports[@]}" <<'PY'
import os, sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"- {os.path.basename(os.path.dirname(path))}: passes (opset {m.opset_import[0].version}, IR {m.ir_version}, "
          f"{os.path.getsize(path) / 2**20:.1f} MiB, ops: {', '.join(ops)})")
PY
  if [[ -n $classifier && -n $data ]]; then
    f32="$work/$(basename "$(dirname "$classifier")")-$(basename "$classifier")-none"
    i8="$work/$(basename "$(dirname "$classifier")")-$(basename "$classifier")-int8"
    echo
    echo "Accuracy of $classifier on $data:"
    echo
    echo "| runtime | accuracy | macro F1 |"
    echo "|---|---|---|"
    for m in "$classifier" "$f32" "$i8"; do
      name=torchsharp; [[ $m == "$f32" ]] && name="onnx float"; [[ $m == "$i8" ]] && name="onnx int8"
      pt eval --model "$m" --data "$data" | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin); print(f'| $name | {100*m[\"accuracy\"]:.2f} | {100*m[\"macro_f1\"]:.2f} |')"
    done
    texts="$work/texts.txt"
    /usr/bin/python3 -c "
import gzip, json, os, sys
p = sys.argv[1]
if os.path.isdir(p): p = next(os.path.join(p, f) for f in ('test.jsonl', 'test.jsonl.gz', 'dev.jsonl') if os.path.exists(os.path.join(p, f)))
with (gzip.open if p.endswith('.gz') else open)(p, 'rt') as f:
    for l in f: print(json.loads(l)['text'].replace('\n', ' '))" "$data" > "$texts"
    pt predict --model "$f32" --input "$texts" --output "$work/f32.jsonl" 2>/dev/null
    pt predict --model "$i8" --input "$texts" --output "$work/i8.jsonl" 2>/dev/null
    /usr/bin/python3 - "$work/f32.jsonl" "$work/i8.jsonl" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]; b = [json.loads(l) for l in open(sys.argv[2])]
changed = sum(x["label"] != y["label"] for x, y in zip(a, b))
worst = max(abs(x["scores"][k] - y["scores"][k]) for x, y in zip(a, b) for k in x["scores"])
print(f"\nint8 vs float export: {changed} of {len(a)} labels differ; largest probability change {worst:.4f}")
PY
  fi
} | tee bench/results/onnx-check.md
