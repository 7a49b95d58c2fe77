"""04_wgan_gp, the training exercises: known-wrong and correct versions of critic_step, generator_step and
train_wgan_gp (the losses and the penalty are in wgan_gp.py)."""
from ..variants import Variant

CS_UPDATE, CS_GENERATOR, CS_RETURNS = "test_critic_step_update", "test_critic_step_generator", "test_critic_step_returns"
CS_ALL = (CS_UPDATE, CS_GENERATOR, CS_RETURNS)
GS_UPDATE, GS_CRITIC = "test_generator_step_update", "test_generator_step_critic"
TL_LOOP, TL_OPT, TL_CALLBACK, TL_TRAINS = ("test_train_wgan_gp_loop", "test_train_wgan_gp_optimisers",
                                          "test_train_wgan_gp_callback", "test_train_wgan_gp_trains")
TL_ALL = (TL_LOOP, TL_OPT, TL_CALLBACK, TL_TRAINS)

CS, GS, TL = "critic_step", "generator_step", "train_wgan_gp"
SIGNATURES = {
    CS: "(critic, generator, real, z, critic_opt, lambda_gp=10.0)",
    GS: "(generator, critic, z, generator_opt)",
    TL: "(generator, critic, sample_real, steps, n_critic=5, lambda_gp=10.0, batch_size=64, lr=0.0001, "
        "betas=(0.0, 0.9), callback=None)",
}


def _cs(fake="with torch.no_grad():\n        fake = generator(z)",
        penalty="gradient_penalty(critic, real, fake, lambda_gp)",
        loss="critic_loss(real_scores, fake_scores) + penalty",
        update="critic_opt.zero_grad()\n    loss.backward()\n    critic_opt.step()",
        ret="(real_scores.mean() - fake_scores.mean()).item(), penalty.item()") -> str:
    """A critic_step answer assembled from its parts (most variants change one of them)."""
    return f"""
def critic_step(critic, generator, real, z, critic_opt, lambda_gp=10.0):
    {fake}
    real_scores, fake_scores = critic(real), critic(fake)
    penalty = {penalty}
    loss = {loss}
    {update}
    return {ret}
"""


def _gs(loss="wgan_generator_loss(critic(generator(z)))",
        update="generator_opt.zero_grad()\n    loss.backward()\n    generator_opt.step()", ret="loss.item()") -> str:
    return f"""
def generator_step(generator, critic, z, generator_opt):
    loss = {loss}
    {update}
    return {ret}
"""


def _tl(opts="critic_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=betas)\n"
             "    generator_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)",
        inner="real = sample_real(batch_size).to(device)\n"
              "            z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "            w, gp = critic_step(critic, generator, real, z, critic_opt, lambda_gp)",
        outer="z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "        g_loss = generator_step(generator, critic, z, generator_opt)",
        loop="for step in range(1, steps + 1):",
        log="history['w'].append(w)\n        history['gp'].append(gp)\n        history['g_loss'].append(g_loss)\n"
            "        if callback is not None:\n            callback(step, generator, critic, history)",
        n_critic="n_critic") -> str:
    return f"""
def train_wgan_gp(generator, critic, sample_real, steps, n_critic=5, lambda_gp=10.0, batch_size=64, lr=1e-4,
                  betas=(0.0, 0.9), callback=None):
    device = next(generator.parameters()).device
    {opts}
    history = {{'w': [], 'gp': [], 'g_loss': []}}
    {loop}
        for _ in range({n_critic}):
            {inner}
        {outer}
        {log}
    return history
"""


_OPTS_IN_LOOP = """for step in range(1, steps + 1):
        critic_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=betas)
        generator_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)"""

VARIANTS = (
    # ---- critic_step: mistakes
    Variant("cs_no_zero_grad", CS, _cs(update="loss.backward()\n    critic_opt.step()"), fails=(CS_UPDATE,)),
    Variant("cs_zero_grad_after_backward", CS, _cs(update="loss.backward()\n    critic_opt.zero_grad()\n"
                                                          "    critic_opt.step()"), fails=(CS_UPDATE,)),
    Variant("cs_step_before_backward", CS, _cs(update="critic_opt.zero_grad()\n    critic_opt.step()\n"
                                                      "    loss.backward()"), fails=(CS_UPDATE,)),
    Variant("cs_fake_not_detached", CS, _cs(fake="fake = generator(z)"), fails=(CS_GENERATOR,), roundtrip=True),
    Variant("cs_zeroes_generator_instead_of_detaching", CS, _cs(
        fake="fake = generator(z)",
        update="generator.zero_grad()\n    critic_opt.zero_grad()\n    loss.backward()\n    critic_opt.step()"),
        fails=(CS_GENERATOR,)),
    Variant("cs_no_penalty_in_loss", CS, _cs(loss="critic_loss(real_scores, fake_scores)"), fails=(CS_UPDATE,)),
    Variant("cs_penalty_subtracted", CS, _cs(loss="critic_loss(real_scores, fake_scores) - penalty"),
            fails=(CS_UPDATE,)),
    Variant("cs_penalty_as_a_number", CS, _cs(loss="critic_loss(real_scores, fake_scores) + penalty.item()"),
            fails=(CS_UPDATE,)),
    Variant("cs_lambda_not_passed", CS, _cs(penalty="gradient_penalty(critic, real, fake)"),
            fails=(CS_UPDATE, CS_RETURNS)),
    Variant("cs_returns_tensors", CS, _cs(ret="real_scores.mean() - fake_scores.mean(), penalty"),
            fails=(CS_RETURNS,)),
    Variant("cs_w_sign_flipped", CS, _cs(ret="(fake_scores.mean() - real_scores.mean()).item(), penalty.item()"),
            fails=(CS_RETURNS,)),
    Variant("cs_w_after_the_update", CS, _cs(
        ret="(critic(real).mean() - critic(fake).mean()).item(), penalty.item()"), fails=(CS_RETURNS,)),
    Variant("cs_returns_loss_not_penalty", CS, _cs(
        ret="(real_scores.mean() - fake_scores.mean()).item(), loss.item()"), fails=(CS_RETURNS,)),
    Variant("cs_syntax_error", CS, _cs(ret="(real_scores.mean() - fake_scores.mean().item(), penalty.item()"),
            fails=CS_ALL),
    Variant("cs_inline_critic_loss", CS, _cs(loss="fake_scores.mean() - real_scores.mean() + penalty"),
            fails=(CS_UPDATE,)),
    Variant("cs_inline_penalty", CS, """
        def critic_step(critic, generator, real, z, critic_opt, lambda_gp=10.0):
            with torch.no_grad():
                fake = generator(z)
            real_scores, fake_scores = critic(real), critic(fake)
            eps = torch.rand(len(real), *[1] * (real.dim() - 1), device=real.device)
            x = (eps * real + (1 - eps) * fake).requires_grad_(True)
            (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
            penalty = lambda_gp * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()   # the formula, not the function
            loss = critic_loss(real_scores, fake_scores) + penalty
            critic_opt.zero_grad()
            loss.backward()
            critic_opt.step()
            return (real_scores.mean() - fake_scores.mean()).item(), penalty.item()
        """, fails=(CS_UPDATE, CS_RETURNS)),
    # ---- critic_step: correct alternatives
    Variant("cs_detach", CS, _cs(fake="fake = generator(z).detach()")),
    Variant("cs_module_zero_grad", CS, _cs(update="critic.zero_grad()\n    loss.backward()\n    critic_opt.step()")),
    Variant("cs_zeros_not_none", CS, _cs(update="critic_opt.zero_grad(set_to_none=False)\n    loss.backward()\n"
                                                "    critic_opt.step()")),
    Variant("cs_w_from_the_loss", CS, _cs(
        ret="-critic_loss(real_scores, fake_scores).item(), penalty.item()")),
    Variant("cs_one_forward_pass", CS, """
        def critic_step(critic, generator, real, z, critic_opt, lambda_gp=10.0):
            fake = generator(z).detach()
            scores = critic(torch.cat([real, fake]))          # one pass over both batches
            real_scores, fake_scores = scores[:len(real)], scores[len(real):]
            gp = gradient_penalty(critic, real, fake, lambda_gp=lambda_gp)
            critic_opt.zero_grad()
            (critic_loss(real_scores, fake_scores) + gp).backward()
            critic_opt.step()
            return float(real_scores.mean() - fake_scores.mean()), float(gp)
        """),
    # ---- generator_step: mistakes
    Variant("gs_no_zero_grad", GS, _gs(update="loss.backward()\n    generator_opt.step()"), fails=(GS_UPDATE,)),
    Variant("gs_fake_detached", GS, _gs(loss="wgan_generator_loss(critic(generator(z).detach()))"),
            fails=(GS_UPDATE,)),
    Variant("gs_loss_negated", GS, _gs(loss="-wgan_generator_loss(critic(generator(z)))"), fails=(GS_UPDATE,)),
    Variant("gs_returns_tensor", GS, _gs(ret="loss"), fails=(GS_UPDATE,)),
    Variant("gs_returns_loss_after_the_update", GS, _gs(ret="wgan_generator_loss(critic(generator(z))).item()"),
            fails=(GS_UPDATE,)),
    Variant("gs_clips_the_critic", GS, _gs(update="generator_opt.zero_grad()\n    loss.backward()\n"
                                                  "    generator_opt.step()\n    clip_weights(critic, 0.01)"),
            fails=(GS_CRITIC,)),
    Variant("gs_freezes_the_critic_for_good", GS, """
        def generator_step(generator, critic, z, generator_opt):
            critic.requires_grad_(False)          # no gradients into the critic... and never trained again
            loss = wgan_generator_loss(critic(generator(z)))
            generator_opt.zero_grad()
            loss.backward()
            generator_opt.step()
            return loss.item()
        """, fails=(GS_CRITIC,)),
    Variant("gs_syntax_error", GS, _gs(ret="loss.item("), fails=(GS_UPDATE, GS_CRITIC)),
    Variant("gs_inline_loss", GS, _gs(loss="-critic(generator(z)).mean()"), fails=(GS_UPDATE,)),
    # ---- generator_step: correct alternatives
    Variant("gs_module_zero_grad", GS, _gs(update="generator.zero_grad()\n    loss.backward()\n"
                                                  "    generator_opt.step()")),
    Variant("gs_freeze_then_unfreeze", GS, """
        def generator_step(generator, critic, z, generator_opt):
            critic.requires_grad_(False)          # no gradients land in the critic's .grad
            loss = wgan_generator_loss(critic(generator(z)))
            generator_opt.zero_grad(set_to_none=True)
            loss.backward()
            generator_opt.step()
            critic.requires_grad_(True)
            return float(loss)
        """),
    # ---- train_wgan_gp: mistakes
    Variant("tl_optimisers_in_the_loop", TL, _tl(opts="pass", loop=_OPTS_IN_LOOP), fails=(TL_OPT,), roundtrip=True),
    Variant("tl_lr_ignored", TL, _tl(opts="critic_opt = torch.optim.Adam(critic.parameters(), betas=betas)\n"
                                          "    generator_opt = torch.optim.Adam(generator.parameters(), betas=betas)"),
            fails=(TL_OPT, TL_TRAINS)),
    Variant("tl_betas_ignored", TL, _tl(opts="critic_opt = torch.optim.Adam(critic.parameters(), lr=lr)\n"
                                             "    generator_opt = torch.optim.Adam(generator.parameters(), lr=lr)"),
            fails=(TL_OPT,)),
    Variant("tl_optimisers_swapped", TL, _tl(
        opts="generator_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=betas)\n"
             "    critic_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)"),
        fails=(TL_OPT, TL_TRAINS)),
    Variant("tl_one_real_batch_per_iteration", TL, _tl(
        loop="for step in range(1, steps + 1):\n        real = sample_real(batch_size).to(device)",
        inner="z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "            w, gp = critic_step(critic, generator, real, z, critic_opt, lambda_gp)"),
        fails=(TL_LOOP,)),
    Variant("tl_generator_reuses_the_critic_noise", TL, _tl(
        outer="g_loss = generator_step(generator, critic, z, generator_opt)"), fails=(TL_LOOP,)),
    Variant("tl_uniform_noise", TL, _tl(
        inner="real = sample_real(batch_size).to(device)\n"
              "            z = torch.rand(batch_size, generator.latent_dim, device=device)\n"
              "            w, gp = critic_step(critic, generator, real, z, critic_opt, lambda_gp)"),
        fails=(TL_LOOP, TL_TRAINS)),
    Variant("tl_n_critic_ignored", TL, _tl(n_critic="5"), fails=(TL_LOOP,)),
    Variant("tl_lambda_not_passed", TL, _tl(
        inner="real = sample_real(batch_size).to(device)\n"
              "            z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "            w, gp = critic_step(critic, generator, real, z, critic_opt)"), fails=(TL_LOOP,)),
    Variant("tl_batch_size_ignored", TL, _tl(
        inner="real = sample_real(64).to(device)\n"
              "            z = torch.randn(len(real), generator.latent_dim, device=device)\n"
              "            w, gp = critic_step(critic, generator, real, z, critic_opt, lambda_gp)"), fails=(TL_LOOP,)),
    Variant("tl_keeps_the_first_critic_step", TL, _tl(
        inner="real = sample_real(batch_size).to(device)\n"
              "            z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "            out = critic_step(critic, generator, real, z, critic_opt, lambda_gp)\n"
              "            if _ == 0:\n                w, gp = out"), fails=(TL_LOOP,)),
    Variant("tl_no_generator_step", TL, _tl(outer="g_loss = 0.0"), fails=TL_ALL),
    Variant("tl_callback_counts_from_zero", TL, _tl(loop="for step in range(steps):"), fails=(TL_CALLBACK,)),
    Variant("tl_callback_before_the_history", TL, _tl(
        log="if callback is not None:\n            callback(step, generator, critic, history)\n"
            "        history['w'].append(w)\n        history['gp'].append(gp)\n        history['g_loss'].append(g_loss)"),
        fails=(TL_CALLBACK,)),
    Variant("tl_syntax_error", TL, _tl(loop="for step in range(1, steps + 1)"), fails=TL_ALL),
    Variant("tl_inline_critic_step", TL, _tl(
        inner="real = sample_real(batch_size).to(device)\n"
              "            z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "            with torch.no_grad():\n                fake = generator(z)\n"
              "            real_scores, fake_scores = critic(real), critic(fake)\n"
              "            penalty = gradient_penalty(critic, real, fake, lambda_gp)\n"
              "            critic_opt.zero_grad()\n"
              "            (critic_loss(real_scores, fake_scores) + penalty).backward()\n"
              "            critic_opt.step()\n"
              "            w, gp = (real_scores.mean() - fake_scores.mean()).item(), penalty.item()"),
        fails=(TL_LOOP, TL_OPT, TL_CALLBACK)),
    Variant("tl_inline_generator_step", TL, _tl(
        outer="z = torch.randn(batch_size, generator.latent_dim, device=device)\n"
              "        loss = wgan_generator_loss(critic(generator(z)))\n"
              "        generator_opt.zero_grad()\n        loss.backward()\n        generator_opt.step()\n"
              "        g_loss = loss.item()"),
        fails=(TL_LOOP, TL_OPT, TL_CALLBACK)),
    # ---- train_wgan_gp: correct alternatives
    Variant("tl_tqdm_enumerate", TL, """
        from tqdm.auto import tqdm
        def train_wgan_gp(generator, critic, sample_real, steps, n_critic=5, lambda_gp=10.0, batch_size=64, lr=1e-4,
                          betas=(0.0, 0.9), callback=None):
            dev = next(generator.parameters()).device
            opt_d = torch.optim.Adam(critic.parameters(), lr, betas)
            opt_g = torch.optim.Adam(generator.parameters(), lr, betas)
            history = {"w": [], "gp": [], "g_loss": []}
            for i, _ in enumerate(tqdm(range(steps), disable=ganlab.grading()), start=1):
                for _ in range(n_critic):
                    w, gp = critic_step(critic, generator, sample_real(batch_size).to(dev),
                                        torch.randn(batch_size, generator.latent_dim, device=dev), opt_d,
                                        lambda_gp=lambda_gp)
                g_loss = generator_step(generator, critic, torch.randn(batch_size, generator.latent_dim, device=dev),
                                        opt_g)
                for key, value in zip(("w", "gp", "g_loss"), (w, gp, g_loss)):
                    history[key].append(value)
                if callback:
                    callback(i, generator, critic, history)
            return history
        """, roundtrip=True),
    Variant("tl_while_and_defaultdict", TL, """
        from collections import defaultdict
        def train_wgan_gp(generator, critic, sample_real, steps, n_critic=5, lambda_gp=10.0, batch_size=64, lr=1e-4,
                          betas=(0.0, 0.9), callback=None):
            device = next(critic.parameters()).device
            critic_opt = torch.optim.Adam(critic.parameters(), lr=lr, betas=betas)
            generator_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=betas)
            history = defaultdict(list, w=[], gp=[], g_loss=[])
            step = 0
            while step < steps:
                step += 1
                for t in range(n_critic):
                    z = torch.randn(batch_size, generator.latent_dim).to(device)
                    real = sample_real(batch_size).to(device, non_blocking=True)
                    w, gp = critic_step(critic, generator, real, z, critic_opt, lambda_gp)
                history["g_loss"].append(generator_step(generator, critic,
                                                        torch.randn(batch_size, generator.latent_dim, device=device),
                                                        generator_opt))
                history["w"].append(w)
                history["gp"].append(gp)
                if callback is not None:
                    callback(step, generator, critic, history)
            return history
        """),
)
