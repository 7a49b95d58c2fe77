"""Reference answers the benchmarks train with (instructor side, like solutions/: never in ganlab/ or course/).

Losses of lectures 01 (GAN), 02 (LSGAN, PacGAN packing), 04 (WGAN-GP) and 05 (ACGAN, InfoGAN), written as the
solutions state them.
"""
import torch
import torch.nn.functional as F


def gan_d_loss(real, fake):            # lecture 01: -log D(x) - log(1 - D(G(z))), from logits
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def gan_g_loss(fake):                  # lecture 01: non-saturating -log D(G(z))
    return F.softplus(-fake).mean()


def ls_d_loss(real, fake, a=0.0, b=1.0):   # lecture 02: Mao et al., with their 1/2 factors
    return 0.5 * (real - b).pow(2).mean() + 0.5 * (fake - a).pow(2).mean()


def ls_g_loss(fake, c=1.0):
    return 0.5 * (fake - c).pow(2).mean()


def pack(x, k):                        # lecture 02: k consecutive samples side by side along dim 1
    if len(x) % k:
        raise ValueError(f"a batch of {len(x)} samples cannot be split into packs of {k}")
    return x.reshape(len(x) // k, k * x.shape[1], *x.shape[2:])


def critic_loss(real, fake):           # lecture 04
    return fake.mean() - real.mean()


def wgan_g_loss(fake):
    return -fake.mean()


def gradient_penalty(critic, real, fake, lambda_gp=10.0):
    eps = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)
    x = torch.lerp(fake, real, eps).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return lambda_gp * (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def acgan_d_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):  # lecture 05: -(L_S + L_C)
    return (F.softplus(-src_real).mean() + F.softplus(src_fake).mean()
            + F.cross_entropy(cls_real, labels_real) + F.cross_entropy(cls_fake, labels_fake))


def acgan_g_loss(src_fake, cls_fake, labels_fake):   # lecture 05: -L_C with the non-saturating source term
    return F.softplus(-src_fake).mean() + F.cross_entropy(cls_fake, labels_fake)


def infogan_info_loss(cat_logits, cat_codes, cont_mean, cont_codes, lambda_cont=1.0):
    """lecture 05: -L_I = cross-entropy of c1 + lambda * Gaussian NLL (unit variance, constant dropped) of c2..,
    summed over the continuous codes, batch means."""
    return F.cross_entropy(cat_logits, cat_codes) + lambda_cont * 0.5 * (cont_mean - cont_codes).pow(2).sum(1).mean()


def fade_in(alpha, upscaled, generated):   # lecture 07: ProGAN's blend, alpha for the new block
    return torch.lerp(upscaled, generated, alpha)


def adain(content, style_scale, style_bias, eps=1e-5):   # lecture 07: instance statistics, biased variance
    return style_scale[:, :, None, None] * F.instance_norm(content, eps=eps) + style_bias[:, :, None, None]


def truncate(w, w_avg, psi):               # lecture 07: StyleGAN's truncation trick in w
    return torch.lerp(w_avg, w, psi)
