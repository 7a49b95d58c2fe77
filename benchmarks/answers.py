"""The instructor's answers the benchmarks train with, loaded from solutions/ when first used
(instructor.notebooks.load_answers): `answers.critic_loss` is lecture 04's answer cell as it stands, never a copy."""
from functools import cache

from instructor.notebooks import load_answers

# assignment -> (notebook, the answers the benchmarks use)
LECTURES = {
    "01_gan_basics": ("gan_basics", ("discriminator_loss", "generator_loss")),
    "02_mode_collapse": ("mode_collapse", ("ls_discriminator_loss", "ls_generator_loss", "pack")),
    "04_wgan_gp": ("wgan_gp", ("critic_loss", "wgan_generator_loss", "gradient_penalty")),
    "05_conditional": ("conditional", ("acgan_discriminator_loss", "acgan_generator_loss", "infogan_info_loss")),
    "06_image_to_image": ("image_to_image", ("pix2pix_generator_loss", "cycle_consistency_loss")),
    "07_progan_stylegan": ("progan_stylegan", ("fade_in", "adain", "truncate")),
}
WHERE = {name: assignment for assignment, (_, names) in LECTURES.items() for name in names}


@cache
def _lecture(assignment: str) -> dict:
    notebook, names = LECTURES[assignment]
    return load_answers(assignment, notebook, names)


def __getattr__(name: str):
    if name not in WHERE:
        raise AttributeError(f"no answer {name!r} in benchmarks.answers; known: {', '.join(sorted(WHERE))}")
    return _lecture(WHERE[name])[name]
