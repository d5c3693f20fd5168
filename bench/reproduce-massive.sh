#!/usr/bin/env bash
# The MASSIVE report's Table 7 (and Table 8) row by row: one `phasetune train` per row from examples/massive/, then
# OUT/results.md with the report's numbers beside ours and the majority-class baseline.
# Usage: bench/reproduce-massive.sh [--scale smoke|small|full] [--out DIR] [--model M] [--threads N] [--dry-run] ...
#   smoke: seconds per row on tiny slices (scratch:tiny); small (the default): about an hour on 2 cores
#   (bert-mini-standin); full: the report's sizes (google-bert/bert-base-uncased from the Hub, or --model DIR).
# Every flag is passed to `phasetune reproduce massive` (see its --help); the default --out is runs/massive-SCALE.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
exec dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll reproduce massive "$@"
