"""05_conditional: known-wrong answers must fail exactly the listed test cells; alternatives pass all.
`gan_losses` is carried code (the student's lecture-01 losses, pasted in): an answer cell with no tests."""
from ..variants import Table, Variant

D_VALUES, D_STABLE, D_GRADS = ("test_acgan_discriminator_loss_values", "test_acgan_discriminator_loss_stable",
                               "test_acgan_discriminator_loss_gradients")
G_VALUES, G_STABLE, G_GRADS = ("test_acgan_generator_loss_values", "test_acgan_generator_loss_stable",
                               "test_acgan_generator_loss_gradients")
I_VALUES, I_STABLE, I_GRADS = ("test_infogan_info_loss_values", "test_infogan_info_loss_stable",
                               "test_infogan_info_loss_gradients")
D_ALL, G_ALL, I_ALL = (D_VALUES, D_STABLE, D_GRADS), (G_VALUES, G_STABLE, G_GRADS), (I_VALUES, I_STABLE, I_GRADS)
P_VALUES, P_SHAPE, P_GRADS, P_LABELS, P_VALID = ("test_projection_logits_values", "test_projection_logits_shape",
                                                 "test_projection_logits_gradients", "test_projection_logits_labels",
                                                 "test_projection_logits_validation")
P_ALL = (P_VALUES, P_SHAPE, P_GRADS, P_LABELS, P_VALID)

D = "acgan_discriminator_loss"
G = "acgan_generator_loss"
I = "infogan_info_loss"
P = "projection_logits"

SIGNATURES = {D: "(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake)",
              G: "(src_fake, cls_fake, labels_fake)",
              I: "(cat_logits, cat_codes, cont_mean, cont_codes, lambda_cont=1.0)",
              P: "(features, labels, embedding, linear)"}


def _d(source: str, classes: str) -> str:
    """An acgan_discriminator_loss answer: source terms + class terms (most variants change one of them)."""
    return f"""
def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
    source = {source}
    classes = {classes}
    return source + classes
"""


_D_SOURCE = "F.softplus(-src_real).mean() + F.softplus(src_fake).mean()"
_D_CLASSES = "F.cross_entropy(cls_real, labels_real) + F.cross_entropy(cls_fake, labels_fake)"


def _i(categorical: str, continuous: str, total: str = "categorical + lambda_cont * continuous") -> str:
    """An infogan_info_loss answer: categorical term, continuous term, their combination."""
    return f"""
def infogan_info_loss(cat_logits, cat_codes, cont_mean, cont_codes, lambda_cont=1.0):
    categorical = {categorical}
    continuous = {continuous}
    return {total}
"""


_I_CAT = "F.cross_entropy(cat_logits, cat_codes)"
_I_CONT = "0.5 * ((cont_codes - cont_mean) ** 2).sum(dim=1).mean()"

_P_CHECKS = """
    if labels.shape != (features.shape[0],):
        raise ValueError("labels: expected one class per sample")
    if features.shape[1] != embedding.embedding_dim:
        raise ValueError("features: expected the embedding's size")"""


def _p(logits: str, checks: str = _P_CHECKS) -> str:
    """A projection_logits answer: the shape checks, then `logits` (most variants change only that)."""
    return f"def projection_logits(features, labels, embedding, linear):{checks}\n    return {logits}\n"


_P_LINEAR = "linear(features).squeeze(-1)"
_P_PROJECTION = "(embedding(labels) * features).sum(-1)"


TABLE = Table("05_conditional", "conditional", SIGNATURES, carried=("gan_losses",), variants=(
    # ---- acgan_discriminator_loss: mistakes
    Variant("d_fake_class_term_missing", D, _d(_D_SOURCE, "F.cross_entropy(cls_real, labels_real)"),
            fails=(D_VALUES, D_STABLE, D_GRADS), roundtrip=True),
    Variant("d_swapped_source_targets", D,
            _d("F.softplus(src_real).mean() + F.softplus(-src_fake).mean()", _D_CLASSES),
            fails=D_ALL),
    Variant("d_swapped_labels", D, _d(_D_SOURCE,
                                      "F.cross_entropy(cls_real, labels_fake) + F.cross_entropy(cls_fake, labels_real)"),
            fails=D_ALL),
    Variant("d_sum_not_mean", D, _d("F.softplus(-src_real).sum() + F.softplus(src_fake).sum()",
                                    "F.cross_entropy(cls_real, labels_real, reduction='sum') "
                                    "+ F.cross_entropy(cls_fake, labels_fake, reduction='sum')"),
            fails=D_ALL),
    Variant("d_half_of_sum", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            source = F.softplus(-src_real).mean() + F.softplus(src_fake).mean()
            classes = F.cross_entropy(cls_real, labels_real) + F.cross_entropy(cls_fake, labels_fake)
            return 0.5 * (source + classes)
        """, fails=D_ALL),
    Variant("d_one_mean_over_both", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            src = torch.cat([src_real, src_fake])
            target = torch.cat([torch.ones_like(src_real), torch.zeros_like(src_fake)])
            return (F.binary_cross_entropy_with_logits(src, target)
                    + F.cross_entropy(torch.cat([cls_real, cls_fake]), torch.cat([labels_real, labels_fake])))
        """, fails=D_ALL),
    Variant("d_probabilities_log_sigmoid", D,
            _d("-torch.log(torch.sigmoid(src_real)).mean() - torch.log(1 - torch.sigmoid(src_fake)).mean()",
               _D_CLASSES),
            fails=(D_VALUES, D_STABLE)),
    Variant("d_log_softmax_probabilities", D, _d(_D_SOURCE, """(
        -torch.log(torch.softmax(cls_real, 1)).gather(1, labels_real[:, None]).mean()
        - torch.log(torch.softmax(cls_fake, 1)).gather(1, labels_fake[:, None]).mean())"""),
            fails=(D_VALUES, D_STABLE)),
    Variant("d_nll_on_probabilities", D, _d(_D_SOURCE, "F.nll_loss(torch.softmax(cls_real, 1), labels_real) "
                                                       "+ F.nll_loss(torch.softmax(cls_fake, 1), labels_fake)"),
            fails=D_ALL),
    Variant("d_class_terms_subtracted", D, _d(_D_SOURCE, "-(" + _D_CLASSES + ")"), fails=D_ALL),
    Variant("d_detached_item", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            loss = (F.softplus(-src_real).mean() + F.softplus(src_fake).mean()
                    + F.cross_entropy(cls_real, labels_real) + F.cross_entropy(cls_fake, labels_fake))
            return torch.tensor(loss.item())
        """, fails=(D_STABLE, D_GRADS)),
    Variant("d_syntax_error", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            return F.softplus(-src_real).mean() + F.softplus(src_fake).mean(
        """, fails=D_ALL),
    # ---- acgan_discriminator_loss: correct alternatives
    Variant("d_bce_with_logits", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            bce = F.binary_cross_entropy_with_logits
            source = bce(src_real, torch.ones_like(src_real)) + bce(src_fake, torch.zeros_like(src_fake))
            return source + F.cross_entropy(cls_real, labels_real) + F.cross_entropy(cls_fake, labels_fake)
        """),
    Variant("d_logsigmoid_log_softmax_gather", D, """
        def acgan_discriminator_loss(src_real, src_fake, cls_real, cls_fake, labels_real, labels_fake):
            L_S = F.logsigmoid(src_real).mean() + F.logsigmoid(-src_fake).mean()
            L_C = (F.log_softmax(cls_real, dim=1).gather(1, labels_real[:, None]).mean()
                   + F.log_softmax(cls_fake, dim=1).gather(1, labels_fake[:, None]).mean())
            return -(L_S + L_C)
        """),
    Variant("d_nll_loss_logsumexp", D, _d("F.softplus(-src_real).mean() + F.softplus(src_fake).mean()", """(
        F.nll_loss(F.log_softmax(cls_real, 1), labels_real)
        + (torch.logsumexp(cls_fake, 1) - cls_fake[torch.arange(len(labels_fake)), labels_fake]).mean())""")),
    # ---- acgan_generator_loss: mistakes
    Variant("g_saturating", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return -F.softplus(src_fake).mean() + F.cross_entropy(cls_fake, labels_fake)
        """, fails=G_ALL),
    Variant("g_discriminator_target", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return F.softplus(src_fake).mean() + F.cross_entropy(cls_fake, labels_fake)
        """, fails=G_ALL),
    Variant("g_class_term_missing", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return F.softplus(-src_fake).mean()
        """, fails=G_ALL),
    Variant("g_class_term_subtracted", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return F.softplus(-src_fake).mean() - F.cross_entropy(cls_fake, labels_fake)
        """, fails=G_ALL),
    Variant("g_sum_not_mean", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return F.softplus(-src_fake).sum() + F.cross_entropy(cls_fake, labels_fake, reduction="sum")
        """, fails=G_ALL),
    Variant("g_log_sigmoid", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return -torch.log(torch.sigmoid(src_fake)).mean() + F.cross_entropy(cls_fake, labels_fake)
        """, fails=(G_STABLE,)),   # exact in float32 until sigmoid underflows, near s = -88
    Variant("g_cross_entropy_of_softmax", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return F.softplus(-src_fake).mean() + F.cross_entropy(torch.softmax(cls_fake, 1), labels_fake)
        """, fails=G_ALL),
    Variant("g_detached_item", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            loss = F.softplus(-src_fake).mean() + F.cross_entropy(cls_fake, labels_fake)
            return torch.tensor(loss.item())
        """, fails=(G_STABLE, G_GRADS)),
    Variant("g_syntax_error", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake)
            return F.softplus(-src_fake).mean() + F.cross_entropy(cls_fake, labels_fake)
        """, fails=G_ALL),
    # ---- acgan_generator_loss: correct alternatives
    Variant("g_bce_with_logits", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            source = F.binary_cross_entropy_with_logits(src_fake, torch.ones_like(src_fake))
            return source + F.cross_entropy(cls_fake, labels_fake)
        """),
    Variant("g_logsigmoid_nll", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            return -F.logsigmoid(src_fake).mean() + F.nll_loss(F.log_softmax(cls_fake, dim=-1), labels_fake)
        """),
    Variant("g_distributions", G, """
        def acgan_generator_loss(src_fake, cls_fake, labels_fake):
            judged_real = torch.distributions.Bernoulli(logits=src_fake).log_prob(torch.ones_like(src_fake))
            right_class = torch.distributions.Categorical(logits=cls_fake).log_prob(labels_fake)
            return -(judged_real.mean() + right_class.mean())
        """),
    # ---- infogan_info_loss: mistakes
    Variant("i_mse_loss", I, _i(_I_CAT, "F.mse_loss(cont_mean, cont_codes)"), fails=(I_VALUES, I_GRADS)),
    Variant("i_mean_over_dims", I, _i(_I_CAT, "0.5 * ((cont_codes - cont_mean) ** 2).mean()"),
            fails=(I_VALUES, I_GRADS)),
    Variant("i_with_log_2pi", I, _i(_I_CAT, _I_CONT + " + 0.5 * math.log(2 * math.pi) * cont_codes.shape[1]"),
            fails=(I_VALUES,)),
    Variant("i_no_half", I, _i(_I_CAT, "((cont_codes - cont_mean) ** 2).sum(dim=1).mean()"),
            fails=(I_VALUES, I_GRADS)),
    Variant("i_lambda_ignored", I, _i(_I_CAT, _I_CONT, "categorical + continuous"), fails=(I_VALUES, I_GRADS)),
    Variant("i_lambda_on_categorical", I, _i(_I_CAT, _I_CONT, "lambda_cont * categorical + continuous"),
            fails=(I_VALUES, I_GRADS)),
    Variant("i_sum_over_batch", I, _i("F.cross_entropy(cat_logits, cat_codes, reduction='sum')",
                                      "0.5 * ((cont_codes - cont_mean) ** 2).sum()"), fails=I_ALL),
    Variant("i_cross_entropy_of_softmax", I, _i("F.cross_entropy(torch.softmax(cat_logits, 1), cat_codes)", _I_CONT),
            fails=I_ALL),
    Variant("i_log_softmax_probabilities", I,
            _i("-torch.log(torch.softmax(cat_logits, 1)[torch.arange(len(cat_codes)), cat_codes]).mean()", _I_CONT),
            fails=(I_STABLE,)),   # exact in float32 until exp(logit) underflows
    Variant("i_continuous_missing", I, _i(_I_CAT, "0.0"), fails=(I_VALUES, I_GRADS)),
    Variant("i_syntax_error", I, """
        def infogan_info_loss(cat_logits, cat_codes, cont_mean, cont_codes, lambda_cont=1.0):
            return F.cross_entropy(cat_logits, cat_codes) + lambda_cont * 0.5 * ((cont_codes - cont_mean) ** 2).sum(1).mean(
        """, fails=I_ALL),
    # ---- infogan_info_loss: correct alternatives
    Variant("i_gaussian_nll_sum", I, _i("F.nll_loss(F.log_softmax(cat_logits, 1), cat_codes)",
                                        "F.gaussian_nll_loss(cont_mean, cont_codes, torch.ones_like(cont_mean), "
                                        "reduction='sum') / len(cont_codes)"), roundtrip=True),
    Variant("i_mse_sum", I, _i("(torch.logsumexp(cat_logits, 1) - cat_logits.gather(1, cat_codes[:, None])[:, 0]).mean()",
                               "F.mse_loss(cont_mean, cont_codes, reduction='sum') / (2 * cont_codes.shape[0])")),
    Variant("i_distributions", I, """
        def infogan_info_loss(cat_logits, cat_codes, cont_mean, cont_codes, lambda_cont=1.0):
            nll_cat = -torch.distributions.Categorical(logits=cat_logits).log_prob(cat_codes).mean()
            log_q = torch.distributions.Normal(cont_mean, 1.0).log_prob(cont_codes).sum(dim=1)   # (B,)
            nll_cont = -log_q.mean() - 0.5 * math.log(2 * math.pi) * cont_codes.shape[1]        # without the constant
            return nll_cat + lambda_cont * nll_cont
        """),
    # ---- projection_logits: mistakes
    Variant("p_linear_term_missing", P, _p(_P_PROJECTION), fails=(P_VALUES, P_GRADS)),
    Variant("p_projection_term_missing", P, _p(_P_LINEAR), fails=(P_VALUES, P_GRADS, P_LABELS)),
    Variant("p_label_ignored", P, _p(f"{_P_LINEAR} + (embedding(torch.zeros_like(labels)) * features).sum(-1)"),
            fails=(P_VALUES, P_GRADS, P_LABELS)),      # the embedding of the wrong thing: class 0 for everyone
    Variant("p_embedding_dotted_with_linear_weight", P, _p(f"{_P_LINEAR} + (embedding(labels) * linear.weight).sum(-1)"),
            fails=(P_VALUES, P_GRADS, P_LABELS)),      # e_y projected on psi's weight, not on phi(x)
    Variant("p_sum_over_batch", P, _p(f"{_P_LINEAR} + (embedding(labels) * features).sum()"),
            fails=(P_VALUES, P_GRADS, P_LABELS)),
    Variant("p_matmul_mixes_the_batch", P, _p(f"{_P_LINEAR} + (embedding(labels) @ features.T).sum(-1)"),
            fails=(P_VALUES, P_GRADS, P_LABELS)),      # <e_i, sum_j phi_j>
    Variant("p_one_hot_concat", P, _p(  # cGAN-style: a one-hot label concatenated to phi, one weight per class
        "F.linear(torch.cat([features, F.one_hot(labels, embedding.num_embeddings).to(features.dtype)], dim=1),\n"
        "                    torch.cat([linear.weight, embedding.weight.mean(1)[None]], dim=1),   # (1, F + K)\n"
        "                    linear.bias).squeeze(-1)"), fails=(P_VALUES, P_GRADS, P_LABELS)),
    Variant("p_keepdim", P, _p("linear(features) + (embedding(labels) * features).sum(-1, keepdim=True)"),
            fails=(P_SHAPE,)),                         # (B, 1): the other tests look past the shape
    Variant("p_squeeze_all", P, _p("(linear(features) + (embedding(labels) * features).sum(1, keepdim=True)).squeeze()"),
            fails=(P_SHAPE,)),                         # a batch of one becomes a 0-dim tensor
    Variant("p_no_checks", P, _p(f"{_P_LINEAR} + {_P_PROJECTION}", checks=""), fails=(P_VALID,), roundtrip=True),
    Variant("p_assert_not_value_error", P, _p(f"{_P_LINEAR} + {_P_PROJECTION}", checks="""
    assert labels.shape == (features.shape[0],) and features.shape[1] == embedding.embedding_dim"""),
            fails=(P_VALID,)),
    Variant("p_detached", P, _p(f"({_P_LINEAR} + {_P_PROJECTION}).detach()"), fails=(P_GRADS,)),
    Variant("p_syntax_error", P, _p(f"{_P_LINEAR} + {_P_PROJECTION}(").replace("linear):", "linear)"), fails=P_ALL),
    # ---- projection_logits: correct alternatives
    Variant("p_einsum", P, _p(f"{_P_LINEAR} + torch.einsum('bf,bf->b', embedding(labels), features)"),
            roundtrip=True),
    Variant("p_bmm", P, _p("linear(features)[:, 0] + torch.bmm(embedding(labels)[:, None, :], features[:, :, None]).flatten()")),
    Variant("p_keepdim_then_squeeze", P,
            _p("(linear(features) + (embedding(labels) * features).sum(1, keepdim=True)).squeeze(1)")),
    Variant("p_functional", P, _p("(features @ linear.weight.T + linear.bias).squeeze(-1) "
                                  "+ (F.embedding(labels, embedding.weight) * features).sum(-1)")),
    Variant("p_weight_rows_other_checks", P, _p("linear(features).view(-1) + (embedding.weight[labels] * features).sum(1)",
                                                checks="""
    if labels.dim() != 1 or len(labels) != len(features):
        raise ValueError(f"labels: expected ({len(features)},), got {tuple(labels.shape)}")
    if features.size(-1) != linear.in_features or features.size(-1) != embedding.weight.shape[1]:
        raise ValueError("features: wrong size")"""),
            ),
))
