"""06_image_to_image: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
from ..variants import Table, Variant

R_TEST, R_PATCHGAN = "test_receptive_field", "test_receptive_field_patchgan"
R_ALL = (R_TEST, R_PATCHGAN)
P_VALUES, P_STABLE, P_GRADIENTS = ("test_pix2pix_generator_loss_values", "test_pix2pix_generator_loss_stable",
                                   "test_pix2pix_generator_loss_gradients")
P_ALL = (P_VALUES, P_STABLE, P_GRADIENTS)
P_L1_WRONG = (P_VALUES, P_GRADIENTS)         # a wrong L1 term: the stability cell has fake == target
C_VALUES, C_GRADIENTS = "test_cycle_consistency_loss_values", "test_cycle_consistency_loss_gradients"
C_ALL = (C_VALUES, C_GRADIENTS)

R = "receptive_field"
P = "pix2pix_generator_loss"
C = "cycle_consistency_loss"

SIGNATURES = {R: "(layers)", P: "(fake_logits, fake, target, lambda_l1=100.0)",
              C: "(real_a, rec_a, real_b, rec_b, lambda_cyc=10.0)"}


def _p2p(adversarial: str = "F.softplus(-fake_logits).mean()",
         l1: str = "lambda_l1 * (fake - target).abs().mean()") -> str:
    return f"""
def pix2pix_generator_loss(fake_logits, fake, target, lambda_l1=100.0):
    return {adversarial} + {l1}
"""


def _cyc(body: str) -> str:
    return f"""
def cycle_consistency_loss(real_a, rec_a, real_b, rec_b, lambda_cyc=10.0):
    return {body}
"""


TABLE = Table("06_image_to_image", "image_to_image", SIGNATURES, (
    # ---- receptive_field: mistakes
    Variant("r_off_by_one", R, """
        def receptive_field(layers):
            r = 0                                   # should start at 1: one output unit
            for kernel, stride in reversed(list(layers)):
                r = (r - 1) * stride + kernel
            return r
        """, fails=R_ALL),
    Variant("r_forward_kernel_not_minus_one", R, """
        def receptive_field(layers):
            r, jump = 1, 1
            for kernel, stride in layers:
                r += kernel * jump
                jump *= stride
            return r
        """, fails=R_ALL),
    Variant("r_stride_product_wrong_order", R, """
        def receptive_field(layers):
            r, jump = 1, 1
            for kernel, stride in layers:
                jump *= stride                      # the layer's own stride counted too early
                r += (kernel - 1) * jump
            return r
        """, fails=R_ALL),
    Variant("r_backward_formula_not_reversed", R, """
        def receptive_field(layers):
            r = 1
            for kernel, stride in layers:           # walks the stack from the input side
                r = (r - 1) * stride + kernel
            return r
        """, fails=R_ALL),
    Variant("r_ignores_strides", R, """
        def receptive_field(layers):
            return 1 + sum(kernel - 1 for kernel, stride in layers)
        """, fails=R_ALL),
    Variant("r_product_of_strides_times_kernel", R, """
        import math

        def receptive_field(layers):
            if not layers:
                return 1
            return math.prod(s for k, s in layers[:-1]) * layers[-1][0]
        """, fails=R_ALL),
    Variant("r_drops_last_layer", R, """
        def receptive_field(layers):
            r = 1
            for kernel, stride in reversed(list(layers)[:-1]):
                r = (r - 1) * stride + kernel
            return r
        """, fails=R_ALL),
    Variant("r_reverses_in_place", R, """
        def receptive_field(layers):
            layers.reverse()                        # changes the caller's list; tuples have no .reverse()
            r = 1
            for kernel, stride in layers:
                r = (r - 1) * stride + kernel
            return r
        """, fails=R_ALL),
    Variant("r_returns_float", R, """
        def receptive_field(layers):
            r = 1.0
            for kernel, stride in reversed(list(layers)):
                r = (r - 1) * stride + kernel
            return r
        """, fails=(R_TEST,)),
    Variant("r_syntax_error", R, """
        def receptive_field(layers)
            return 1
        """, fails=R_ALL),
    # ---- receptive_field: correct alternatives
    Variant("r_backward_r_times_s", R, """
        def receptive_field(layers):
            r = 1
            for k, s in reversed(list(layers)):
                r = r * s + (k - s)
            return r
        """),
    Variant("r_forward_with_jumps", R, """
        def receptive_field(layers):
            r, jump = 1, 1                          # jump: input pixels between neighbouring units of a layer
            for kernel, stride in layers:
                r += (kernel - 1) * jump
                jump *= stride
            return r
        """),
    Variant("r_closed_form", R, """
        import math

        def receptive_field(layers):
            layers = list(layers)
            return 1 + sum((k - 1) * math.prod(s for _, s in layers[:i]) for i, (k, _) in enumerate(layers))
        """),
    Variant("r_recursive", R, """
        def receptive_field(layers):
            layers = list(layers)
            if not layers:
                return 1
            k, s = layers[0]
            return k + s * (receptive_field(layers[1:]) - 1)
        """),
    # ---- pix2pix_generator_loss: mistakes
    Variant("p_l1_sum_not_mean", P, _p2p(l1="lambda_l1 * (fake - target).abs().sum()"), fails=P_L1_WRONG,
            roundtrip=True),
    Variant("p_lambda_missing", P, _p2p(l1="(fake - target).abs().mean()"), fails=P_L1_WRONG),
    Variant("p_lambda_hard_coded", P, _p2p(l1="100.0 * (fake - target).abs().mean()"), fails=P_L1_WRONG),
    Variant("p_mse_not_l1", P, _p2p(l1="lambda_l1 * ((fake - target) ** 2).mean()"), fails=P_L1_WRONG),
    Variant("p_saturating", P, _p2p(adversarial="torch.log(1 - torch.sigmoid(fake_logits)).mean()"), fails=P_ALL),
    Variant("p_saturating_stable", P, _p2p(adversarial="-F.softplus(fake_logits).mean()"), fails=P_ALL),
    Variant("p_unstable_log_sigmoid", P, _p2p(adversarial="-torch.log(torch.sigmoid(fake_logits)).mean()"),
            fails=(P_STABLE,)),
    Variant("p_label_zero", P, _p2p(adversarial="F.binary_cross_entropy_with_logits(fake_logits, "
                                                "torch.zeros_like(fake_logits))"), fails=P_ALL),
    Variant("p_sum_over_patches", P, _p2p(adversarial="F.softplus(-fake_logits).sum() / len(fake_logits)"),
            fails=P_ALL),
    Variant("p_lambda_on_adversarial", P, """
        def pix2pix_generator_loss(fake_logits, fake, target, lambda_l1=100.0):
            return lambda_l1 * F.softplus(-fake_logits).mean() + (fake - target).abs().mean()
        """, fails=P_ALL),
    Variant("p_no_adversarial_term", P, """
        def pix2pix_generator_loss(fake_logits, fake, target, lambda_l1=100.0):
            return lambda_l1 * (fake - target).abs().mean()
        """, fails=P_ALL),
    Variant("p_detached_fake", P, _p2p(l1="lambda_l1 * (fake.detach() - target).abs().mean()"),
            fails=(P_GRADIENTS,)),
    Variant("p_syntax_error", P, """
        def pix2pix_generator_loss(fake_logits, fake, target, lambda_l1=100.0):
            return F.softplus(-fake_logits).mean() + lambda_l1 * (fake - target).abs().mean(
        """, fails=P_ALL),
    # ---- pix2pix_generator_loss: correct alternatives
    Variant("p_bce_with_ones_and_l1_loss", P, _p2p(
        adversarial="F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))",
        l1="lambda_l1 * F.l1_loss(fake, target)")),
    Variant("p_logsigmoid_manual_abs", P, _p2p(adversarial="-F.logsigmoid(fake_logits).mean()",
                                               l1="lambda_l1 * torch.mean(torch.abs(target - fake))")),
    Variant("p_per_image_means", P, _p2p(l1="lambda_l1 * (fake - target).abs().flatten(1).mean(1).mean()")),
    Variant("p_sum_over_numel", P, """
        def pix2pix_generator_loss(fake_logits, fake, target, lambda_l1=100.0):
            adversarial = F.softplus(-fake_logits).sum() / fake_logits.numel()
            l1 = F.l1_loss(fake, target, reduction="sum") / fake.numel()
            return adversarial + lambda_l1 * l1
        """),
    # ---- cycle_consistency_loss: mistakes
    Variant("c_one_mean_over_both", C, _cyc(
        "lambda_cyc * torch.cat([(rec_a - real_a).abs().flatten(), (rec_b - real_b).abs().flatten()]).mean()"),
        fails=C_ALL),
    Variant("c_lambda_missing", C, _cyc("(rec_a - real_a).abs().mean() + (rec_b - real_b).abs().mean()"),
            fails=C_ALL),
    Variant("c_mse_not_l1", C, _cyc("lambda_cyc * (((rec_a - real_a) ** 2).mean() + ((rec_b - real_b) ** 2).mean())"),
            fails=C_ALL),
    Variant("c_sum_not_mean", C, _cyc("lambda_cyc * ((rec_a - real_a).abs().sum() + (rec_b - real_b).abs().sum())"),
            fails=C_ALL),
    Variant("c_one_direction", C, _cyc("lambda_cyc * (rec_a - real_a).abs().mean()"), fails=C_ALL),
    Variant("c_lambda_on_a_only", C, _cyc("lambda_cyc * (rec_a - real_a).abs().mean() + (rec_b - real_b).abs().mean()"),
            fails=C_ALL),
    Variant("c_average_of_directions", C, _cyc(
        "lambda_cyc * ((rec_a - real_a).abs().mean() + (rec_b - real_b).abs().mean()) / 2"), fails=C_ALL),
    Variant("c_per_sample_l1_norm", C, _cyc(
        "lambda_cyc * (torch.norm((rec_a - real_a).flatten(1), p=1, dim=1).mean() + "
        "torch.norm((rec_b - real_b).flatten(1), p=1, dim=1).mean())"), fails=C_ALL),
    Variant("c_detached", C, _cyc(
        "lambda_cyc * ((rec_a.detach() - real_a).abs().mean() + (rec_b.detach() - real_b).abs().mean())"),
        fails=(C_GRADIENTS,)),
    Variant("c_python_float", C, _cyc(
        "torch.tensor(lambda_cyc * ((rec_a - real_a).abs().mean() + (rec_b - real_b).abs().mean()).item())"),
        fails=(C_GRADIENTS,)),
    Variant("c_syntax_error", C, """
        def cycle_consistency_loss(real_a, rec_a, real_b, rec_b, lambda_cyc=10.0):
            return lambda_cyc * (F.l1_loss(rec_a, real_a) + F.l1_loss(rec_b, real_b)
        """, fails=C_ALL),
    # ---- cycle_consistency_loss: correct alternatives
    Variant("c_l1_loss", C, _cyc("lambda_cyc * (F.l1_loss(rec_a, real_a) + F.l1_loss(rec_b, real_b))"),
            roundtrip=True),
    Variant("c_torch_mean_abs", C, """
        def cycle_consistency_loss(real_a, rec_a, real_b, rec_b, lambda_cyc=10.0):
            loss_a = torch.mean(torch.abs(real_a - rec_a))
            loss_b = torch.mean(torch.abs(real_b - rec_b))
            return lambda_cyc * loss_a + lambda_cyc * loss_b
        """),
    Variant("c_per_sample_means", C, _cyc(
        "lambda_cyc * ((rec_a - real_a).abs().flatten(1).mean(1).mean() + "
        "(rec_b - real_b).abs().flatten(1).mean(1).mean())")),
    Variant("c_sum_over_numel", C, _cyc(
        "lambda_cyc * ((rec_a - real_a).abs().sum() / rec_a.numel() + (rec_b - real_b).abs().sum() / rec_b.numel())")),
))
