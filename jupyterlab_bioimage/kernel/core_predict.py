"""Prediction with bioimageio.core, run exactly as the browser runs it.

The generated "core" cells use ``bioimageio.core`` for preprocessing, the network and
postprocessing; these helpers make it agree with the browser where core's defaults differ
(when to tile, where the normalisation statistics come from, how the input is padded).
bioimageio.core/spec and NumPy are imported inside the functions (optional, heavy).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence


def core_block_shape(
    input_id: str, input_axes: Sequence[str], shape: Sequence[int], block_shape: Optional[Mapping[str, int]]
) -> Optional[dict]:
    """``input_block_shape`` for ``bioimageio.core.predict`` (None: untiled).

    Like the browser, an image that fits in one block on every tiled axis runs
    untiled (core would otherwise cut halo-sized overlapping blocks from it).
    """
    if block_shape is None or all(
        size <= int(block_shape.get(axis, size)) for axis, size in zip(input_axes, shape)
    ):
        return None
    from bioimageio.spec.model.v0_5 import AxisId, TensorId

    block = {}
    for axis, size in zip(input_axes, shape):
        block[AxisId(axis)] = 1 if axis == "batch" else int(block_shape.get(axis, size))
    return {TensorId(input_id): block}


def core_predict_whole(pipeline: Any, model: Any, input_id: str, x: Any, output_id: str) -> Any:
    """Untiled prediction with bioimageio.core, exactly as the browser runs it.

    Preprocessing sees the image as it is (its normalisation statistics are
    the image's own); the result is padded at the end (symmetric, the edge
    pixel repeated) to the smallest size the model accepts, run through the
    network, cropped back to the image, and postprocessed. Core's own input
    padding would compute the statistics after padding, and
    ``create_sample_for_model`` refuses sizes the model does not accept.
    """
    import numpy as np
    from bioimageio.core.sample import Sample
    from bioimageio.core.tensor import Tensor
    from bioimageio.spec.model.v0_5 import ParameterizedSize, TensorId

    descr = next(t for t in model.inputs if str(t.id) == input_id)
    a = np.asarray(x)
    if isinstance(descr.axes, str):
        # A 0.4 description: its sizes are another structure; run it as given.
        from bioimageio.core.digest_spec import create_sample_for_model

        sample = create_sample_for_model(model, inputs={input_id: a}, sample_id="image")
        sample = pipeline.predict_sample_without_blocking(
            sample, skip_input_padding=True, skip_output_cropping=True
        )
        return sample_output(sample, output_id)
    dims = tuple(str(a.id) for a in descr.axes)
    sample = Sample(members={TensorId(input_id): Tensor(a, dims=dims)}, stat={}, id="image")
    pipeline.apply_preprocessing(sample)
    pre = sample.members[TensorId(input_id)].data.values
    pads = []
    for axis, n in zip(descr.axes, pre.shape):
        size = getattr(axis, "size", None)
        if isinstance(size, ParameterizedSize):
            steps = 0 if n <= size.min else -(-(n - size.min) // size.step)
            target = size.min + steps * size.step
        elif isinstance(size, int):
            target = max(n, size)
        else:
            target = n
        pads.append((0, target - n))
    padded = np.pad(pre, pads, mode="symmetric") if any(p[1] for p in pads) else pre
    network_in = Sample(
        members={TensorId(input_id): Tensor(np.ascontiguousarray(padded), dims=dims)},
        stat=sample.stat,
        id="image",
    )
    out = pipeline.predict_sample_without_blocking(
        network_in,
        skip_preprocessing=True,
        skip_postprocessing=True,
        skip_input_padding=True,
        skip_output_cropping=True,
    )
    original = dict(zip(dims, a.shape))
    cropped = {}
    for tid, tensor in out.members.items():
        values = tensor.data.values
        index = tuple(
            slice(0, original[str(d)]) if str(d) in original and str(d) not in ("batch", "channel") else slice(None)
            for d in tensor.dims
        )
        cropped[tid] = Tensor(np.ascontiguousarray(values[index]), dims=tensor.dims)
    result = Sample(members=cropped, stat=sample.stat, id="image")
    pipeline.apply_postprocessing(result)
    return sample_output(result, output_id)


def sample_output(sample: Any, output_id: str) -> Any:
    """A predicted output tensor of a core ``Sample`` as float32 NumPy."""
    import numpy as np

    for key, tensor in sample.members.items():
        if str(key) == output_id:
            return np.asarray(tensor.data, dtype=np.float32)
    raise KeyError(f"the prediction has no output {output_id!r}")
