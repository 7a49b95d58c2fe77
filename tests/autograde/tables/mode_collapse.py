"""02_mode_collapse: known-wrong answers must fail exactly the listed test cells; alternatives pass all.
`gan_losses` is carried code (the student's lecture-01 losses, pasted in): an answer cell with no tests."""
from ..variants import Table, Variant

LSD, LSG, PACK = "ls_discriminator_loss", "ls_generator_loss", "pack"
LSD_VALUES, LSD_TARGETS = "test_ls_discriminator_loss_values", "test_ls_discriminator_loss_targets"
LSG_VALUES, LSG_TARGET = "test_ls_generator_loss_values", "test_ls_generator_loss_target"
PACK_SHAPES, PACK_CONTENTS, PACK_ERRORS = "test_pack_shapes", "test_pack_contents", "test_pack_errors"

SIGNATURES = {LSD: "(real_out, fake_out, a=0.0, b=1.0)", LSG: "(fake_out, c=1.0)", PACK: "(x, k)"}

# every pack variant but the error-handling mistakes starts with this check
CHECK = """
            if x.shape[0] % k:
                raise ValueError(f"batch of {x.shape[0]} samples cannot be split into packs of {k}")"""

TABLE = Table("02_mode_collapse", "mode_collapse", SIGNATURES, carried=("gan_losses",), variants=(
    # ---- ls_discriminator_loss: mistakes
    Variant("lsd_sigmoid", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            real, fake = torch.sigmoid(real_out), torch.sigmoid(fake_out)
            return 0.5 * ((real - b) ** 2).mean() + 0.5 * ((fake - a) ** 2).mean()
        """, fails=(LSD_VALUES, LSD_TARGETS), roundtrip=True),
    Variant("lsd_swapped_targets", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * ((real_out - a) ** 2).mean() + 0.5 * ((fake_out - b) ** 2).mean()
        """, fails=(LSD_VALUES, LSD_TARGETS)),
    Variant("lsd_no_half", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return ((real_out - b) ** 2).mean() + ((fake_out - a) ** 2).mean()
        """, fails=(LSD_VALUES, LSD_TARGETS)),
    Variant("lsd_sum_not_mean", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * ((real_out - b) ** 2).sum() + 0.5 * ((fake_out - a) ** 2).sum()
        """, fails=(LSD_VALUES, LSD_TARGETS)),
    Variant("lsd_one_mean_over_both_batches", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return torch.cat([((real_out - b) ** 2).flatten(), ((fake_out - a) ** 2).flatten()]).mean()
        """, fails=(LSD_VALUES, LSD_TARGETS)),  # right only when the batches have one size
    Variant("lsd_hardcoded_targets", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * ((real_out - 1) ** 2).mean() + 0.5 * (fake_out ** 2).mean()
        """, fails=(LSD_TARGETS,)),
    Variant("lsd_abs_not_square", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * (real_out - b).abs().mean() + 0.5 * (fake_out - a).abs().mean()
        """, fails=(LSD_VALUES, LSD_TARGETS)),
    Variant("lsd_mean_over_batch_dim_only", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * ((real_out - b) ** 2).mean(dim=0) + 0.5 * ((fake_out - a) ** 2).mean(dim=0)
        """, fails=(LSD_VALUES,)),  # fine for (B,) outputs, not for (B, 1) or (B, C, H, W)
    Variant("lsd_parameters_swapped", LSD, """
        def ls_discriminator_loss(real_out, fake_out, b=1., a=0.):
            return 0.5 * ((real_out - b) ** 2).mean() + 0.5 * ((fake_out - a) ** 2).mean()
        """, fails=(LSD_TARGETS,)),  # positional a, b land in the wrong places
    Variant("lsd_detached_item", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            loss = 0.5 * ((real_out - b) ** 2).mean() + 0.5 * ((fake_out - a) ** 2).mean()
            return torch.tensor(loss.item())
        """, fails=(LSD_VALUES,)),
    Variant("lsd_syntax_error", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.)
            return 0.5 * ((real_out - b) ** 2).mean() + 0.5 * ((fake_out - a) ** 2).mean()
        """, fails=(LSD_VALUES, LSD_TARGETS)),
    # ---- ls_discriminator_loss: correct alternatives
    Variant("lsd_mse_loss", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            real = F.mse_loss(real_out, torch.full_like(real_out, b))
            fake = F.mse_loss(fake_out, torch.full_like(fake_out, a))
            return 0.5 * (real + fake)
        """),
    Variant("lsd_pow_mean", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            return 0.5 * (real_out - b).pow(2).mean() + 0.5 * (fake_out - a).pow(2).mean()
        """),
    Variant("lsd_square_int_defaults", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0, b=1):
            return torch.mean(torch.square(real_out - b)) / 2 + torch.mean(torch.square(fake_out - a)) / 2
        """),
    Variant("lsd_sum_over_numel", LSD, """
        def ls_discriminator_loss(real_out, fake_out, a=0., b=1.):
            real = ((real_out - b) ** 2).sum() / real_out.numel()
            fake = ((fake_out - a) ** 2).sum() / fake_out.numel()
            return (real + fake) / 2
        """),
    # ---- ls_generator_loss: mistakes
    Variant("lsg_sigmoid", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * ((torch.sigmoid(fake_out) - c) ** 2).mean()
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_target_a_not_c", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * (fake_out ** 2).mean()  # the discriminator's target for fakes
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_hardcoded_one", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * ((fake_out - 1) ** 2).mean()
        """, fails=(LSG_TARGET,)),
    Variant("lsg_no_half", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return ((fake_out - c) ** 2).mean()
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_sum_not_mean", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * ((fake_out - c) ** 2).sum()
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_abs_not_square", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * (fake_out - c).abs().mean()
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_maximised", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return -0.5 * ((fake_out - c) ** 2).mean()
        """, fails=(LSG_VALUES, LSG_TARGET)),
    Variant("lsg_mean_over_batch_dim_only", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * ((fake_out - c) ** 2).mean(dim=0)
        """, fails=(LSG_VALUES,)),
    Variant("lsg_detached_item", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return torch.tensor(0.5 * ((fake_out - c) ** 2).mean().item())
        """, fails=(LSG_VALUES,)),
    Variant("lsg_syntax_error", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return 0.5 * ((fake_out - c) ** 2).mean(
        """, fails=(LSG_VALUES, LSG_TARGET)),
    # ---- ls_generator_loss: correct alternatives
    Variant("lsg_mse_loss", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return F.mse_loss(fake_out, torch.full_like(fake_out, c)) / 2
        """),
    Variant("lsg_square", LSG, """
        def ls_generator_loss(fake_out, c=1.):
            return torch.mean(torch.square(fake_out - c)) * 0.5
        """),
    Variant("lsg_pow_int_default", LSG, """
        def ls_generator_loss(fake_out, c=1):
            return (fake_out - c).pow(2).mean() / 2
        """),
    # ---- pack: mistakes
    Variant("pack_features_interleaved", PACK, f"""
        def pack(x, k):{CHECK}
            b = x.shape[0]
            packs = x.reshape(b // k, k, *x.shape[1:]).transpose(1, 2)   # (B/k, C, k, ...): features interleaved
            return packs.reshape(b // k, k * x.shape[1], *x.shape[2:])
        """, fails=(PACK_CONTENTS,)),
    Variant("pack_along_batch", PACK, f"""
        def pack(x, k):{CHECK}
            return torch.cat(x.chunk(k), dim=0)
        """, fails=(PACK_SHAPES, PACK_CONTENTS)),
    Variant("pack_along_width", PACK, f"""
        def pack(x, k):{CHECK}
            return torch.cat(x.chunk(k), dim=-1)   # right for points (B, F), wrong for images
        """, fails=(PACK_SHAPES, PACK_CONTENTS)),
    Variant("pack_duplicated_samples", PACK, f"""
        def pack(x, k):{CHECK}
            first = x[: x.shape[0] // k]
            return torch.cat([first] * k, dim=1)
        """, fails=(PACK_CONTENTS,)),
    Variant("pack_silently_truncates", PACK, """
        def pack(x, k):
            n = x.shape[0] // k
            return x[: n * k].reshape(n, k * x.shape[1], *x.shape[2:])
        """, fails=(PACK_ERRORS,)),
    Variant("pack_no_check", PACK, """
        def pack(x, k):
            return x.reshape(x.shape[0] // k, -1, *x.shape[2:])
        """, fails=(PACK_ERRORS,)),
    Variant("pack_assert_not_valueerror", PACK, """
        def pack(x, k):
            assert x.shape[0] % k == 0, "batch size must be a multiple of k"
            return x.reshape(x.shape[0] // k, k * x.shape[1], *x.shape[2:])
        """, fails=(PACK_ERRORS,)),
    Variant("pack_detached", PACK, f"""
        def pack(x, k):{CHECK}
            return x.detach().reshape(x.shape[0] // k, k * x.shape[1], *x.shape[2:])
        """, fails=(PACK_CONTENTS,)),
    Variant("pack_not_flattened", PACK, f"""
        def pack(x, k):{CHECK}
            return x.reshape(x.shape[0] // k, k, *x.shape[1:])
        """, fails=(PACK_SHAPES, PACK_CONTENTS)),
    Variant("pack_summed", PACK, f"""
        def pack(x, k):{CHECK}
            return x.reshape(x.shape[0] // k, k, *x.shape[1:]).sum(dim=1)
        """, fails=(PACK_SHAPES, PACK_CONTENTS)),
    Variant("pack_syntax_error", PACK, """
        def pack(x, k):
            return x.reshape(x.shape[0] // k, k * x.shape[1], *x.shape[2:]))
        """, fails=(PACK_SHAPES, PACK_CONTENTS, PACK_ERRORS)),
    # ---- pack: correct alternatives (any grouping of the batch into packs is fine)
    Variant("pack_chunk_cat", PACK, f"""
        def pack(x, k):{CHECK}
            return torch.cat(x.chunk(k), dim=1)         # pack i = samples i, i + B/k, ...
        """),
    Variant("pack_strided_slices", PACK, f"""
        def pack(x, k):{CHECK}
            return torch.cat([x[j::k] for j in range(k)], dim=1)
        """),
    Variant("pack_stack_flatten", PACK, f"""
        def pack(x, k):{CHECK}
            return torch.stack(x.chunk(k), dim=1).flatten(1, 2)
        """, roundtrip=True),
    Variant("pack_view", PACK, """
        def pack(x, k):
            b = len(x)
            if b % k != 0:
                raise ValueError("batch of %d samples cannot be split into packs of %d" % (b, k))
            return x.view(b // k, -1, *x.shape[2:])
        """),
    Variant("pack_loop", PACK, """
        def pack(x, k):
            if len(x) % k:
                raise ValueError("the batch size must be a multiple of k")
            return torch.stack([torch.cat(list(x[i:i + k]), dim=0) for i in range(0, len(x), k)])
        """),
))
