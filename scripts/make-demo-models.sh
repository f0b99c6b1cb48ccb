#!/usr/bin/env bash
# Makes the three demo models in models/ from synthetic data, and their evaluation reports, exactly as committed.
# Synthetic data: the models are demos, NOT FOR CLINICAL USE. The whole ResNet50 is trained by PyTorch from random
# weights; on the project's 2-core CPU this takes about 2 hours (ES ~35 min, CT ~45 min, PT ~20 min, synthesis and
# evaluation ~20 min). Runs may be interrupted and continued with the same command (each train resumes from its
# checkpoint when --resume is added). Usage: scripts/make-demo-models.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-.demo/models-work}
G="node bin/gastric-ai.js"
mkdir -p "$W"

# Training data: 400 endoscopy patients (3,200 JPEG stills); 300 CT + PET-CT patients (4,800 slices each).
# Evaluation: a fresh set of 60 patients with another seed (never seen in training).
[ -d "$W/es-train" ] || $G synth --out "$W/es-train" --patients 400 --seed 100 --modalities ES --jpeg
[ -d "$W/ctpt-train" ] || $G synth --out "$W/ctpt-train" --patients 300 --seed 300 --modalities CT,PT
[ -d "$W/eval" ] || $G synth --out "$W/eval" --patients 60 --seed 202 --jpeg

# Trained into the work folder (checkpoints and tensor caches stay there), then the package files are copied.
$G train --data "$W/es-train" --modality ES --out "$W/es-demo-112" --id es-demo --size 112 --epochs 12 --batch 32 --lr 0.001 --warmup 1 --patience 4 --seed 1
# Then two epochs at 224 px from those weights: a 7x7 activation map (4x4 at 112) points inside the lesion (pointing 80 % -> 99 %).
$G train --data "$W/es-train" --modality ES --out "$W/es-demo" --id es-demo --size 224 --init "$W/es-demo-112" --epochs 2 --batch 32 --lr 0.0003 --warmup 0.3 --patience 3 --location-weight 2 --seed 1
# Not committed (image AUROC 0.81-0.82, docs/models.md): 144 px from random weights, or 192 px from pt-demo's weights
# ($G train --data CT-ONLY-SET --modality CT --out "$W/ct-demo" --id ct-demo --size 192 --init models/pt-demo --epochs 4 --batch 32 --lr 0.0005 --warmup 0.5 --patience 3 --seed 1)
# $G train --data "$W/ctpt-train" --modality CT --out "$W/ct-demo" --id ct-demo --size 144 --epochs 8 --batch 32 --lr 0.001 --warmup 1 --patience 3 --seed 1
$G train --data "$W/ctpt-train" --modality PT --out "$W/pt-demo" --id pt-demo --size 96 --epochs 5 --batch 32 --lr 0.001 --warmup 1 --patience 3 --seed 1

for m in es pt; do  # ct: not committed yet (docs/models.md)
  mkdir -p "models/$m-demo"
  rm -f models/$m-demo/group1-shard*.bin
  cp "$W/$m-demo"/{manifest.json,model.json,training-history.json} "$W/$m-demo"/group1-shard*.bin "models/$m-demo/"
  $G evaluate --model "models/$m-demo" --data "$W/eval" --split all --json "models/$m-demo/evaluation/evaluation.json" --report "models/$m-demo/evaluation" --record
done
