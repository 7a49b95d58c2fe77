"""ganlab.image_tasks (offline translation data) and ganlab.translation (PSNR, SSIM, translate); the trainers
are in test_training_image_to_image.py."""

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from ganlab import image_tasks as it
from ganlab import translation
from ganlab.models.unet import UNetConfig, UNetGenerator

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded", "no_network")


def _d_loss(real, fake):      # lecture 01's discriminator loss (not a graded answer of lecture 06)
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _g_adv(fake):
    return F.softplus(-fake).mean()


# ---------------------------------------------------------------- data
@pytest.mark.parametrize("name, c_in, c_out", [("edges2digits", 1, 1), ("outline2shapes", 1, 3), ("grey2colour", 1, 3)])
def test_paired_tasks_shapes_ranges_and_determinism(name, c_in, c_out):
    x, y = it.paired_task(name, 16, "test", n=12)
    assert x.shape == (12, c_in, 16, 16) and y.shape == (12, c_out, 16, 16)
    for t in (x, y):
        assert t.dtype == torch.float32 and t.min() >= -1 and t.max() <= 1
    x2, y2 = it.paired_task(name, 16, "test", n=12)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    xt, _ = it.paired_task(name, 16, "train", n=12)
    assert not torch.equal(x, xt)                   # train and test differ


def test_default_split_sizes():
    assert len(it.paired_task("edges2digits", 8, "train")[0]) == 1500
    assert len(it.paired_task("edges2digits", 8, "test")[0]) == 297
    assert len(it.paired_task("outline2shapes", 8, "test")[0]) == 256


def test_outline_is_the_boundary():
    img = -torch.ones(1, 1, 9, 9)
    img[..., 3:6, 3:6] = 1
    edge = it.outline(img)
    assert edge[0, 0, 4, 4] == -1 and edge[0, 0, 0, 0] == -1     # inside and far outside: no edge
    assert edge[0, 0, 3, 3] == 1 and edge[0, 0, 2, 4] == 1       # on and next to the boundary


def test_shapes_colour_follows_the_kind():
    params = torch.tensor([[[k, 0.5, 0.5, 0.3, 0.0], [-1, 0.5, 0.5, 0.2, 0.0]] for k in range(3)])
    solid = it.render_shapes(params, 32, "solid")
    centre = (solid[:, :, 16, 16] + 1) / 2
    assert_close(centre, it.COLOURS, atol=1e-6, rtol=0)
    corner = (solid[:, :, 0, 0] + 1) / 2
    assert_close(corner, torch.full((3, 3), it.BACKGROUND), atol=1e-6, rtol=0)
    striped = it.render_shapes(params, 32, "striped")
    inside = striped[:, :, 12:20, 12:20]
    assert (inside.amax((2, 3)) - inside.amin((2, 3))).amax(1).min() > 0.5   # stripes: light and coloured pixels
    assert it.render_shapes(params, 32, "outline").shape == (3, 1, 32, 32)


def test_unpaired_domains_are_not_pairs_and_truth_is():
    a, b = it.unpaired_task("shapes", 16, n=8)
    assert a.shape == b.shape == (8, 3, 16, 16)
    ta, tb = it.translation_truth("shapes", 16, n=8)
    # the truth pairs show one scene twice: B's coloured stripes lie inside A's shapes, and cover part of them
    shape_a, colour_b = ta.amin(1) < 0.85, tb.amin(1) < 0.85
    assert not (colour_b & ~shape_a).any()
    assert 0.2 < colour_b.sum() / shape_a.sum() < 0.8
    da, db = it.unpaired_task("digits", 16, n=5)
    assert da.shape == db.shape == (5, 1, 16, 16)
    assert (db > 0).float().mean() > (da > 0).float().mean()      # thick strokes cover more pixels


def test_sr_pairs_and_held_out_split():
    lr, hr = it.sr_pairs(6, hr_size=32, scale=4, split="test")
    assert lr.shape == (6, 3, 8, 8) and hr.shape == (6, 3, 32, 32)
    assert_close(lr, it.downsample(hr, 4))
    lr2, hr2 = it.sr_pairs(6, hr_size=32, scale=4, split="test")
    assert torch.equal(hr, hr2)
    photos = it._photos()
    tiles = {split: it._tiles(photos[0], split) for split in ("train", "test")}
    assert len(tiles["test"]) == 10 and len(tiles["train"]) == 30 and not set(tiles["test"]) & set(tiles["train"])
    # every test patch of photo 0 (even positions) is a crop of one of its test tiles
    for patch in hr[0::2]:
        found = False
        for top, left in tiles["test"]:
            tile = photos[0][:, top:top + it.TILE, left:left + it.TILE]
            windows = tile.unfold(1, 32, 1).unfold(2, 32, 1)                  # (3, 49, 49, 32, 32)
            found |= bool(((windows - patch[:, None, None]).abs().amax((0, 3, 4)) == 0).any())
        assert found
    assert (hr.mean(1).flatten(1).std(1) >= 0.1).all()                         # textured crops only
    assert it.upsample_bicubic(lr, 4).shape == hr.shape


@pytest.mark.parametrize("call, message", [
    (lambda: it.paired_task("nope"), "name: expected one of"),
    (lambda: it.paired_task("edges2digits", split="valid"), "split: expected one of"),
    (lambda: it.paired_task("edges2digits", size=12), "size: expected one of"),
    (lambda: it.photo_patches(2, size=100, split="test"), "size: expected at most 80"),
    (lambda: it.downsample(torch.zeros(1, 3, 10, 10), 4), "divisible by scale=4"),
])
def test_data_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_online_sets_fall_back_offline(tmp_path, capsys):
    x, y = it.paired_task("facades", 16, "test", n=4, download=False, root=str(tmp_path))
    assert "using the offline task 'outline2shapes'" in capsys.readouterr().out
    assert x.shape == (4, 1, 16, 16) and y.shape == (4, 3, 16, 16)
    a, b = it.unpaired_task("horse2zebra", 16, n=3, root=str(tmp_path))
    assert "offline task 'shapes'" in capsys.readouterr().out and a.shape == (3, 3, 16, 16)


# ---------------------------------------------------------------- measures
def test_psnr_values():
    x = torch.zeros(2, 3, 4, 4)
    y = x.clone()
    y[0] += 0.2                                      # MSE 0.04 over range 2: 10 log10(4 / 0.04) = 20 dB
    y[1] += 0.02                                     # 40 dB
    assert_close(translation.psnr(y, x), torch.tensor([20.0, 40.0], dtype=torch.float64))
    with pytest.raises(ValueError, match="expected one shape"):
        translation.psnr(x, x[:1])


def test_ssim_properties():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 3, 16, 16, generator=g) * 2 - 1
    assert_close(translation.ssim(x, x), torch.ones(3, dtype=torch.float64))
    noisy = (x + 0.3 * torch.randn(x.shape, generator=g)).clamp(-1, 1)
    blurred = F.avg_pool2d(x, 3, 1, 1)
    s_noisy, s_blur = translation.ssim(noisy, x), translation.ssim(blurred, x)
    assert (s_noisy < 0.9).all() and (s_blur < 0.9).all() and (s_noisy > -1).all()
    assert_close(translation.ssim(x, noisy), s_noisy)         # symmetric
    # a constant shift of the mean lowers only the luminance term
    assert (translation.ssim(x + 0.5, x) < 1).all()
    with pytest.raises(ValueError, match="sides >= 7"):
        translation.ssim(x[..., :5, :5], x[..., :5, :5])


def test_translate():
    g = UNetGenerator(UNetConfig(1, 1, depth=2, width=4, dropout=0.5))
    x = torch.randn(10, 1, 8, 8)
    out = translation.translate(g, x, batch_size=3)
    assert out.shape == x.shape and g.training           # eval inside, mode restored
    assert torch.equal(out, translation.translate(g, x))           # no dropout noise in eval mode
