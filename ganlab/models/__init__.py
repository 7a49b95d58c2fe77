"""Model families, one file each: nn.Modules and their config dataclasses (the loops that train them: ganlab.training)."""
from .conditional import (ACGANDiscriminator, CBNGenerator, ConditionalBatchNorm2d, ConditionalConfig,
                          ConditionalDiscriminator, ConditionalGenerator, InfoGANDiscriminator, InfoGANGenerator,
                          ProjectionDiscriminator, check_labels, class_grid, random_conditions, sample_codes,
                          sample_conditional, traverse)
from .inference import evaluating, generate
from .dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator, init_dcgan_weights
from .layers import MinibatchStd, Packed
from .mlp import MLPConfig, MLPDiscriminator, MLPGenerator
from .checkpoint import find_checkpoint, load_model, save_model
from .srgan import FeatureNet, SRConfig, SRDiscriminator, SRGenerator
from .unet import PatchGAN, PatchGANConfig, UNetConfig, UNetGenerator, input_gradient_mask
from .progan import EqualizedConv2d, EqualizedLinear, PixelNorm, ProDiscriminator, ProGANConfig, ProGenerator
from .classifier import DigitClassifier
from .encoder import EncoderConfig, LatentEncoder
from .stylegan import (ConstantInput, MappingNetwork, NoiseInjection, StyleAffine, StyleConfig, StyleGenerator,
                       StyleLayer, SynthesisNetwork, mix_styles, truncated_z)

__all__ = ["ACGANDiscriminator", "ConditionalConfig", "ConditionalDiscriminator", "ConditionalGenerator",
           "InfoGANDiscriminator", "InfoGANGenerator", "check_labels", "class_grid", "evaluating", "generate", "random_conditions",
           "sample_codes", "sample_conditional", "traverse",
           "CBNGenerator", "ConditionalBatchNorm2d", "ProjectionDiscriminator",
           "DCGANConfig", "DCGANDiscriminator", "DCGANGenerator", "init_dcgan_weights",
           "MinibatchStd", "Packed", "MLPConfig", "MLPDiscriminator", "MLPGenerator", "find_checkpoint", "load_model",
           "save_model",
           "EqualizedConv2d", "EqualizedLinear", "PixelNorm", "ProDiscriminator", "ProGANConfig", "ProGenerator",
           "DigitClassifier", "EncoderConfig", "LatentEncoder", "ConstantInput", "MappingNetwork", "NoiseInjection", "StyleAffine", "StyleConfig",
           "StyleGenerator", "StyleLayer", "SynthesisNetwork", "mix_styles", "truncated_z",
           "FeatureNet", "SRConfig", "SRDiscriminator", "SRGenerator",
           "PatchGAN", "PatchGANConfig", "UNetConfig", "UNetGenerator", "input_gradient_mask"]
