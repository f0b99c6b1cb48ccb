from __future__ import annotations

import copy
import json
import os
import pickle
import tempfile
import unittest

import numpy as np
import torch
import torchvision
from torch import nn

from gastric_trainer.config import InitWeights
from gastric_trainer.exchange import DATA_FILE, FORMAT, INDEX_FILE, WeightsFile, read_weights, write_weights
from gastric_trainer.init_weights import apply_init
from gastric_trainer.keras_names import _conv_bn_pairs, from_keras, to_keras
from gastric_trainer.model import BN_EPSILON, GastricResNet50
from gastric_trainer.parity import make_reference

from tests.helpers import SIZE, randomise_batchnorm, seeded_model

torch.set_num_threads(1)

CONV_BN_PAIRS = 53  # stem + 16 blocks x 3 + 4 shortcuts


def _outputs(model: GastricResNet50, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    model.eval()
    with torch.no_grad():
        return tuple(model(x))


class KerasNames(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.source = seeded_model("v1", seed=11)
        with torch.no_grad():
            nn.init.normal_(cls.source.cancer.bias, 0, 0.3)
            nn.init.normal_(cls.source.stage.bias, 0, 0.3)
        cls.x = torch.randn(2, 3, SIZE, SIZE)

    def test_names_and_layouts(self) -> None:
        tensors = to_keras(self.source)
        self.assertEqual(len(tensors), CONV_BN_PAIRS * 6 + 4)
        self.assertEqual(tensors["conv1_conv/kernel"].shape, (7, 7, 3, 64))
        self.assertEqual(tensors["conv2_block1_0_conv/kernel"].shape, (1, 1, 64, 256))
        self.assertEqual(tensors["conv3_block1_2_conv/kernel"].shape, (3, 3, 128, 128))
        self.assertEqual(tensors["conv5_block3_3_bn/moving_variance"].shape, (2048,))
        self.assertEqual(tensors["cancer/kernel"].shape, (2048, 2))
        self.assertEqual(tensors["stage/kernel"].shape, (2048, 4))
        self.assertNotIn("conv2_block2_0_conv/kernel", tensors)  # only a stage's first block has a shortcut conv
        for name, value in tensors.items():
            self.assertEqual(value.dtype, np.float32, name)
        # kernel[kh, kw, in, out] is weight[out, in, kh, kw]
        w = self.source.layer2[0].conv2.weight.detach().numpy()
        np.testing.assert_array_equal(tensors["conv3_block1_2_conv/kernel"][2, 1, 5, 7], w[7, 5, 2, 1])
        np.testing.assert_array_equal(tensors["cancer/kernel"][10, 1], self.source.cancer.weight.detach().numpy()[1, 10])

    def test_round_trip_gives_identical_outputs(self) -> None:
        target = GastricResNet50("v1")
        layers = from_keras(target, to_keras(self.source))
        self.assertEqual(layers, CONV_BN_PAIRS * 2 + 2)
        for a, b in zip(_outputs(self.source, self.x), _outputs(target, self.x)):
            self.assertTrue(torch.equal(a, b))

    def test_trunk_only_keeps_fresh_heads(self) -> None:
        tensors = {k: v for k, v in to_keras(self.source).items() if not k.startswith(("cancer/", "stage/"))}
        target = GastricResNet50("v1")
        head = target.cancer.weight.detach().clone()
        self.assertEqual(from_keras(target, tensors), CONV_BN_PAIRS * 2)
        self.assertTrue(torch.equal(target.cancer.weight, head))
        self.assertTrue(torch.equal(_outputs(self.source, self.x)[2], _outputs(target, self.x)[2]))

    def test_keras_conv_bias_is_folded_into_the_batchnorm_mean(self) -> None:
        # In float64, with moving means and biases on a coarse binary grid so that moving_mean - bias is exact in
        # float32: the only difference left would be a wrong fold (a BatchNorm with a small variance amplifies any
        # rounding a thousandfold over 50 layers).
        source = copy.deepcopy(self.source).double()
        x = self.x.double()
        tensors = to_keras(source)
        rng = np.random.default_rng(5)
        biased = ("conv1", "conv2_block1_0", "conv3_block1_1", "conv4_block3_2", "conv5_block3_3")
        for name in biased:
            mean = tensors[f"{name}_bn/moving_mean"]
            tensors[f"{name}_bn/moving_mean"] = (np.round(mean * 4096) / 4096).astype(np.float32)
        from_keras(source, tensors)
        convs = {name: conv for name, conv, _ in _conv_bn_pairs(source)}
        hooks = []
        for name in biased:
            bias = (np.round(rng.normal(0, 0.2, convs[name].out_channels) * 64) / 64).astype(np.float32)
            tensors[f"{name}_conv/bias"] = bias
            b = torch.from_numpy(bias).double().view(1, -1, 1, 1)
            hooks.append(convs[name].register_forward_hook(lambda _m, _i, out, b=b: out + b))
        try:
            expected = _outputs(source, x)  # Keras' computation: conv + bias, then BatchNorm
        finally:
            for h in hooks:
                h.remove()
        target = GastricResNet50("v1")
        from_keras(target, tensors)
        got = _outputs(target.double(), x)
        for e, g in zip(expected, got):
            torch.testing.assert_close(g, e, rtol=1e-9, atol=1e-9)
        unbiased = _outputs(source, x)
        self.assertFalse(torch.allclose(unbiased[2], got[2], atol=1e-2))  # the biases did matter
        # The fold itself: moving_mean - bias, float32.
        np.testing.assert_array_equal(target.layer3[0].bn1.running_mean.float().numpy(),
                                      tensors["conv4_block1_1_bn/moving_mean"])
        np.testing.assert_array_equal(target.layer2[0].bn1.running_mean.float().numpy(),
                                      tensors["conv3_block1_1_bn/moving_mean"] - tensors["conv3_block1_1_conv/bias"])

    def test_wrong_shape_is_named(self) -> None:
        tensors = to_keras(self.source)
        tensors["conv3_block2_2_conv/kernel"] = np.zeros((3, 3, 128, 64), np.float32)
        with self.assertRaises(ValueError) as e:
            from_keras(GastricResNet50("v1"), tensors)
        message = str(e.exception)
        self.assertIn("conv3_block2_2_conv/kernel", message)
        self.assertIn("[3, 3, 128, 64]", message)  # as the file has it (Keras layout) ...
        self.assertIn("[3, 3, 128, 128]", message)  # ... and what fits, in the same layout

    def test_wrong_head_shape_is_named(self) -> None:
        tensors = to_keras(self.source)
        tensors["stage/kernel"] = np.zeros((2048, 5), np.float32)
        with self.assertRaisesRegex(ValueError, r"stage/kernel has shape \[2048, 5\], the model expects \[2048, 4\]"):
            from_keras(GastricResNet50("v1"), tensors)
        tensors = to_keras(self.source)
        tensors["conv2_block1_1_conv/bias"] = np.zeros(63, np.float32)
        with self.assertRaisesRegex(ValueError, "conv2_block1_1_conv/bias"):
            from_keras(GastricResNet50("v1"), tensors)

    def test_missing_layer_is_named(self) -> None:
        tensors = to_keras(self.source)
        del tensors["conv4_block6_1_conv/kernel"]
        with self.assertRaisesRegex(ValueError, "conv4_block6_1_conv/kernel"):
            from_keras(GastricResNet50("v1"), tensors)

    def test_missing_batchnorm_tensor_is_named(self) -> None:
        tensors = to_keras(self.source)
        del tensors["conv4_block2_3_bn/moving_variance"]
        with self.assertRaisesRegex(ValueError, "conv4_block2_3_bn/moving_variance"):
            from_keras(GastricResNet50("v1"), tensors)


class Exchange(unittest.TestCase):
    def test_write_read_round_trip_is_bit_exact(self) -> None:
        tensors = to_keras(seeded_model("v1.5", seed=12))
        tensors["odd/scalar"] = np.array(3.25, np.float32)
        with tempfile.TemporaryDirectory() as d:
            write_weights(d, WeightsFile("v1.5", tensors))
            with open(os.path.join(d, INDEX_FILE), encoding="utf-8") as f:
                index = json.load(f)
            self.assertEqual(index["format"], FORMAT)
            self.assertEqual(index["bytes"], os.path.getsize(os.path.join(d, DATA_FILE)))
            self.assertEqual(index["bytes"], sum(v.size for v in tensors.values()) * 4)
            self.assertFalse(os.path.exists(os.path.join(d, DATA_FILE + ".tmp")))
            back = read_weights(d)
        self.assertEqual(back.variant, "v1.5")
        self.assertEqual(list(back.tensors), list(tensors))
        for name, value in tensors.items():
            self.assertEqual(back.tensors[name].shape, value.shape, name)
            self.assertEqual(back.tensors[name].tobytes(), np.ascontiguousarray(value, "<f4").tobytes(), name)

    def test_bad_files_refused(self) -> None:
        tensors = {"a/kernel": np.arange(6, dtype=np.float32).reshape(2, 3)}
        with tempfile.TemporaryDirectory() as d:
            write_weights(d, WeightsFile("v1", tensors))
            with open(os.path.join(d, DATA_FILE), "r+b") as f:
                f.truncate(8)
            with self.assertRaisesRegex(ValueError, "bytes"):
                read_weights(d)
            index_path = os.path.join(d, INDEX_FILE)
            with open(index_path, encoding="utf-8") as f:
                index = json.load(f)
            for key, value, message in (("format", "other/v9", "not a"), ("variant", "v3", "unknown variant")):
                with open(index_path, "w", encoding="utf-8") as f:
                    json.dump({**index, key: value}, f)
                with self.assertRaisesRegex(ValueError, message):
                    read_weights(d)


def _random_torchvision() -> nn.Module:
    """torchvision's own ResNet50 with random weights and statistics, BatchNorm epsilon as ours for an exact match."""
    torch.manual_seed(21)
    net = torchvision.models.resnet50(weights=None)
    randomise_batchnorm(net)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None
    net.train()
    with torch.no_grad():
        net(torch.randn(2, 3, SIZE, SIZE))
    return net.eval()


def _trunk(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        x = net.maxpool(net.relu(net.bn1(net.conv1(x))))
        return net.layer4(net.layer3(net.layer2(net.layer1(x))))


class _Evil:
    """Pickles to a call of os.makedirs: a weights_only load must refuse it, not run it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple:
        return (os.makedirs, (self.path,))


class TorchvisionInit(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory()
        cls.net = _random_torchvision()
        cls.state = cls.net.state_dict()
        cls.path = os.path.join(cls.tmp.name, "resnet50.pth")
        torch.save(cls.state, cls.path)
        cls.x = torch.randn(2, 3, SIZE, SIZE)
        net_eps = cls.net
        for m in net_eps.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eps = BN_EPSILON
        cls.expected = _trunk(net_eps, cls.x)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def _file(self, name: str, payload: object) -> str:
        path = os.path.join(self.tmp.name, name)
        torch.save(payload, path)
        return path

    def _load(self, path: str) -> tuple[GastricResNet50, str]:
        model = GastricResNet50("v1.5")
        note = apply_init(model, InitWeights("torchvision", path))
        return model.eval(), note

    def _refused(self, path: str, fragment: str) -> str:
        with self.assertRaises(ValueError) as e:
            self._load(path)
        message = str(e.exception)
        self.assertTrue(message.startswith("--init"), message)
        self.assertIn(fragment, message)
        self.assertNotIn("\n", message.strip())
        return message

    def test_plain_state_dict_gives_torchvision_trunk_exactly(self) -> None:
        model, note = self._load(self.path)
        self.assertIn("heads fresh", note)
        self.assertTrue(torch.equal(_trunk(model, self.x), self.expected))
        self.assertTrue(torch.equal(model(self.x).features.detach(), self.expected))

    def test_wrapped_and_module_prefixed_state_dicts_load(self) -> None:
        prefixed = {f"module.{k}": v for k, v in self.state.items()}
        for name, payload in (("wrapped.pth", {"state_dict": self.state, "epoch": 7}),
                              ("model.pth", {"model": self.state}),
                              ("prefixed.pth", prefixed),
                              ("wrapped-prefixed.pth", {"state_dict": prefixed, "arch": "resnet50"})):
            with self.subTest(name=name):
                model, _ = self._load(self._file(name, payload))
                self.assertTrue(torch.equal(_trunk(model, self.x), self.expected))

    def test_state_dict_with_heads(self) -> None:
        source = GastricResNet50("v1.5")
        model, note = self._load(self._file("ours.pth", source.state_dict()))
        self.assertIn("with its heads", note)
        self.assertTrue(torch.equal(model.stage.weight, source.stage.weight))

    def test_non_resnet_state_dict_refused(self) -> None:
        self._refused(self._file("linear.pth", nn.Linear(3, 4).state_dict()), "not a torchvision ResNet50")
        self._refused(self._file("resnet18.pth", torchvision.models.resnet18(weights=None).state_dict()), "shapes differ")
        partial = {k: v for k, v in self.state.items() if not k.startswith("layer4.")}
        self._refused(self._file("partial.pth", partial), "lacks")
        self._refused(self._file("numbers.pth", {"epoch": 3, "arch": "resnet50"}), "not a state_dict of tensors")
        self._refused(self._file("list.pth", [torch.zeros(3)]), "not a state_dict of tensors")

    def test_truncated_file_refused(self) -> None:
        path = os.path.join(self.tmp.name, "truncated.pth")
        with open(self.path, "rb") as src, open(path, "wb") as dst:
            dst.write(src.read(os.path.getsize(self.path) // 2))
        self._refused(path, "cannot read it")
        empty = os.path.join(self.tmp.name, "empty.pth")
        open(empty, "wb").close()
        self._refused(empty, "cannot read it")
        self._refused(os.path.join(self.tmp.name, "absent.pth"), "cannot read it")

    def test_pickle_with_arbitrary_objects_refused_and_not_run(self) -> None:
        marker = os.path.join(self.tmp.name, "payload-ran")
        self._refused(self._file("evil.pth", {"conv1.weight": _Evil(marker)}), "cannot read it")
        legacy = os.path.join(self.tmp.name, "evil.pkl")
        with open(legacy, "wb") as f:
            pickle.dump({"conv1.weight": _Evil(marker)}, f)
        self._refused(legacy, "cannot read it")
        self.assertFalse(os.path.exists(marker))


class ExchangeInit(unittest.TestCase):
    def test_exchange_folder_initialises_the_same_variant_only(self) -> None:
        source = seeded_model("v1", seed=31)
        x = torch.randn(2, 3, SIZE, SIZE)
        with tempfile.TemporaryDirectory() as d:
            write_weights(d, WeightsFile("v1", to_keras(source)))
            model = GastricResNet50("v1")
            note = apply_init(model, InitWeights("exchange", d))
            self.assertIn("Keras-named layers", note)
            for a, b in zip(_outputs(source, x), _outputs(model, x)):
                self.assertTrue(torch.equal(a, b))
            with self.assertRaises(ValueError) as e:
                apply_init(GastricResNet50("v1.5"), InitWeights("exchange", d))
            self.assertTrue(str(e.exception).startswith("--init"))


class Parity(unittest.TestCase):
    def test_reference_files_reproduce_from_the_exchange_weights(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            make_reference(d, SIZE, "v1", 4)
            with open(os.path.join(d, "reference.json"), encoding="utf-8") as f:
                ref = json.load(f)
            self.assertEqual(ref["shapes"]["features"], [2, 2, 2, 2048])
            arrays = {k: np.fromfile(os.path.join(d, f"{k}.f32"), "<f4").reshape(s) for k, s in ref["shapes"].items()}
            model = GastricResNet50(read_weights(d).variant)
            from_keras(model, read_weights(d).tensors)
            out = _outputs(model, torch.from_numpy(arrays["input"]).permute(0, 3, 1, 2).contiguous())
        np.testing.assert_allclose(torch.softmax(out[0], 1).numpy(), arrays["cancer"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[2].permute(0, 2, 3, 1).numpy(), arrays["features"], rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(arrays["cancer"].sum(1), 1, rtol=1e-5)


if __name__ == "__main__":
    unittest.main()
