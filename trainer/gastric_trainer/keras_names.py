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


def _tensor(tensors: KerasTensors, name: str) -> np.ndarray:
    value = tensors.get(name)
    if value is None:
        raise ValueError(f"the weights have no {name} (Keras ResNet50 layer names expected)")
    return np.asarray(value, np.float32)


def _copy(target: torch.Tensor, value: np.ndarray, name: str, to_torch: tuple[int, ...] | None = None) -> None:
    """Copies a Keras-layout value; ``to_torch`` is the transpose to the PyTorch layout. Shapes are checked (and named
    in the error) in the Keras layout, the one the file has."""
    expected = list(target.shape)
    if to_torch is not None:
        keras_shape = [0] * len(to_torch)
        for axis, source in enumerate(to_torch):
            keras_shape[source] = expected[axis]
        expected = keras_shape
    if list(value.shape) != expected:
        raise ValueError(f"weight {name} has shape {list(value.shape)}, the model expects {expected}")
    if to_torch is not None:
        value = np.transpose(value, to_torch)
    with torch.no_grad():
        target.copy_(torch.from_numpy(np.ascontiguousarray(value, np.float32)))


def from_keras(model: GastricResNet50, tensors: KerasTensors, heads: bool = True) -> int:
    """Loads Keras-named tensors into the model; returns how many layers were set. The trunk must be complete."""
    layers = 0
    for name, conv, bn in _conv_bn_pairs(model):
        _copy(conv.weight, _tensor(tensors, f"{name}_conv/kernel"), f"{name}_conv/kernel", (3, 2, 0, 1))
        bias = np.asarray(tensors.get(f"{name}_conv/bias", np.zeros(conv.out_channels, np.float32)), np.float32)
        if list(bias.shape) != [conv.out_channels]:
            raise ValueError(f"weight {name}_conv/bias has shape {list(bias.shape)}, the model expects {[conv.out_channels]}")
        _copy(bn.weight, _tensor(tensors, f"{name}_bn/gamma"), f"{name}_bn/gamma")
        _copy(bn.bias, _tensor(tensors, f"{name}_bn/beta"), f"{name}_bn/beta")
        mean = _tensor(tensors, f"{name}_bn/moving_mean")
        _copy(bn.running_mean, mean - bias if mean.shape == bias.shape else mean, f"{name}_bn/moving_mean")
        _copy(bn.running_var, _tensor(tensors, f"{name}_bn/moving_variance"), f"{name}_bn/moving_variance")
        layers += 2
    if heads:
        for head in ("cancer", "stage"):
            if f"{head}/kernel" not in tensors:
                continue  # e.g. ImageNet weights: the heads start fresh
            linear: nn.Linear = getattr(model, head)
            _copy(linear.weight, _tensor(tensors, f"{head}/kernel"), f"{head}/kernel", (1, 0))
            _copy(linear.bias, _tensor(tensors, f"{head}/bias"), f"{head}/bias")
            layers += 1
    return layers
