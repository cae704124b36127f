#!/usr/bin/env bash
# Regenerates the default model shipped in models/default, reproducibly:
# fixed seeds for the training and held-out datasets, a fixed training seed,
# and SOURCE_DATE_EPOCH for the manifest's creation time. Same code, same
# bytes. Takes a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

work="${EMBERWATCH_WORK_DIR:-data/default-model}"
out="models/default"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1796601600}" # 2026-12-07T00:00:00Z

npm run build --silent
rm -rf "$work"
node bin/emberwatch.js generate --out "$work/train" --runs 600 --seed 2000 --duration 600 --thermal-hz 1
node bin/emberwatch.js features --data "$work/train"
node bin/emberwatch.js train --data "$work/train" --out "$work/model" --trials 6 --trees 120 --seed 1
node bin/emberwatch.js generate --out "$work/heldout" --runs 500 --seed 900000 --duration 600 --thermal-hz 1 \
  --mix fire=0.3,nuisance=0.62,normal=0.08
node bin/emberwatch.js evaluate --model "$work/model" --data "$work/heldout" --json > "$work/model/evaluation.json"
node bin/emberwatch.js evaluate --model "$work/model" --data "$work/heldout" --report "$work/model/evaluation.html"

rm -rf "$out"
mkdir -p "$out"
cp "$work/model/model.onnx" "$work/model/manifest.json" "$work/model/experiments.json" "$work/model/evaluation.json" "$out/"
echo "default model written to $out"
