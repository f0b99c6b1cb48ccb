"""A reference for the parity test (test/unit/torch-parity.test.ts): a seeded model whose BatchNorm statistics come
from data (so eval-mode activations are in range), its weights in the exchange format, one input and PyTorch's outputs
(cancer and stage softmax, features NHWC) as float32 files."""
from __future__ import annotations

import json
import os

import numpy as np
import torch
from torch import nn

from .exchange import WeightsFile, write_weights
from .keras_names import to_keras
from .model import GastricResNet50, Variant


def make_reference(out: str, size: int, variant: Variant, seed: int) -> None:
    torch.manual_seed(seed)
    model = GastricResNet50(variant)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0, 0.1)
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(4, 3, size, size))
    model.eval()
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        out_ = model(x)
    os.makedirs(out, exist_ok=True)
    write_weights(out, WeightsFile(variant, to_keras(model)))
    arrays = {
        "input": x.permute(0, 2, 3, 1),
        "cancer": torch.softmax(out_.cancer_logits, 1),
        "stage": torch.softmax(out_.stage_logits, 1),
        "features": out_.features.permute(0, 2, 3, 1),
    }
    shapes = {}
    for name, t in arrays.items():
        a = np.ascontiguousarray(t.numpy(), dtype="<f4")
        a.tofile(os.path.join(out, f"{name}.f32"))
        shapes[name] = list(a.shape)
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"size": size, "variant": variant, "seed": seed, "shapes": shapes}, f)
