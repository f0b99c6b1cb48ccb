"""Reads the tensor cache written by src/training/cache/tensor-cache.ts:
``cache.json`` (header), ``images.f16`` (N x S x S x 3 float16, NHWC, normalised as served) and ``masks.u8``
(N x S x S, 1 inside a cancer label polygon after the serving crop)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import torch

FORMAT = "gastric-ai-node/tensor-cache/v1"


@dataclass
class TensorCache:
    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    images: torch.Tensor  # [N, 3, S, S] float16, channels_last memory
    masks: torch.Tensor  # [N, 1, S, S] uint8
    cancer: torch.Tensor  # [N] int64, 0/1
    stage: torch.Tensor  # [N] int64, 0-3 or -1 (no stage loss)

    def __len__(self) -> int:
        return int(self.cancer.shape[0])


def read_cache(directory: str) -> TensorCache:
    header_path = os.path.join(directory, "cache.json")
    with open(header_path, encoding="utf-8") as f:
        header = json.load(f)
    if header.get("format") != FORMAT:
        raise ValueError(f"{header_path}: not a {FORMAT} header")
    n, s = int(header["count"]), int(header["size"])
    if n == 0:
        raise ValueError(f"{header_path}: the cache holds no images")
    images = np.fromfile(os.path.join(directory, header["images"]), dtype="<f2")
    masks = np.fromfile(os.path.join(directory, header["masks"]), dtype=np.uint8)
    if images.size != n * s * s * 3 or masks.size != n * s * s:
        raise ValueError(f"{directory}: image or mask data do not match {n} images of {s} px (a cache left half-written?)")
    samples = header["samples"]
    if len(samples) != n:
        raise ValueError(f"{header_path}: {len(samples)} samples for {n} images")
    # NHWC bytes viewed as NCHW: exactly PyTorch's channels_last layout, no copy.
    nhwc = torch.from_numpy(images.reshape(n, s, s, 3))
    return TensorCache(
        size=s,
        mean=tuple(header["mean"]),
        std=tuple(header["std"]),
        images=nhwc.permute(0, 3, 1, 2),
        masks=torch.from_numpy(masks.reshape(n, 1, s, s)),
        cancer=torch.tensor([int(x["cancer"]) for x in samples], dtype=torch.int64),
        stage=torch.tensor([int(x["stage"]) for x in samples], dtype=torch.int64),
    )
