"""Publishing what students get: the set-up cell, the student bundle and repository, Colab links."""
