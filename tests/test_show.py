"""The kernel-side ``show()`` API: the MIME bundle it displays."""

import base64
import subprocess
import sys

import numpy as np
import pytest

from jupyterlab_bioimage import show as show_fn
from jupyterlab_bioimage.show import MIME_TYPE, bundle, guess_axes


def _decode(payload):
    data = base64.b64decode(payload["data"])
    return np.frombuffer(data, dtype=np.dtype(payload["dtype"]).newbyteorder("<")).reshape(
        payload["shape"]
    )


def test_bundle_carries_dtype_shape_axes_and_exact_data():
    a = np.arange(64 * 64, dtype="uint16").reshape(64, 64)
    b = bundle(a, axes="YX", name="ramp")
    p = b[MIME_TYPE]
    assert p["dtype"] == "uint16"
    assert p["shape"] == [64, 64]
    assert p["axes"] == "YX"
    assert p["name"] == "ramp"
    np.testing.assert_array_equal(_decode(p), a)
    assert b["text/plain"] == "<BioImage ramp: YX (64, 64) uint16>"


def test_big_endian_and_non_contiguous_arrays_arrive_as_little_endian_c_order():
    a = np.arange(2 * 3 * 4, dtype=">f4").reshape(2, 3, 4).transpose(0, 2, 1)
    p = bundle(a, axes="ZYX")[MIME_TYPE]
    assert p["dtype"] == "float32"
    assert p["shape"] == [2, 4, 3]
    np.testing.assert_array_equal(_decode(p), a.astype("<f4"))


@pytest.mark.parametrize(
    "shape, axes",
    [((8, 9), "YX"), ((5, 8, 9), "ZYX"), ((8, 9, 3), "YXC"), ((2, 5, 8, 9), "CZYX"), ((3, 2, 5, 8, 9), "TCZYX")],
)
def test_axes_are_guessed_like_the_viewer_does_for_npy(shape, axes):
    assert guess_axes(shape) == axes
    assert bundle(np.zeros(shape, "uint8"))[MIME_TYPE]["axes"] == axes


def test_dtypes_are_converted_to_what_the_viewer_reads():
    assert bundle(np.array([[True, False]]))[MIME_TYPE]["dtype"] == "uint8"
    p = bundle(np.array([[1, 2**40]], dtype="int64"))[MIME_TYPE]
    assert p["dtype"] == "float64"
    np.testing.assert_array_equal(_decode(p), [[1, 2**40]])
    assert bundle(np.array([[1, 2]], dtype="int64"))[MIME_TYPE]["dtype"] == "int32"
    assert bundle(np.zeros((2, 2), "float16"))[MIME_TYPE]["dtype"] == "float32"
    with pytest.raises(TypeError, match="complex"):
        bundle(np.zeros((2, 2), "complex64"))


def test_overlays_kinds_and_size_check():
    img = np.zeros((4, 6, 7), "uint16")
    mask = np.ones((4, 6, 7), "uint16")
    prob = np.full((6, 7), 0.5, "float32")
    p = bundle(img, axes="ZYX", overlays={"mask": mask, "prob": prob})[MIME_TYPE]
    assert [(o["name"], o["kind"], o["axes"]) for o in p["overlays"]] == [
        ("mask", "labels", "ZYX"),
        ("prob", "heatmap", "YX"),
    ]
    forced = bundle(img, axes="ZYX", overlays={"m": (mask, "heatmap")})[MIME_TYPE]
    assert forced["overlays"][0]["kind"] == "heatmap"
    with pytest.raises(ValueError, match="same width and height"):
        bundle(img, axes="ZYX", overlays={"small": np.zeros((3, 3), "uint8")})


def test_clear_errors_for_bad_axes_and_too_large_arrays():
    with pytest.raises(ValueError, match="axes 'ZYX' do not fit an array of shape \\(4, 4\\)"):
        bundle(np.zeros((4, 4)), axes="ZYX")
    with pytest.raises(ValueError, match="pass axes="):
        bundle(np.zeros((1, 2, 2, 2, 2, 2)))
    with pytest.raises(ValueError, match=r"take 1\.0 MiB, more than the 0 MiB"):
        bundle(np.zeros((512, 512), "float32"), max_bytes=1000)


def test_pixel_size_is_sent():
    p = bundle(np.zeros((4, 4)), pixel_size=(0.5, "nm"))[MIME_TYPE]
    assert p["physical_size"] == {"x": [0.5, "nm"], "y": [0.5, "nm"]}


def test_show_displays_the_bundle(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    show_fn(np.ones((3, 3), "uint8"), axes="YX", name="x")
    assert len(shown) == 1
    obj, raw = shown[0]
    assert raw is True
    assert obj[MIME_TYPE]["name"] == "x"


def test_importing_the_package_does_not_import_numpy():
    code = "import sys, jupyterlab_bioimage; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
