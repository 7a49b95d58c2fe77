"""ganlab.feedback: notebook assertions pass on right answers and explain wrong ones."""
import math

import numpy as np
import pytest
import torch

from ganlab.feedback import expect_close, expect_finite, expect_scalar

pytestmark = pytest.mark.usefixtures("torch_one_thread")


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- expect_scalar
def test_expect_scalar_passes():
    expect_scalar(torch.tensor(0.5), "loss")
    expect_scalar(torch.randn(8, requires_grad=True).mean(), "loss")
    expect_scalar(torch.tensor(1.0, dtype=torch.float64), "loss")


def test_expect_scalar_failures():
    msg = failure(expect_scalar, torch.zeros(8), "discriminator_loss")
    assert msg == ("discriminator_loss: expected a scalar (0-dim) tensor, got shape (8,); "
                   "hint: average over the batch with .mean()")
    assert "got shape (4, 1)" in failure(expect_scalar, torch.zeros(4, 1), "g")
    assert failure(expect_scalar, 0.5, "g") == "g: expected a torch.Tensor, got float"
    assert failure(expect_scalar, np.float32(0.5), "g") == "g: expected a torch.Tensor, got float32"
    assert failure(expect_scalar, torch.tensor(3), "g") == "g: expected a floating-point tensor, got torch.int64"


# ---------------------------------------------------------------- expect_close
def test_expect_close_passes():
    expect_close(torch.tensor(1.0), 1.0, "value")
    expect_close(torch.tensor([1.0, 2.0], requires_grad=True) * 1, torch.tensor([1.0, 2.0]), "value")
    expect_close(1.00001, 1.0, "value")  # within rtol 1e-4
    expect_close(np.array([0.5, 0.25]), [0.5, 0.25], "value")
    expect_close(1.05, 1.0, "value", rtol=0.1)


def test_expect_close_scalar_failure_message():
    msg = failure(expect_close, torch.tensor(0.6931), math.log(4), "loss at D = 1/2",
                  hint="log(2) per term, two terms")
    assert msg == "loss at D = 1/2: expected 1.38629, got 0.6931; hint: log(2) per term, two terms"
    assert failure(expect_close, 2.0, 1.0, "x") == "x: expected 1, got 2"  # no hint: no '; hint'


def test_expect_close_tensor_failure_message():
    msg = failure(expect_close, torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), "scores", hint="check signs")
    assert msg == "scores: expected [1.0, 2.0], got [1.0, 2.5]; hint: check signs"


def test_expect_close_shape_and_nan():
    msg = failure(expect_close, torch.zeros(3), torch.zeros(2), "grad")
    assert msg == "grad: expected shape (2,), got (3,)"
    assert failure(expect_close, torch.zeros(1, 2), torch.zeros(2), "grad") == "grad: expected shape (2,), got (1, 2)"
    msg = failure(expect_close, float("nan"), float("nan"), "loss", hint="stability")
    assert msg == "loss: expected nan, got nan; hint: stability"
    assert "expected 1, got inf" in failure(expect_close, float("inf"), 1.0, "loss")


def test_expect_close_tolerances():
    failure(expect_close, 1.001, 1.0, "x")                 # outside the default 1e-4 relative
    expect_close(1.001, 1.0, "x", rtol=1e-2)
    failure(expect_close, 1e-4, 0.0, "x")                  # outside the default 1e-5 absolute
    expect_close(1e-4, 0.0, "x", atol=1e-3)


# ---------------------------------------------------------------- expect_finite
def test_expect_finite_passes():
    expect_finite(torch.tensor([0.0, -1e30, 1e30]), "grad")
    expect_finite(torch.tensor(2.0), "loss")


def test_expect_finite_failures():
    msg = failure(expect_finite, torch.tensor([1.0, float("nan")]), "grad of D", hint="use softplus")
    assert msg == "grad of D: expected finite values, got [1.0, nan]; hint: use softplus"
    assert failure(expect_finite, torch.tensor(float("-inf")), "loss") == "loss: expected finite values, got -inf"
    t = torch.tensor([float("inf")], requires_grad=True) * 1
    assert "got [inf]" in failure(expect_finite, t, "x")
    assert failure(expect_finite, [1.0], "x") == "x: expected a tensor, got list"


# ---------------------------------------------------------------- training-step instruments
def test_replaced_rebinds_then_restores():
    from ganlab.feedback import replaced
    ns = {"kept": 1}
    with replaced(ns, kept=2, added=3):
        assert ns == {"kept": 2, "added": 3}
    assert ns == {"kept": 1}
    with pytest.raises(RuntimeError), replaced(ns, kept=4):
        raise RuntimeError
    assert ns == {"kept": 1}, "restored when the block raises"


def test_stand_in_gan_losses_push_logits_the_right_ways():
    from ganlab.feedback import stand_in_gan_losses
    losses = stand_in_gan_losses()
    real, fake = torch.zeros(4, requires_grad=True), torch.zeros(4, requires_grad=True)
    losses["discriminator_loss"](real, fake).backward()
    assert (real.grad < 0).all() and (fake.grad > 0).all()
    losses["generator_loss"](fake.detach().requires_grad_()).backward()
    assert "non-saturating" in failure(losses["generator_loss"], torch.zeros(4), saturating=True)


def test_expect_called_names_the_function_a_step_never_called():
    from ganlab.feedback import Recorder, expect_called, replaced, stand_in_gan_losses
    spy = Recorder(stand_in_gan_losses()["discriminator_loss"])
    message = failure(expect_called, spy, "discriminator_loss", "gan_step")
    assert "your gan_step never called `discriminator_loss`: call it by name" in message
    ns = {}
    with replaced(ns, discriminator_loss=spy):
        ns["discriminator_loss"](torch.zeros(2), torch.zeros(2))
    expect_called(spy, "discriminator_loss", "gan_step")


def test_spy_sgd_counts_steps_and_keeps_the_values():
    from ganlab.feedback import SpySGD
    w = torch.nn.Parameter(torch.ones(2))
    opt = SpySGD([w], lr=0.5)
    w.grad = torch.ones(2)
    opt.step()
    assert opt.steps == 1 and torch.equal(opt.after_step[0], torch.full((2,), 0.5))


def test_inversion_fixtures_have_the_stated_values():
    from ganlab.feedback import LinearFeatures, as_image
    w = torch.arange(8.0).reshape(2, 4)
    assert torch.equal(as_image(w), w.reshape(2, 1, 2, 2))
    m = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 0.0], [0.0, 0.0]])
    phi = LinearFeatures(m)
    assert torch.equal(phi.features(as_image(w)), torch.tensor([[2.0, 2.0], [10.0, 10.0]]))
    assert torch.equal(phi(as_image(w)), phi.features(as_image(w)).exp())    # logits are not the features
