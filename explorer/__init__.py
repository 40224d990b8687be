"""Latent Explorer: small generative models and the maths to walk through their latent spaces.

The package is split so that serving stays light: `latent`, `images`, `checkpoint` and
`runtime` need only numpy, Pillow and LiteRT; `vae`, `train` and `export` import TensorFlow and
are used only by the command line (`python -m explorer --help`).
"""

__version__ = "0.1.0"
