"""The student's WGAN-GP loop (lecture 04's reference answers: critic_step, generator_step, train_wgan_gp)
against ganlab.train_gan with the same losses and penalty, on the models the notebook trains: iterations per
second (n_critic = 5 critic steps + 1 generator step each), same run, and their ratio."""

import os

import torch

import ganlab
from benchmarks.common import parse_training_args, report, timed, training_parser
from instructor.notebooks import load_answers
from ganlab.models import DCGANConfig, DCGANDiscriminator, DCGANGenerator, MLPConfig, MLPDiscriminator, MLPGenerator

ANSWERS = ("critic_loss", "wgan_generator_loss", "gradient_penalty", "critic_step", "generator_step", "train_wgan_gp")


def models(fast: bool):
    """name -> (generator, critic, sample_real, batch size), as lecture 04 builds them."""
    width = 128 if fast else 256
    grid = (MLPGenerator(MLPConfig(data_shape=(2,), latent_dim=8, hidden=width, depth=3, batch_norm=True)),
            MLPDiscriminator(MLPConfig(data_shape=(2,), hidden=width, depth=3)), ganlab.data.grid, 256)
    size, width = (16, 16) if fast else (32, 64)
    images = torch.randn(2048, 1, size, size).clamp(-1, 1)
    cfg = DCGANConfig(image_size=size, channels=1, latent_dim=64, width=width, d_norm="layer")
    digits = (DCGANGenerator(cfg), DCGANDiscriminator(cfg), lambda n: images[torch.randint(len(images), (n,))], 64)
    return {"grid_mlp": grid, f"dcgan{size}": digits}


def measure(ns, name, build, device, steps):
    G, D, sample, batch = build
    G, D = G.to(device), D.to(device)
    rows = {}
    runs = {
        "student loop": lambda n: ns["train_wgan_gp"](G, D, sample, n, batch_size=batch),
        "ganlab.train_gan": lambda n: ganlab.train_gan(
            G, D, sample, ns["critic_loss"], ns["wgan_generator_loss"], d_penalty=ns["gradient_penalty"], n_critic=5,
            steps=n, batch_size=batch, lr=1e-4, betas=(0.0, 0.9), progress=False),
    }
    for label, run in runs.items():
        run(2)                                                      # warm-up
        _, dt = timed(lambda: run(steps), device)
        rows[label] = steps / dt
    return {"device": device.type, "model": name, "batch": batch, "student_it_per_s": rows["student loop"],
            "train_gan_it_per_s": rows["ganlab.train_gan"],
            "ratio_student_to_train_gan": rows["student loop"] / rows["ganlab.train_gan"]}


if __name__ == "__main__":
    os.environ["TQDM_DISABLE"] = "1"   # the student loop's progress bar
    parser = training_parser(__doc__, threads=1)
    parser.add_argument("--steps", type=int, default=None, help="iterations timed per loop")
    args = parse_training_args(parser)
    ganlab.set_fast_mode(args.fast)
    ns = load_answers("04_wgan_gp", "wgan_gp", ANSWERS)
    steps = args.steps or (20 if args.fast else 100)
    report("wgan_loop", [measure(ns, name, build, args.device, steps) for name, build in models(args.fast).items()])
