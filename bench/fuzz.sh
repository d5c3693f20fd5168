#!/usr/bin/env bash
# The parser fuzz tests (tests/PhaseTune.Tests/Fuzzing) with many more inputs and other seeds.
# Usage: bench/fuzz.sh [inputs per parser] [seeds...]   e.g. bench/fuzz.sh 20000 2 3
set -uo pipefail
cd "$(dirname "$0")/.."
inputs=${1:-20000}; shift || true
seeds=${*:-2}
dotnet build PhaseTune.slnx -v q >/dev/null
for seed in $seeds; do
  echo "seed $seed, $inputs inputs per parser"
  PHASETUNE_FUZZ_INPUTS=$inputs PHASETUNE_FUZZ_SEED=$seed dotnet test PhaseTune.slnx --no-build --filter "FullyQualifiedName~Fuzzing" 2>&1 \
    | grep -E "Passed!|Failed!|^\s+Failed |input [0-9]+:" 
done
