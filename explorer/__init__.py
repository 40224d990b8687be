"""Latent Explorer: small generative models and the maths to walk through their latent spaces.

The folders stack, and serving stays light: `maths` needs numpy only; `serving` and `projector` add
LiteRT, Pillow and plotly, never TensorFlow; `ui` is the only Streamlit code besides the pages;
`models` and `training` import TensorFlow and are reached only from the command line (`cli`,
`python -m explorer --help`; the shipped models' settings are in recipes/). The project's own
measurements live outside, in tools/, which nothing here imports. The rules are checked:
docs/architecture.md.
"""

__version__ = "0.9.0"  # as pyproject.toml says (tests/unit/test_checkpoint.py checks that they agree)
