"""ResNet50 with the two gastric heads, in the two layouts our TF.js builder (src/inference/model/resnet50.ts) knows.

- ``v1.5``: torchvision's ResNet50 (the stride-2 of a stage on the first block's 3x3 conv). What we train from scratch
  and what torchvision / ImageNet ``.pth`` state dicts fit.
- ``v1``: keras.applications.ResNet50 (the stride-2 on the first block's first 1x1 conv). What Keras weights fit.

BatchNorm epsilon is Keras' 1.001e-5 in both, so PyTorch, TF.js and ONNX compute the same numbers.
"""
from __future__ import annotations

from typing import Literal, NamedTuple

import torch
from torch import nn
from torchvision.models import resnet50

Variant = Literal["v1", "v1.5"]
VARIANTS: tuple[Variant, ...] = ("v1", "v1.5")
BN_EPSILON = 1.001e-5
CANCER_CLASSES = 2
STAGE_CLASSES = 4
FEATURE_CHANNELS = 2048


class Outputs(NamedTuple):
    cancer_logits: torch.Tensor  # [N, 2]
    stage_logits: torch.Tensor  # [N, 4]
    features: torch.Tensor  # [N, 2048, S/32, S/32], conv5_block3_out


class GastricResNet50(nn.Module):
    def __init__(self, variant: Variant = "v1.5") -> None:
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown ResNet50 variant {variant!r} (expected one of {', '.join(VARIANTS)})")
        self.variant: Variant = variant
        net = resnet50(weights=None)
        if variant == "v1":
            for layer in (net.layer2, net.layer3, net.layer4):
                first = layer[0]
                first.conv1.stride = first.conv2.stride
                first.conv2.stride = (1, 1)
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eps = BN_EPSILON
        self.conv1, self.bn1, self.relu, self.maxpool = net.conv1, net.bn1, net.relu, net.maxpool
        self.layer1, self.layer2, self.layer3, self.layer4 = net.layer1, net.layer2, net.layer3, net.layer4
        self.cancer = nn.Linear(FEATURE_CHANNELS, CANCER_CLASSES)
        self.stage = nn.Linear(FEATURE_CHANNELS, STAGE_CLASSES)

    def forward(self, x: torch.Tensor) -> Outputs:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        features = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        pooled = features.mean(dim=(2, 3))
        return Outputs(self.cancer(pooled), self.stage(pooled), features)


def cam_logits(model: GastricResNet50, features: torch.Tensor) -> torch.Tensor:
    """Per-location cancer logit [N, H, W]: the cancer head applied at each location (src/inference/cam.ts)."""
    w = model.cancer.weight[1] - model.cancer.weight[0]
    b = model.cancer.bias[1] - model.cancer.bias[0]
    return torch.einsum("nchw,c->nhw", features, w) + b
