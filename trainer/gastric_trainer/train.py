"""The training loop: balanced batches augmented on the fly, AdamW (or SGD) with warm-up and a cosine schedule, mixed
precision on CUDA, validation AUROC each epoch for model selection and early stopping, a checkpoint every epoch."""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import torch

from .augment import augment_batch
from .cache import TensorCache, read_cache
from .config import TrainConfig
from .events import emit
from .exchange import WeightsFile, write_weights
from .init_weights import apply_init
from .keras_names import to_keras
from .losses import losses
from .metrics import auroc
from .model import GastricResNet50

LAST = "last.pt"
BEST = "best.pt"


def select_device(wanted: str) -> torch.device:
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda: PyTorch sees no CUDA device (a CPU-only PyTorch build, or no driver)")
    if wanted == "cpu" or (wanted == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    return torch.device("cuda")


def balanced_order(cancer: torch.Tensor, seed: int, epoch: int) -> torch.Tensor:
    """One epoch: every image of the larger class once and the smaller class repeated to the same count, by whole
    passes plus a random part-pass (so each minority image appears floor(M/m) or ceil(M/m) times), shuffled. Each
    epoch has its own seeded stream, so epoch k's order does not depend on the epochs before it."""
    g = torch.Generator().manual_seed(seed * 100003 + epoch)
    positives = torch.nonzero(cancer == 1).flatten()
    negatives = torch.nonzero(cancer == 0).flatten()
    if len(positives) == 0 or len(negatives) == 0:
        return torch.randperm(len(cancer), generator=g)
    major, minor = (positives, negatives) if len(positives) >= len(negatives) else (negatives, positives)
    passes, rest = divmod(len(major), len(minor))
    part = minor[torch.randperm(len(minor), generator=g)[:rest]]
    order = torch.cat([major, minor.repeat(passes), part])
    return order[torch.randperm(len(order), generator=g)]


def schedule(step: int, total: int, warmup: int) -> float:
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@dataclass
class EpochRecord:
    epoch: int
    trainLoss: float
    validationLoss: float
    trainMetric: Optional[float]
    validationMetric: Optional[float]


@dataclass
class RunState:
    epoch: int = -1  # last finished epoch (0-based)
    best_epoch: int = -1  # 1-based, as reported
    best_metric: float = -math.inf
    history: list[EpochRecord] = field(default_factory=list)


def _autocast(device: torch.device) -> Any:
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return torch.autocast("cpu", enabled=False)


def _batch(cache: TensorCache, idx: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    images = cache.images[idx].to(device=device, dtype=torch.float32, non_blocking=True)
    masks = cache.masks[idx].to(device=device, dtype=torch.float32, non_blocking=True)
    return images.contiguous(memory_format=torch.channels_last), masks


def predict(model: GastricResNet50, cache: TensorCache, config: TrainConfig, device: torch.device) -> tuple[float, list[float]]:
    model.eval()
    probs: list[float] = []
    loss_sum = 0.0
    with torch.no_grad():
        for start in range(0, len(cache), config.batch * 2):
            idx = torch.arange(start, min(len(cache), start + config.batch * 2))
            images, masks = _batch(cache, idx, device)
            with _autocast(device):
                out = model(images)
            parts = losses(model, out, cache.cancer[idx].to(device), cache.stage[idx].to(device), masks, config.location_weight, config.stage_weight)
            loss_sum += float(parts.total) * len(idx)
            probs.extend(torch.softmax(out.cancer_logits.float(), 1)[:, 1].cpu().tolist())
    return loss_sum / len(cache), probs


def _save(path: str, payload: dict[str, Any]) -> None:
    torch.save(payload, path + ".tmp")
    os.replace(path + ".tmp", path)


def train(config: TrainConfig) -> None:
    torch.manual_seed(config.seed)
    np.random.seed(config.seed % (2**32))
    torch.set_num_threads(config.threads if config.threads > 0 else (os.cpu_count() or 1))
    device = select_device(config.device)
    train_set = read_cache(config.train_cache)
    validation = read_cache(config.validation_cache)
    if train_set.size != validation.size:
        raise ValueError(f"train cache is {train_set.size} px, validation {validation.size} px")
    model = GastricResNet50(config.variant)
    init_note = apply_init(model, config.init) if config.init else f"random (torchvision's initialisation, seed {config.seed})"
    model.to(device=device, memory_format=torch.channels_last)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim == 1 else decay).append(p)
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer: torch.optim.Optimizer
    if config.optimizer == "sgd":
        optimizer = torch.optim.SGD(groups, lr=config.learning_rate, momentum=0.9, nesterov=True)
    else:
        optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    batch = min(config.batch, len(train_set))
    epoch_length = len(balanced_order(train_set.cancer, config.seed, 0))
    steps = max(1, epoch_length // batch)  # whole batches only: BatchNorm needs more than one image
    total = steps * config.epochs
    warmup = int(round(config.warmup_epochs * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: schedule(s, total, warmup))
    scaler = torch.cuda.amp.GradScaler(enabled=device.type == "cuda")

    os.makedirs(config.checkpoint_dir, exist_ok=True)
    state = RunState()
    resumed_from: Optional[int] = None
    last_path = os.path.join(config.checkpoint_dir, LAST)
    best_path = os.path.join(config.checkpoint_dir, BEST)
    if config.resume and os.path.exists(last_path):
        saved = torch.load(last_path, map_location=device)
        if saved.get("runKey") == config.run_key:
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            scaler.load_state_dict(saved["scaler"])
            state = RunState(saved["epoch"], saved["bestEpoch"], saved["bestMetric"], [EpochRecord(**r) for r in saved["history"]])
            resumed_from = state.epoch
            emit("log", message=f"resumed after epoch {state.epoch + 1} (best so far: epoch {state.best_epoch})")
        else:
            emit("log", message="checkpoint belongs to another run: starting afresh")
    emit("start", device=str(device), torch=torch.__version__, trainImages=len(train_set), validationImages=len(validation), steps=steps, initialisation=init_note)

    train_seconds = 0.0
    trained_images = 0
    for epoch in range(state.epoch + 1, config.epochs):
        model.train()
        order = balanced_order(train_set.cancer, config.seed, epoch)
        g = torch.Generator().manual_seed(config.seed * 7919 + epoch)
        loss_sum, labels, scores = 0.0, [], []
        started = time.perf_counter()
        for step in range(steps):
            idx = order[step * batch:(step + 1) * batch]
            images, masks = _batch(train_set, idx, device)
            images, masks = augment_batch(images, masks, config.augment, train_set.mean, train_set.std, g)
            cancer, stage = train_set.cancer[idx].to(device), train_set.stage[idx].to(device)
            with _autocast(device):
                out = model(images)
            parts = losses(model, out, cancer, stage, masks, config.location_weight, config.stage_weight)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(parts.total).backward()
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            loss_sum += float(parts.total) * len(idx)
            labels.extend(cancer.cpu().tolist())
            scores.extend(torch.softmax(out.cancer_logits.detach().float(), 1)[:, 1].cpu().tolist())
            emit("step", epoch=epoch + 1, epochs=config.epochs, step=step + 1, steps=steps, loss=loss_sum / len(labels))
        train_seconds += time.perf_counter() - started
        trained_images += steps * batch
        validation_loss, validation_probs = predict(model, validation, config, device)
        record = EpochRecord(epoch + 1, loss_sum / len(labels), validation_loss, auroc(labels, scores), auroc(validation.cancer.tolist(), validation_probs))
        state.history.append(record)
        state.epoch = epoch
        # Model selection on validation AUROC, ties (and single-class validation sets) by lower validation loss.
        metric = (record.validationMetric or 0.0) - record.validationLoss * 1e-6
        best = metric > state.best_metric
        if best:
            state.best_metric, state.best_epoch = metric, epoch + 1
            _save(best_path, {"runKey": config.run_key, "model": model.state_dict()})
        _save(last_path, {
            "runKey": config.run_key, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(), "epoch": epoch,
            "bestEpoch": state.best_epoch, "bestMetric": state.best_metric, "history": [r.__dict__ for r in state.history],
        })
        emit("epoch", record=record.__dict__, best=best)
        if epoch + 1 - state.best_epoch >= config.patience:
            emit("log", message=f"early stop: no better validation AUROC for {config.patience} epochs")
            break

    if os.path.exists(best_path):
        model.load_state_dict(torch.load(best_path, map_location=device)["model"])
    started = time.perf_counter()
    _, validation_probs = predict(model, validation, config, device)
    infer_seconds = time.perf_counter() - started
    write_weights(config.out, WeightsFile(model.variant, to_keras(model)))
    emit(
        "done",
        history=[r.__dict__ for r in state.history],
        bestEpoch=state.best_epoch,
        resumedFrom=resumed_from,
        validationProbabilities=validation_probs,
        device=str(device),
        initialisation=init_note,
        trainImagesPerSecond=trained_images / train_seconds if train_seconds > 0 else None,
        inferenceImagesPerSecond=len(validation) / infer_seconds if infer_seconds > 0 else None,
    )
