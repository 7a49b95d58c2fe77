"""Every training loop of the course, built from the same helpers (loop.py). Each takes its losses as arguments
(ganlab holds no graded answer), the same knobs (steps, batch_size, lr, g_lr, betas, callbacks, log_every, seed,
device, progress; `seed` None draws from torch's global RNG, so `seed_everything` reproduces a run), starts from the
same set-up (loop.start), calls its callbacks after every step as cb(step, generator, discriminator, history), and returns
a plain history dict of lists with one entry per logged step.

    gan.py             train_gan, train_conditional
    critic.py          train_critic: a critic alone, on two fixed distributions
    image_to_image.py  train_pix2pix, train_cyclegan, train_sr
    progressive.py     train_progressive and its schedule (alpha_schedule, phase_steps, phase_ends)
    supervised.py      train_classifier, train_feature_net, train_encoder
    snapshots.py       SampleSnapshots, a callback
"""
from .critic import train_critic
from .gan import HISTORY_KEYS, train_conditional, train_gan
from .image_to_image import train_cyclegan, train_pix2pix, train_sr
from .progressive import alpha_schedule, phase_ends, phase_steps, train_progressive
from .snapshots import SampleSnapshots
from .supervised import rotations, train_classifier, train_encoder, train_feature_net

__all__ = ["HISTORY_KEYS", "SampleSnapshots", "alpha_schedule", "phase_ends", "phase_steps", "rotations",
           "train_classifier", "train_conditional", "train_critic", "train_cyclegan", "train_encoder",
           "train_feature_net", "train_gan", "train_pix2pix", "train_progressive", "train_sr"]
