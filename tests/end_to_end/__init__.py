"""The slow journeys: Colab emulated, JupyterLab in Chromium, nbgrader round trips, `make grade` on whole classes."""
