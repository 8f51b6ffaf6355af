"""``jupyterlab_bioimage.show``: kept at this path for notebooks and tests that import it.

The code is :mod:`jupyterlab_bioimage.kernel.show`; ``from jupyterlab_bioimage import show``
gives the function (see the package ``__init__``).
"""

from .kernel.show import DEFAULT_MAX_BYTES, MIME_TYPE, OverlaySpec, bundle, guess_axes, show

__all__ = ["DEFAULT_MAX_BYTES", "MIME_TYPE", "OverlaySpec", "bundle", "guess_axes", "show"]
