"""Latent Explorer: small generative models and the maths to walk through their latent spaces.

The folders stack, and serving stays light: `maths` needs numpy only; `serving` and `projector` add
LiteRT, Pillow and plotly, never TensorFlow; `ui` is the only Streamlit code besides the pages;
`models` and `training` import TensorFlow and are reached only from the command line
(`python -m explorer --help`). The rules are checked: docs/architecture.md.
"""

__version__ = "0.9.0"  # as pyproject.toml says (tests/test_checkpoint.py checks that they agree)
