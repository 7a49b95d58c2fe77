"""ganlab.training's supervised loops: SRGAN's feature network, learnt by predicting rotations."""
import pytest
import torch

from ganlab.models.srgan import FeatureNet
from ganlab.training import rotations, train_feature_net

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


def test_rotations_turn_each_image():
    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
    out, k = rotations(x, torch.Generator().manual_seed(0))
    for img, turned, q in zip(x, out, k):
        assert torch.equal(turned, torch.rot90(img, int(q), dims=(1, 2)))


def test_train_feature_net_learns_rotations_and_freezes():
    g = torch.Generator().manual_seed(0)
    # patches with a clear orientation: a bright wedge in one corner
    base = torch.zeros(1, 3, 8, 8)
    base[..., :3, :5] = 1
    patches = (base + 0.1 * torch.randn(64, 3, 8, 8, generator=g)).clamp(-1, 1)
    net = FeatureNet(width=4)
    seen = []
    history = train_feature_net(net, patches, steps=60, batch_size=32, lr=1e-2, log_every=10,
                                callbacks=[lambda step, model, none, h: seen.append((step, model, none))])
    assert history["step"] == [10, 20, 30, 40, 50, 60] and set(history) == {"step", "loss", "accuracy"}
    assert history["accuracy"][-1] > 0.9 and history["loss"][-1] < history["loss"][0]
    assert seen == [(s, net, None) for s in range(1, 61)]
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    with pytest.raises(ValueError, match="square patches"):
        train_feature_net(FeatureNet(width=4), torch.randn(4, 3, 8, 12), steps=1)
