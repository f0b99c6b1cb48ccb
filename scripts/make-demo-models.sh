#!/usr/bin/env bash
# Makes the three demo models in models/ from synthetic data, and their evaluation reports, exactly as committed.
# Synthetic data: the models are demos, NOT FOR CLINICAL USE. On the project's 2-core CPU this takes about 2.5 hours
# (ES: ~20 min of feature caching and ~10 min per epoch; PT: ~20 min). Usage: scripts/make-demo-models.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-.demo/models-work}
G="node bin/gastric-ai.js"
mkdir -p "$W"

# Training data: 500 endoscopy patients; 60 CT + PET-CT patients. Evaluation: a fresh set (another seed).
[ -d "$W/es-train" ] || $G synth --out "$W/es-train" --patients 500 --seed 100 --modalities ES --jpeg
[ -d "$W/ctpt-train" ] || $G synth --out "$W/ctpt-train" --patients 60 --seed 300 --modalities CT,PT
[ -d "$W/eval" ] || $G synth --out "$W/eval" --patients 20 --seed 200 --jpeg

$G train --data "$W/es-train" --modality ES --out models/es-demo --id es-demo --size 224 --trainable block --epochs 6 --patience 2 --augment-copies 2 --seed 1
# No CT model: this recipe stays at chance on synthetic CT (docs/models.md, "Demo models"). The attempt was:
#   $G train --data "$W/ctpt-train" --modality CT --out models/ct-demo --id ct-demo --size 224 --trainable block --epochs 3 --patience 2 --augment-copies 1 --seed 1
$G train --data "$W/ctpt-train" --modality PT --out models/pt-demo --id pt-demo --size 224 --trainable block --epochs 3 --patience 2 --augment-copies 1 --seed 1

for m in es pt; do
  $G evaluate --model "models/$m-demo" --data "$W/eval" --split all --json "models/$m-demo/evaluation/evaluation.json" --report "models/$m-demo/evaluation" --record
done
