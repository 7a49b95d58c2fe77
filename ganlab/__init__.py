"""ganlab: the small helper package of the GAN course. Importing it does nothing but import."""
from . import (checks, classifier, data, feedback, image_tasks, inversion, metrics, models, plot, training,
               translation, widgets)
from .device import budget, describe, fast_mode, grading, in_colab, pick_device, seed_everything, set_fast_mode
from .training import SampleSnapshots, train_conditional, train_gan

__version__ = "0.1.0"
__all__ = ["budget", "describe", "fast_mode", "grading", "in_colab", "pick_device", "seed_everything",
           "set_fast_mode", "train_gan", "train_conditional", "SampleSnapshots", "checks", "classifier", "data",
           "feedback", "image_tasks", "inversion", "metrics", "models", "plot", "training", "translation", "widgets"]
