#!/usr/bin/env bash
# Table 3 of the CS224N multi-task report, row by row (examples/cs224n, README: Reproducing the CS224N report).
# Usage: bench/reproduce-cs224n.sh [--scale smoke|small|full] [--model M] [--lr LR] [--nli FILE] [--dry-run] [--out DIR]
#   → DIR/NN/ per row, DIR/table.md (the report's numbers beside ours), DIR/table.json
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/PhaseTune.Cli -v q >/dev/null
exec dotnet src/PhaseTune.Cli/bin/Release/net10.0/phasetune.dll reproduce cs224n "$@"
