"""One module per assignment, each defining TABLE (a variants.Table). ALL lists them."""
from . import gan_basics
from . import wasserstein

ALL = [gan_basics.TABLE, wasserstein.TABLE]
