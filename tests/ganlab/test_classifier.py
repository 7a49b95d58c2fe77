"""ganlab.classifier: the digits CNN, its features, the digits Frechet distance, label accuracy.
The classifier is trained once per session (conftest.trained_classifier, ~5 s on one thread)."""
import pytest
import torch

from ganlab import classifier as clf
from ganlab.classifier import classifier_features, digits_frechet_distance, label_accuracy
from ganlab.models import DigitClassifier
from ganlab.training import train_classifier

pytestmark = pytest.mark.usefixtures("torch_one_thread", "seeded")


@pytest.fixture
def default_is_trained(monkeypatch, trained_classifier):
    """Make the cached default classifier the session's one, so no test trains a second."""
    monkeypatch.setattr(clf, "digit_classifier", lambda image_size=16: trained_classifier[0])
    return trained_classifier[0]


def test_train_classifier_accuracy(trained_classifier):
    model, acc = trained_classifier
    assert isinstance(model, DigitClassifier) and not model.training
    assert isinstance(acc, float)
    assert acc >= 0.9


def test_held_out_accuracy_is_the_test_split(trained_classifier, digits16):
    """The reported accuracy is on the 20% the classifier did not train on (same split, same seed)."""
    model, acc = trained_classifier
    x, y = digits16
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    te = order[int(0.8 * len(x)):]
    assert len(te) == 360
    with torch.no_grad():
        assert (model(x[te]).argmax(1) == y[te]).float().mean().item() == pytest.approx(acc)


def test_classifier_shapes():
    m = DigitClassifier(8)
    x = torch.randn(3, 1, 8, 8)
    assert m(x).shape == (3, 10)
    assert m.features(x).shape == (3, 64)
    assert (m.features(x) >= 0).all()  # after a ReLU
    with pytest.raises(ValueError, match=r"images: expected shape \(\*, 1, 8, 8\), got \(3, 1, 16, 16\)"):
        m(torch.randn(3, 1, 16, 16))
    with pytest.raises(ValueError, match=r"images: expected 4 dimensions"):
        train_classifier(torch.randn(10, 8, 8), torch.zeros(10, dtype=torch.long))


def test_classifier_features(trained_classifier, digits16, default_is_trained):
    model = trained_classifier[0]
    x = digits16[0][:700]
    f = classifier_features(x, model, batch_size=256)  # 3 batches, the last one short
    assert f.shape == (700, 64) and f.device.type == "cpu" and not f.requires_grad
    with torch.no_grad():
        torch.testing.assert_close(f, model.features(x))
    assert torch.equal(classifier_features(x), f)  # default: the cached digits classifier
    with pytest.raises(ValueError, match="images: expected 4 dimensions"):
        classifier_features(x[:, 0], model)


def test_digits_frechet_distance(trained_classifier, digits16):
    model = trained_classifier[0]
    x = digits16[0]
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(x), generator=g)
    a, b = x[perm[:800]], x[perm[800:1600]]
    noise = torch.rand(800, 1, 16, 16, generator=g) * 2 - 1
    real_real = digits_frechet_distance(a, b, model)
    real_noise = digits_frechet_distance(noise, b, model)
    assert real_real >= 0
    assert real_noise > 20 * real_real
    assert digits_frechet_distance(a, a, model) == pytest.approx(0.0, abs=1e-6)
    # one class only is further from all digits than another sample of all digits
    ones = x[digits16[1] == 1]
    assert digits_frechet_distance(ones, b, model) > 3 * real_real


def test_label_accuracy(trained_classifier, digits16, default_is_trained):
    model = trained_classifier[0]
    x, y = digits16
    acc = label_accuracy(x, y, model)
    assert acc > 0.95  # mostly training data
    assert label_accuracy(x, (y + 1) % 10, model) < 0.05
    assert label_accuracy(x[:100], y[:100].tolist(), model) == label_accuracy(x[:100], y[:100].numpy(), model)
    assert label_accuracy(x[:100], y[:100]) == label_accuracy(x[:100], y[:100], model)  # default classifier


def test_digit_classifier_is_cached_and_reports_its_held_out_accuracy():
    model = clf.digit_classifier(8)
    assert clf.digit_classifier(8) is model and not model.training
    assert 0.85 <= model.held_out_accuracy <= 1.0
    assert not any(p.requires_grad for p in model.parameters())


# ---------------------------------------------------------------- the judge of another data set (no network)
@pytest.fixture
def judge_env(monkeypatch, tmp_path):
    """Grading budget (400 images, 1 epoch), an empty cache folder and an empty session cache."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "1")
    monkeypatch.setenv("GANLAB_CACHE", str(tmp_path))
    monkeypatch.setattr(clf, "_JUDGES", {})
    return tmp_path


def fake_mnist(calls):
    def load(name, root, download):  # scikit-learn digits at 28x28, standing in for torchvision's MNIST
        calls.append(name)
        x, y = clf.digits(32)
        return clf.data.resize(x, 28), y
    return load


def test_mnist_judge_is_cached_on_disk_and_reused(judge_env, monkeypatch):
    calls = []
    monkeypatch.setattr(clf.data, "_torchvision_images", fake_mnist(calls))
    model = clf.digit_classifier(16, "mnist")
    assert calls == ["mnist"] and model.image_size == 16 and not model.training
    assert clf.digit_classifier(16, "mnist") is model                      # same session: same object
    files = list(judge_env.glob("judge_mnist_16px_*.pt"))
    assert len(files) == 1
    monkeypatch.setattr(clf, "_JUDGES", {})                                # a new session: read from disk
    again = clf.digit_classifier(16, "mnist")
    assert calls == ["mnist"] and again is not model
    assert again.held_out_accuracy == model.held_out_accuracy
    for name, p in model.state_dict().items():
        torch.testing.assert_close(again.state_dict()[name], p)


def test_offline_mnist_judge_falls_back_to_digits_uncached(judge_env, monkeypatch, capsys):
    def offline(name, root, download):
        raise RuntimeError("no network")
    monkeypatch.setattr(clf.data, "_torchvision_images", offline)
    model = clf.digit_classifier(8, "mnist")
    assert "could not load mnist (RuntimeError: no network)" in capsys.readouterr().out
    assert model is clf.digit_classifier(8, "digits")
    assert not list(judge_env.iterdir())                                   # nothing cached under the MNIST name
    with pytest.raises(ValueError, match="dataset: expected one of"):
        clf.digit_classifier(8, "cifar10")
