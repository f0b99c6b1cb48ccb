"""Training-time augmentation of a batch on tensors (images normalised as served, masks as coverage in [0, 1]).

Geometry moves image and mask together; colour jitter works on the un-normalised pixel values; pixels a rotation
uncovers are black (what the serving crop leaves around a field of view). The policy comes from the TypeScript
side (src/training/dataset/augment-policy.ts): every flip and quarter turn for endoscopy, small rotations for CT/PET.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .config import AugmentPolicy, ColourJitter

# RGB <-> YIQ (hue is a rotation of the I/Q plane).
_RGB_TO_YIQ = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
_YIQ_TO_RGB = torch.linalg.inv(_RGB_TO_YIQ)


def _uniform(n: int, low: float, high: float, g: torch.Generator, device: torch.device) -> torch.Tensor:
    return (torch.rand(n, generator=g) * (high - low) + low).to(device)


def _dihedral(images: torch.Tensor, masks: torch.Tensor, policy: AugmentPolicy, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    n = images.shape[0]
    flip_h = torch.rand(n, generator=g) < policy.flip_horizontal
    flip_v = torch.rand(n, generator=g) < policy.flip_vertical
    turns = torch.randint(0, 4, (n,), generator=g) if policy.rotate90 else torch.zeros(n, dtype=torch.int64)
    out_i, out_m = [], []
    for i in range(n):
        x, m = images[i], masks[i]
        if flip_h[i]:
            x, m = x.flip(-1), m.flip(-1)
        if flip_v[i]:
            x, m = x.flip(-2), m.flip(-2)
        if turns[i]:
            k = int(turns[i])
            x, m = torch.rot90(x, k, (-2, -1)), torch.rot90(m, k, (-2, -1))
        out_i.append(x)
        out_m.append(m)
    return torch.stack(out_i), torch.stack(out_m)


def _rotate(images: torch.Tensor, masks: torch.Tensor, max_degrees: float, fill: torch.Tensor, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    n = images.shape[0]
    angles = _uniform(n, -max_degrees, max_degrees, g, images.device) * (math.pi / 180)
    cos, sin = torch.cos(angles), torch.sin(angles)
    zero = torch.zeros_like(cos)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    fill = fill.view(1, 3, 1, 1)
    rotated = F.grid_sample(images - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill
    rotated_masks = F.grid_sample(masks, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return rotated, rotated_masks


def _colour(images: torch.Tensor, jitter: ColourJitter, mean: torch.Tensor, std: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    n = images.shape[0]
    device = images.device
    rgb = images * std.view(1, 3, 1, 1) + mean.view(1, 3, 1, 1)
    b = _uniform(n, 1 - jitter.brightness, 1 + jitter.brightness, g, device).view(n, 1, 1, 1)
    c = _uniform(n, 1 - jitter.contrast, 1 + jitter.contrast, g, device).view(n, 1, 1, 1)
    s = _uniform(n, 1 - jitter.saturation, 1 + jitter.saturation, g, device).view(n, 1, 1, 1)
    h = _uniform(n, -jitter.hue_degrees, jitter.hue_degrees, g, device) * (math.pi / 180)
    rgb = rgb * b
    grey = (0.299 * rgb[:, 0:1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:3])
    rgb = (rgb - grey.mean(dim=(2, 3), keepdim=True)) * c + grey.mean(dim=(2, 3), keepdim=True)
    grey = (0.299 * rgb[:, 0:1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:3])
    rgb = grey + (rgb - grey) * s
    yiq = torch.einsum("ij,njhw->nihw", _RGB_TO_YIQ.to(device), rgb)
    cos, sin = torch.cos(h).view(n, 1, 1), torch.sin(h).view(n, 1, 1)
    i, q = yiq[:, 1], yiq[:, 2]
    yiq = torch.stack([yiq[:, 0], i * cos - q * sin, i * sin + q * cos], 1)
    rgb = torch.einsum("ij,njhw->nihw", _YIQ_TO_RGB.to(device), yiq).clamp(0, 1)
    return (rgb - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)


def augment_batch(
    images: torch.Tensor,
    masks: torch.Tensor,
    policy: AugmentPolicy,
    mean: tuple[float, float, float],
    std: tuple[float, float, float],
    g: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """images [N, 3, S, S] float32, masks [N, 1, S, S] float32 in [0, 1]; the generator (CPU) makes it repeatable."""
    device = images.device
    m = torch.tensor(mean, dtype=images.dtype, device=device)
    s = torch.tensor(std, dtype=images.dtype, device=device)
    if policy.flip_horizontal > 0 or policy.flip_vertical > 0 or policy.rotate90:
        images, masks = _dihedral(images, masks, policy, g)
    if policy.max_degrees > 0:
        images, masks = _rotate(images, masks, policy.max_degrees, -m / s, g)
    if policy.colour is not None:
        images = _colour(images, policy.colour, m, s, g)
    return images.contiguous(memory_format=torch.channels_last), masks
