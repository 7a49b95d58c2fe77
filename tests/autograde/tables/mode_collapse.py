"""02_mode_collapse: known-wrong answers must fail exactly the listed test cells; alternatives pass all.
`gan_losses` is carried code (the student's lecture-01 losses, pasted in): an answer cell with no tests."""
from ..variants import Table, Variant

LSD, LSG, PACK, KNN = "ls_discriminator_loss", "ls_generator_loss", "pack", "knn_precision_recall"
LSD_VALUES, LSD_TARGETS = "test_ls_discriminator_loss_values", "test_ls_discriminator_loss_targets"
LSG_VALUES, LSG_TARGET = "test_ls_generator_loss_values", "test_ls_generator_loss_target"
PACK_SHAPES, PACK_CONTENTS, PACK_ERRORS = "test_pack_shapes", "test_pack_contents", "test_pack_errors"
K_TYPES, K_KNOWN, K_ONE_PER_CLASS, K_KTH, K_K, K_BOUNDARY, K_ERRORS = (
    f"test_knn_precision_recall_{aspect}"
    for aspect in ("types", "known_sets", "one_per_class", "kth_neighbour", "k", "boundary", "errors"))
K_VALUES = (K_KNOWN, K_ONE_PER_CLASS, K_KTH, K_K, K_BOUNDARY)   # every cell that checks precision or recall

SIGNATURES = {LSD: "(real_out, fake_out, a=0.0, b=1.0)", LSG: "(fake_out, c=1.0)", PACK: "(x, k)",
              KNN: "(real_features, fake_features, k=3)"}

# every pack variant but the error-handling mistakes starts with this check
CHECK = """
            if x.shape[0] % k:
                raise ValueError(f"batch of {x.shape[0]} samples cannot be split into packs of {k}")"""

# the checks every knn_precision_recall variant but the validation mistakes starts with
KNN_CHECK = """
    if real_features.shape[1] != fake_features.shape[1]:
        raise ValueError("real and fake features must have one size")
    if min(len(real_features), len(fake_features)) < k + 1:
        raise ValueError(f"each set needs at least k + 1 = {k + 1} points")"""
KNN_CHECK_8 = KNN_CHECK.replace("\n", "\n" + " " * 8)   # the same, for a variant written indented like the others


def _knn(radii: str = "torch.cdist(x, x).kthvalue(k + 1, dim=1).values",
         precision: str = "(d <= radii(real)).any(dim=1)", recall: str = "(d.T <= radii(fake)).any(dim=1)",
         returns: str = "float(precision), float(recall)", check: str = KNN_CHECK) -> str:
    """A knn_precision_recall answer assembled from its steps (most variants change one of them): the radius of
    each point of a set x, which fakes are inside (precision) and which reals are inside (recall), d = (M, N)."""
    return f"""
def knn_precision_recall(real_features, fake_features, k=3):{check}
    real, fake = real_features.double(), fake_features.double()

    def radii(x):
        return {radii}

    d = torch.cdist(fake, real)
    precision = {precision}.double().mean()
    recall = {recall}.double().mean()
    return {returns}
"""

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
    # ---- knn_precision_recall: mistakes
    Variant("knn_self_counted", KNN, _knn(radii="torch.cdist(x, x).kthvalue(k, dim=1).values"),
            fails=(K_ONE_PER_CLASS, K_KTH, K_K, K_BOUNDARY), roundtrip=True),  # the point is its own 1st neighbour
    Variant("knn_one_neighbour_too_far", KNN, _knn(radii="torch.cdist(x, x).kthvalue(k + 2, dim=1).values"),
            fails=(K_ONE_PER_CLASS, K_KTH, K_K, K_BOUNDARY, K_ERRORS)),  # k + 1 points no longer enough
    Variant("knn_precision_recall_swapped", KNN, _knn(returns="float(recall), float(precision)"),
            fails=K_VALUES),
    Variant("knn_strict_inequality", KNN, _knn(precision="(d < radii(real)).any(dim=1)",
                                               recall="(d.T < radii(fake)).any(dim=1)"),
            fails=(K_BOUNDARY,)),  # clovaai's prdc: differs from the authors' <= only on exact ties
    Variant("knn_radii_of_the_other_set", KNN, _knn(precision="(d <= radii(fake)[:, None]).any(dim=1)",
                                                    recall="(d.T <= radii(real)[:, None]).any(dim=1)"),
            fails=(K_ONE_PER_CLASS, K_KTH, K_K, K_BOUNDARY)),  # the ball around the evaluated point
    Variant("knn_mean_over_pairs", KNN, _knn(precision="(d <= radii(real))", recall="(d.T <= radii(fake))"),
            fails=K_VALUES),  # a fraction of (fake, real) pairs, not of fakes
    Variant("knn_inside_every_ball", KNN, _knn(precision="(d <= radii(real)).all(dim=1)",
                                               recall="(d.T <= radii(fake)).all(dim=1)"),
            fails=K_VALUES),
    Variant("knn_nearest_ball_only", KNN, _knn(precision="(d.min(dim=1).values <= radii(real)[d.argmin(dim=1)])",
                                               recall="(d.T.min(dim=1).values <= radii(fake)[d.T.argmin(dim=1)])"),
            fails=(K_KNOWN, K_KTH, K_K)),  # not the union of the balls
    Variant("knn_zero_distances_dropped", KNN, f"""
        def knn_precision_recall(real_features, fake_features, k=3):{KNN_CHECK_8}
            real, fake = real_features.double(), fake_features.double()

            def radii(x):
                d = torch.cdist(x, x)
                d = torch.where(d > 0, d, torch.full_like(d, float("inf")))   # "skip myself": drops copies too
                return d.kthvalue(k, dim=1).values

            d = torch.cdist(fake, real)
            return (float((d <= radii(real)).any(dim=1).double().mean()),
                    float((d.T <= radii(fake)).any(dim=1).double().mean()))
        """, fails=(K_ONE_PER_CLASS,)),
    Variant("knn_hardcoded_k", KNN, _knn(radii="torch.cdist(x, x).kthvalue(4, dim=1).values"), fails=(K_K,)),
    Variant("knn_returns_tensors", KNN, _knn(returns="precision, recall"), fails=(K_TYPES,)),
    Variant("knn_returns_dict", KNN, _knn(returns='{"precision": float(precision), "recall": float(recall)}'),
            fails=(K_TYPES,) + K_VALUES),  # the authors' code returns a dict; the contract is a tuple
    Variant("knn_no_checks", KNN, _knn(check=""), fails=(K_ERRORS,)),
    Variant("knn_check_one_point_too_many", KNN, _knn(check="""
    if real_features.shape[1] != fake_features.shape[1]:
        raise ValueError("real and fake features must have one size")
    if min(len(real_features), len(fake_features)) <= k + 1:
        raise ValueError("too few points")"""), fails=(K_ERRORS,)),
    Variant("knn_assert_not_valueerror", KNN, _knn(check='''
    assert real_features.shape[1] == fake_features.shape[1], "one feature size"
    assert min(len(real_features), len(fake_features)) > k, "too few points"'''), fails=(K_ERRORS,)),
    Variant("knn_syntax_error", KNN, _knn(returns="float(precision), float(recall))"),
            fails=(K_TYPES, K_ERRORS) + K_VALUES),
    # ---- knn_precision_recall: correct alternatives
    Variant("knn_sort", KNN, _knn(radii="torch.cdist(x, x).sort(dim=1).values[:, k]")),
    Variant("knn_topk", KNN, _knn(radii="torch.cdist(x, x).topk(k + 1, dim=1, largest=False).values[:, -1]")),
    Variant("knn_diagonal_inf", KNN, _knn(
        radii="(torch.cdist(x, x) + torch.diag(torch.full((len(x),), float('inf'), dtype=x.dtype))).kthvalue(k, dim=1).values")),
    Variant("knn_broadcast_float32", KNN, f"""
        def knn_precision_recall(real_features, fake_features, k=3):{KNN_CHECK_8}
            def pairwise(a, b):
                return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1).sqrt()

            def radii(x):
                return pairwise(x, x).topk(k + 1, dim=1, largest=False).values[:, k]

            d = pairwise(fake_features, real_features)
            precision = (d <= radii(real_features)[None, :]).any(1).float().mean().item()
            recall = (d <= radii(fake_features)[:, None]).any(0).float().mean().item()
            return precision, recall
        """, roundtrip=True),
    Variant("knn_squared_distances", KNN, f"""
        def knn_precision_recall(real_features, fake_features, k=3):{KNN_CHECK_8}
            real, fake = real_features.double(), fake_features.double()
            sq = lambda a, b: (a * a).sum(1)[:, None] - 2 * a @ b.T + (b * b).sum(1)[None, :]
            r_real = sq(real, real).clamp_min(0).kthvalue(k + 1, dim=1).values   # squared radii, as the authors
            r_fake = sq(fake, fake).clamp_min(0).kthvalue(k + 1, dim=1).values
            d2 = sq(fake, real).clamp_min(0)
            return float((d2 <= r_real).any(1).double().mean()), float((d2.T <= r_fake).any(1).double().mean())
        """),
    Variant("knn_numpy_partition", KNN, """
        import numpy as np

        def knn_precision_recall(real_features, fake_features, k=3):
            real = np.asarray(real_features.detach().cpu(), dtype=np.float64)
            fake = np.asarray(fake_features.detach().cpu(), dtype=np.float64)
            if real.shape[1] != fake.shape[1] or min(len(real), len(fake)) <= k:
                raise ValueError(f"expected (N, D) sets of one D with more than k = {k} rows, got {real.shape}, {fake.shape}")

            def dist(a, b):
                return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

            r_real = np.partition(dist(real, real), k, axis=1)[:, k]
            r_fake = np.partition(dist(fake, fake), k, axis=1)[:, k]
            d = dist(fake, real)
            return np.mean((d <= r_real[None, :]).any(axis=1)), np.mean((d.T <= r_fake[None, :]).any(axis=1))
        """),  # np.float64 is a Python float
    Variant("knn_chunked_rows", KNN, """
        def knn_precision_recall(real_features, fake_features, k=3, chunk=7):
            if real_features.shape[-1] != fake_features.shape[-1]:
                raise ValueError("feature sizes differ")
            if real_features.shape[0] <= k or fake_features.shape[0] <= k:
                raise ValueError("need more than k points per set")

            def radii(ref):   # in blocks of rows, as the authors' code
                return torch.cat([torch.cdist(block, ref).kthvalue(k + 1, dim=1).values for block in ref.split(chunk)])

            def fraction_inside(points, ref):
                r = radii(ref)
                return torch.cat([(torch.cdist(block, ref) <= r).any(dim=1) for block in points.split(chunk)]).float().mean().item()

            real, fake = real_features.detach().float(), fake_features.detach().float()
            return fraction_inside(fake, real), fraction_inside(real, fake)
        """),
    Variant("knn_sklearn", KNN, """
        from sklearn.metrics import pairwise_distances
        from sklearn.neighbors import NearestNeighbors

        def knn_precision_recall(real_features, fake_features, k=3):
            real = real_features.detach().cpu().double().numpy()
            fake = fake_features.detach().cpu().double().numpy()
            if real.shape[1] != fake.shape[1]:
                raise ValueError("feature sizes differ")
            if len(real) < k + 1 or len(fake) < k + 1:
                raise ValueError("need k + 1 points per set")
            r_real = NearestNeighbors(n_neighbors=k + 1).fit(real).kneighbors(real)[0][:, k]
            r_fake = NearestNeighbors(n_neighbors=k + 1).fit(fake).kneighbors(fake)[0][:, k]
            d = pairwise_distances(fake, real)
            return float((d <= r_real).any(axis=1).mean()), float((d.T <= r_fake).any(axis=1).mean())
        """),
))
