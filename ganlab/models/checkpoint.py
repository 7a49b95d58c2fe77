"""Save a model as its state_dict plus its config dataclass (never a pickled module); find a shipped one."""
from __future__ import annotations

import dataclasses
import importlib
import os
from pathlib import Path

import torch
from torch import nn


def save_model(model: nn.Module, path: str) -> None:
    """Write {class, config, state_dict}; the model must carry its config as `model.cfg`."""
    cfg = getattr(model, "cfg", None)
    if not dataclasses.is_dataclass(cfg):
        raise ValueError(f"save_model: expected a model with a dataclass `cfg`, got {type(model).__name__}")
    torch.save({"class": f"{type(model).__module__}.{type(model).__qualname__}",
                "config_class": f"{type(cfg).__module__}.{type(cfg).__qualname__}",
                "config": dataclasses.asdict(cfg),
                "state_dict": model.state_dict()}, path)


# The one stored copy of the files the notebooks load (lectures 07 and 08's StyleGAN): package data of ganlab
# (pyproject.toml), so wherever ganlab is installed they are too: the repository itself (`make lab`'s editable
# install) or the wheel (Colab, where a notebook arrives alone and the set-up cell installs the wheel).
SHIPPED = Path(__file__).resolve().parents[1] / "checkpoints"


def find_checkpoint(name: str) -> str | None:
    """The path of checkpoint `name`: next to the notebook (the working folder: a file of your own comes first),
    else ganlab's copy in ganlab/checkpoints/; None when neither has it (a ganlab installed without its data)."""
    if os.path.exists(name):
        return name
    shipped = SHIPPED / os.path.basename(name)
    return str(shipped) if shipped.is_file() else None


def _resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    if not module.startswith("ganlab."):
        raise ValueError(f"load_model: expected a ganlab class, got {dotted}")
    return getattr(importlib.import_module(module), name)


def load_model(path: str, map_location="cpu") -> nn.Module:
    """Rebuild the model saved by save_model and load its weights."""
    ckpt = torch.load(path, map_location=map_location, weights_only=True)
    cfg = _resolve(ckpt["config_class"])(**ckpt["config"])
    model = _resolve(ckpt["class"])(cfg)
    model.load_state_dict(ckpt["state_dict"])
    return model
