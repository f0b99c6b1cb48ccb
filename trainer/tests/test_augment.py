from __future__ import annotations

import math
import unittest

import torch

from gastric_trainer.augment import augment_batch
from gastric_trainer.config import ColourJitter

from tests.helpers import MEAN, STD, policy

torch.set_num_threads(1)

S = 32


def _dihedral_views(x: torch.Tensor) -> list[torch.Tensor]:
    views = []
    for flipped in (x, x.flip(-1)):
        for k in range(4):
            views.append(torch.rot90(flipped, k, (-2, -1)))
    return views


def _normalised_rgb(n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    rgb = torch.rand(n, 3, S, S, generator=g) * 0.8 + 0.1
    return (rgb - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class Geometry(unittest.TestCase):
    def test_flips_and_quarter_turns_move_image_and_mask_together(self) -> None:
        n = 24
        images = _normalised_rgb(n, 1)
        masks = torch.zeros(n, 1, S, S)
        for i in range(n):  # a marker pixel in both, off every symmetry axis
            r, c = 3 + i % 5, 9 + i % 7
            images[i, :, r, c] = 50.0
            masks[i, 0, r, c] = 1.0
            masks[i, 0, r + 1, c:c + 3] = 0.5  # and an asymmetric little shape
        out_i, out_m = augment_batch(images, masks, policy(0.5, 0.5, True), MEAN, STD, _gen(7))
        self.assertEqual(out_i.shape, images.shape)
        self.assertEqual(out_m.shape, masks.shape)
        used = set()
        for i in range(n):
            image_views = _dihedral_views(images[i])
            mask_views = _dihedral_views(masks[i])
            matches = [k for k, v in enumerate(image_views) if torch.equal(v, out_i[i])]
            self.assertEqual(len(matches), 1, f"sample {i} is not one dihedral view of its input")
            self.assertTrue(torch.equal(mask_views[matches[0]], out_m[i]), f"sample {i}: mask moved differently")
            marker = torch.nonzero(out_i[i, 0] == 50.0).tolist()
            self.assertEqual(marker, torch.nonzero(out_m[i, 0] == 1.0).tolist())
            used.add(matches[0])
        self.assertGreater(len(used), 4)  # the policy did draw various views

    def test_horizontal_flip_only(self) -> None:
        images, masks = _normalised_rgb(3, 2), torch.rand(3, 1, S, S)
        out_i, out_m = augment_batch(images, masks, policy(flip_horizontal=1.0), MEAN, STD, _gen(0))
        self.assertTrue(torch.equal(out_i, images.flip(-1)))
        self.assertTrue(torch.equal(out_m, masks.flip(-1)))

    def test_nothing_to_do_changes_nothing(self) -> None:
        images, masks = _normalised_rgb(2, 3), torch.rand(2, 1, S, S)
        out_i, out_m = augment_batch(images, masks, policy(), MEAN, STD, _gen(0))
        self.assertTrue(torch.equal(out_i, images))
        self.assertTrue(torch.equal(out_m, masks))
        self.assertTrue(out_i.is_contiguous(memory_format=torch.channels_last))

    def test_rotation_fills_black_after_normalisation(self) -> None:
        n, max_degrees, seed = 16, 40.0, 5
        images = torch.full((n, 3, S, S), 1.5)
        masks = torch.zeros(n, 1, S, S)
        masks[:, :, S // 2 - 4:S // 2 + 4, S // 2 - 4:S // 2 + 4] = 1.0
        out_i, out_m = augment_batch(images, masks, policy(max_degrees=max_degrees), MEAN, STD, _gen(seed))
        # The angles are the first draw from the generator (no flips or turns in this policy).
        angles = torch.rand(n, generator=_gen(seed)) * 2 * max_degrees - max_degrees
        black = (-torch.tensor(MEAN) / torch.tensor(STD))
        checked = 0
        for i in range(n):
            centre = out_i[i, :, S // 2, S // 2]
            torch.testing.assert_close(centre, torch.full((3,), 1.5))
            self.assertEqual(float(out_m[i, 0, S // 2, S // 2]), 1.0)
            if abs(float(angles[i])) < 10:
                continue  # a corner barely turns out of the picture
            checked += 1
            for r, c in ((0, 0), (0, S - 1), (S - 1, 0), (S - 1, S - 1)):
                torch.testing.assert_close(out_i[i, :, r, c], black, rtol=0, atol=1e-6)
                rgb = out_i[i, :, r, c] * torch.tensor(STD) + torch.tensor(MEAN)
                torch.testing.assert_close(rgb, torch.zeros(3), rtol=0, atol=1e-6)
                self.assertEqual(float(out_m[i, 0, r, c]), 0.0)
        self.assertGreater(checked, 4)
        self.assertGreaterEqual(float(out_m.min()), 0.0)
        self.assertLessEqual(float(out_m.max()), 1.0 + 1e-6)
        # The labelled square turned with the image: about the same area, still in the centre.
        torch.testing.assert_close(out_m.sum(dim=(1, 2, 3)), masks.sum(dim=(1, 2, 3)), rtol=0.1, atol=0)

    def test_rotation_turns_image_and_mask_alike(self) -> None:
        n = 8
        images = _normalised_rgb(n, 4)
        masks = ((images[:, :1] * 0.229 + 0.485) > 0.5).float()  # the mask is a function of channel 0
        out_i, out_m = augment_batch(images, masks, policy(max_degrees=30.0), MEAN, STD, _gen(9))
        # Bilinear resampling is linear: the mask resampled equals channel 0 resampled, mapped alike.
        channel0 = images[:, :1]
        g = _gen(9)
        angles = (torch.rand(n, generator=g) * 60 - 30) * (math.pi / 180)
        cos, sin, zero = torch.cos(angles), torch.sin(angles), torch.zeros(n)
        theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
        grid = torch.nn.functional.affine_grid(theta, [n, 1, S, S], align_corners=False)
        expected_m = torch.nn.functional.grid_sample(masks, grid, align_corners=False)
        expected_0 = torch.nn.functional.grid_sample(channel0 - (-0.485 / 0.229), grid, align_corners=False) + (-0.485 / 0.229)
        torch.testing.assert_close(out_m, expected_m)
        torch.testing.assert_close(out_i[:, :1], expected_0, rtol=1e-5, atol=1e-5)


class Colour(unittest.TestCase):
    JITTER = ColourJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue_degrees=20)

    def test_masks_untouched_and_output_finite_and_in_range(self) -> None:
        images, masks = _normalised_rgb(6, 5), torch.rand(6, 1, S, S)
        keep = masks.clone()
        out_i, out_m = augment_batch(images, masks, policy(colour=self.JITTER), MEAN, STD, _gen(3))
        self.assertTrue(torch.equal(out_m, keep))
        self.assertTrue(bool(torch.isfinite(out_i).all()))
        rgb = out_i * torch.tensor(STD).view(1, 3, 1, 1) + torch.tensor(MEAN).view(1, 3, 1, 1)
        self.assertGreaterEqual(float(rgb.min()), -1e-5)
        self.assertLessEqual(float(rgb.max()), 1 + 1e-5)
        self.assertFalse(torch.allclose(out_i, images, atol=1e-2))

    def test_zero_ranges_are_the_identity(self) -> None:
        images, masks = _normalised_rgb(3, 6), torch.rand(3, 1, S, S)
        nothing = ColourJitter(0.0, 0.0, 0.0, 0.0)
        out_i, _ = augment_batch(images, masks, policy(colour=nothing), MEAN, STD, _gen(3))
        torch.testing.assert_close(out_i, images, rtol=1e-4, atol=1e-4)

    def test_hue_keeps_grey_grey(self) -> None:
        grey = torch.full((2, 3, S, S), 0.4)
        images = (grey - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
        out_i, _ = augment_batch(images, torch.zeros(2, 1, S, S), policy(colour=ColourJitter(0, 0, 0, 90)), MEAN, STD, _gen(1))
        torch.testing.assert_close(out_i, images, rtol=1e-4, atol=1e-4)


class Repeatable(unittest.TestCase):
    def test_same_seed_same_output_other_seed_other_output(self) -> None:
        full = policy(0.5, 0.5, True, 15.0, ColourJitter(0.2, 0.2, 0.2, 8))
        images, masks = _normalised_rgb(6, 8), (torch.rand(6, 1, S, S) > 0.7).float()
        a = augment_batch(images, masks, full, MEAN, STD, _gen(42))
        b = augment_batch(images, masks, full, MEAN, STD, _gen(42))
        c = augment_batch(images, masks, full, MEAN, STD, _gen(43))
        self.assertTrue(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]))
        self.assertFalse(torch.equal(a[0], c[0]))
        self.assertTrue(torch.equal(images, _normalised_rgb(6, 8)))  # the input was not modified in place


if __name__ == "__main__":
    unittest.main()
