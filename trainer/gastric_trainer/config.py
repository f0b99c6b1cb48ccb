"""The run configuration the TypeScript side writes (src/training/torch/trainer-config.ts), checked on read."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Optional

from .model import VARIANTS, Variant

Device = Literal["cpu", "cuda", "auto"]
Optimizer = Literal["adamw", "sgd"]


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ColourJitter:
    brightness: float
    contrast: float
    saturation: float
    hue_degrees: float


@dataclass(frozen=True)
class AugmentPolicy:
    flip_horizontal: float
    flip_vertical: float
    rotate90: bool
    max_degrees: float
    colour: Optional[ColourJitter]


@dataclass(frozen=True)
class InitWeights:
    kind: Literal["torchvision", "exchange"]
    path: str


@dataclass(frozen=True)
class TrainConfig:
    train_cache: str
    validation_cache: str
    out: str
    checkpoint_dir: str
    run_key: str
    resume: bool
    variant: Variant
    init: Optional[InitWeights]
    epochs: int
    batch: int
    learning_rate: float
    weight_decay: float
    optimizer: Optimizer
    warmup_epochs: float
    location_weight: float
    stage_weight: float
    patience: int
    seed: int
    device: Device
    threads: int
    augment: AugmentPolicy


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    if key not in obj:
        raise ConfigError(f"config: {where}{key} is missing")
    value = obj[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"config: {where}{key} must be a number")
    if not isinstance(value, kind):
        raise ConfigError(f"config: {where}{key} has the wrong type ({type(value).__name__})")
    return value


def _number(obj: dict[str, Any], key: str, low: float, high: float, where: str = "") -> float:
    value = float(_get(obj, key, (int, float), where))
    if not low <= value <= high:
        raise ConfigError(f"config: {where}{key} = {value} is outside [{low}, {high}]")
    return value


def _policy(obj: dict[str, Any]) -> AugmentPolicy:
    colour = obj.get("colour")
    jitter = None
    if colour is not None:
        jitter = ColourJitter(
            brightness=_number(colour, "brightness", 0, 1, "augment.colour."),
            contrast=_number(colour, "contrast", 0, 1, "augment.colour."),
            saturation=_number(colour, "saturation", 0, 1, "augment.colour."),
            hue_degrees=_number(colour, "hueDegrees", 0, 180, "augment.colour."),
        )
    return AugmentPolicy(
        flip_horizontal=_number(obj, "flipHorizontal", 0, 1, "augment."),
        flip_vertical=_number(obj, "flipVertical", 0, 1, "augment."),
        rotate90=bool(_get(obj, "rotate90", bool, "augment.")),
        max_degrees=_number(obj, "maxDegrees", 0, 180, "augment."),
        colour=jitter,
    )


def parse_config(raw: dict[str, Any]) -> TrainConfig:
    variant = _get(raw, "variant", str)
    if variant not in VARIANTS:
        raise ConfigError(f"config: variant {variant!r} is not one of {', '.join(VARIANTS)}")
    device = _get(raw, "device", str)
    if device not in ("cpu", "cuda", "auto"):
        raise ConfigError(f"config: device {device!r} is not cpu, cuda or auto")
    optimizer = _get(raw, "optimizer", str)
    if optimizer not in ("adamw", "sgd"):
        raise ConfigError(f"config: optimizer {optimizer!r} is not adamw or sgd")
    init_raw = raw.get("init")
    init = None
    if init_raw is not None:
        kind = _get(init_raw, "kind", str, "init.")
        if kind not in ("torchvision", "exchange"):
            raise ConfigError(f"config: init.kind {kind!r} is not torchvision or exchange")
        init = InitWeights(kind=kind, path=_get(init_raw, "path", str, "init."))
    return TrainConfig(
        train_cache=_get(raw, "trainCache", str),
        validation_cache=_get(raw, "validationCache", str),
        out=_get(raw, "out", str),
        checkpoint_dir=_get(raw, "checkpointDir", str),
        run_key=_get(raw, "runKey", str),
        resume=bool(_get(raw, "resume", bool)),
        variant=variant,
        init=init,
        epochs=int(_number(raw, "epochs", 1, 100000)),
        batch=int(_number(raw, "batch", 1, 4096)),
        learning_rate=_number(raw, "learningRate", 0, 10),
        weight_decay=_number(raw, "weightDecay", 0, 10),
        optimizer=optimizer,
        warmup_epochs=_number(raw, "warmupEpochs", 0, 1000),
        location_weight=_number(raw, "locationWeight", 0, 1000),
        stage_weight=_number(raw, "stageWeight", 0, 1000),
        patience=int(_number(raw, "patience", 1, 100000)),
        seed=int(_number(raw, "seed", 0, 2**31 - 1)),
        device=device,
        threads=int(_number(raw, "threads", 0, 1024)),
        augment=_policy(_get(raw, "augment", dict)),
    )


def read_config(path: str) -> TrainConfig:
    with open(path, encoding="utf-8") as f:
        try:
            raw = json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigError(f"config {path}: not JSON ({e})") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path}: expected an object")
    return parse_config(raw)
