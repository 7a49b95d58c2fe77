"""ganlab.models.inference: eval mode for the duration, batched generation on the CPU."""
import pytest
import torch
from torch import nn

from ganlab.models import evaluating, generate

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


class AddBatchMean(nn.Module):
    """x + (batch mean of x in training mode, 0 in eval mode) + y: its output shows the mode it ran in."""

    def forward(self, x, y):
        return x + (x.mean(0, keepdim=True) if self.training else 0) + y


def test_evaluating_restores_the_mode_even_after_an_error():
    net = nn.Linear(2, 2).train()
    with pytest.raises(RuntimeError, match="inside"):
        with evaluating(net):
            assert not net.training
            raise RuntimeError("inside")
    assert net.training
    with evaluating(net.eval()):
        pass
    assert not net.training


def test_generate_runs_in_eval_mode_in_batches_on_the_cpu():
    net = AddBatchMean()
    net.weight = nn.Parameter(torch.zeros(1))           # generate finds the device from the parameters
    x, y = torch.randn(7, 3), torch.randn(7, 3)
    out = generate(net.train(), x, y, batch_size=3)
    assert out.device.type == "cpu" and net.training
    torch.testing.assert_close(out, x + y)              # eval mode: no batch mean added, whatever the batching
    assert not out.requires_grad
