"""One module per assignment, each defining TABLE (a variants.Table). ALL lists them."""
from . import gan_basics
from . import mode_collapse
from . import wasserstein
from . import wgan_gp
from . import conditional
from . import image_to_image
from . import progan_stylegan
from . import inversion_editing

ALL = [gan_basics.TABLE, mode_collapse.TABLE, wasserstein.TABLE, wgan_gp.TABLE, conditional.TABLE, image_to_image.TABLE,
       progan_stylegan.TABLE, inversion_editing.TABLE]
