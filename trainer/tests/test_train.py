from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
import unittest
from typing import Any

import numpy as np
import torch

from gastric_trainer.cache import read_cache
from gastric_trainer.config import ConfigError, parse_config, read_config
from gastric_trainer.exchange import read_weights
from gastric_trainer.keras_names import from_keras
from gastric_trainer.losses import location_targets, losses
from gastric_trainer.metrics import auroc
from gastric_trainer.model import GastricResNet50
from gastric_trainer.train import balanced_order, schedule

from tests.helpers import PYTHON, SIZE, TRAINER_DIR, config, write_cache

torch.set_num_threads(1)


class BalancedOrder(unittest.TestCase):
    def test_each_class_is_half_of_the_epoch(self) -> None:
        cancer = torch.tensor([0] * 10 + [1] * 3)
        cancer = cancer[torch.randperm(13, generator=torch.Generator().manual_seed(0))]
        order = balanced_order(cancer, seed=4, epoch=0)
        self.assertEqual(len(order), 20)
        counts = np.bincount(order.numpy(), minlength=13)
        for i in range(13):
            if cancer[i] == 0:
                self.assertEqual(counts[i], 1, "every majority image exactly once")
            else:
                self.assertIn(counts[i], (3, 4), "each minority image floor(10/3) or ceil(10/3) times")
        self.assertEqual(int((cancer[order] == 1).sum()), 10)
        self.assertEqual(int((cancer[order] == 0).sum()), 10)

    def test_minority_divides_majority(self) -> None:
        cancer = torch.tensor([1] * 8 + [0] * 2)
        counts = np.bincount(balanced_order(cancer, 1, 3).numpy(), minlength=10)
        self.assertEqual(counts.tolist(), [1] * 8 + [4] * 2)

    def test_balanced_and_one_class_sets_are_permutations(self) -> None:
        for cancer in (torch.tensor([0, 1] * 4), torch.zeros(7, dtype=torch.int64), torch.ones(5, dtype=torch.int64)):
            order = balanced_order(cancer, 2, 0)
            self.assertEqual(sorted(order.tolist()), list(range(len(cancer))))

    def test_deterministic_per_seed_and_epoch(self) -> None:
        cancer = torch.tensor([0] * 30 + [1] * 7)
        a = balanced_order(cancer, 5, 2)
        self.assertTrue(torch.equal(a, balanced_order(cancer, 5, 2)))
        self.assertFalse(torch.equal(a, balanced_order(cancer, 5, 3)))
        self.assertFalse(torch.equal(a, balanced_order(cancer, 6, 2)))
        # epoch k does not depend on having drawn epochs before it
        balanced_order(cancer, 5, 0)
        self.assertTrue(torch.equal(a, balanced_order(cancer, 5, 2)))


class Schedule(unittest.TestCase):
    def test_warm_up_then_cosine_to_one_hundredth(self) -> None:
        total, warmup = 100, 10
        values = [schedule(s, total, warmup) for s in range(total + 1)]
        self.assertAlmostEqual(values[0], 0.1)
        self.assertAlmostEqual(values[9], 1.0)
        self.assertAlmostEqual(values[10], 1.0)
        for s in range(warmup - 1):
            self.assertLess(values[s], values[s + 1])
        for s in range(warmup, total):
            self.assertGreaterEqual(values[s], values[s + 1])
        self.assertAlmostEqual(values[55], 0.01 + 0.99 * 0.5)
        self.assertAlmostEqual(values[total], 0.01)
        self.assertAlmostEqual(schedule(total + 50, total, warmup), 0.01)

    def test_no_warm_up(self) -> None:
        self.assertAlmostEqual(schedule(0, 10, 0), 1.0)
        self.assertAlmostEqual(schedule(10, 10, 0), 0.01)


class Auroc(unittest.TestCase):
    def test_hand_computed_values(self) -> None:
        self.assertAlmostEqual(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75)
        self.assertAlmostEqual(auroc([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]), 1.0)
        self.assertAlmostEqual(auroc([1, 0], [0.1, 0.9]), 0.0)
        # ties count half: pairs (pos, neg) = (.5,.2) 1, (.5,.5) .5, (.7,.2) 1, (.7,.5) 1, (.1,.2) 0, (.1,.5) 0
        self.assertAlmostEqual(auroc([0, 0, 1, 1, 1], [0.2, 0.5, 0.5, 0.7, 0.1]), 3.5 / 6)
        self.assertAlmostEqual(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5)
        # three-way tie across classes: positive .3 vs negatives .3, .3 -> 1; positive .9 vs both -> 2; of 4
        self.assertAlmostEqual(auroc([1, 0, 0, 1], [0.3, 0.3, 0.3, 0.9]), 3 / 4)

    def test_one_class_is_none(self) -> None:
        self.assertIsNone(auroc([1, 1, 1], [0.1, 0.2, 0.3]))
        self.assertIsNone(auroc([0, 0], [0.1, 0.2]))
        self.assertIsNone(auroc([], []))


class LocationTargets(unittest.TestCase):
    def test_thresholds(self) -> None:
        masks = torch.zeros(1, 1, SIZE, SIZE)
        half = SIZE // 2
        masks[0, 0, :half, :half] = 1.0  # cell (0, 0) fully covered -> 1
        # cell (0, 1) untouched -> 0
        masks[0, 0, half:, :half] = 0.31  # cell (1, 0) 31 % -> 1
        masks[0, 0, half:, half:] = 0.29  # cell (1, 1) 29 % -> ignored
        self.assertEqual(location_targets(masks, (2, 2)).tolist(), [[[1.0, 0.0], [1.0, -1.0]]])
        self.assertEqual(tuple(location_targets(masks.repeat(3, 1, 1, 1), (4, 4)).shape), (3, 4, 4))

    def test_pixel_counts(self) -> None:
        masks = torch.zeros(2, 1, SIZE, SIZE)
        cell = (SIZE // 2) ** 2
        flat = masks[1, 0, :SIZE // 2, :SIZE // 2].reshape(-1)
        flat[:math.ceil(0.3 * cell)] = 1  # 308 of 1024 pixels: >= 30 %
        masks[1, 0, :SIZE // 2, :SIZE // 2] = flat.view(SIZE // 2, SIZE // 2)
        masks[1, 0, 0, SIZE - 1] = 1  # a single pixel: partly covered, ignored
        targets = location_targets(masks, (2, 2))
        self.assertEqual(targets[0].tolist(), [[0.0, 0.0], [0.0, 0.0]])
        self.assertEqual(targets[1].tolist(), [[1.0, -1.0], [0.0, 0.0]])
        flat[:] = 0
        flat[:math.floor(0.3 * cell) - 1] = 1
        masks[1, 0, :SIZE // 2, :SIZE // 2] = flat.view(SIZE // 2, SIZE // 2)
        self.assertEqual(location_targets(masks, (2, 2))[1, 0, 0].item(), -1.0)


class Losses(unittest.TestCase):
    def test_parts_and_gradients(self) -> None:
        torch.manual_seed(0)
        model = GastricResNet50("v1.5")
        model.train()
        masks = torch.zeros(2, 1, SIZE, SIZE)
        masks[0, 0, :SIZE // 2, :SIZE // 2] = 1
        out = model(torch.randn(2, 3, SIZE, SIZE))
        parts = losses(model, out, torch.tensor([1, 0]), torch.tensor([-1, -1]), masks, 0.5, 0.3)
        self.assertEqual(float(parts.stage), 0.0)  # no staged image: no stage loss
        self.assertGreater(float(parts.location), 0.0)
        torch.testing.assert_close(parts.total.detach(), parts.cancer + 0.5 * parts.location)
        parts.total.backward()
        self.assertIsNotNone(model.conv1.weight.grad)
        self.assertTrue(bool(torch.isfinite(model.conv1.weight.grad).all()))
        out = model(torch.randn(2, 3, SIZE, SIZE))
        parts = losses(model, out, torch.tensor([1, 1]), torch.tensor([2, -1]), masks, 0.0, 1.0)
        self.assertEqual(float(parts.location), 0.0)
        torch.testing.assert_close(parts.stage, torch.nn.functional.cross_entropy(out.stage_logits[:1], torch.tensor([2])).detach())


class Config(unittest.TestCase):
    def test_parses_the_typescript_shape(self) -> None:
        c = parse_config(config(init={"kind": "torchvision", "path": "/w/r50.pth"}))
        self.assertEqual((c.variant, c.epochs, c.batch, c.device, c.optimizer), ("v1.5", 2, 8, "cpu", "adamw"))
        self.assertEqual(c.init.kind, "torchvision")
        self.assertEqual(c.augment.colour.hue_degrees, 8)
        self.assertTrue(c.augment.rotate90)
        self.assertIsNone(parse_config(config(augment={**config()["augment"], "colour": None})).augment.colour)
        self.assertIsNone(parse_config(config()).init)

    def _error(self, raw: dict[str, Any]) -> str:
        with self.assertRaises(ConfigError) as e:
            parse_config(raw)
        return str(e.exception)

    def test_missing_keys_are_named(self) -> None:
        for key in ("trainCache", "validationCache", "out", "checkpointDir", "runKey", "resume", "variant", "epochs",
                    "batch", "learningRate", "optimizer", "warmupEpochs", "locationWeight", "patience", "seed", "device",
                    "threads", "augment"):
            with self.subTest(key=key):
                raw = config()
                del raw[key]
                message = self._error(raw)
                self.assertIn(key, message)
                self.assertIn("missing", message)
        raw = config()
        del raw["augment"]["colour"]["hueDegrees"]
        self.assertIn("augment.colour.hueDegrees", self._error(raw))
        raw = config()
        del raw["augment"]["maxDegrees"]
        self.assertIn("augment.maxDegrees", self._error(raw))
        self.assertIn("init.path", self._error(config(init={"kind": "exchange"})))

    def test_bad_values_are_named(self) -> None:
        self.assertIn("variant", self._error(config(variant="v2")))
        self.assertIn("device", self._error(config(device="tpu")))
        self.assertIn("optimizer", self._error(config(optimizer="lion")))
        self.assertIn("init.kind", self._error(config(init={"kind": "keras", "path": "x"})))
        self.assertIn("batch", self._error(config(batch=0)))
        self.assertIn("epochs", self._error(config(epochs=True)))
        self.assertIn("trainCache", self._error(config(trainCache=3)))
        self.assertIn("resume", self._error(config(resume="yes")))
        self.assertIn("augment.flipHorizontal", self._error(config(augment={**config()["augment"], "flipHorizontal": 2})))

    def test_read_config_refuses_non_json(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write("{not json")
            with self.assertRaisesRegex(ConfigError, "not JSON"):
                read_config(path)
            with open(path, "w", encoding="utf-8") as f:
                f.write("[1, 2]")
            with self.assertRaisesRegex(ConfigError, "expected an object"):
                read_config(path)


class Cache(unittest.TestCase):
    def test_reads_what_the_typescript_side_writes(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            write_cache(d, [0, 1, 1], seed=1)
            cache = read_cache(d)
            self.assertEqual(len(cache), 3)
            self.assertEqual(tuple(cache.images.shape), (3, 3, SIZE, SIZE))
            self.assertTrue(cache.images.is_contiguous(memory_format=torch.channels_last))
            self.assertEqual(cache.images.dtype, torch.float16)
            self.assertEqual(cache.cancer.tolist(), [0, 1, 1])
            self.assertEqual(cache.stage.tolist(), [-1, 1, 2])
            raw = np.fromfile(os.path.join(d, "images.f16"), "<f2").reshape(3, SIZE, SIZE, 3)
            self.assertEqual(float(cache.images[1, 2, 5, 7]), float(raw[1, 5, 7, 2]))
            self.assertEqual(int(cache.masks[0].sum()), 0)
            self.assertEqual(int(cache.masks[1].sum()), (SIZE // 2) ** 2)
            with open(os.path.join(d, "masks.u8"), "r+b") as f:
                f.truncate(100)
            with self.assertRaisesRegex(ValueError, "half-written"):
                read_cache(d)


def _events(stdout: str) -> list[dict[str, Any]]:
    events = []
    for line in stdout.splitlines():
        event = json.loads(line)  # every stdout line is one JSON object
        assert isinstance(event, dict) and "event" in event, line
        events.append(event)
    return events


def _run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": TRAINER_DIR}
    env.pop("GASTRIC_AI_DEBUG", None)
    return subprocess.run([PYTHON, "-m", "gastric_trainer", *args], cwd=TRAINER_DIR, env=env, capture_output=True,
                          text=True, timeout=timeout)


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        write_cache(os.path.join(cls.dir, "train"), [0] * 10 + [1] * 6, seed=1, key="train")
        write_cache(os.path.join(cls.dir, "validation"), [0, 1] * 4, seed=2, key="validation")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def _config(self, name: str, **overrides: Any) -> str:
        paths = {"trainCache": os.path.join(self.dir, "train"), "validationCache": os.path.join(self.dir, "validation"),
                 "out": os.path.join(self.dir, "out"), "checkpointDir": os.path.join(self.dir, "checkpoints")}
        raw = config(**{**paths, **overrides})
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(raw, f)
        return path

    def _train(self, path: str) -> list[dict[str, Any]]:
        r = _run(["train", path])
        self.assertEqual(r.returncode, 0, f"stdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}")
        return _events(r.stdout)

    def test_train_then_resume(self) -> None:
        events = self._train(self._config("first.json", epochs=2))
        kinds = [e["event"] for e in events]
        for kind in ("start", "step", "epoch", "done"):
            self.assertIn(kind, kinds)
        self.assertEqual(kinds[-1], "done")
        self.assertLess(kinds.index("start"), kinds.index("step"))
        start = events[kinds.index("start")]
        self.assertEqual((start["device"], start["trainImages"], start["validationImages"], start["steps"]), ("cpu", 16, 8, 2))
        steps = [e for e in events if e["event"] == "step"]
        self.assertEqual([(e["epoch"], e["step"]) for e in steps], [(1, 1), (1, 2), (2, 1), (2, 2)])
        self.assertTrue(all(math.isfinite(e["loss"]) for e in steps))
        epochs = [e for e in events if e["event"] == "epoch"]
        self.assertEqual([e["record"]["epoch"] for e in epochs], [1, 2])
        done = events[-1]
        self.assertEqual(len(done["history"]), 2)
        self.assertIn(done["bestEpoch"], (1, 2))
        self.assertIsNone(done["resumedFrom"])
        self.assertEqual(len(done["validationProbabilities"]), 8)
        self.assertTrue(all(0 <= p <= 1 for p in done["validationProbabilities"]))

        out = os.path.join(self.dir, "out")
        self.assertTrue(os.path.exists(os.path.join(out, "weights.json")))
        self.assertTrue(os.path.exists(os.path.join(out, "weights.bin")))
        checkpoints = os.path.join(self.dir, "checkpoints")
        self.assertTrue(os.path.exists(os.path.join(checkpoints, "last.pt")))
        self.assertTrue(os.path.exists(os.path.join(checkpoints, "best.pt")))
        self.assertEqual([f for f in os.listdir(checkpoints) if f.endswith(".tmp")], [])

        # The exported weights are the best epoch's and reproduce the reported validation probabilities.
        weights = read_weights(out)
        self.assertEqual(weights.variant, "v1.5")
        model = GastricResNet50("v1.5")
        from_keras(model, weights.tensors)
        model.eval()
        validation = read_cache(os.path.join(self.dir, "validation"))
        with torch.no_grad():
            probs = torch.softmax(model(validation.images.float()).cancer_logits, 1)[:, 1]
        np.testing.assert_allclose(probs.numpy(), done["validationProbabilities"], rtol=1e-3, atol=1e-4)

        # Resume with more epochs: only epoch 3 is trained, the history carries on.
        events = self._train(self._config("resume.json", epochs=3, resume=True))
        logs = [e["message"] for e in events if e["event"] == "log"]
        self.assertTrue(any(m.startswith("resumed after epoch 2") for m in logs), logs)
        self.assertEqual({e["epoch"] for e in events if e["event"] == "step"}, {3})
        self.assertEqual([e["record"]["epoch"] for e in events if e["event"] == "epoch"], [3])
        resumed = events[-1]
        self.assertEqual(resumed["event"], "done")
        self.assertEqual(resumed["resumedFrom"], 1)
        self.assertEqual([r["epoch"] for r in resumed["history"]], [1, 2, 3])
        self.assertEqual(resumed["history"][:2], done["history"])

        # A checkpoint of another run is not resumed.
        events = self._train(self._config("other.json", epochs=1, resume=True, runKey="run-2"))
        logs = [e["message"] for e in events if e["event"] == "log"]
        self.assertTrue(any("another run" in m for m in logs), logs)
        self.assertEqual([e["record"]["epoch"] for e in events if e["event"] == "epoch"], [1])
        self.assertIsNone(events[-1]["resumedFrom"])

    def _one_error(self, r: subprocess.CompletedProcess[str]) -> str:
        self.assertEqual(r.returncode, 2, r.stderr[-2000:])
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        event = json.loads(lines[0])
        self.assertEqual(event["event"], "error")
        message = event["message"]
        self.assertIsInstance(message, str)
        self.assertTrue(message)
        self.assertNotIn("\n", message)
        self.assertEqual(r.stderr.strip(), "")  # no traceback without GASTRIC_AI_DEBUG
        return message

    def test_missing_cache_is_one_error_line(self) -> None:
        missing = os.path.join(self.dir, "no-such-cache")
        message = self._one_error(_run(["train", self._config("missing.json", trainCache=missing)]))
        self.assertIn("no-such-cache", message)

    def test_bad_config_is_one_error_line(self) -> None:
        path = self._config("bad.json", variant="resnet101")
        self.assertIn("variant", self._one_error(_run(["train", path])))

    def test_check(self) -> None:
        r = _run(["check"])
        self.assertEqual(r.returncode, 0, r.stderr)
        (event,) = _events(r.stdout)
        self.assertEqual(event["event"], "check")
        self.assertEqual(event["torch"], torch.__version__)
        self.assertIn("cuda", event)


if __name__ == "__main__":
    unittest.main()
