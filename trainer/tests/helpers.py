"""Shared helpers: small seeded models, a tiny tensor cache writer and a base training config."""
from __future__ import annotations

import copy
import json
import os
from typing import Any, Optional, Sequence

import numpy as np
import torch
from torch import nn

from gastric_trainer.cache import FORMAT as CACHE_FORMAT
from gastric_trainer.config import AugmentPolicy, ColourJitter
from gastric_trainer.model import GastricResNet50, Variant

torch.set_num_threads(1)

TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
SIZE = 64
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def seeded_model(variant: Variant = "v1.5", seed: int = 0, calibrate: bool = True) -> GastricResNet50:
    """A model with random weights and non-trivial BatchNorm affine parameters and running statistics, in eval mode
    (so a layout or naming mistake changes the outputs instead of hiding behind mean 0 / variance 1)."""
    torch.manual_seed(seed)
    model = GastricResNet50(variant)
    randomise_batchnorm(model)
    if calibrate:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None
        model.train()
        with torch.no_grad():
            model(torch.randn(2, 3, SIZE, SIZE))
    model.eval()
    return model


def policy(flip_horizontal: float = 0.0, flip_vertical: float = 0.0, rotate90: bool = False, max_degrees: float = 0.0,
           colour: Optional[ColourJitter] = None) -> AugmentPolicy:
    return AugmentPolicy(flip_horizontal, flip_vertical, rotate90, max_degrees, colour)


def write_cache(directory: str, cancer: Sequence[int], seed: int, size: int = SIZE, key: str = "test-cache") -> None:
    """A tensor cache exactly as src/training/cache/tensor-cache.ts writes it and gastric_trainer/cache.py reads it.
    Cancer images are reddish with a labelled bright square, normal images darker and unlabelled: separable."""
    rng = np.random.default_rng(seed)
    n = len(cancer)
    rgb = np.empty((n, size, size, 3), np.float32)
    masks = np.zeros((n, size, size), np.uint8)
    for i, c in enumerate(cancer):
        base = np.array([0.7, 0.3, 0.3] if c else [0.3, 0.35, 0.4], np.float32)
        rgb[i] = np.clip(base + rng.normal(0, 0.05, (size, size, 3)), 0, 1)
        if c:
            y, x = rng.integers(0, size // 2, 2)
            rgb[i, y:y + size // 2, x:x + size // 2] = [0.95, 0.6, 0.6]
            masks[i, y:y + size // 2, x:x + size // 2] = 1
    normalised = (rgb - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    os.makedirs(directory, exist_ok=True)
    normalised.astype("<f2").tofile(os.path.join(directory, "images.f16"))
    masks.tofile(os.path.join(directory, "masks.u8"))
    samples = [{"cancer": int(c), "stage": (i % 4) if c else -1} for i, c in enumerate(cancer)]
    header = {"format": CACHE_FORMAT, "key": key, "size": size, "count": n, "layout": "NHWC", "mean": list(MEAN),
              "std": list(STD), "images": "images.f16", "masks": "masks.u8", "samples": samples}
    with open(os.path.join(directory, "cache.json"), "w", encoding="utf-8") as f:
        json.dump(header, f)


BASE_CONFIG: dict[str, Any] = {
    "trainCache": "/tmp/train",
    "validationCache": "/tmp/validation",
    "out": "/tmp/out",
    "checkpointDir": "/tmp/checkpoints",
    "runKey": "run-1",
    "resume": False,
    "variant": "v1.5",
    "init": None,
    "epochs": 2,
    "batch": 8,
    "learningRate": 1e-3,
    "weightDecay": 1e-4,
    "optimizer": "adamw",
    "warmupEpochs": 0.5,
    "locationWeight": 0.5,
    "stageWeight": 0.2,
    "patience": 10,
    "seed": 3,
    "device": "cpu",
    "threads": 1,
    "augment": {"flipHorizontal": 0.5, "flipVertical": 0.5, "rotate90": True, "maxDegrees": 15,
                "colour": {"brightness": 0.2, "contrast": 0.2, "saturation": 0.2, "hueDegrees": 8}},
}


def config(**overrides: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE_CONFIG)
    raw.update(overrides)
    return raw


def randomise_batchnorm(net: nn.Module) -> None:
    """Random BatchNorm parameters and statistics, so layout or naming mistakes change the outputs."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0, 0.1)
            with torch.no_grad():
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 2.0)
