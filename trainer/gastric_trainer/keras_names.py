"""Our model's parameters under Keras ResNet50 layer names, in Keras layouts, and back.

TF.js (and keras.applications) name a layer e.g. ``conv3_block1_2_conv``; its weights are kernel [kh, kw, in, out] and
bias for a conv, gamma/beta/moving_mean/moving_variance for a BatchNormalization, kernel [in, out] and bias for a dense
layer. torchvision's convolutions have no bias: we write zeros, and fold a Keras conv bias into the BatchNorm that
follows it when reading (BN(conv(x) + b) with mean m equals BN(conv(x)) with mean m - b).
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
import torch
from torch import nn

from .model import GastricResNet50

KerasTensors = dict[str, np.ndarray]
STAGE_BLOCKS = (3, 4, 6, 3)


def _conv_bn_pairs(model: GastricResNet50) -> Iterator[tuple[str, nn.Conv2d, nn.BatchNorm2d]]:
    yield "conv1", model.conv1, model.bn1
    for stage, (layer, blocks) in enumerate(zip((model.layer1, model.layer2, model.layer3, model.layer4), STAGE_BLOCKS), start=2):
        assert len(layer) == blocks
        for b, block in enumerate(layer, start=1):
            prefix = f"conv{stage}_block{b}"
            if block.downsample is not None:
                yield f"{prefix}_0", block.downsample[0], block.downsample[1]
            yield f"{prefix}_1", block.conv1, block.bn1
            yield f"{prefix}_2", block.conv2, block.bn2
            yield f"{prefix}_3", block.conv3, block.bn3


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float32).cpu().numpy()


def to_keras(model: GastricResNet50) -> KerasTensors:
    out: KerasTensors = {}
    for name, conv, bn in _conv_bn_pairs(model):
        out[f"{name}_conv/kernel"] = np.ascontiguousarray(_np(conv.weight).transpose(2, 3, 1, 0))
        out[f"{name}_conv/bias"] = np.zeros(conv.out_channels, np.float32)
        out[f"{name}_bn/gamma"] = _np(bn.weight)
        out[f"{name}_bn/beta"] = _np(bn.bias)
        out[f"{name}_bn/moving_mean"] = _np(bn.running_mean)
        out[f"{name}_bn/moving_variance"] = _np(bn.running_var)
    for head in ("cancer", "stage"):
        linear: nn.Linear = getattr(model, head)
        out[f"{head}/kernel"] = np.ascontiguousarray(_np(linear.weight).T)
        out[f"{head}/bias"] = _np(linear.bias)
    return out


def _copy(target: torch.Tensor, value: np.ndarray, name: str) -> None:
    if tuple(value.shape) != tuple(target.shape):
        raise ValueError(f"weight {name} has shape {list(value.shape)}, the model expects {list(target.shape)}")
    with torch.no_grad():
        target.copy_(torch.from_numpy(np.asarray(value, np.float32)))


def from_keras(model: GastricResNet50, tensors: KerasTensors, heads: bool = True) -> int:
    """Loads Keras-named tensors into the model; returns how many layers were set. The trunk must be complete."""
    layers = 0
    for name, conv, bn in _conv_bn_pairs(model):
        kernel = tensors.get(f"{name}_conv/kernel")
        if kernel is None:
            raise ValueError(f"the weights have no {name}_conv/kernel (Keras ResNet50 layer names expected)")
        _copy(conv.weight, np.transpose(kernel, (3, 2, 0, 1)), f"{name}_conv/kernel")
        bias = tensors.get(f"{name}_conv/bias", np.zeros(conv.out_channels, np.float32))
        _copy(bn.weight, tensors[f"{name}_bn/gamma"], f"{name}_bn/gamma")
        _copy(bn.bias, tensors[f"{name}_bn/beta"], f"{name}_bn/beta")
        _copy(bn.running_mean, tensors[f"{name}_bn/moving_mean"] - bias, f"{name}_bn/moving_mean")
        _copy(bn.running_var, tensors[f"{name}_bn/moving_variance"], f"{name}_bn/moving_variance")
        layers += 2
    if heads:
        for head in ("cancer", "stage"):
            if f"{head}/kernel" not in tensors:
                continue  # e.g. ImageNet weights: the heads start fresh
            linear: nn.Linear = getattr(model, head)
            _copy(linear.weight, tensors[f"{head}/kernel"].T, f"{head}/kernel")
            _copy(linear.bias, tensors[f"{head}/bias"], f"{head}/bias")
            layers += 1
    return layers
