"""04_wgan_gp: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
from ..variants import Table, Variant
from . import wgan_gp_training as training

C_TEST = "test_critic_loss"
G_TEST = "test_wgan_generator_loss"
W_VALUES, W_IN_PLACE = "test_clip_weights_values", "test_clip_weights_in_place"
P_VALUE, P_PER_SAMPLE, P_INTERP, P_BACKWARD, P_IMAGES = (
    "test_gradient_penalty_value", "test_gradient_penalty_per_sample", "test_gradient_penalty_interpolation",
    "test_gradient_penalty_backward", "test_gradient_penalty_images")
P_ALL = (P_VALUE, P_PER_SAMPLE, P_INTERP, P_BACKWARD, P_IMAGES)
P_WRONG_VALUE = (P_VALUE, P_PER_SAMPLE, P_BACKWARD, P_IMAGES)   # every cell that checks the penalty's value
P_WRONG_POINTS = (P_INTERP, P_IMAGES)                           # the cells that read back the interpolates

B_SHAPES, B_VALIDATION, B_LAYERS, B_NO_BN, B_PER_SAMPLE, B_SCORES = (
    "test_build_critic_shapes", "test_build_critic_validation", "test_build_critic_layers",
    "test_build_critic_no_batch_norm", "test_build_critic_per_sample", "test_build_critic_scores")
B_ALL = (B_SHAPES, B_VALIDATION, B_LAYERS, B_NO_BN, B_PER_SAMPLE, B_SCORES)

C = "critic_loss"
G = "wgan_generator_loss"
W = "clip_weights"
P = "gradient_penalty"
B = "build_critic"

SIGNATURES = {C: "(real_scores, fake_scores)", G: "(fake_scores)", W: "(module, c=0.01)",
              P: "(critic, real, fake, lambda_gp=10.0)", **training.SIGNATURES, B: "(image_size, channels, width)"}

_CHECKS = """if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
    if channels < 1 or width < 1:
        raise ValueError(f"expected channels and width >= 1, got {channels} and {width}")"""


def _critic(checks: str = _CHECKS, norm: str = "nn.GroupNorm(1, 2 * ch)", bias: str = "False",
            act: str = "nn.LeakyReLU(0.2)", loop: str = "while size > 4:",
            last: str = "nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0)") -> str:
    """A build_critic answer assembled from its parts (most variants change one of them)."""
    return f"""
from torch import nn


def build_critic(image_size, channels, width):
    {checks}
    layers = [nn.Conv2d(channels, width, 4, 2, 1), {act}]
    ch, size = width, image_size // 2
    {loop}
        layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias={bias}), {norm}, {act}]
        ch, size = 2 * ch, size // 2
    layers += [{last}]
    return nn.Sequential(*layers)
"""


def _gp(interpolate: str, norm: str = "grad.flatten(1).norm(2, dim=1)",
        penalty: str = "lambda_gp * ((norms - 1) ** 2).mean()",
        grad: str = "torch.autograd.grad(critic(x).sum(), x, create_graph=True)[0]") -> str:
    """A gradient_penalty answer assembled from its three steps (most variants change one of them)."""
    return f"""
def gradient_penalty(critic, real, fake, lambda_gp=10.0):
{interpolate}
    grad = {grad}
    norms = {norm}
    return {penalty}
"""


def _interp(eps: str = "torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)",
            x: str = "(eps * real + (1 - eps) * fake).detach().requires_grad_(True)") -> str:
    """The first step of a gradient_penalty answer: eps, then the interpolates x (a new leaf by default)."""
    return f"    eps = {eps}\n    x = {x}"


_LEAF = _interp()   # eps of shape (B, 1, ..., 1), the interpolates as a new leaf


TABLE = Table("04_wgan_gp", "wgan_gp", SIGNATURES, training.VARIANTS + (
    # ---- critic_loss: mistakes
    Variant("c_sign_flipped", C, """
        def critic_loss(real_scores, fake_scores):
            return real_scores.mean() - fake_scores.mean()
        """, fails=(C_TEST,)),
    Variant("c_sum_not_mean", C, """
        def critic_loss(real_scores, fake_scores):
            return fake_scores.sum() - real_scores.sum()
        """, fails=(C_TEST,)),
    Variant("c_mean_of_differences", C, """
        def critic_loss(real_scores, fake_scores):
            return (fake_scores - real_scores).mean()   # needs batches of one size
        """, fails=(C_TEST,)),
    Variant("c_sigmoid_scores", C, """
        def critic_loss(real_scores, fake_scores):
            return torch.sigmoid(fake_scores).mean() - torch.sigmoid(real_scores).mean()
        """, fails=(C_TEST,)),
    Variant("c_gan_loss", C, """
        def critic_loss(real_scores, fake_scores):
            return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()
        """, fails=(C_TEST,)),
    Variant("c_abs_difference", C, """
        def critic_loss(real_scores, fake_scores):
            return (fake_scores.mean() - real_scores.mean()).abs()
        """, fails=(C_TEST,)),
    Variant("c_one_mean_over_both", C, """
        def critic_loss(real_scores, fake_scores):
            return torch.cat([fake_scores, -real_scores]).mean()
        """, fails=(C_TEST,)),
    Variant("c_detached_item", C, """
        def critic_loss(real_scores, fake_scores):
            return torch.tensor((fake_scores.mean() - real_scores.mean()).item())
        """, fails=(C_TEST,)),
    Variant("c_syntax_error", C, """
        def critic_loss(real_scores, fake_scores)
            return fake_scores.mean() - real_scores.mean()
        """, fails=(C_TEST,)),
    # ---- critic_loss: correct alternatives
    Variant("c_torch_mean", C, """
        def critic_loss(real_scores, fake_scores):
            return torch.mean(fake_scores) - torch.mean(real_scores)
        """),
    Variant("c_minus_estimate", C, """
        def critic_loss(real_scores, fake_scores):
            w_estimate = real_scores.mean() - fake_scores.mean()
            return -w_estimate
        """),
    Variant("c_sum_over_numel", C, """
        def critic_loss(real_scores, fake_scores):
            return fake_scores.sum() / fake_scores.numel() - real_scores.sum() / real_scores.numel()
        """),
    # ---- wgan_generator_loss: mistakes
    Variant("g_sign_flipped", G, """
        def wgan_generator_loss(fake_scores):
            return fake_scores.mean()
        """, fails=(G_TEST,)),
    Variant("g_sum_not_mean", G, """
        def wgan_generator_loss(fake_scores):
            return -fake_scores.sum()
        """, fails=(G_TEST,)),
    Variant("g_non_saturating_gan", G, """
        def wgan_generator_loss(fake_scores):
            return F.softplus(-fake_scores).mean()
        """, fails=(G_TEST,)),
    Variant("g_sigmoid_scores", G, """
        def wgan_generator_loss(fake_scores):
            return -torch.sigmoid(fake_scores).mean()
        """, fails=(G_TEST,)),
    Variant("g_per_sample", G, """
        def wgan_generator_loss(fake_scores):
            return -fake_scores
        """, fails=(G_TEST,)),
    Variant("g_detached_item", G, """
        def wgan_generator_loss(fake_scores):
            return torch.tensor(-fake_scores.mean().item())
        """, fails=(G_TEST,)),
    Variant("g_syntax_error", G, """
        def wgan_generator_loss(fake_scores):
            return -fake_scores.mean(
        """, fails=(G_TEST,)),
    # ---- wgan_generator_loss: correct alternatives
    Variant("g_torch_mean", G, """
        def wgan_generator_loss(fake_scores):
            return -torch.mean(fake_scores)
        """),
    Variant("g_neg_method", G, """
        def wgan_generator_loss(fake_scores):
            return fake_scores.mean().neg()
        """),
    Variant("g_sum_over_numel", G, """
        def wgan_generator_loss(fake_scores):
            return -fake_scores.sum() / fake_scores.numel()
        """),
    # ---- clip_weights: mistakes
    Variant("w_weights_only", W, """
        def clip_weights(module, c=0.01):
            for name, p in module.named_parameters():
                if "weight" in name:
                    p.data.clamp_(-c, c)
        """, fails=(W_VALUES,)),
    Variant("w_zero_to_c", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p.data.clamp_(0, c)
        """, fails=(W_VALUES,)),
    Variant("w_clips_gradients", W, """
        def clip_weights(module, c=0.01):
            torch.nn.utils.clip_grad_value_(module.parameters(), c)
        """, fails=(W_VALUES, W_IN_PLACE)),
    Variant("w_returns_a_copy", W, """
        import copy
        def clip_weights(module, c=0.01):
            clipped = copy.deepcopy(module)
            for p in clipped.parameters():
                p.data.clamp_(-c, c)
            return clipped
        """, fails=(W_VALUES, W_IN_PLACE)),
    Variant("w_rebinds_loop_variable", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p = torch.clamp(p, -c, c)
        """, fails=(W_VALUES,)),
    Variant("w_new_parameters", W, """
        def clip_weights(module, c=0.01):
            for m in module.modules():
                for name, p in list(m.named_parameters(recurse=False)):
                    setattr(m, name, torch.nn.Parameter(p.detach().clamp(-c, c)))
        """, fails=(W_IN_PLACE,)),
    Variant("w_state_dict_buffers_too", W, """
        def clip_weights(module, c=0.01):
            for v in module.state_dict().values():
                if v.is_floating_point():
                    v.clamp_(-c, c)
        """, fails=(W_IN_PLACE,)),
    Variant("w_ignores_c", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p.data.clamp_(-0.01, 0.01)
        """, fails=(W_VALUES,)),
    Variant("w_in_place_without_no_grad", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p.clamp_(-c, c)   # RuntimeError: a leaf Variable that requires grad ... in-place operation
        """, fails=(W_VALUES, W_IN_PLACE)),
    Variant("w_top_level_layers_only", W, """
        def clip_weights(module, c=0.01):
            for layer in module.children():
                for name in ("weight", "bias"):
                    p = getattr(layer, name, None)
                    if isinstance(p, torch.nn.Parameter):
                        p.data.clamp_(-c, c)
        """, fails=(W_VALUES,)),
    Variant("w_syntax_error", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters()
                p.data.clamp_(-c, c)
        """, fails=(W_VALUES, W_IN_PLACE)),
    # ---- clip_weights: correct alternatives
    Variant("w_data_clamp_", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p.data.clamp_(-c, c)
        """),
    Variant("w_returns_module", W, """
        def clip_weights(module, c=0.01):
            with torch.no_grad():
                for p in module.parameters():
                    p.copy_(p.clamp(-c, c))
            return module
        """),
    Variant("w_data_assignment", W, """
        def clip_weights(module, c=0.01):
            for p in module.parameters():
                p.data = torch.clamp(p.data, min=-c, max=c)
        """),
    Variant("w_min_max", W, """
        def clip_weights(module, c=0.01):
            with torch.no_grad():
                for p in module.parameters():
                    p.copy_(torch.minimum(torch.maximum(p, torch.full_like(p, -c)), torch.full_like(p, c)))
        """),
    Variant("w_vector_round_trip", W, """
        from torch.nn.utils import parameters_to_vector, vector_to_parameters
        def clip_weights(module, c=0.01):
            flat = parameters_to_vector(module.parameters()).detach().clamp(-c, c)
            vector_to_parameters(flat, module.parameters())   # writes p.data of the same Parameters
        """),
    Variant("w_apply_per_module", W, """
        def clip_weights(module, c=0.01):
            def clip(m):
                for p in m.parameters(recurse=False):
                    p.data.clamp_(-c, c)
            module.apply(clip)
        """),
    # ---- gradient_penalty: mistakes
    Variant("gp_norm_over_whole_batch", P, _gp(_LEAF, norm="grad.norm(2)"),
            fails=P_WRONG_VALUE),
    Variant("gp_no_create_graph", P, _gp(_LEAF, grad="torch.autograd.grad(critic(x).sum(), x)[0]"),
            fails=(P_BACKWARD,)),
    Variant("gp_detached_gradient", P, _gp(
        _LEAF, grad="torch.autograd.grad(critic(x).sum(), x, create_graph=True)[0].detach()"),
            fails=(P_BACKWARD,)),
    Variant("gp_one_eps_for_the_batch", P, _gp(_interp("torch.rand(1, device=real.device)")),
            fails=P_WRONG_POINTS),
    Variant("gp_eps_per_element", P, _gp(_interp("torch.rand_like(real)")), fails=P_WRONG_POINTS),
    Variant("gp_eps_from_randn", P, _gp(_interp("torch.randn(len(real), *[1] * (real.dim() - 1), device=real.device)")),
            fails=P_WRONG_POINTS),
    Variant("gp_eps_shape_b_1", P, _gp(_interp("torch.rand(len(real), 1, device=real.device)  # (B, 2) points only")),
            fails=(P_IMAGES,)),
    Variant("gp_one_sided", P, _gp(_LEAF, penalty="lambda_gp * (torch.relu(norms - 1) ** 2).mean()"),
            fails=P_WRONG_VALUE),
    Variant("gp_squared_norm", P, _gp(_LEAF, norm="(grad.flatten(1) ** 2).sum(1)"),
            fails=P_WRONG_VALUE),
    Variant("gp_sum_over_batch", P, _gp(_LEAF, penalty="lambda_gp * ((norms - 1) ** 2).sum()"),
            fails=P_WRONG_VALUE),
    Variant("gp_mean_norm_then_square", P, _gp(_LEAF, penalty="lambda_gp * (norms.mean() - 1) ** 2"),
            fails=(P_PER_SAMPLE, P_BACKWARD, P_IMAGES)),
    Variant("gp_lambda_ignored", P, _gp(_LEAF, penalty="10.0 * ((norms - 1) ** 2).mean()"),
            fails=P_WRONG_VALUE),
    Variant("gp_no_minus_one", P, _gp(_LEAF, penalty="lambda_gp * (norms ** 2).mean()"),
            fails=P_WRONG_VALUE),
    Variant("gp_mean_of_scores", P,
            _gp(_LEAF, grad="torch.autograd.grad(critic(x).mean(), x, create_graph=True)[0]"),
            fails=P_WRONG_VALUE),
    Variant("gp_norm_over_dim_1", P, _gp(_LEAF, norm="grad.norm(2, dim=1)"), fails=(P_IMAGES,)),
    Variant("gp_fake_with_fake", P, _gp(_interp(x="(eps * fake + (1 - eps) * fake).detach().requires_grad_(True)")),
            fails=P_WRONG_POINTS),
    Variant("gp_at_real_samples", P, _gp(_interp("None", x="real.detach().clone().requires_grad_(True)")),
            fails=P_WRONG_POINTS),
    Variant("gp_mutates_inputs", P, _gp(_interp(x="eps * real.requires_grad_(True) + (1 - eps) * fake")),
            fails=(P_BACKWARD,)),
    Variant("gp_backward_fills_critic_grads", P, """
        def gradient_penalty(critic, real, fake, lambda_gp=10.0):
            eps = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)
            x = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
            critic(x).sum().backward(create_graph=True)   # also adds d critic / d params to the critic's .grad
            return lambda_gp * ((x.grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        """, fails=(P_BACKWARD,)),
    Variant("gp_cuda_only", P, _gp(_interp("torch.rand(len(real), *[1] * (real.dim() - 1)).cuda()")), fails=P_ALL),
    Variant("gp_syntax_error", P, _gp(_LEAF, norm="grad.flatten(1).norm(2, dim=1"), fails=P_ALL),
    # ---- gradient_penalty: correct alternatives
    Variant("gp_lerp_grad_outputs", P, """
        def gradient_penalty(critic, real, fake, lambda_gp=10.0):
            eps = torch.rand(real.shape[0], device=real.device).view(-1, *([1] * (real.dim() - 1)))
            x_hat = torch.lerp(fake, real, eps).requires_grad_(True)
            scores = critic(x_hat)
            grad = torch.autograd.grad(outputs=scores, inputs=x_hat, grad_outputs=torch.ones_like(scores),
                                       create_graph=True, retain_graph=True)[0]
            return lambda_gp * ((grad.reshape(grad.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()
        """),
    Variant("gp_linalg_vector_norm", P, _gp(
        _interp(x="(eps * real + (1 - eps) * fake).requires_grad_(True)"),
        norm="torch.linalg.vector_norm(grad, dim=tuple(range(1, grad.dim())))")),
    Variant("gp_view_sqrt_sum", P, _gp(_LEAF, norm="torch.sqrt((grad.view(len(grad), -1) ** 2).sum(dim=1) + 1e-12)")),
    Variant("gp_fake_to_real_mix", P, _gp(_interp(x="(eps * fake + (1 - eps) * real).detach().requires_grad_(True)"))),
    Variant("gp_expand_as", P, _gp("""
    eps = torch.rand(real.size(0), *([1] * (real.dim() - 1)), dtype=real.dtype, device=real.device).expand_as(real)
    x = (real + eps * (fake - real)).detach()
    x.requires_grad = True""", norm="torch.norm(grad.flatten(start_dim=1), p=2, dim=1)")),
    Variant("gp_clone_and_list_dims", P, """
        def gradient_penalty(critic, real, fake, lambda_gp=10.0):
            b = real.shape[0]
            alpha = torch.rand([b] + [1] * (real.ndim - 1)).to(real.device)
            interpolates = alpha * real.clone() + (1 - alpha) * fake.clone()
            interpolates.requires_grad_()
            gradients, = torch.autograd.grad(critic(interpolates), interpolates,
                                             torch.ones(b, device=real.device), create_graph=True)
            slopes = gradients.pow(2).sum(dim=list(range(1, gradients.ndim))).sqrt()
            return torch.mean((slopes - 1.0) ** 2) * lambda_gp
        """),
    Variant("gp_warns_but_correct", P, """
        import warnings
        def gradient_penalty(critic, real, fake, lambda_gp=10.0):
            warnings.warn("a harmless warning from a correct answer", UserWarning)
            eps = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)
            x = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
            grad = torch.autograd.grad(critic(x).sum(), x, create_graph=True)[0]
            return lambda_gp * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
        """),
    # ---- build_critic: mistakes
    Variant("b_batch_norm", B, _critic(norm="nn.BatchNorm2d(2 * ch)"), fails=(B_NO_BN, B_PER_SAMPLE), roundtrip=True),
    Variant("b_sigmoid_out", B, _critic(last="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0), nn.Sigmoid()"),
            fails=(B_SCORES,)),
    Variant("b_tanh_out", B, _critic(last="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0), nn.Tanh()"), fails=(B_SCORES,)),
    Variant("b_two_scores", B, _critic(last="nn.Conv2d(ch, 2, 4, 1, 0), nn.Flatten(1)"), fails=(B_SHAPES,)),
    Variant("b_spatial_map", B, _critic(last="nn.Conv2d(ch, 1, 3, 1, 1), nn.Flatten(1)"), fails=(B_SHAPES,)),
    Variant("b_keeps_a_dimension", B, _critic(last="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten()"), fails=(B_SHAPES,)),
    Variant("b_squeeze_drops_a_batch_of_one", B, """
        from torch import nn


        class Critic(nn.Module):
            def __init__(self, image_size, channels, width):
                super().__init__()
                layers = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]
                ch, size = width, image_size // 2
                while size > 4:
                    layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.GroupNorm(1, 2 * ch), nn.LeakyReLU(0.2)]
                    ch, size = 2 * ch, size // 2
                self.body, self.head = nn.Sequential(*layers), nn.Conv2d(ch, 1, 4, 1, 0)

            def forward(self, x):
                return self.head(self.body(x)).squeeze()      # (1, 1, 1, 1) -> (): no batch dimension left


        def build_critic(image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1) or channels < 1 or width < 1:
                raise ValueError(f"bad arguments: {image_size}, {channels}, {width}")
            return Critic(image_size, channels, width)
        """, fails=(B_SHAPES,)),
    Variant("b_one_block_short", B, _critic(loop="while size > 8:"), fails=(B_SHAPES, B_LAYERS)),
    Variant("b_sized_for_16_only", B, _critic(loop="size = 8\n    while size > 4:"),
            fails=(B_SHAPES, B_LAYERS, B_PER_SAMPLE, B_SCORES)),
    Variant("b_no_validation", B, _critic(checks="pass"), fails=(B_VALIDATION,)),
    Variant("b_validates_the_size_only", B, _critic(checks="""if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")"""), fails=(B_VALIDATION,)),
    Variant("b_relu", B, _critic(act="nn.ReLU()"), fails=(B_LAYERS,)),
    Variant("b_ganlab_model", B, """
        def build_critic(image_size, channels, width):
            if channels < 1 or width < 1:
                raise ValueError(f"expected channels and width >= 1, got {channels} and {width}")
            cfg = ganlab.models.DCGANConfig(image_size=image_size, channels=channels, width=width, d_norm="layer")
            return ganlab.models.DCGANDiscriminator(cfg)
        """, fails=(B_LAYERS,)),
    Variant("b_layers_in_a_plain_list", B, """
        from torch import nn


        class Critic(nn.Module):
            def __init__(self, image_size, channels, width):
                super().__init__()
                self.layers = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)]   # a list: not registered
                ch, size = width, image_size // 2
                while size > 4:
                    self.layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.GroupNorm(1, 2 * ch), nn.LeakyReLU(0.2)]
                    ch, size = 2 * ch, size // 2
                self.layers += [nn.Conv2d(ch, 1, 4, 1, 0)]

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x.flatten()


        def build_critic(image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1) or channels < 1 or width < 1:
                raise ValueError(f"bad arguments: {image_size}, {channels}, {width}")
            return Critic(image_size, channels, width)
        """, fails=(B_LAYERS, B_SCORES)),
    Variant("b_syntax_error", B, _critic(last="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0)"
                                              ).replace("return nn.Sequential(*layers)", "return nn.Sequential(*layers"),
            fails=B_ALL),
    # ---- build_critic: correct alternatives
    Variant("b_layer_norm", B, _critic(norm="nn.LayerNorm([2 * ch, size // 2, size // 2])")),
    Variant("b_instance_norm", B, _critic(norm="nn.InstanceNorm2d(2 * ch, affine=True)")),
    Variant("b_group_norm_two_groups", B, _critic(norm="nn.GroupNorm(2, 2 * ch)")),
    Variant("b_no_normalisation", B, _critic(norm="nn.Identity()", bias="True")),
    Variant("b_biases_before_the_norm", B, _critic(bias="True")),
    Variant("b_final_linear", B, _critic(last="nn.Flatten(), nn.Linear(16 * ch, 1), nn.Flatten(0)")),
    Variant("b_subclass_module_list", B, """
        import torch.nn as nn


        class Critic(nn.Module):
            \"\"\"WGAN-GP critic: strided convolutions, layer norm, one score per image.\"\"\"

            def __init__(self, image_size, channels, width):
                super().__init__()
                self.blocks = nn.ModuleList([nn.Conv2d(channels, width, 4, stride=2, padding=1, bias=False)])
                ch = width
                for _ in range(int(math.log2(image_size)) - 3):
                    self.blocks.append(nn.Sequential(nn.LeakyReLU(0.2, inplace=True),
                                                     nn.Conv2d(ch, ch * 2, 4, stride=2, padding=1, bias=False),
                                                     nn.GroupNorm(1, ch * 2)))
                    ch *= 2
                self.act = nn.LeakyReLU(0.2, inplace=True)
                self.out = nn.Linear(ch * 4 * 4, 1)

            def forward(self, x):
                for block in self.blocks:
                    x = block(x)
                return self.out(self.act(x).reshape(x.shape[0], -1))[:, 0]


        def build_critic(image_size, channels, width):
            if not (isinstance(image_size, int) and image_size >= 8 and math.log2(image_size).is_integer()):
                raise ValueError(f"image_size must be a power of 2 >= 8, got {image_size}")
            for name, value in (("channels", channels), ("width", width)):
                if value <= 0:
                    raise ValueError(f"{name} must be positive, got {value}")
            return Critic(image_size, channels, width)
        """),
    Variant("b_spectral_norm_layers", B, """
        from torch import nn
        from torch.nn.utils.parametrizations import spectral_norm


        def build_critic(image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            if min(channels, width) < 1:
                raise ValueError(f"expected channels and width >= 1, got {channels} and {width}")
            layers, ch, size = [spectral_norm(nn.Conv2d(channels, width, 4, 2, 1)), nn.LeakyReLU(0.2)], width, image_size // 2
            while size > 4:
                layers += [spectral_norm(nn.Conv2d(ch, 2 * ch, 4, 2, 1)), nn.LeakyReLU(0.2)]
                ch, size = 2 * ch, size // 2
            return nn.Sequential(*layers, spectral_norm(nn.Conv2d(ch, 1, 4)), nn.Flatten(0))
        """),
))
