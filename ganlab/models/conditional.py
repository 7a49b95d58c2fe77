"""Conditional GANs on DCGAN bodies: cGAN (Mirza & Osindero, 2014), ACGAN (Odena et al., 2017) and
InfoGAN (Chen et al., 2016).

    cGAN     G(z, y) -> x                D(x, y) -> source logit (B,)             the label goes into both nets
    ACGAN    G(z, y) -> x                D(x) -> (source (B,), class logits (B, K))  D must recognise the class
    InfoGAN  G(z, c1, c2..) -> x         D(x) -> (source (B,), c1 logits (B, K), c2.. means (B, n_cont))
                                         the Q head shares D's body; nobody tells it what c1 means
    BigGAN's pieces (Brock et al., 2019; Miyato & Koyama, 2018):
    CBN      G(z, y) -> x                every batch norm class-conditional: per-class gain and bias
    Proj.    D(x, y) -> logit (B,)       linear(phi(x)) + <embed(y), phi(x)>, phi = D's body's features

Labels (and InfoGAN's categorical code c1) are int64 class indices (B,) in [0, n_classes); a generator
sees them one-hot (or through a learned embedding) concatenated to z, a cGAN discriminator as extra
constant input channels. Continuous codes are floats (B, n_cont), uniform in [-1, 1] while training.
The losses are not here: the trainer takes them as arguments (ganlab holds no graded answer); nor is the
projection discriminator's logit: ProjectionDiscriminator takes that function as an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..checks import check_choice, check_positive, check_tensor
from .dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator, init_dcgan_weights
from .inference import generate


@dataclass
class ConditionalConfig:
    image_size: int = 16      # 8, 16, 32 or 64
    channels: int = 1         # 1 for digits/MNIST
    latent_dim: int = 64      # size of the noise z alone (labels and codes come on top)
    n_classes: int = 10       # labels 0..n_classes-1; for InfoGAN, the categories of the code c1
    n_cont: int = 2           # InfoGAN only: continuous codes c2, c3, ...
    width: int = 64           # DCGAN width (feature maps at the full-resolution layer)
    label_embed: int = 0      # 0: one-hot labels; k > 0: a learned k-dimensional embedding
    d_norm: str = "batch"     # discriminator normalisation, as in DCGANConfig
    pool: str = "flatten"     # ProjectionDiscriminator's phi(x): "flatten" the 4x4 maps, or "sum" them over space

    def __post_init__(self):
        check_choice(self.image_size, "image_size", (8, 16, 32, 64))
        check_choice(self.d_norm, "d_norm", ("batch", "layer", "none"))
        check_choice(self.pool, "pool", ("flatten", "sum"))
        check_positive(self.n_classes, "n_classes", integer=True)
        if not isinstance(self.n_cont, int) or self.n_cont < 0:
            raise ValueError(f"n_cont: expected an int >= 0, got {self.n_cont!r}")
        if not isinstance(self.label_embed, int) or self.label_embed < 0:
            raise ValueError(f"label_embed: expected an int >= 0 (0 = one-hot), got {self.label_embed!r}")

    @property
    def label_dim(self) -> int:  # size of the label's representation fed to the networks
        return self.label_embed or self.n_classes

    def dcgan(self, latent_dim: int | None = None, channels: int | None = None) -> DCGANConfig:
        return DCGANConfig(self.image_size, channels or self.channels, latent_dim or self.latent_dim,
                           self.width, self.d_norm)


def check_labels(labels, n_classes: int, batch: int | None = None, name: str = "labels") -> torch.Tensor:
    """Class indices: an integer tensor (B,) with values in [0, n_classes); returned as int64."""
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"{name}: expected an int64 tensor of class indices, got {type(labels).__name__}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise ValueError(f"{name}: expected integer class indices (int64), got dtype {labels.dtype}; "
                         "hint: torch.randint(...) or labels.long()")
    if labels.dim() != 1 or (batch is not None and len(labels) != batch):
        want = "(B,)" if batch is None else f"({batch},), one per sample"
        raise ValueError(f"{name}: expected shape {want}, got {tuple(labels.shape)}")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name}: expected values in [0, {n_classes - 1}], "
                         f"got min {labels.min().item()} and max {labels.max().item()}")
    return labels.long()


class _LabelCode(nn.Module):
    """labels (B,) -> (B, label_dim): one-hot, or a learned embedding."""

    def __init__(self, cfg: ConditionalConfig):
        super().__init__()
        self.n_classes = cfg.n_classes
        self.embed = nn.Embedding(cfg.n_classes, cfg.label_embed) if cfg.label_embed else None

    def forward(self, labels: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        if self.embed is None:
            return F.one_hot(labels, self.n_classes).to(dtype)
        return self.embed(labels).to(dtype)


# ---------------------------------------------------------------- cGAN (and ACGAN's generator)
class ConditionalGenerator(nn.Module):
    """(z (B, latent_dim), labels (B,)) -> images (B, channels, S, S) in [-1, 1]; a DCGAN generator fed [z, y]."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        super().__init__()
        cfg = cfg or ConditionalConfig()
        self.cfg, self.latent_dim, self.n_classes = cfg, cfg.latent_dim, cfg.n_classes
        self.label = _LabelCode(cfg)
        self.body = DCGANGenerator(cfg.dcgan(latent_dim=cfg.latent_dim + cfg.label_dim))

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        labels = check_labels(labels, self.n_classes, len(z))
        return self.body(torch.cat([z, self.label(labels, z.dtype)], dim=1))  # (B, latent_dim + label_dim)


class ConditionalDiscriminator(nn.Module):
    """(images (B, channels, S, S), labels (B,)) -> one logit per image (B,); the label enters as
    label_dim constant channels stacked on the image."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        super().__init__()
        cfg = cfg or ConditionalConfig()
        self.cfg, self.n_classes = cfg, cfg.n_classes
        self.label = _LabelCode(cfg)
        self.body = DCGANDiscriminator(cfg.dcgan(channels=cfg.channels + cfg.label_dim))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(x, "images", shape=(None, self.cfg.channels, s, s))
        labels = check_labels(labels, self.n_classes, len(x))
        maps = self.label(labels, x.dtype)[:, :, None, None].expand(-1, -1, s, s)  # (B, label_dim, S, S)
        return self.body(torch.cat([x, maps], dim=1))


# ---------------------------------------------------------------- discriminators with extra heads
class _HeadedDiscriminator(nn.Module):
    """A DCGAN discriminator's body (down to 4x4 features) with its source head and `extra` more outputs."""

    def __init__(self, cfg: ConditionalConfig, extra: int):
        super().__init__()
        self.cfg = cfg
        net = DCGANDiscriminator(cfg.dcgan()).net
        self.body, self.source = net[:-1], net[-1]      # (B, ch, 4, 4) features; Conv2d(ch, 1, 4)
        self.heads = nn.Conv2d(self.source.in_channels, extra, 4, 1, 0)  # a linear map of the 4x4 features
        self.heads.apply(init_dcgan_weights)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(x, "images", shape=(None, self.cfg.channels, s, s))
        return self.body(x)

    def outputs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(x)
        return self.source(h).flatten(), self.heads(h).flatten(1)  # (B,), (B, extra)


class ACGANDiscriminator(_HeadedDiscriminator):
    """images (B, channels, S, S) -> (source logits (B,), class logits (B, n_classes))."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        cfg = cfg or ConditionalConfig()
        super().__init__(cfg, cfg.n_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.outputs(x)


class InfoGANDiscriminator(_HeadedDiscriminator):
    """images -> (source logits (B,), c1 logits (B, n_classes), c2.. means (B, n_cont)): D and the Q head share a body."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        cfg = cfg or ConditionalConfig()
        super().__init__(cfg, cfg.n_classes + cfg.n_cont)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        source, q = self.outputs(x)
        return source, q[:, :self.cfg.n_classes], q[:, self.cfg.n_classes:]


class InfoGANGenerator(nn.Module):
    """(z (B, latent_dim), cat_codes (B,) int64, cont_codes (B, n_cont)) -> images; a DCGAN generator fed [z, onehot(c1), c2..]."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        super().__init__()
        cfg = cfg or ConditionalConfig()
        self.cfg, self.latent_dim, self.n_classes, self.n_cont = cfg, cfg.latent_dim, cfg.n_classes, cfg.n_cont
        self.body = DCGANGenerator(cfg.dcgan(latent_dim=cfg.latent_dim + cfg.n_classes + cfg.n_cont))

    def forward(self, z: torch.Tensor, cat_codes: torch.Tensor, cont_codes: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        cat = check_labels(cat_codes, self.n_classes, len(z), name="cat_codes")
        check_tensor(cont_codes, "cont_codes", shape=(len(z), self.n_cont))
        return self.body(torch.cat([z, F.one_hot(cat, self.n_classes).to(z.dtype), cont_codes.to(z.dtype)], dim=1))


# ---------------------------------------------------------------- BigGAN's conditional pieces
class ConditionalBatchNorm2d(nn.Module):
    """Class-conditional batch norm (BigGAN; de Vries et al., 2017): batch norm without its own affine, then a
    gain and a bias per class, looked up in two embeddings: gain[y] * BN(x) + bias[y]. The gains start at 1
    and the biases at 0, so a fresh layer is plain batch norm and the classes part from there.

    (x (B, C, H, W), labels (B,)) -> (B, C, H, W)."""

    def __init__(self, channels: int, n_classes: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)   # normalise only
        self.gain = nn.Embedding(n_classes, channels)      # (n_classes, C)
        self.bias = nn.Embedding(n_classes, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", shape=(None, self.bn.num_features, None, None))
        labels = check_labels(labels, self.gain.num_embeddings, len(x))
        return self.gain(labels)[:, :, None, None] * self.bn(x) + self.bias(labels)[:, :, None, None]


class CBNGenerator(nn.Module):
    """(z (B, latent_dim), labels (B,)) -> images (B, channels, S, S) in [-1, 1]: the DCGAN generator with
    every batch norm class-conditional. The label enters only through the per-class gains and biases (never
    concatenated to z), as in BigGAN's generator."""

    def __init__(self, cfg: ConditionalConfig | None = None):
        super().__init__()
        cfg = cfg or ConditionalConfig()
        self.cfg, self.latent_dim, self.n_classes = cfg, cfg.latent_dim, cfg.n_classes
        net = DCGANGenerator(cfg.dcgan()).net                  # DCGAN's layers and initialisation
        self.layers = nn.ModuleList(ConditionalBatchNorm2d(m.num_features, cfg.n_classes)
                                    if isinstance(m, nn.BatchNorm2d) else m for m in net)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        check_tensor(z, "z", shape=(None, self.latent_dim))
        labels = check_labels(labels, self.n_classes, len(z))
        h = z[:, :, None, None]                                # (B, latent_dim, 1, 1)
        for layer in self.layers:
            h = layer(h, labels) if isinstance(layer, ConditionalBatchNorm2d) else layer(h)
        return h


class ProjectionDiscriminator(nn.Module):
    """(images (B, channels, S, S), labels (B,)) -> one logit per image (B,): Miyato & Koyama's projection
    discriminator on a DCGAN body. phi(x) (B, F) = the body's last (4x4) feature maps, flattened (cfg.pool =
    "flatten": F = 16 channels; the linear term is then DCGAN's own head) or summed over space as in the paper's
    ResNets ("sum": F = channels); the logit is `projection(phi, labels, self.embed, self.linear)`, i.e.
    linear(phi) + <embed(y), phi>.

    `projection` is a function (features, labels, embedding, linear) -> (B,): the notebook passes its own
    (ganlab holds no graded answer). A model loaded by load_model has none until one is set:
    `D.projection = projection_logits`."""

    def __init__(self, cfg: ConditionalConfig | None = None, projection: Callable | None = None):
        super().__init__()
        cfg = cfg or ConditionalConfig()
        self.cfg, self.n_classes, self.projection = cfg, cfg.n_classes, projection
        net = DCGANDiscriminator(cfg.dcgan()).net
        self.body = net[:-1]                                   # (B, F, 4, 4) features; DCGAN's head dropped
        features = net[-1].in_channels * (16 if cfg.pool == "flatten" else 1)
        self.linear = nn.Linear(features, 1)                   # psi: the unconditional part of the logit
        self.embed = nn.Embedding(cfg.n_classes, features)     # one projection vector per class
        self.linear.apply(init_dcgan_weights)
        nn.init.normal_(self.embed.weight, 0.0, 0.02)          # small, like the other weights: logits start near 0

    def features(self, x: torch.Tensor) -> torch.Tensor:
        s = self.cfg.image_size
        check_tensor(x, "images", shape=(None, self.cfg.channels, s, s))
        h = self.body(x)                                       # (B, channels, 4, 4)
        return h.flatten(1) if self.cfg.pool == "flatten" else h.sum(dim=(2, 3))   # (B, F)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.projection is None:
            raise ValueError("ProjectionDiscriminator: expected a projection function, got None; hint: "
                             "ProjectionDiscriminator(cfg, projection_logits), or set D.projection")
        labels = check_labels(labels, self.n_classes, len(x))
        return self.projection(self.features(x), labels, self.embed, self.linear)   # (B,)


# ---------------------------------------------------------------- sampling and figures
def sample_codes(batch: int, n_cat: int = 10, n_cont: int = 2, generator: torch.Generator | None = None,
                 device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """InfoGAN's codes: cat (B,) int64 uniform over n_cat categories, cont (B, n_cont) uniform in [-1, 1]."""
    check_positive(batch, "batch", integer=True)
    check_positive(n_cat, "n_cat", integer=True)
    cat = torch.randint(n_cat, (batch,), generator=generator)
    cont = torch.rand(batch, n_cont, generator=generator) * 2 - 1
    return cat.to(device), cont.to(device)


def random_conditions(generator: nn.Module, batch: int, rng: torch.Generator | None = None,
                      device=None) -> tuple[torch.Tensor, ...]:
    """What a conditional generator takes after z, drawn from its prior: uniform labels (B,) for a cGAN/ACGAN
    generator, InfoGAN's (cat (B,), cont (B, n_cont)) for a generator with an `n_cont` (an InfoGAN generator)."""
    if hasattr(generator, "n_cont"):
        return sample_codes(batch, generator.n_classes, generator.n_cont, rng, device)
    check_positive(batch, "batch", integer=True)
    return (torch.randint(generator.n_classes, (batch,), generator=rng).to(device),)


def sample_conditional(generator: nn.Module, n: int, seed: int = 0) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """n images from the generator's prior (eval mode, CPU) and the conditions they were drawn with."""
    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(n, generator.latent_dim, generator=rng)
    codes = random_conditions(generator, n, rng)
    return generate(generator, z, *codes), codes


def class_grid(generator: ConditionalGenerator, per_class: int = 8, seed: int = 0) -> torch.Tensor:
    """Images (n_classes * per_class, C, S, S) on the CPU: row k holds class k; column j uses the same z
    in every row, so a column shows one "style" across classes. Show with plot.image_grid(x, nrow=per_class)."""
    check_positive(per_class, "per_class", integer=True)
    k = generator.n_classes
    z = torch.randn(per_class, generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    labels = torch.arange(k).repeat_interleave(per_class)              # (k * per_class,): 0,0,..,1,1,..
    return generate(generator, z.repeat(k, 1), labels)


def traverse(generator: InfoGANGenerator, code="cat", steps: int = 8, rows: int = 8, span: float = 2.0,
             seed: int = 0) -> torch.Tensor:
    """An InfoGAN traversal on the CPU, rows x columns images flattened row by row.

    code="cat": column j sets c1 = j (n_classes columns); each of `rows` rows has its own z and c2.. .
    code=i (int): column j sets continuous code i to linspace(-span, span, steps)[j] (beyond the
    training range [-1, 1] when span > 1, as in the paper); row k sets c1 = k (n_classes rows);
    z and the other continuous codes are one draw for the whole figure (zero for the codes).
    Show with plot.image_grid(x, nrow=n_classes if code == "cat" else steps).
    """
    g = torch.Generator().manual_seed(seed)
    k, n_cont = generator.n_classes, generator.n_cont
    if code == "cat":
        check_positive(rows, "rows", integer=True)
        z = torch.randn(rows, generator.latent_dim, generator=g).repeat_interleave(k, 0)   # (rows * k, latent)
        cont = (torch.rand(rows, n_cont, generator=g) * 2 - 1).repeat_interleave(k, 0)
        cat = torch.arange(k).repeat(rows)
    elif isinstance(code, int) and not isinstance(code, bool) and 0 <= code < n_cont:
        check_positive(steps, "steps", integer=True)
        z = torch.randn(1, generator.latent_dim, generator=g).expand(k * steps, -1)
        cont = torch.zeros(k * steps, n_cont)
        cont[:, code] = torch.linspace(-span, span, steps).repeat(k)
        cat = torch.arange(k).repeat_interleave(steps)
    else:
        raise ValueError(f"code: expected 'cat' or a continuous code index in [0, {n_cont - 1}], got {code!r}")
    return generate(generator, z, cat, cont)
