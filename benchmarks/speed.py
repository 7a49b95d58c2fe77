"""Training speed: images (or points) per second through one full GAN step (D and G updates),
per model, on the CPU and on the GPU when there is one."""

import torch

import ganlab
from benchmarks.common import report, timed
from benchmarks import answers
from ganlab.models import DCGANConfig, DCGANDiscriminator, DCGANGenerator, MLPConfig, MLPDiscriminator, MLPGenerator


MODELS = {
    "mlp_2d": lambda: (MLPGenerator(MLPConfig()), MLPDiscriminator(MLPConfig()), (2,)),
    "mlp_digits16": lambda: (MLPGenerator(MLPConfig((1, 16, 16), 32, 256, 2, True)),
                             MLPDiscriminator(MLPConfig((1, 16, 16), 32, 256, 2, True)), (1, 16, 16)),
    "dcgan16": lambda: (DCGANGenerator(DCGANConfig(16, width=32)), DCGANDiscriminator(DCGANConfig(16, width=32)),
                        (1, 16, 16)),
    "dcgan32": lambda: (DCGANGenerator(DCGANConfig(32)), DCGANDiscriminator(DCGANConfig(32)), (1, 32, 32)),
}


def measure(device, name, batch=64, steps=60):
    ganlab.seed_everything(0)
    G, D, shape = MODELS[name]()
    G, D = G.to(device), D.to(device)
    data = torch.randn(1024, *shape).clamp(-1, 1)
    ganlab.train_gan(G, D, data.to(device), answers.discriminator_loss, answers.generator_loss, steps=5, batch_size=batch, progress=False)  # warm-up
    _, dt = timed(lambda: ganlab.train_gan(G, D, data.to(device), answers.discriminator_loss, answers.generator_loss, steps=steps, batch_size=batch,
                                           progress=False), device)
    return {"device": device.type, "model": name, "batch": batch, "steps_per_s": steps / dt,
            "images_per_s": steps * batch / dt}


if __name__ == "__main__":
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    report("speed", [measure(d, m) for d in devices for m in MODELS])
