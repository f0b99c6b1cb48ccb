"""Initial weights: a torchvision ResNet50 state_dict (.pth, e.g. ImageNet weights a hospital brings) or a weights
exchange folder (Keras-named, written by the TypeScript side from a TF.js / Keras ResNet50 or one of our packages)."""
from __future__ import annotations

from typing import Any

import torch

from .config import InitWeights
from .exchange import read_weights
from .keras_names import from_keras
from .model import GastricResNet50

IGNORED_PREFIXES = ("fc.",)  # torchvision's ImageNet classifier


def _state_dict(raw: Any, path: str) -> dict[str, torch.Tensor]:
    for key in ("state_dict", "model"):
        if isinstance(raw, dict) and key in raw and isinstance(raw[key], dict):
            raw = raw[key]
    if not isinstance(raw, dict) or not all(isinstance(v, torch.Tensor) for v in raw.values()):
        raise ValueError(f"--init {path}: not a state_dict of tensors")
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in raw.items()}


def load_torchvision(model: GastricResNet50, path: str) -> str:
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # pickle errors, truncated files, code objects refused by weights_only
        raise ValueError(f"--init {path}: cannot read it as a PyTorch state_dict ({type(e).__name__}: {e})") from e
    state = {k: v for k, v in _state_dict(raw, path).items() if not k.startswith(IGNORED_PREFIXES)}
    own = model.state_dict()
    wrong = [f"{k} {list(v.shape)} (expected {list(own[k].shape)})" for k, v in state.items() if k in own and own[k].shape != v.shape]
    if wrong:
        raise ValueError(f"--init {path}: shapes differ from ResNet50: {', '.join(wrong[:3])}")
    unknown = [k for k in state if k not in own]
    if unknown:
        raise ValueError(f"--init {path}: not a torchvision ResNet50 state_dict (unexpected {', '.join(unknown[:3])})")
    missing = [k for k in own if k not in state and not k.startswith(("cancer.", "stage."))]
    if missing:
        raise ValueError(f"--init {path}: the state_dict lacks {len(missing)} ResNet50 tensors, e.g. {missing[0]}")
    model.load_state_dict(state, strict=False)
    heads = "with its heads" if "cancer.weight" in state else "heads fresh"
    return f"torchvision state_dict {path} ({len(state)} tensors, {heads})"


def apply_init(model: GastricResNet50, init: InitWeights) -> str:
    if init.kind == "torchvision":
        return load_torchvision(model, init.path)
    weights = read_weights(init.path)
    if weights.variant != model.variant:
        raise ValueError(f"--init {init.path}: weights of ResNet50 {weights.variant}, the model is {model.variant}")
    layers = from_keras(model, weights.tensors)
    return f"{layers} Keras-named layers from {init.path}"
