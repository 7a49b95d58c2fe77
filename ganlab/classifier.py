"""The course's judge of generated digits: a small CNN (models.DigitClassifier) trained on real digits in seconds,
the feature extractor behind the course's Frechet distance (an "FID" on digits) and the judge of class-conditional
samples. `digit_classifier` trains it (training.train_classifier) on the data set being generated (scikit-learn
digits, or MNIST / Fashion-MNIST, cached on disk)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import data
from .checks import check_choice, check_tensor
from .data import digits
from .device import budget, pick_device
from .models.classifier import DigitClassifier
from .training.supervised import train_classifier


_JUDGES: dict = {}  # (image_size, dataset, images, epochs) -> trained classifier, for this session


def digit_classifier(image_size: int = 16, dataset: str = "digits") -> DigitClassifier:
    """The classifier trained on `dataset` ("digits", "mnist" or "fashion_mnist", as in
    data.image_dataset) at this size: the judge of samples of that data set. Kept for the session;
    MNIST-like judges (20,000 images, 3 epochs, on the GPU when there is one) also on disk under
    $GANLAB_CACHE (default ~/.cache/ganlab), so they train once. While autograding it trains 1 epoch on
    400 images, where only the pipeline, not the number, matters. When `dataset` cannot be loaded, says
    so and returns the digits judge. `held_out_accuracy`: accuracy on the 20% it did not train on."""
    check_choice(dataset, "dataset", data.DATASETS)
    check_choice(image_size, "image_size", data.IMAGE_SIZES)
    if dataset == "digits":
        n, epochs = budget(1797, 1797, grade=400), budget(15, 15, grade=1)
    else:
        n, epochs = budget(20_000, 2000, grade=400), budget(3, 1, grade=1)
    key = (image_size, dataset, n, epochs)
    if key not in _JUDGES:
        model = _load_judge(key) if dataset != "digits" else None
        if model is None:
            try:
                x, y = digits(image_size) if dataset == "digits" else _images(dataset, image_size, n)
            except Exception as err:  # offline, blocked, or corrupt download: the digits judge, not cached as `dataset`
                print(f"ganlab: could not load {dataset} ({type(err).__name__}: {err}); "
                      f"judging with the scikit-learn digits classifier instead.")
                return digit_classifier(image_size, "digits")
            with torch.enable_grad():  # callers may sit inside torch.no_grad()
                model, accuracy = train_classifier(x[:n], y[:n], epochs=epochs,
                                                   device=pick_device() if dataset != "digits" else "cpu")
            model.held_out_accuracy = accuracy
            if dataset != "digits":
                _save_judge(model, key)
        _JUDGES[key] = model.requires_grad_(False)
    return _JUDGES[key]


def _images(dataset: str, image_size: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    x, y = data._torchvision_images(dataset, data.DATA_ROOT, True)  # the training split, downloaded once
    return data.resize(x[:n], image_size), y[:n]


def _judge_path(key) -> Path:
    root = os.environ.get("GANLAB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "ganlab")
    size, dataset, n, epochs = key
    return Path(root) / f"judge_{dataset}_{size}px_{n}x{epochs}.pt"


def _save_judge(model: DigitClassifier, key) -> None:
    path = _judge_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "held_out_accuracy": model.held_out_accuracy}, path)
    except OSError as err:  # a read-only home: keep it for the session only
        print(f"ganlab: could not cache the judge at {path} ({err})")


def _load_judge(key) -> DigitClassifier | None:
    path = _judge_path(key)
    if not path.is_file():
        return None
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = DigitClassifier(key[0])
    model.load_state_dict(saved["state_dict"])
    model.held_out_accuracy = saved["held_out_accuracy"]
    return model.eval()


@torch.no_grad()
def classifier_features(images: torch.Tensor, classifier: DigitClassifier | None = None,
                        batch_size: int = 512) -> torch.Tensor:
    """Penultimate-layer features (N, 64) on the CPU."""
    images = check_tensor(images, "images", ndim=4)
    classifier = classifier if classifier is not None else digit_classifier(images.shape[-1])
    device = next(classifier.parameters()).device
    return torch.cat([classifier.features(b.to(device)).cpu() for b in images.split(batch_size)])


def digits_frechet_distance(fake: torch.Tensor, real: torch.Tensor,
                            classifier: DigitClassifier | None = None) -> float:
    """Frechet distance between fake and real images in the classifier's feature space."""
    from .metrics import frechet_distance, gaussian_stats

    return frechet_distance(*gaussian_stats(classifier_features(fake, classifier)),
                            *gaussian_stats(classifier_features(real, classifier)))


def label_accuracy(images: torch.Tensor, labels, classifier: DigitClassifier | None = None) -> float:
    """Fraction of images the classifier assigns to `labels` (for conditional generators)."""
    classifier = classifier if classifier is not None else digit_classifier(images.shape[-1])
    pred = _predict(images, classifier)
    labels = labels.cpu() if isinstance(labels, torch.Tensor) else torch.as_tensor(np.asarray(labels))
    return float((pred == labels).float().mean())


@torch.no_grad()
def conditional_accuracy(generator, per_class: int = 100, classifier: DigitClassifier | None = None,
                         seed: int = 0) -> tuple[float, list[float]]:
    """Class-conditional samples judged by the digit classifier: G(z, y) for `per_class` draws of each
    label y (eval mode), returns (overall accuracy, accuracy per class)."""
    from .models import generate

    k = generator.n_classes
    labels = torch.arange(k).repeat_interleave(per_class)
    z = torch.randn(len(labels), generator.latent_dim, generator=torch.Generator().manual_seed(seed))
    images = generate(generator, z, labels)
    classifier = classifier if classifier is not None else digit_classifier(images.shape[-1])
    hits = _predict(images, classifier) == labels
    return float(hits.float().mean()), hits.view(k, per_class).float().mean(1).tolist()


@torch.no_grad()
def code_class_agreement(generator, n: int = 1000, classifier: DigitClassifier | None = None, seed: int = 0):
    """InfoGAN: how well the categorical code c1 of G(z, c1, c2..) predicts the classifier's label of the
    image, after the best renaming of codes (metrics.code_agreement; 1.0 = each code is one digit)."""
    from .metrics import code_agreement
    from .models.conditional import sample_conditional

    images, (cat, _) = sample_conditional(generator, n, seed)
    classifier = classifier if classifier is not None else digit_classifier(images.shape[-1])
    return code_agreement(cat, _predict(images, classifier), generator.n_classes, 10)


@torch.no_grad()
def _predict(images: torch.Tensor, classifier: nn.Module, batch_size: int = 512) -> torch.Tensor:
    device = next(classifier.parameters()).device
    return torch.cat([classifier(b.to(device)).argmax(1).cpu() for b in images.split(batch_size)])
