"""01_gan_basics: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
from ..variants import Table, Variant

D_VALUES, D_STABLE = "test_discriminator_loss_values", "test_discriminator_loss_stable"
G_NONSAT, G_SAT, G_STABLE = ("test_generator_loss_nonsaturating", "test_generator_loss_saturating",
                             "test_generator_loss_stable")

D = "discriminator_loss"
G = "generator_loss"

SIGNATURES = {D: "(real_logits, fake_logits)", G: "(fake_logits, saturating=False)"}

TABLE = Table("01_gan_basics", "gan_basics", SIGNATURES, (
    # ---- discriminator_loss: mistakes
    Variant("d_sign_flipped", D, """
        def discriminator_loss(real_logits, fake_logits):
            return -(F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean())
        """, fails=(D_VALUES, D_STABLE), roundtrip=True),
    Variant("d_swapped_labels", D, """
        def discriminator_loss(real_logits, fake_logits):
            return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_sum_not_mean", D, """
        def discriminator_loss(real_logits, fake_logits):
            return F.softplus(-real_logits).sum() + F.softplus(fake_logits).sum()
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_half_of_sum", D, """
        def discriminator_loss(real_logits, fake_logits):
            return 0.5 * (F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean())
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_bce_concatenated", D, """
        def discriminator_loss(real_logits, fake_logits):
            logits = torch.cat([real_logits, fake_logits])
            labels = torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)])
            return F.binary_cross_entropy_with_logits(logits, labels)
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_real_term_only", D, """
        def discriminator_loss(real_logits, fake_logits):
            return F.softplus(-real_logits).mean()
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_unstable_log_sigmoid", D, """
        def discriminator_loss(real_logits, fake_logits):
            return -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(1 - torch.sigmoid(fake_logits)).mean()
        """, fails=(D_STABLE,), roundtrip=True),
    Variant("d_bce_on_probabilities", D, """
        def discriminator_loss(real_logits, fake_logits):
            d_real, d_fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
            return (F.binary_cross_entropy(d_real, torch.ones_like(d_real))
                    + F.binary_cross_entropy(d_fake, torch.zeros_like(d_fake)))
        """, fails=(D_STABLE,)),
    Variant("d_log1p_exp", D, """
        def discriminator_loss(real_logits, fake_logits):
            return torch.log1p(torch.exp(-real_logits)).mean() + torch.log1p(torch.exp(fake_logits)).mean()
        """, fails=(D_STABLE,)),
    Variant("d_detached_item", D, """
        def discriminator_loss(real_logits, fake_logits):
            loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
            return torch.tensor(loss.item())
        """, fails=(D_VALUES, D_STABLE)),
    Variant("d_syntax_error", D, """
        def discriminator_loss(real_logits, fake_logits)
            return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
        """, fails=(D_VALUES, D_STABLE)),
    # ---- discriminator_loss: correct alternatives
    Variant("d_bce_with_logits", D, """
        def discriminator_loss(real_logits, fake_logits):
            real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
            fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
            return real + fake
        """, roundtrip=True),
    Variant("d_logsigmoid", D, """
        def discriminator_loss(real_logits, fake_logits):
            return -F.logsigmoid(real_logits).mean() - F.logsigmoid(-fake_logits).mean()
        """),
    Variant("d_manual_stable", D, """
        def discriminator_loss(real_logits, fake_logits):
            def softplus(x):  # log(1 + e^x) without overflow
                return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))
            return softplus(-real_logits).mean() + softplus(fake_logits).mean()
        """),
    Variant("d_warns_but_correct", D, """
        import warnings
        def discriminator_loss(real_logits, fake_logits):
            warnings.warn("a harmless warning from a correct answer", UserWarning)
            return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
        """, roundtrip=True),  # nbgrader_config's IgnorePattern must keep this at full marks
    # ---- generator_loss: mistakes
    Variant("g_swapped_modes", G, """
        def generator_loss(fake_logits, saturating=False):
            if not saturating:
                return -F.softplus(fake_logits).mean()
            return F.softplus(-fake_logits).mean()
        """, fails=(G_NONSAT, G_SAT, G_STABLE), roundtrip=True),
    Variant("g_saturating_sign", G, """
        def generator_loss(fake_logits, saturating=False):
            if saturating:
                return F.softplus(fake_logits).mean()  # -log(1 - D): the discriminator's term, not G's
            return F.softplus(-fake_logits).mean()
        """, fails=(G_SAT, G_STABLE)),
    Variant("g_nonsaturating_sign", G, """
        def generator_loss(fake_logits, saturating=False):
            if saturating:
                return -F.softplus(fake_logits).mean()
            return -F.softplus(-fake_logits).mean()
        """, fails=(G_NONSAT, G_STABLE)),
    Variant("g_sum_not_mean", G, """
        def generator_loss(fake_logits, saturating=False):
            if saturating:
                return -F.softplus(fake_logits).sum()
            return F.softplus(-fake_logits).sum()
        """, fails=(G_NONSAT, G_SAT, G_STABLE)),
    Variant("g_unstable_log_sigmoid", G, """
        def generator_loss(fake_logits, saturating=False):
            d_fake = torch.sigmoid(fake_logits)
            if saturating:
                return torch.log(1 - d_fake).mean()
            return -torch.log(d_fake).mean()
        """, fails=(G_STABLE,)),
    Variant("g_saturating_clamped_probabilities", G, """
        def generator_loss(fake_logits, saturating=False):
            d_fake = torch.sigmoid(fake_logits)
            if saturating:
                return -F.binary_cross_entropy(d_fake, torch.zeros_like(d_fake))
            return F.softplus(-fake_logits).mean()
        """, fails=(G_STABLE,)),
    Variant("g_default_saturating", G, """
        def generator_loss(fake_logits, saturating=True):
            if saturating:
                return -F.softplus(fake_logits).mean()
            return F.softplus(-fake_logits).mean()
        """, fails=(G_NONSAT,)),
    Variant("g_detached_item", G, """
        def generator_loss(fake_logits, saturating=False):
            loss = -F.softplus(fake_logits).mean() if saturating else F.softplus(-fake_logits).mean()
            return torch.tensor(loss.item())
        """, fails=(G_NONSAT, G_SAT, G_STABLE)),
    # ---- generator_loss: correct alternatives
    Variant("g_logsigmoid", G, """
        def generator_loss(fake_logits, saturating=False):
            if saturating:
                return F.logsigmoid(-fake_logits).mean()
            return -F.logsigmoid(fake_logits).mean()
        """, roundtrip=True),
    Variant("g_bce_with_logits", G, """
        def generator_loss(fake_logits, saturating=False):
            if saturating:
                return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
            return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
        """),
    Variant("g_one_expression", G, """
        def generator_loss(fake_logits, saturating=False):
            per_sample = -F.softplus(fake_logits) if saturating else F.softplus(-fake_logits)
            return per_sample.mean()
        """),
))
