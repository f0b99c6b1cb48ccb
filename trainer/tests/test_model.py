from __future__ import annotations

import unittest

import torch
from torch import nn

from gastric_trainer.model import BN_EPSILON, GastricResNet50, cam_logits

from tests.helpers import SIZE, seeded_model

torch.set_num_threads(1)


class ModelShapes(unittest.TestCase):
    def test_output_shapes_at_64_px(self) -> None:
        for variant in ("v1", "v1.5"):
            with self.subTest(variant=variant):
                model = GastricResNet50(variant).eval()
                with torch.no_grad():
                    out = model(torch.randn(3, 3, SIZE, SIZE))
                self.assertEqual(tuple(out.cancer_logits.shape), (3, 2))
                self.assertEqual(tuple(out.stage_logits.shape), (3, 4))
                self.assertEqual(tuple(out.features.shape), (3, 2048, 2, 2))

    def test_unknown_variant_refused(self) -> None:
        with self.assertRaises(ValueError) as e:
            GastricResNet50("v2")  # type: ignore[arg-type]
        self.assertIn("'v2'", str(e.exception))
        self.assertIn("v1.5", str(e.exception))

    def test_batchnorm_epsilon_is_keras(self) -> None:
        model = GastricResNet50("v1")
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        self.assertEqual(len(bns), 53)
        for bn in bns:
            self.assertEqual(bn.eps, BN_EPSILON)
        self.assertEqual(BN_EPSILON, 1.001e-5)


class StridePlacement(unittest.TestCase):
    def test_v1_strides_the_first_1x1(self) -> None:
        model = GastricResNet50("v1")
        self.assertEqual(model.layer1[0].conv1.stride, (1, 1))
        self.assertEqual(model.layer1[0].conv2.stride, (1, 1))
        for layer in (model.layer2, model.layer3, model.layer4):
            first = layer[0]
            self.assertEqual(first.conv1.stride, (2, 2))
            self.assertEqual(first.conv1.kernel_size, (1, 1))
            self.assertEqual(first.conv2.stride, (1, 1))
            self.assertEqual(first.downsample[0].stride, (2, 2))
            for block in list(layer)[1:]:
                self.assertEqual((block.conv1.stride, block.conv2.stride), ((1, 1), (1, 1)))

    def test_v1_5_strides_the_3x3(self) -> None:
        model = GastricResNet50("v1.5")
        self.assertEqual(model.layer1[0].conv2.stride, (1, 1))
        for layer in (model.layer2, model.layer3, model.layer4):
            first = layer[0]
            self.assertEqual(first.conv1.stride, (1, 1))
            self.assertEqual(first.conv2.stride, (2, 2))
            self.assertEqual(first.conv2.kernel_size, (3, 3))
            self.assertEqual(first.downsample[0].stride, (2, 2))

    def test_same_weights_different_layouts_compute_different_numbers(self) -> None:
        a = seeded_model("v1", seed=1)
        b = GastricResNet50("v1.5").eval()
        b.load_state_dict(a.state_dict())
        x = torch.randn(2, 3, SIZE, SIZE)
        with torch.no_grad():
            fa, fb = a(x).features, b(x).features
        self.assertEqual(fa.shape, fb.shape)
        self.assertFalse(torch.allclose(fa, fb, atol=1e-3))


class CamLogits(unittest.TestCase):
    def test_cam_is_the_head_per_location(self) -> None:
        model = seeded_model("v1.5", seed=2)
        with torch.no_grad():
            nn.init.normal_(model.cancer.weight, 0, 0.05)
            nn.init.normal_(model.cancer.bias, 0, 0.5)
            out = model(torch.randn(2, 3, SIZE, SIZE))
            cam = cam_logits(model, out.features)
        self.assertEqual(tuple(cam.shape), (2, 2, 2))
        # The head is linear and the pooling a mean: the mean CAM logit is the cancer logit difference.
        difference = out.cancer_logits[:, 1] - out.cancer_logits[:, 0]
        torch.testing.assert_close(cam.mean(dim=(1, 2)), difference, rtol=1e-4, atol=1e-4)
        # And each location is the head applied to that location's feature vector.
        f = out.features[0, :, 1, 0]
        logits = model.cancer(f)
        torch.testing.assert_close(cam[0, 1, 0], logits[1] - logits[0], rtol=1e-4, atol=1e-4)


if __name__ == "__main__":
    unittest.main()
