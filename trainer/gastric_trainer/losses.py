"""The three losses: cancer (image label), stage (cancer images of staged patients only) and location (the CAM logit
of each feature-grid cell against the label polygons, so the localisation map is learned, not hoped for)."""
from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F

from .model import GastricResNet50, Outputs, cam_logits

# A cell counts as cancer when a label covers this share of it, as normal when none; partly covered cells are ignored.
CANCER_COVERAGE = 0.3


class LossParts(NamedTuple):
    total: torch.Tensor
    cancer: torch.Tensor
    stage: torch.Tensor
    location: torch.Tensor


def location_targets(masks: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """masks [N, 1, S, S] coverage in [0, 1] -> [N, h, w] targets: 1 cancer, 0 normal, -1 ignored."""
    coverage = F.adaptive_avg_pool2d(masks, grid)[:, 0]
    targets = torch.full_like(coverage, -1.0)
    targets[coverage >= CANCER_COVERAGE] = 1.0
    targets[coverage <= 1e-6] = 0.0
    return targets


def losses(model: GastricResNet50, out: Outputs, cancer: torch.Tensor, stage: torch.Tensor, masks: torch.Tensor, location_weight: float, stage_weight: float) -> LossParts:
    cancer_loss = F.cross_entropy(out.cancer_logits.float(), cancer)
    staged = stage >= 0
    stage_loss = F.cross_entropy(out.stage_logits.float()[staged], stage[staged]) if bool(staged.any()) else out.stage_logits.sum() * 0
    location_loss = out.cancer_logits.sum() * 0
    if location_weight > 0:
        logits = cam_logits(model, out.features.float())
        targets = location_targets(masks, (logits.shape[1], logits.shape[2]))
        weights = (targets >= 0).float()
        if bool(weights.sum() > 0):
            per_cell = F.binary_cross_entropy_with_logits(logits, targets.clamp(min=0), reduction="none")
            location_loss = (per_cell * weights).sum() / weights.sum()
    total = cancer_loss + stage_weight * stage_loss + location_weight * location_loss
    return LossParts(total, cancer_loss.detach(), stage_loss.detach(), location_loss.detach())
