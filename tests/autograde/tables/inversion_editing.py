"""08_inversion_editing: known-wrong answers must fail exactly the listed test cells; alternatives pass all.
`adain` is carried code (the student's lecture-07 AdaIN, pasted in): an answer cell with no tests."""
from ..variants import Table, Variant

PIXELS, FEATURES = "test_inversion_loss_pixels", "test_inversion_loss_features"
REGULARISER, GRADIENT = "test_inversion_loss_regulariser", "test_inversion_loss_gradient"
CONVERGES, OPTIMISER = "test_invert_converges", "test_invert_optimiser"
LOSS = (PIXELS, FEATURES, REGULARISER, GRADIENT)

IL = "inversion_loss"
INV = "invert"

SIGNATURES = {IL: "(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None)",
              INV: "(generator, target, w_init, loss_fn, steps=100, lr=0.1)"}


def _loss(pixels="F.mse_loss(x, target)",
          features="F.mse_loss(classifier.features(x), classifier.features(target))",
          regulariser="(w - w_avg).pow(2).mean()", x="generator(w)", weighted_features=True):
    """An inversion_loss answer built from its three terms (each an expression)."""
    fw = "feature_weight * " if weighted_features else ""
    return f"""
def inversion_loss(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None):
    x = {x}
    loss = {pixels}
    if classifier is not None:
        loss = loss + {fw}{features}
    if w_avg is not None:
        loss = loss + reg_weight * {regulariser}
    return loss
"""


def _invert(setup="optimiser = torch.optim.Adam([w], lr=lr)", start="w = w_init.detach().clone().requires_grad_(True)",
            body="""optimiser.zero_grad()
        loss = loss_fn(generator, w, target)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())""", steps="steps", result="w.detach()"):
    """An invert answer: the loop with one piece replaced."""
    return f"""
def invert(generator, target, w_init, loss_fn, steps=100, lr=0.1):
    {start}
    {setup}
    losses = []
    for _ in range({steps}):
        {body}
    return {result}, losses
"""


TABLE = Table("08_inversion_editing", "inversion_editing", SIGNATURES, carried=("adain",), variants=(
    # ---- inversion_loss: mistakes
    Variant("il_pixel_sum", IL, _loss(pixels="F.mse_loss(x, target, reduction='sum')"), fails=LOSS),
    Variant("il_pixel_norm_per_image", IL, _loss(pixels="(x - target).pow(2).flatten(1).sum(1).mean()"), fails=LOSS),
    Variant("il_pixel_l1", IL, _loss(pixels="(x - target).abs().mean()"), fails=LOSS),
    Variant("il_pixel_rmse", IL, _loss(pixels="F.mse_loss(x, target).sqrt()"), fails=LOSS),
    Variant("il_logits_not_features", IL, _loss(features="F.mse_loss(classifier(x), classifier(target))"),
            fails=(FEATURES, REGULARISER, GRADIENT)),
    Variant("il_features_summed", IL, _loss(
        features="(classifier.features(x) - classifier.features(target)).pow(2).sum(1).mean()"),
            fails=(FEATURES, REGULARISER, GRADIENT)),
    Variant("il_feature_weight_ignored", IL, _loss(weighted_features=False), fails=(FEATURES, REGULARISER, GRADIENT)),
    Variant("il_features_detached", IL, _loss(
        features="F.mse_loss(classifier.features(x.detach()), classifier.features(target))"), fails=(GRADIENT,)),
    Variant("il_reg_towards_zero", IL, _loss(regulariser="w.pow(2).mean()"), fails=(REGULARISER, GRADIENT)),
    Variant("il_reg_squared_norm", IL, _loss(regulariser="(w - w_avg).pow(2).sum(-1).mean()"),
            fails=(REGULARISER, GRADIENT)),
    Variant("il_reg_summed_over_layers", IL, _loss(
        regulariser="(w - w_avg).pow(2).reshape(len(w), -1, w.shape[-1]).mean(-1).sum(1).mean()"),
            fails=(REGULARISER, GRADIENT)),
    Variant("il_detached_w", IL, _loss(x="generator(w.detach())"), fails=(GRADIENT,)),
    Variant("il_reg_towards_zero_without_w_avg", IL, """
        def inversion_loss(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None):
            x = generator(w)
            loss = F.mse_loss(x, target)
            if classifier is not None:
                loss = loss + feature_weight * F.mse_loss(classifier.features(x), classifier.features(target))
            centre = w_avg if w_avg is not None else torch.zeros(w.shape[-1])
            return loss + reg_weight * (w - centre).pow(2).mean()
        """, fails=(PIXELS, FEATURES, GRADIENT)),
    Variant("il_always_features", IL, """
        def inversion_loss(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None):
            x = generator(w)
            loss = F.mse_loss(x, target) + feature_weight * F.mse_loss(classifier.features(x),
                                                                       classifier.features(target))
            if w_avg is not None:
                loss = loss + reg_weight * (w - w_avg).pow(2).mean()
            return loss
        """, fails=(PIXELS, REGULARISER, GRADIENT)),
    Variant("il_syntax_error", IL, """
        def inversion_loss(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None):
            return F.mse_loss(generator(w), target
        """, fails=LOSS),
    # ---- inversion_loss: correct alternatives
    Variant("il_manual_means", IL, _loss(pixels="((x - target) ** 2).mean()",
                                         features="((classifier.features(x) - classifier.features(target)) ** 2).mean()",
                                         regulariser="((w - w_avg) ** 2).mean()")),
    Variant("il_per_image_then_batch", IL, _loss(pixels="(x - target).pow(2).flatten(1).mean(1).mean()",
                                                 regulariser="F.mse_loss(w, w_avg.expand_as(w))")),
    Variant("il_terms_list", IL, """
        def inversion_loss(generator, w, target, classifier=None, feature_weight=0.01, reg_weight=0.01, w_avg=None):
            images = generator(w)
            terms = [torch.mean(torch.square(images - target))]
            if classifier is not None:
                with torch.no_grad():
                    wanted = classifier.features(target)          # constants: no gradient needed
                terms.append(feature_weight * F.mse_loss(classifier.features(images), wanted))
            if w_avg is not None:
                terms.append(reg_weight * torch.mean(torch.square(w - w_avg)))
            return sum(terms)
        """),

    # ---- invert: mistakes
    Variant("inv_optimiser_every_step", INV, _invert(setup="pass", body="""optimiser = torch.optim.Adam([w], lr=lr)
        optimiser.zero_grad()
        loss = loss_fn(generator, w, target)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())"""), fails=(CONVERGES, OPTIMISER), roundtrip=True),
    Variant("inv_no_zero_grad", INV, _invert(body="""loss = loss_fn(generator, w, target)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())"""), fails=(CONVERGES, OPTIMISER)),
    Variant("inv_sgd", INV, _invert(setup="optimiser = torch.optim.SGD([w], lr=lr)"), fails=(CONVERGES, OPTIMISER)),
    Variant("inv_default_lr", INV, _invert(setup="optimiser = torch.optim.Adam([w])"), fails=(CONVERGES, OPTIMISER)),
    Variant("inv_optimises_w_init_itself", INV, _invert(start="w = w_init.requires_grad_(True)"),
            fails=(CONVERGES, OPTIMISER)),
    Variant("inv_not_detached", INV, _invert(result="w"), fails=(CONVERGES,)),
    Variant("inv_loss_after_the_step", INV, _invert(body="""optimiser.zero_grad()
        loss_fn(generator, w, target).backward()
        optimiser.step()
        losses.append(loss_fn(generator, w, target).item())"""), fails=(OPTIMISER,)),
    Variant("inv_one_step_too_many", INV, _invert(steps="steps + 1"), fails=(CONVERGES, OPTIMISER)),
    Variant("inv_syntax_error", INV, """
        def invert(generator, target, w_init, loss_fn, steps=100, lr=0.1):
            w = w_init.clone().requires_grad_(True)
            for _ in range(steps)
                pass
        """, fails=(CONVERGES, OPTIMISER)),
    # ---- invert: correct alternatives
    Variant("inv_closure", INV, """
        def invert(generator, target, w_init, loss_fn, steps=100, lr=0.1):
            w = torch.nn.Parameter(w_init.detach().clone())
            optimiser = torch.optim.Adam([w], lr=lr)
            losses = []

            def closure():
                optimiser.zero_grad()
                loss = loss_fn(generator, w, target)
                loss.backward()
                losses.append(float(loss))
                return loss

            for _ in range(steps):
                optimiser.step(closure)
            return w.detach().clone(), losses
        """, roundtrip=True),
    Variant("inv_grad_none_by_hand", INV, _invert(start="w = w_init.clone().detach().requires_grad_()", body="""w.grad = None
        loss = loss_fn(generator, w, target)
        loss.backward()
        optimiser.step()
        losses.append(loss.detach().cpu().item())""", result="w.detach().clone()")),
))
