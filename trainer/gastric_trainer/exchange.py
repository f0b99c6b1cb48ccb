"""The weights file both sides read: ``weights.json`` (format, variant, tensor names/shapes/offsets) and ``weights.bin``
(float32 little-endian, in that order). The TypeScript side reads it in src/training/torch/weights-exchange.ts."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from .keras_names import KerasTensors
from .model import VARIANTS, Variant

FORMAT = "gastric-ai-node/weights/v1"
INDEX_FILE = "weights.json"
DATA_FILE = "weights.bin"


@dataclass
class WeightsFile:
    variant: Variant
    tensors: KerasTensors


def write_weights(directory: str, weights: WeightsFile) -> None:
    os.makedirs(directory, exist_ok=True)
    entries = []
    offset = 0
    data_path = os.path.join(directory, DATA_FILE)
    with open(data_path + ".tmp", "wb") as f:
        for name, value in weights.tensors.items():
            array = np.asarray(value, dtype="<f4", order="C")  # not ascontiguousarray: it makes a scalar 1-d
            f.write(array.tobytes())
            entries.append({"name": name, "shape": list(array.shape), "offset": offset})
            offset += array.nbytes
    os.replace(data_path + ".tmp", data_path)
    index = {"format": FORMAT, "variant": weights.variant, "bytes": offset, "tensors": entries}
    with open(os.path.join(directory, INDEX_FILE), "w", encoding="utf-8") as f:
        json.dump(index, f)


def read_weights(directory: str) -> WeightsFile:
    index_path = os.path.join(directory, INDEX_FILE)
    with open(index_path, encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != FORMAT:
        raise ValueError(f"{index_path}: not a {FORMAT} file")
    if index.get("variant") not in VARIANTS:
        raise ValueError(f"{index_path}: unknown variant {index.get('variant')!r}")
    data = np.fromfile(os.path.join(directory, DATA_FILE), dtype="<f4")
    if data.nbytes != index["bytes"]:
        raise ValueError(f"{directory}/{DATA_FILE}: {data.nbytes} bytes, the index says {index['bytes']}")
    tensors: KerasTensors = {}
    for e in index["tensors"]:
        start = e["offset"] // 4
        count = int(np.prod(e["shape"])) if e["shape"] else 1
        tensors[e["name"]] = data[start:start + count].reshape(e["shape"])
    return WeightsFile(index["variant"], tensors)
