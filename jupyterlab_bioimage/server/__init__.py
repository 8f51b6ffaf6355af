"""The Jupyter server extension: HTTP handlers under ``<base_url>/bioimage/`` and the cache.

* :mod:`.handlers`       -- health and the bundled zoo; registers everything (entry point);
* :mod:`.cache_handlers` -- the HTTP API of the download cache;
* :mod:`.config`         -- ``c.BioImageCache`` settings (traitlets);
* :mod:`.cache`          -- the download cache itself (store, downloads, validation, errors).

Import rule: ``server/`` runs inside the Jupyter server process, so it may import tornado,
jupyter_server and traitlets, but never ``jupyterlab_bioimage.kernel`` (NumPy-heavy, kernel
only). Outside ``server/`` it imports only :mod:`jupyterlab_bioimage.layout` (the shared
cache layout and sha256 helper) and ``_version``. ``scripts/check_python_imports.py`` checks it.
"""
