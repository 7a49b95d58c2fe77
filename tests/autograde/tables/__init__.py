"""One module per assignment, each defining TABLE (a variants.Table). ALL lists them."""
from . import gan_basics

ALL = [gan_basics.TABLE]
