"""Serving runtime: one-input, one-output `.tflite` models run with LiteRT, shared safely.

A LiteRT interpreter is not thread-safe, and Streamlit runs each session's script in its own
thread, so every `LiteModel` guards its interpreters with one lock. A call takes well under a
millisecond for the models shipped here, so serialising calls costs little, and memory stays at
one interpreter per recently used batch size instead of one per session.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from explorer.lru import LRU

MAX_BATCH_SIZES = 6  # interpreters kept per model, one per recently used batch size


class LiteModel:
    """`model(x) -> y` for a `.tflite` file with one input and one output, at any batch size.

    The shipped files declare a batch of 1 so that LiteRT.js in the page can run them too; the
    interpreter is resized to the batch it is given (`strict=False` allows it), with the same
    results as a file that declares a dynamic batch."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._content = self.path.read_bytes()
        self._lock = threading.Lock()
        self._interpreters = LRU(MAX_BATCH_SIZES)  # one interpreter per recent batch size
        interpreter, input_index, _ = self._new_interpreter(None)
        details = interpreter.get_input_details()[0]
        self.input_shape = tuple(int(v) for v in details["shape_signature"][1:])
        self.output_shape = tuple(int(v) for v in interpreter.get_output_details()[0]["shape_signature"][1:])

    def _new_interpreter(self, batch: int | None):
        from ai_edge_litert.interpreter import Interpreter

        # One thread: these models are tiny, and sessions already run in parallel threads.
        interpreter = Interpreter(model_content=self._content, num_threads=1)
        input_index = interpreter.get_input_details()[0]["index"]
        if batch is not None:
            shape = [batch, *interpreter.get_input_details()[0]["shape_signature"][1:]]
            interpreter.resize_tensor_input(input_index, shape, strict=False)
        interpreter.allocate_tensors()
        return interpreter, input_index, interpreter.get_output_details()[0]["index"]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"{self.path.name} expects inputs shaped (N, {self.input_shape}), got {x.shape}.")
        with self._lock:
            entry = self._interpreters.get(len(x))
            if entry is None:
                entry = self._interpreters[len(x)] = self._new_interpreter(len(x))
            interpreter, input_index, output_index = entry
            interpreter.set_tensor(input_index, x)
            interpreter.invoke()
            return interpreter.get_tensor(output_index)
