"""01_gan_basics: known-wrong answers must fail exactly the listed test cells; alternatives pass all."""
import textwrap

from ..variants import Table, Variant

D_VALUES, D_STABLE = "test_discriminator_loss_values", "test_discriminator_loss_stable"
G_NONSAT, G_SAT, G_STABLE = ("test_generator_loss_nonsaturating", "test_generator_loss_saturating",
                             "test_generator_loss_stable")

D = "discriminator_loss"
G = "generator_loss"

SIGNATURES = {D: "(real_logits, fake_logits)", G: "(fake_logits, saturating=False)",
              "gan_step": "(generator, discriminator, real, z, d_opt, g_opt)",
              "build_discriminator": "(image_size, channels, width)",
              "build_generator": "(latent_dim, image_size, channels, width)"}

LOSS_VARIANTS = (
    # ---- discriminator_loss: mistakes
    Variant("d_sign_flipped", D, """
        def discriminator_loss(real_logits, fake_logits):
            return -(F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean())
        """, fails=(D_VALUES, D_STABLE)),
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
        """, fails=(D_STABLE,)),
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
        """),
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
        """, fails=(G_NONSAT, G_SAT, G_STABLE)),
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
        """),
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
)

# ==== gan_step: tested with stand-in losses, so these variants change only the step itself
GS_D, GS_G = "test_gan_step_discriminator", "test_gan_step_generator"
GS = "gan_step"
_STEP_HEAD = "def gan_step(generator, discriminator, real, z, d_opt, g_opt):\n"


def _step(body, head=_STEP_HEAD, **kw):
    """A gan_step variant from its body."""
    return Variant(answer=GS, code=head + textwrap.indent(textwrap.dedent(body).strip(), "    "), **kw)


GAN_STEP_VARIANTS = (
    # ---- mistakes
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        loss_d.backward()                       # no zero_grad: last step's gradients are added in
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_no_d_zero_grad", fails=(GS_D,)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_no_g_zero_grad", fails=(GS_G,)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake))   # not detached
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        g_opt.zero_grad()                       # clears what leaked into G, but the D step reached G
        loss_g = generator_loss(discriminator(generator(z)))
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_no_detach", fails=(GS_D,), roundtrip=True),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake), saturating=True)
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_saturating", fails=(GS_D, GS_G)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(fake.detach()), discriminator(real))   # labels swapped
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_swapped_real_fake", fails=(GS_D,)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        d_opt.zero_grad()
        g_opt.zero_grad()
        loss_g.backward()
        d_opt.step()                            # the generator's loss also moves D
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_g_update_steps_d_opt", fails=(GS_D, GS_G)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.detach(), loss_g.detach()
        """, name="gs_returns_tensors", fails=(GS_D, GS_G)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        loss_d.backward()
        d_opt.zero_grad()                       # zeroed after the backward pass: the step has nothing
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        loss_g.backward()
        g_opt.zero_grad()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_zero_grad_after_backward", fails=(GS_D, GS_G)),
    _step("""
        loss_g = generator_loss(discriminator(generator(z)))     # G first, against the old D
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        loss_d = discriminator_loss(discriminator(real), discriminator(generator(z).detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_generator_first", fails=(GS_D, GS_G)),
    _step("""
        with torch.no_grad():
            fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))             # no graph back to G
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_no_grad_fakes_reused", fails=(GS_G,)),
    _step("""
        fake = generator(z)
        fake_logits = discriminator(fake)                        # reused after D's update: stale
        loss_d = discriminator_loss(discriminator(real), fake_logits.detach())
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(fake_logits)
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_stale_logits", fails=(GS_D, GS_G)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        for p in discriminator.parameters():
            p.requires_grad_(False)                              # frozen for G's update, never unfrozen
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_freezes_d_for_good", fails=(GS_G,)),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, head=_STEP_HEAD.replace(":\n", "\n"), name="gs_syntax_error", fails=(GS_D, GS_G)),
    _step("""
        fake = generator(z)
        real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
        loss_d = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()   # the loss inline, not by name
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_inline_discriminator_loss", fails=(GS_D,)),   # "never called `discriminator_loss`"
    _step("""
        bce = nn.BCEWithLogitsLoss()                             # both losses inline, as many tutorials write them
        fake = generator(z)
        real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
        loss_d = bce(real_logits, torch.ones_like(real_logits)) + bce(fake_logits, torch.zeros_like(fake_logits))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        fake_logits = discriminator(fake)
        loss_g = bce(fake_logits, torch.ones_like(fake_logits))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_inline_bce_losses", fails=(GS_D, GS_G)),     # "never called" each loss
    # ---- correct alternatives
    _step("""
        with torch.no_grad():
            fake = generator(z)                                  # no graph: D's update cannot reach G
        loss_d = discriminator_loss(discriminator(real), discriminator(fake))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(generator(z)))     # a fresh forward pass for G
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        return loss_d.item(), loss_g.item()
        """, name="gs_no_grad_fresh_forward"),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        discriminator.zero_grad(set_to_none=False)
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake), saturating=False)
        generator.zero_grad()
        loss_g.backward()
        g_opt.step()
        return float(loss_d), float(loss_g)
        """, name="gs_model_zero_grad"),
    _step("""
        d_opt.zero_grad()
        g_opt.zero_grad()                                        # nothing reaches G before its own backward
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        loss_d.backward()
        d_opt.step()
        loss_g = generator_loss(discriminator(fake))
        loss_g.backward()
        g_opt.step()
        return [loss_d.item(), loss_g.item()]
        """, name="gs_zero_both_first"),
    _step("""
        fake = generator(z)
        loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()))
        d_opt.zero_grad()
        loss_d.backward()
        d_opt.step()
        for p in discriminator.parameters():
            p.requires_grad_(False)                              # no D gradients from G's update
        loss_g = generator_loss(discriminator(fake))
        g_opt.zero_grad()
        loss_g.backward()
        g_opt.step()
        for p in discriminator.parameters():
            p.requires_grad_(True)
        return loss_d.item(), loss_g.item()
        """, name="gs_freezes_d_and_restores"),
    Variant("gs_helper_function", GS, """
        def update(optimizer, loss):
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss.item()

        def gan_step(generator, discriminator, real, z, d_opt, g_opt):
            fake = generator(z)
            d_loss = update(d_opt, discriminator_loss(discriminator(real), discriminator(fake.detach())))
            g_loss = update(g_opt, generator_loss(discriminator(fake)))
            return d_loss, g_loss
        """),
)

# ==== build_discriminator
BD_SHAPES, BD_VALIDATION, BD_LAYERS, BD_TRAINS = (
    "test_build_discriminator_shapes", "test_build_discriminator_validation", "test_build_discriminator_layers",
    "test_build_discriminator_trains")
BD = "build_discriminator"
_CHECK = """
    if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
"""


def _net(blocks, head="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0)", first="nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)",
         check=_CHECK, **kw):
    """A build_discriminator variant: the table's loop with its first layers, blocks and head swapped in."""
    code = f"""
def build_discriminator(image_size, channels, width):{check}
    layers = [{first}]
    ch, size = width, image_size // 2
    while size > 4:
        layers += [{blocks}]
        ch, size = 2 * ch, size // 2
    layers += [{head}]
    return nn.Sequential(*layers)
"""
    return Variant(answer=BD, code=code, **kw)


_BLOCK = "nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)"

BUILD_VARIANTS = (
    # ---- mistakes
    _net(_BLOCK, head="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten(0), nn.Sigmoid()", name="bd_sigmoid_at_end",
         fails=(BD_LAYERS, BD_TRAINS)),
    _net(_BLOCK, head="nn.Conv2d(ch, 1, 4, 1, 0), nn.Flatten()", name="bd_flatten_keeps_a_dim", fails=(BD_SHAPES,)),
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)",
         first="nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.LeakyReLU(0.2)",
         name="bd_batchnorm_on_input_layer", fails=(BD_LAYERS,)),
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.LeakyReLU(0.2)", name="bd_no_batchnorm", fails=(BD_LAYERS,)),
    Variant("bd_width_not_doubled", BD, """
        def build_discriminator(image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            layers, size = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)], image_size // 2
            while size > 4:                       # the same width in every block
                layers += [nn.Conv2d(width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.LeakyReLU(0.2)]
                size //= 2
            return nn.Sequential(*layers, nn.Conv2d(width, 1, 4, 1, 0), nn.Flatten(0))
        """, fails=(BD_LAYERS,)),
    _net("nn.Conv2d(ch, 2 * ch, 3, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)",
         first="nn.Conv2d(channels, width, 3, 2, 1), nn.LeakyReLU(0.2)", name="bd_kernel_3", fails=(BD_LAYERS,)),
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.LeakyReLU()",
         first="nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU()", name="bd_default_leaky_slope",
         fails=(BD_LAYERS,)),
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.ReLU()",
         name="bd_relu_after_the_first_block", fails=(BD_LAYERS,)),
    _net(_BLOCK, check="", name="bd_no_size_check", fails=(BD_VALIDATION,)),
    Variant("bd_squeeze", BD, """
        class Discriminator(nn.Module):
            def __init__(self, image_size, channels, width):
                super().__init__()
                if image_size < 8 or image_size & (image_size - 1):
                    raise ValueError(f"image_size must be a power of two >= 8, got {image_size}")
                layers, ch = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)], width
                for _ in range(image_size.bit_length() - 4):
                    layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)]
                    ch *= 2
                self.net = nn.Sequential(*layers, nn.Conv2d(ch, 1, 4, 1, 0))

            def forward(self, x):
                return self.net(x).squeeze()     # (1,) becomes () for one image

        def build_discriminator(image_size, channels, width):
            return Discriminator(image_size, channels, width)
        """, fails=(BD_SHAPES,)),
    Variant("bd_ganlab_class", BD, """
        def build_discriminator(image_size, channels, width):
            cfg = ganlab.models.DCGANConfig(image_size=image_size, channels=channels, width=width)
            return ganlab.models.DCGANDiscriminator(cfg)
        """, fails=(BD_LAYERS,)),
    Variant("bd_layers_in_a_plain_list", BD, """
        class Discriminator(nn.Module):
            def __init__(self, image_size, channels, width):
                super().__init__()
                if image_size < 8 or image_size & (image_size - 1):
                    raise ValueError(f"image_size must be a power of two >= 8, got {image_size}")
                self.layers, ch = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2)], width  # not registered
                for _ in range(image_size.bit_length() - 4):
                    self.layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)]
                    ch *= 2
                self.layers.append(nn.Conv2d(ch, 1, 4, 1, 0))

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x.flatten()

        def build_discriminator(image_size, channels, width):
            return Discriminator(image_size, channels, width)
        """, fails=(BD_LAYERS, BD_TRAINS)),
    Variant("bd_three_blocks_always", BD, """
        def build_discriminator(image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            return nn.Sequential(                 # written for 32x32 only
                nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
                nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
                nn.Conv2d(2 * width, 4 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * width), nn.LeakyReLU(0.2),
                nn.Conv2d(4 * width, 1, 4, 1, 0), nn.Flatten(0))
        """, fails=(BD_SHAPES, BD_LAYERS, BD_TRAINS)),
    Variant("bd_syntax_error", BD, _net(_BLOCK, name="").code.replace("width):", "width)", 1),
            fails=(BD_SHAPES, BD_VALIDATION, BD_LAYERS, BD_TRAINS)),
    # ---- correct alternatives
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2, inplace=True)",
         name="bd_bias_before_batchnorm"),
    _net(_BLOCK, head="nn.Flatten(), nn.Linear(16 * ch, 1), nn.Flatten(0)", name="bd_linear_head"),
    # the PyTorch examples' DCGAN (examples/dcgan/main.py), sized by image_size: no bias in any convolution,
    # inplace LeakyReLU; its final nn.Sigmoid (for nn.BCELoss) left out, as the contract asks for logits
    _net("nn.Conv2d(ch, 2 * ch, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2, inplace=True)",
         first="nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)",
         head="nn.Conv2d(ch, 1, 4, 1, 0, bias=False), nn.Flatten(0)", name="bd_pytorch_examples_no_biases"),
    Variant("bd_module_class", BD, """
        import math

        class Discriminator(nn.Module):
            \"\"\"Strided 4x4 convolutions down to 4x4, then one logit per image.\"\"\"

            def __init__(self, image_size, channels, width):
                super().__init__()
                blocks = math.log2(image_size) - 2 if image_size > 0 else 0
                if blocks < 1 or blocks != int(blocks):
                    raise ValueError(f"image_size must be a power of two, at least 8; got {image_size}")
                self.head = nn.Conv2d(width * 2 ** (int(blocks) - 1), 1, 4)   # registered first: order is free
                self.act = nn.LeakyReLU(0.2)                                  # one module, used after every block
                self.convs = nn.ModuleList([nn.Conv2d(channels, width, 4, 2, 1)])
                self.norms = nn.ModuleList()
                for k in range(1, int(blocks)):
                    c = width * 2 ** k
                    self.convs.append(nn.Conv2d(c // 2, c, 4, 2, 1, bias=False))
                    self.norms.append(nn.BatchNorm2d(c))

            def forward(self, x):
                x = self.act(self.convs[0](x))
                for conv, norm in zip(self.convs[1:], self.norms):
                    x = self.act(norm(conv(x)))
                return self.head(x).view(-1)

        def build_discriminator(image_size, channels, width):
            return Discriminator(image_size, channels, width)
        """),
)

# ==== build_generator
BG_SHAPES, BG_VALIDATION, BG_LAYERS, BG_TRAINS = (
    "test_build_generator_shapes", "test_build_generator_validation", "test_build_generator_layers",
    "test_build_generator_trains")
BG = "build_generator"
_G_START = ("nn.Unflatten(1, (latent_dim, 1, 1)), nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0, bias=False), "
            "nn.BatchNorm2d(ch), nn.ReLU()")
_G_BLOCK = "nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU()"
_G_HEAD = "nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()"


def _gen(block=_G_BLOCK, start=_G_START, head=_G_HEAD, check=_CHECK, tail="net.latent_dim = latent_dim\n    ", **kw):
    """A build_generator variant: the table's loop with its first layers, blocks and last layers swapped in."""
    code = f"""
def build_generator(latent_dim, image_size, channels, width):{check}
    ch = width * image_size // 8
    layers = [{start}]
    size = 4
    while size < image_size // 2:
        layers += [{block}]
        ch, size = ch // 2, 2 * size
    layers += [{head}]
    net = nn.Sequential(*layers)
    {tail}return net
"""
    return Variant(answer=BG, code=code, **kw)


GENERATOR_VARIANTS = (
    # ---- mistakes
    _gen(head="nn.ConvTranspose2d(ch, channels, 4, 2, 1)", name="bg_no_tanh", fails=(BG_LAYERS,)),
    _gen(head="nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Sigmoid()", name="bg_sigmoid_out", fails=(BG_LAYERS,)),
    _gen(head="nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.BatchNorm2d(channels), nn.Tanh()",
         name="bg_batchnorm_on_output", fails=(BG_LAYERS,)),
    _gen(block="nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.ReLU()",
         start="nn.Unflatten(1, (latent_dim, 1, 1)), nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0), nn.ReLU()",
         name="bg_no_batchnorm", fails=(BG_LAYERS,)),
    _gen(block="nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.LeakyReLU(0.2)",
         name="bg_leaky_relu", fails=(BG_LAYERS,)),
    _gen(block="nn.Upsample(scale_factor=2), nn.Conv2d(ch, ch // 2, 3, 1, 1, bias=False), nn.BatchNorm2d(ch // 2), "
               "nn.ReLU()",
         head="nn.Upsample(scale_factor=2), nn.Conv2d(ch, channels, 3, 1, 1), nn.Tanh()",
         name="bg_conv2d_resize_instead_of_transposed", fails=(BG_LAYERS,)),
    _gen(block="nn.ConvTranspose2d(ch, ch // 2, 3, 2, 1, output_padding=1, bias=False), nn.BatchNorm2d(ch // 2), "
               "nn.ReLU()",
         head="nn.ConvTranspose2d(ch, channels, 3, 2, 1, output_padding=1), nn.Tanh()",
         name="bg_kernel_3_checkerboard", fails=(BG_LAYERS,)),
    Variant("bg_width_everywhere", BG, """
        def build_generator(latent_dim, image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            layers, size = [nn.Unflatten(1, (latent_dim, 1, 1)), nn.ConvTranspose2d(latent_dim, width, 4, 1, 0),
                            nn.BatchNorm2d(width), nn.ReLU()], 4
            while size < image_size // 2:         # the same width in every layer: the maps never halve
                layers += [nn.ConvTranspose2d(width, width, 4, 2, 1), nn.BatchNorm2d(width), nn.ReLU()]
                size *= 2
            net = nn.Sequential(*layers, nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())
            net.latent_dim = latent_dim
            return net
        """, fails=(BG_LAYERS,)),
    _gen(head="nn.ConvTranspose2d(ch, 1, 4, 2, 1), nn.Tanh()", name="bg_ignores_channels",
         fails=(BG_SHAPES, BG_LAYERS, BG_TRAINS)),
    _gen(head="nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh(), nn.Upsample(scale_factor=2)",
         name="bg_twice_the_size", fails=(BG_SHAPES, BG_TRAINS)),
    Variant("bg_one_block_too_few", BG, """
        def build_generator(latent_dim, image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            ch = width * image_size // 8
            layers = [nn.Unflatten(1, (latent_dim, 1, 1)), nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0, bias=False),
                      nn.BatchNorm2d(ch), nn.ReLU()]
            size = 4
            while size < image_size // 4:         # stops one doubling early: the images come out at half the size
                layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU()]
                ch, size = ch // 2, 2 * size
            net = nn.Sequential(*layers, nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh())
            net.latent_dim = latent_dim
            return net
        """, fails=(BG_SHAPES, BG_LAYERS, BG_TRAINS)),
    Variant("bg_linear_only_mlp", BG, """
        def build_generator(latent_dim, image_size, channels, width):
            if image_size < 8 or image_size & (image_size - 1):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            hidden = 4 * width * image_size
            net = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),        # fully connected, no convolution
                                nn.Linear(hidden, channels * image_size ** 2), nn.Tanh(),
                                nn.Unflatten(1, (channels, image_size, image_size)))
            net.latent_dim = latent_dim
            return net
        """, fails=(BG_LAYERS,)),
    _gen(check="", name="bg_no_size_check", fails=(BG_VALIDATION,), roundtrip=True),
    _gen(tail="", name="bg_no_latent_dim_attribute", fails=(BG_SHAPES,)),
    Variant("bg_ganlab_class", BG, """
        def build_generator(latent_dim, image_size, channels, width):
            cfg = ganlab.models.DCGANConfig(image_size=image_size, channels=channels, latent_dim=latent_dim, width=width)
            return ganlab.models.DCGANGenerator(cfg)
        """, fails=(BG_LAYERS,)),
    Variant("bg_layers_in_a_plain_list", BG, """
        class Generator(nn.Module):
            def __init__(self, latent_dim, image_size, channels, width):
                super().__init__()
                if image_size < 8 or image_size & (image_size - 1):
                    raise ValueError(f"image_size must be a power of two >= 8, got {image_size}")
                self.latent_dim, ch = latent_dim, width * image_size // 8
                self.layers = [nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0), nn.BatchNorm2d(ch), nn.ReLU()]  # not registered
                while ch > width:
                    self.layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.BatchNorm2d(ch // 2), nn.ReLU()]
                    ch //= 2
                self.layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]

            def forward(self, z):
                x = z[:, :, None, None]
                for layer in self.layers:
                    x = layer(x)
                return x

        def build_generator(latent_dim, image_size, channels, width):
            return Generator(latent_dim, image_size, channels, width)
        """, fails=(BG_LAYERS, BG_TRAINS)),
    Variant("bg_syntax_error", BG, _gen(name="").code.replace("width):", "width)", 1),
            fails=(BG_SHAPES, BG_VALIDATION, BG_LAYERS, BG_TRAINS)),
    # ---- correct alternatives
    _gen(block="nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.BatchNorm2d(ch // 2), nn.ReLU(inplace=True)",
         start="nn.Unflatten(1, (latent_dim, 1, 1)), nn.ConvTranspose2d(latent_dim, ch, 4, 1, 0), nn.BatchNorm2d(ch), "
               "nn.ReLU(inplace=True)",
         name="bg_biases_everywhere"),
    _gen(start="nn.Linear(latent_dim, 16 * ch), nn.Unflatten(1, (ch, 4, 4)), nn.BatchNorm2d(ch), nn.ReLU()",
         name="bg_linear_projection_start", roundtrip=True),
    Variant("bg_module_class", BG, """
        import math

        class Generator(nn.Module):
            \"\"\"z -> (c, 4, 4) -> ... -> image: transposed convolutions doubling the maps.\"\"\"

            def __init__(self, latent_dim, image_size, channels, width):
                super().__init__()
                doublings = math.log2(image_size) - 2 if image_size > 0 else 0
                if doublings < 1 or doublings != int(doublings):
                    raise ValueError(f"image_size must be a power of two, at least 8; got {image_size}")
                self.latent_dim = latent_dim
                self.out = nn.ConvTranspose2d(width, channels, 4, 2, 1)   # registered first: order is free
                self.act, self.tanh = nn.ReLU(), nn.Tanh()                 # one ReLU module, used after every block
                widths = [width * 2 ** k for k in range(int(doublings))][::-1]   # 4x4 first
                self.convs = nn.ModuleList([nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False)])
                self.convs.extend(nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False) for a, b in zip(widths, widths[1:]))
                self.norms = nn.ModuleList(nn.BatchNorm2d(c) for c in widths)

            def forward(self, z):
                x = z.view(len(z), self.latent_dim, 1, 1)
                for conv, norm in zip(self.convs, self.norms):
                    x = self.act(norm(conv(x)))
                return self.tanh(self.out(x))

        def build_generator(latent_dim, image_size, channels, width):
            return Generator(latent_dim, image_size, channels, width)
        """),
    Variant("bg_pytorch_examples_style", BG, """
        def build_generator(latent_dim, image_size, channels, width):
            # examples/dcgan/main.py's generator, sized by image_size: bias-free transposed convolutions throughout
            if image_size not in (8, 16, 32, 64, 128, 256):
                raise ValueError(f"image_size: expected a power of two >= 8, got {image_size}")
            mult = image_size // 8
            layers = [nn.ConvTranspose2d(latent_dim, width * mult, 4, 1, 0, bias=False),
                      nn.BatchNorm2d(width * mult), nn.ReLU(True)]
            while mult > 1:
                layers += [nn.ConvTranspose2d(width * mult, width * mult // 2, 4, 2, 1, bias=False),
                           nn.BatchNorm2d(width * mult // 2), nn.ReLU(True)]
                mult //= 2
            layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
            main = nn.Sequential(*layers)

            class Wrapper(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.main, self.latent_dim = main, latent_dim

                def forward(self, z):
                    return self.main(z.reshape(*z.shape, 1, 1))

            return Wrapper()
        """),
)

TABLE = Table("01_gan_basics", "gan_basics", SIGNATURES,
              LOSS_VARIANTS + GAN_STEP_VARIANTS + BUILD_VARIANTS + GENERATOR_VARIANTS)
