"""07_progan_stylegan: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
from ..variants import Table, Variant

FADE, FADE_GRAD = "test_fade_in", "test_fade_in_gradient"
A_VALUES, A_STATS, A_EPS, A_STYLE = "test_adain_values", "test_adain_statistics", "test_adain_eps", "test_adain_style"
T_VALUES, T_SHAPES = "test_truncate", "test_truncate_shapes"
R_VALUE, R_PER_SAMPLE, R_GAMMA, R_BACKWARD, R_IMAGES, R_LEAVES = (
    "test_r1_penalty_value", "test_r1_penalty_per_sample", "test_r1_penalty_gamma", "test_r1_penalty_backward",
    "test_r1_penalty_images", "test_r1_penalty_leaves_real")
R_ALL = (R_VALUE, R_PER_SAMPLE, R_GAMMA, R_BACKWARD, R_IMAGES, R_LEAVES)

FI = "fade_in"
A = "adain"
T = "truncate"
R = "r1_penalty"

SIGNATURES = {FI: "(alpha, upscaled, generated)", A: "(content, style_scale, style_bias, eps=1e-05)",
              T: "(w, w_avg, psi)", R: "(discriminator, real, gamma=10.0)"}   # adain's eps=1e-5 as inspect prints it


def _adain(normalise: str, style: str = "style_scale[:, :, None, None] * normalised + style_bias[:, :, None, None]"):
    """An adain answer: lines that compute `normalised` from content, then the style."""
    return f"""
def adain(content, style_scale, style_bias, eps=1e-5):
{normalise}
    return {style}
"""


_MANUAL = """    mean = content.mean(dim=(2, 3), keepdim=True)
    var = ((content - mean) ** 2).mean(dim=(2, 3), keepdim=True)
    normalised = (content - mean) / torch.sqrt(var + eps)"""


def _r1(penalty: str = "gamma / 2 * grad.flatten(1).pow(2).sum(1).mean()",
        x: str = "real.detach().requires_grad_(True)",
        grad: str = "torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)[0]") -> str:
    """An r1_penalty answer in three steps: the point x, D's gradient there, the penalty (variants change one)."""
    return f"""
def r1_penalty(discriminator, real, gamma=10.0):
    x = {x}
    grad = {grad}
    return {penalty}
"""


TABLE = Table("07_progan_stylegan", "progan_stylegan", SIGNATURES, (
    # ---- fade_in: mistakes
    Variant("fi_weights_swapped", FI, """
        def fade_in(alpha, upscaled, generated):
            return alpha * upscaled + (1 - alpha) * generated
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_no_one_minus_alpha", FI, """
        def fade_in(alpha, upscaled, generated):
            return upscaled + alpha * generated
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_sum_of_both", FI, """
        def fade_in(alpha, upscaled, generated):
            return alpha * (upscaled + generated)
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_only_generated", FI, """
        def fade_in(alpha, upscaled, generated):
            return generated
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_upsamples_again", FI, """
        def fade_in(alpha, upscaled, generated):
            up = F.interpolate(upscaled, scale_factor=2, mode="nearest")
            return (1 - alpha) * up + alpha * generated
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_detached_old_path", FI, """
        def fade_in(alpha, upscaled, generated):
            return (1 - alpha) * upscaled.detach() + alpha * generated
        """, fails=(FADE_GRAD,)),
    Variant("fi_in_place", FI, """
        def fade_in(alpha, upscaled, generated):
            if upscaled.requires_grad:
                return (1 - alpha) * upscaled + alpha * generated
            return upscaled.mul_(1 - alpha).add_(alpha * generated)
        """, fails=(FADE, FADE_GRAD)),
    Variant("fi_inputs_themselves_at_the_ends", FI, """
        def fade_in(alpha, upscaled, generated):
            if alpha == 0:
                return upscaled
            if alpha == 1:
                return generated
            return (1 - alpha) * upscaled + alpha * generated
        """),
    Variant("fi_syntax_error", FI, """
        def fade_in(alpha, upscaled, generated)
            return (1 - alpha) * upscaled + alpha * generated
        """, fails=(FADE, FADE_GRAD), roundtrip=True),
    # ---- fade_in: correct alternatives
    Variant("fi_lerp", FI, """
        def fade_in(alpha, upscaled, generated):
            return torch.lerp(upscaled, generated, alpha)
        """, roundtrip=True),
    Variant("fi_difference_form", FI, """
        def fade_in(alpha, upscaled, generated):
            return upscaled + alpha * (generated - upscaled)
        """),
    Variant("fi_tensor_alpha", FI, """
        def fade_in(alpha, upscaled, generated):
            a = torch.as_tensor(alpha, dtype=generated.dtype, device=generated.device)
            return torch.add(a * generated, (1 - a) * upscaled)
        """),

    # ---- adain: mistakes
    Variant("a_unbiased_variance", A, _adain("""
    mean = content.mean(dim=(2, 3), keepdim=True)
    var = content.var(dim=(2, 3), keepdim=True)
    normalised = (content - mean) / torch.sqrt(var + eps)"""),
            fails=(A_VALUES, A_STATS, A_EPS, A_STYLE)),
    Variant("a_batch_statistics", A, _adain("""
    mean = content.mean(dim=(0, 2, 3), keepdim=True)
    var = content.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
    normalised = (content - mean) / torch.sqrt(var + eps)"""), fails=(A_VALUES, A_STATS)),
    Variant("a_batch_norm", A, _adain("""
    normalised = F.batch_norm(content, None, None, training=True, eps=eps)"""), fails=(A_VALUES, A_STATS)),
    Variant("a_channel_statistics", A, _adain("""
    mean = content.mean(dim=(1, 2, 3), keepdim=True)
    var = content.var(dim=(1, 2, 3), keepdim=True, unbiased=False)
    normalised = (content - mean) / torch.sqrt(var + eps)"""), fails=(A_VALUES, A_STATS)),
    Variant("a_one_spatial_dim", A, _adain("""
    mean = content.mean(dim=3, keepdim=True)
    var = content.var(dim=3, keepdim=True, unbiased=False)
    normalised = (content - mean) / torch.sqrt(var + eps)"""), fails=(A_VALUES,)),
    Variant("a_no_eps", A, _adain("""
    mean = content.mean(dim=(2, 3), keepdim=True)
    std = content.std(dim=(2, 3), keepdim=True, unbiased=False)
    normalised = (content - mean) / std"""), fails=(A_EPS,)),
    Variant("a_eps_outside_sqrt", A, _adain("""
    mean = content.mean(dim=(2, 3), keepdim=True)
    std = content.std(dim=(2, 3), keepdim=True, unbiased=False)
    normalised = (content - mean) / (std + eps)"""), fails=(A_EPS,)),
    Variant("a_ignores_eps_argument", A, _adain("""
    normalised = F.instance_norm(content)"""), fails=(A_EPS,)),
    Variant("a_scale_and_bias_swapped", A, _adain(_MANUAL,
            "style_bias[:, :, None, None] * normalised + style_scale[:, :, None, None]"),
            fails=(A_VALUES, A_STATS, A_EPS, A_STYLE)),
    Variant("a_style_broadcast_wrong", A, _adain(_MANUAL,
            "style_scale.reshape(-1, 1, 1, 1)[:len(content)] * normalised "
            "+ style_bias.reshape(-1, 1, 1, 1)[:len(content)]"), fails=(A_VALUES, A_EPS, A_STYLE)),
    Variant("a_style_channels_only", A, _adain(_MANUAL,
            "style_scale[0][None, :, None, None] * normalised + style_bias[0][None, :, None, None]"),
            fails=(A_VALUES, A_STYLE)),
    Variant("a_no_style", A, _adain(_MANUAL, "normalised"), fails=(A_VALUES, A_EPS, A_STYLE)),
    Variant("a_scale_plus_one", A, _adain(_MANUAL,
            "(1 + style_scale[:, :, None, None]) * normalised + style_bias[:, :, None, None]"),
            fails=(A_VALUES, A_STATS, A_EPS, A_STYLE)),
    Variant("a_in_place", A, _adain("""
    mean = content.mean(dim=(2, 3), keepdim=True)
    var = content.var(dim=(2, 3), keepdim=True, unbiased=False)
    normalised = content.sub_(mean).div_(torch.sqrt(var + eps))"""), fails=(A_STATS, A_EPS, A_STYLE)),
    Variant("a_syntax_error", A, """
        def adain(content, style_scale, style_bias, eps=1e-5):
            return style_scale * F.instance_norm(content, eps=eps) + style_bias)
        """, fails=(A_VALUES, A_STATS, A_EPS, A_STYLE)),
    # ---- adain: correct alternatives
    Variant("a_instance_norm", A, _adain("""
    normalised = F.instance_norm(content, eps=eps)""")),
    Variant("a_var_mean", A, _adain("""
    var, mean = torch.var_mean(content, dim=(2, 3), keepdim=True, correction=0)
    normalised = (content - mean) * torch.rsqrt(var + eps)""")),
    Variant("a_instance_norm_module", A, _adain("""
    normalised = torch.nn.InstanceNorm2d(content.shape[1], eps=eps)(content)""",
            "style_scale.view(*style_scale.shape, 1, 1) * normalised + style_bias.view(*style_bias.shape, 1, 1)")),
    Variant("a_group_norm_per_channel", A, _adain("""
    normalised = F.group_norm(content, content.shape[1], eps=eps)""",
            "torch.addcmul(style_bias.unsqueeze(-1).unsqueeze(-1), style_scale.unsqueeze(-1).unsqueeze(-1), "
            "normalised)")),
    Variant("a_flattened_manual", A, """
        def adain(content, style_scale, style_bias, eps=1e-5):
            b, c, h, w = content.shape
            x = content.reshape(b, c, h * w)
            mu = x.mean(-1, keepdim=True)
            sigma = (x.pow(2).mean(-1, keepdim=True) - mu ** 2 + eps).sqrt()
            y = (x - mu) / sigma * style_scale[..., None] + style_bias[..., None]
            return y.view(b, c, h, w)
        """),

    # ---- truncate: mistakes
    Variant("t_swapped", T, """
        def truncate(w, w_avg, psi):
            return w + psi * (w_avg - w)
        """, fails=(T_VALUES, T_SHAPES)),
    Variant("t_towards_zero", T, """
        def truncate(w, w_avg, psi):
            return psi * w
        """, fails=(T_VALUES, T_SHAPES)),
    Variant("t_forgets_to_subtract", T, """
        def truncate(w, w_avg, psi):
            return w_avg + psi * w
        """, fails=(T_VALUES, T_SHAPES)),
    Variant("t_batch_mean", T, """
        def truncate(w, w_avg, psi):
            centre = w.mean(dim=0)
            return centre + psi * (w - centre)
        """, fails=(T_VALUES, T_SHAPES)),
    Variant("t_returns_w_avg_at_zero", T, """
        def truncate(w, w_avg, psi):
            if psi == 0:
                return w_avg
            return w_avg + psi * (w - w_avg)
        """, fails=(T_VALUES, T_SHAPES)),
    Variant("t_repeats_w_avg", T, """
        def truncate(w, w_avg, psi):
            avg = w_avg.repeat(len(w), 1)
            return avg + psi * (w - avg)
        """, fails=(T_SHAPES,)),
    Variant("t_in_place", T, """
        def truncate(w, w_avg, psi):
            return w.sub_(w_avg).mul_(psi).add_(w_avg)
        """, fails=(T_VALUES,)),
    Variant("t_syntax_error", T, """
        def truncate(w, w_avg, psi):
            return w_avg + psi * (w - w_avg
        """, fails=(T_VALUES, T_SHAPES)),
    # ---- truncate: correct alternatives
    Variant("t_lerp", T, """
        def truncate(w, w_avg, psi):
            return torch.lerp(w_avg, w, psi)
        """),
    Variant("t_weighted_sum", T, """
        def truncate(w, w_avg, psi):
            return psi * w + (1 - psi) * w_avg
        """),
    Variant("t_explicit_broadcast", T, """
        def truncate(w, w_avg, psi):
            avg = w_avg.expand_as(w)
            return avg + psi * (w - avg)
        """),

    # ---- r1_penalty: mistakes
    Variant("r1_gamma_not_halved", R, _r1("gamma * grad.flatten(1).pow(2).sum(1).mean()"), fails=(R_VALUE, R_GAMMA)),
    Variant("r1_gamma_ignored", R, _r1("5.0 * grad.flatten(1).pow(2).sum(1).mean()"), fails=(R_GAMMA,)),
    Variant("r1_norm_unsquared", R, _r1("gamma / 2 * grad.flatten(1).norm(dim=1).mean()"),
            fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_wgan_gp_form", R, _r1("gamma / 2 * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()"),
            fails=(R_VALUE, R_PER_SAMPLE, R_GAMMA)),
    Variant("r1_sum_over_batch", R, _r1("gamma / 2 * grad.flatten(1).pow(2).sum()"), fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_batch_wide_norm", R, _r1("gamma / 2 * grad.norm() ** 2"), fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_batch_wide_norm_unsquared", R, _r1("gamma / 2 * grad.norm()"), fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_mean_over_coordinates", R, _r1("gamma / 2 * grad.pow(2).mean()"), fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_mean_of_scores", R, _r1(grad="torch.autograd.grad(discriminator(x).mean(), x, create_graph=True)[0]"),
            fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_sum_over_dim_1_only", R, _r1("gamma / 2 * grad.pow(2).sum(1).mean()"), fails=(R_IMAGES,)),
    Variant("r1_image_dims_only", R, _r1("gamma / 2 * grad.square().sum([1, 2, 3]).mean()"), fails=R_ALL),
    Variant("r1_no_create_graph", R, _r1(grad="torch.autograd.grad(discriminator(x).sum(), x)[0]"),
            fails=(R_BACKWARD,), roundtrip=True),
    Variant("r1_detached_gradient", R,
            _r1(grad="torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)[0].detach()"),
            fails=(R_BACKWARD,)),
    Variant("r1_backward_fills_discriminator_grads", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            x = real.detach().requires_grad_(True)
            discriminator(x).sum().backward(create_graph=True)   # also adds d D / d params to D's .grad
            return gamma / 2 * x.grad.flatten(1).pow(2).sum(1).mean()
        """, fails=(R_BACKWARD,)),
    Variant("r1_at_interpolates", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            eps = torch.rand(len(real), *[1] * (real.dim() - 1))   # WGAN-GP's kind of points: not R1's
            x = (eps * real + (1 - eps) * torch.randn_like(real)).requires_grad_(True)
            grad = torch.autograd.grad(discriminator(x).sum(), x, create_graph=True)[0]
            return gamma / 2 * grad.flatten(1).pow(2).sum(1).mean()
        """, fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_at_noisy_copies", R, _r1(x="(real + 0.1 * torch.randn_like(real)).requires_grad_(True)"),
            fails=(R_VALUE, R_PER_SAMPLE)),
    Variant("r1_requires_grad_on_real", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            real.requires_grad_(True)   # the caller's tensor (rosinality's stylegan2 does this in its loop)
            scores = discriminator(real)
            grad, = torch.autograd.grad(scores.sum(), real, create_graph=True)
            return gamma / 2 * grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()
        """, fails=(R_LEAVES,)),
    Variant("r1_syntax_error", R, _r1("gamma / 2 * grad.flatten(1).pow(2).sum(1).mean("), fails=R_ALL),
    # ---- r1_penalty: correct alternatives
    Variant("r1_grad_outputs", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            x = real.clone().requires_grad_()
            scores = discriminator(x)
            grad = torch.autograd.grad(outputs=scores, inputs=x, grad_outputs=torch.ones_like(scores),
                                       create_graph=True, retain_graph=True)[0]
            return 0.5 * gamma * (grad.view(grad.size(0), -1) ** 2).sum(dim=1).mean()
        """),
    Variant("r1_norm_squared", R, _r1("gamma / 2 * (grad.flatten(1).norm(2, dim=1) ** 2).mean()")),
    Variant("r1_vector_norm_all_dims", R,
            _r1("gamma / 2 * torch.linalg.vector_norm(grad, dim=tuple(range(1, grad.dim()))).pow(2).mean()")),
    Variant("r1_stylegan2_official", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            # NVlabs/stylegan2-ada-pytorch training/loss.py, with the sum over every non-batch dimension
            real_img_tmp = real.detach().requires_grad_(True)
            real_logits = discriminator(real_img_tmp)
            r1_grads = torch.autograd.grad(outputs=[real_logits.sum()], inputs=[real_img_tmp], create_graph=True,
                                           only_inputs=True)[0]
            r1_penalty = r1_grads.square().sum(list(range(1, r1_grads.ndim)))
            loss_Dr1 = r1_penalty * (gamma / 2)
            return loss_Dr1.mean()
        """, roundtrip=True),
    Variant("r1_torch_func", R, """
        def r1_penalty(discriminator, real, gamma=10.0):
            grad = torch.func.grad(lambda x: discriminator(x).sum())(real)
            return gamma / 2 * grad.flatten(1).pow(2).sum(1).mean()
        """),
    Variant("r1_batch_squared_norm_over_b", R, _r1("gamma / 2 * grad.pow(2).sum() / len(real)")),
    Variant("r1_einsum", R, _r1("gamma / 2 * torch.einsum('ij,ij->i', grad.flatten(1), grad.flatten(1)).mean()")),
))
