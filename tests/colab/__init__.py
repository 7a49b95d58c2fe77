"""Colab as the course targets it: its pinned versions (requirements.txt) and the venv built from them (venv.py)."""
