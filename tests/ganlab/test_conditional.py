"""ganlab.models.conditional (cGAN, ACGAN, InfoGAN, BigGAN's conditional batch norm and projection discriminator),
code agreement and conditional accuracy; lecture 05's test helpers in ganlab.feedback."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.testing import assert_close

from ganlab.classifier import code_class_agreement, conditional_accuracy
from ganlab.feedback import projection_head, reference_cross_entropy, reference_softplus, which_mistake
from ganlab.metrics import code_agreement
from ganlab.models import (ACGANDiscriminator, CBNGenerator, ConditionalBatchNorm2d, ConditionalConfig,
                           ConditionalDiscriminator, ConditionalGenerator, InfoGANDiscriminator, InfoGANGenerator,
                           ProjectionDiscriminator, class_grid, generate, load_model, random_conditions, sample_codes,
                           sample_conditional, save_model, traverse)

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def tiny(**kw):
    return ConditionalConfig(**{"image_size": 8, "latent_dim": 5, "n_classes": 4, "n_cont": 2, "width": 4} | kw)


# ---------------------------------------------------------------- shapes
@pytest.mark.parametrize("size, embed", [(8, 0), (16, 0), (16, 3)])
def test_cgan_shapes(size, embed):
    cfg = tiny(image_size=size, label_embed=embed)
    g, d = ConditionalGenerator(cfg), ConditionalDiscriminator(cfg)
    y = torch.tensor([0, 3, 1, 2, 3, 0, 1])
    x = g(torch.randn(7, 5), y)
    assert x.shape == (7, 1, size, size) and x.abs().max() <= 1
    assert d(x, y).shape == (7,)
    assert d(x, y.int()).shape == (7,)  # any integer dtype


def test_label_changes_the_output():
    cfg = tiny()
    g, d = ConditionalGenerator(cfg).eval(), ConditionalDiscriminator(cfg).eval()
    z, x = torch.randn(1, 5).expand(4, 5), torch.randn(1, 1, 8, 8).expand(4, 1, 8, 8)
    y = torch.arange(4)
    imgs, logits = g(z, y), d(x, y)
    assert all((imgs[0] - imgs[i]).abs().max() > 0 for i in range(1, 4))
    assert len(set(logits.tolist())) == 4


def test_acgan_and_infogan_shapes():
    cfg = tiny(image_size=16)
    x = torch.randn(6, 1, 16, 16)
    src, cls = ACGANDiscriminator(cfg)(x)
    assert src.shape == (6,) and cls.shape == (6, 4)
    g, d = InfoGANGenerator(cfg), InfoGANDiscriminator(cfg)
    cat, cont = sample_codes(6, 4, 2)
    images = g(torch.randn(6, 5), cat, cont)
    assert images.shape == (6, 1, 16, 16)
    src, cat_logits, cont_mean = d(images)
    assert src.shape == (6,) and cat_logits.shape == (6, 4) and cont_mean.shape == (6, 2)


def test_infogan_q_head_shares_the_body():
    d = InfoGANDiscriminator(tiny())
    src, cat_logits, cont_mean = d(torch.randn(3, 1, 8, 8))
    (cat_logits.sum() + cont_mean.sum()).backward()
    assert d.body[0].weight.grad.abs().sum() > 0   # the Q loss trains the shared body
    assert d.source.weight.grad is None            # but not the source head


def test_sample_codes():
    cat, cont = sample_codes(2000, 10, 3, generator=torch.Generator().manual_seed(1))
    assert cat.dtype == torch.int64 and cat.shape == (2000,) and set(cat.tolist()) == set(range(10))
    assert cont.dtype == torch.float32 and cont.shape == (2000, 3)
    assert cont.min() >= -1 and cont.max() <= 1 and cont.min() < -0.99 and cont.max() > 0.99
    again = sample_codes(2000, 10, 3, generator=torch.Generator().manual_seed(1))
    assert torch.equal(again[0], cat) and torch.equal(again[1], cont)


# ---------------------------------------------------------------- input checks
@pytest.mark.parametrize("labels, message", [
    (torch.tensor([0.0, 1.0, 2.0]), r"labels: expected integer class indices \(int64\), got dtype torch.float32"),
    (torch.tensor([True, False, True]), "got dtype torch.bool"),
    (torch.tensor([0, 1, 4]), r"labels: expected values in \[0, 3\], got min 0 and max 4"),
    (torch.tensor([0, -1, 2]), "got min -1"),
    (torch.tensor([0, 1]), r"labels: expected shape \(3,\), one per sample, got \(2,\)"),
    (torch.tensor([[0, 1, 2]]), r"expected shape \(3,\)"),
    ([0, 1, 2], "labels: expected an int64 tensor of class indices, got list"),
])
def test_labels_are_checked(labels, message):
    cfg = tiny()
    with pytest.raises(ValueError, match=message):
        ConditionalGenerator(cfg)(torch.randn(3, 5), labels)
    with pytest.raises(ValueError, match=message):
        ConditionalDiscriminator(cfg)(torch.randn(3, 1, 8, 8), labels)


def test_infogan_generator_checks_codes():
    g = InfoGANGenerator(tiny())
    with pytest.raises(ValueError, match=r"cat_codes: expected values in \[0, 3\]"):
        g(torch.randn(2, 5), torch.tensor([0, 4]), torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"cont_codes: expected shape \(2, 2\), got \(2, 3\)"):
        g(torch.randn(2, 5), torch.tensor([0, 1]), torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"images: expected shape \(\*, 1, 8, 8\)"):
        InfoGANDiscriminator(tiny())(torch.randn(2, 1, 16, 16))


@pytest.mark.parametrize("kw, message", [({"n_classes": 0}, "n_classes"), ({"n_cont": -1}, "n_cont"),
                                         ({"label_embed": -2}, "label_embed"), ({"image_size": 12}, "image_size"),
                                         ({"pool": "mean"}, "pool")])
def test_config_is_checked(kw, message):
    with pytest.raises(ValueError, match=message):
        tiny(**kw)


# ---------------------------------------------------------------- BigGAN's pieces
def projection(features, labels, embedding, linear):
    """The projection logit, written here for the tests (ganlab takes it as an argument)."""
    return linear(features).squeeze(-1) + (embedding(labels) * features).sum(-1)


def test_conditional_batch_norm_starts_as_plain_batch_norm():
    cbn, x = ConditionalBatchNorm2d(3, 4), torch.randn(6, 3, 2, 2) * 5 + 2
    assert cbn.bn.weight is None and torch.equal(cbn.gain.weight, torch.ones(4, 3))
    assert torch.equal(cbn.bias.weight, torch.zeros(4, 3))
    assert_close(cbn(x, torch.tensor([0, 1, 2, 3, 0, 1])), F.batch_norm(x, None, None, training=True))


def test_conditional_batch_norm_applies_each_samples_class():
    cbn, x = ConditionalBatchNorm2d(2, 3), torch.randn(4, 2, 3, 3)
    with torch.no_grad():
        cbn.gain.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        cbn.bias.weight.copy_(torch.tensor([[0.0, 1.0], [-1.0, 0.5], [2.0, 2.0]]))
    y = torch.tensor([2, 0, 1, 2])
    normalised = F.batch_norm(x, None, None, training=True)
    want = cbn.gain.weight[y][:, :, None, None] * normalised + cbn.bias.weight[y][:, :, None, None]
    assert_close(cbn(x, y), want.detach())
    with pytest.raises(ValueError, match=r"labels: expected values in \[0, 2\]"):
        cbn(x, torch.tensor([0, 1, 2, 3]))


@pytest.mark.parametrize("size", [8, 16])
def test_cbn_generator_takes_the_label_only_through_its_norms(size):
    g = CBNGenerator(tiny(image_size=size)).eval()
    assert g.layers[0].in_channels == 5                                  # z alone: no label input
    norms = [m for m in g.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert norms and not any(isinstance(m, torch.nn.BatchNorm2d) and m.affine for m in g.modules())
    z = torch.randn(1, 5).expand(4, 5)
    x = g(z, torch.arange(4))
    assert x.shape == (4, 1, size, size) and x.abs().max() <= 1
    with torch.no_grad():
        for m in norms:
            m.bias.weight[2] += 1.0                                      # only class 2's bias moves
    again = g(z, torch.arange(4))
    assert_close(again[[0, 1, 3]], x[[0, 1, 3]])
    assert (again[2] - x[2]).abs().max() > 0


@pytest.mark.parametrize("pool, features", [("flatten", 8 * 16), ("sum", 8)])
def test_projection_discriminator(pool, features):
    cfg = tiny(image_size=16, pool=pool)
    d = ProjectionDiscriminator(cfg, projection).eval()
    x, y = torch.randn(5, 1, 16, 16), torch.tensor([0, 3, 1, 2, 3])
    phi = d.features(x)
    assert phi.shape == (5, features) and d.embed.weight.shape == (4, features)
    assert_close(d(x, y), projection(phi, y, d.embed, d.linear))
    d(x, y).sum().backward()
    assert all(p.grad is not None for p in (d.body[0].weight, d.embed.weight, d.linear.weight))


def test_projection_discriminator_needs_its_function():
    d = ProjectionDiscriminator(tiny())
    with pytest.raises(ValueError, match="expected a projection function"):
        d(torch.randn(2, 1, 8, 8), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"labels: expected shape \(2,\)"):
        ProjectionDiscriminator(tiny(), projection)(torch.randn(2, 1, 8, 8), torch.tensor([0, 1, 2]))


# ---------------------------------------------------------------- lecture 05's test helpers (ganlab.feedback)
def test_reference_losses_match_torch():
    logits, labels = torch.randn(6, 4) * 50, torch.tensor([0, 1, 2, 3, 3, 0])
    ce = reference_cross_entropy(logits, labels)
    assert ce.dtype == torch.float64 and ce.shape == (6,)
    assert_close(ce, F.cross_entropy(logits.double(), labels, reduction="none"))
    x = torch.tensor([-200.0, 0.0, 200.0], requires_grad=True)
    assert_close(reference_softplus(x), torch.tensor([0.0, 0.6931471805599453, 200.0], dtype=torch.float64))


def test_which_mistake_names_the_matching_value():
    mistakes = {"a factor 1/2": 45.0, "sums instead of means": 180.0}
    assert which_mistake(torch.tensor(45.02), mistakes) == "your value is what a factor 1/2 gives"
    assert which_mistake(180.0, mistakes) == "your value is what sums instead of means gives"
    assert which_mistake(3.0, mistakes) == "compare your value with each of the terms above"
    assert which_mistake(float("inf"), mistakes).startswith("a log of a probability that underflowed")


def test_projection_head_is_seeded_and_leaves_the_global_rng():
    state = torch.get_rng_state()
    embedding, linear = projection_head(3, 5, seed=7)
    assert torch.equal(torch.get_rng_state(), state)
    again = projection_head(3, 5, seed=7)
    assert embedding.weight.shape == (3, 5) and linear.weight.shape == (1, 5) and linear.bias.shape == (1,)
    assert torch.equal(embedding.weight, again[0].weight) and torch.equal(linear.bias, again[1].bias)


# ---------------------------------------------------------------- training and checkpoints
def test_one_step_changes_every_network():
    cfg = tiny()
    g, d = ConditionalGenerator(cfg), ACGANDiscriminator(cfg)
    before = [p.detach().clone() for p in (*g.parameters(), *d.parameters())]
    opt = torch.optim.Adam([*g.parameters(), *d.parameters()], 1e-3)
    y = torch.randint(4, (8,))
    src, cls = d(g(torch.randn(8, 5), y))
    (F.softplus(-src).mean() + F.cross_entropy(cls, y)).backward()
    opt.step()
    after = [*g.parameters(), *d.parameters()]
    assert all(not torch.equal(a, b) for a, b in zip(before, after) if a.dim() > 1)


@pytest.mark.parametrize("cls", [ConditionalGenerator, ConditionalDiscriminator, ACGANDiscriminator,
                                 InfoGANGenerator, InfoGANDiscriminator, CBNGenerator, ProjectionDiscriminator])
def test_checkpoint_round_trip(cls, tmp_path):
    model = cls(tiny(label_embed=2)).eval()
    save_model(model, tmp_path / "m.pt")
    again = load_model(tmp_path / "m.pt").eval()
    assert type(again) is cls and again.cfg == model.cfg
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        assert_close(a, b)


# ---------------------------------------------------------------- figures
def test_class_grid_rows_are_classes_and_columns_share_z():
    g = ConditionalGenerator(tiny()).train()
    x = class_grid(g, per_class=3, seed=5)
    assert x.shape == (12, 1, 8, 8) and x.device.type == "cpu" and g.training  # mode restored
    with torch.no_grad():
        g.eval()
        z = torch.randn(3, 5, generator=torch.Generator().manual_seed(5))
        assert_close(x[6:9], g(z, torch.full((3,), 2)))  # row 2 = class 2, same z per column


def test_traverse():
    g = InfoGANGenerator(tiny()).eval()
    cat = traverse(g, "cat", rows=2)
    assert cat.shape == (2 * 4, 1, 8, 8)
    cont = traverse(g, 1, steps=5)
    assert cont.shape == (4 * 5, 1, 8, 8)
    assert (cont[0] - cont[4]).abs().max() > 0                   # the code moves along a row
    with pytest.raises(ValueError, match="code: expected 'cat' or a continuous code index in \\[0, 1\\]"):
        traverse(g, 2)


# ---------------------------------------------------------------- metrics
def test_code_agreement_is_one_for_a_permuted_perfect_labelling():
    labels = torch.arange(10).repeat(7)
    perm = torch.randperm(10)
    result = code_agreement(perm[labels], labels)
    assert result.accuracy == 1.0
    assert result.mapping == {int(perm[k]): k for k in range(10)}
    assert result.table.sum() == 70


def test_code_agreement_on_known_tables():
    # codes 0 -> mostly label 1, code 1 -> mostly label 0: 4 of 6 after the swap
    assert code_agreement([0, 0, 0, 1, 1, 1], [1, 1, 0, 0, 0, 1]).accuracy == pytest.approx(4 / 6)
    # one code for everything: only one label can be matched
    assert code_agreement(torch.zeros(40, dtype=torch.long), torch.arange(4).repeat(10), 4, 4).accuracy == 0.25
    with pytest.raises(ValueError, match="codes: expected non-negative integer indices"):
        code_agreement(torch.rand(4), torch.arange(4))
    with pytest.raises(ValueError, match="two non-empty sequences of one length"):
        code_agreement([0, 1], [0, 1, 2])
    with pytest.raises(ValueError, match=r"labels: expected values in \[0, 2\], got 3"):
        code_agreement([0, 1], [0, 3], n_labels=3)


class _PixelClassifier(nn.Module):
    """A mock judge: the class is round(10 * mean pixel) of the image."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return F.one_hot((x.mean((1, 2, 3)) * 10).round().long().clamp(0, 9), 10).float()


class _PaintGenerator(nn.Module):
    """A mock conditional generator painting the label (shifted by `offset`) as the image's grey level."""

    def __init__(self, offset=0, infogan=False):
        super().__init__()
        self.latent_dim, self.n_classes, self.n_cont, self.offset = 3, 10, 2, offset
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, z, labels, cont=None):
        return ((labels + self.offset) % 10).float().div(10)[:, None, None, None].expand(-1, 1, 8, 8)


def test_conditional_accuracy_on_perfect_and_wrong_generators():
    acc, per_class = conditional_accuracy(_PaintGenerator(), per_class=5, classifier=_PixelClassifier())
    assert acc == 1.0 and per_class == [1.0] * 10
    acc, per_class = conditional_accuracy(_PaintGenerator(offset=1), per_class=5, classifier=_PixelClassifier())
    assert acc == 0.0 and per_class == [0.0] * 10


def test_code_class_agreement_sees_through_renaming():
    shifted = code_class_agreement(_PaintGenerator(offset=3), n=200, classifier=_PixelClassifier())
    assert shifted.accuracy == 1.0 and shifted.mapping == {k: (k + 3) % 10 for k in range(10)}


# ---------------------------------------------------------------- sampling from the prior
def test_random_conditions_and_sample_conditional():
    cgan, info = ConditionalGenerator(tiny()), InfoGANGenerator(tiny())
    (labels,) = random_conditions(cgan, 400, torch.Generator().manual_seed(0))
    assert labels.dtype == torch.int64 and set(labels.tolist()) == set(range(4))
    cat, cont = random_conditions(info, 400, torch.Generator().manual_seed(0))
    assert set(cat.tolist()) == set(range(4)) and cont.shape == (400, 2) and cont.abs().max() <= 1
    for g in (cgan, info):
        g.train()
        images, codes = sample_conditional(g, 7, seed=3)
        again, codes_again = sample_conditional(g, 7, seed=3)
        assert images.shape == (7, 1, 8, 8) and torch.equal(images, again) and g.training  # eval inside, mode restored
        assert all(torch.equal(a, b) for a, b in zip(codes, codes_again))


def test_generate_in_batches_equals_one_batch():
    g = ConditionalGenerator(tiny())
    z, labels = torch.randn(9, 5), torch.arange(9) % 4
    assert_close(generate(g, z, labels, batch_size=2), generate(g, z, labels), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="batch"):
        random_conditions(g, 0)
