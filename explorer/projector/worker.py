"""UMAP and t-SNE in a worker process, so the app process stays small.

A first UMAP fit compiles numba code: the process that runs it grows by about 500 MB and never
gives the memory back. Run inside the Streamlit server, that would leave every deployed app at
~700 MB after one person's UMAP. Here one worker process, started on the first slow projection,
does the fitting; the app process sends the vectors and receives the coordinates, with progress
messages on the way. The worker keeps the last few fitted UMAP models, so the page can still
place new points into a picture (`Projection.transform`), and exits after `IDLE_SECONDS` without
work, returning its memory.

Jobs run one at a time (two cores would gain nothing from two at once); a session that finds the
worker busy says so in its progress bar and waits its turn. A job is dropped when its progress
callback raises (its session has gone: Streamlit asks the script to stop), whether it is waiting
for its turn or already fitting: the worker is then ended, so a closed tab costs nothing more. Only arrays and our own dataclasses
cross the pipe between our two processes: nothing a visitor uploads is ever unpickled.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from dataclasses import replace
from functools import partial

import numpy as np

from explorer.lru import LRU
from explorer.projector import projection as proj

IDLE_SECONDS = 180  # the worker exits after this long without a job, returning its ~550 MB
KEPT_MODELS = 4  # fitted UMAP models kept for placing new points, newest first
POLL_SECONDS = 0.1  # how often a waiting session checks for progress


class ProjectionWorker:
    """A lazily started worker process that projects vectors; safe to share between sessions."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS):
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()  # one job on the pipe at a time
        self._process = None
        self._connection = None
        self._jobs = itertools.count(1)

    def project(
        self,
        vectors: np.ndarray,
        params: proj.ProjectionParams,
        progress: proj.Progress | None = None,
        labels: np.ndarray | None = None,
    ) -> proj.Projection:
        """`projection.project` run in the worker: the same result, with progress reported here."""
        report = progress or _ignore
        while not self._lock.acquire(timeout=POLL_SECONDS):
            report(0.0, "Waiting for another projection to finish (one runs at a time)…")
        try:
            connection = self._start()
            job = next(self._jobs)
            connection.send(("project", job, np.asarray(vectors), params, labels))
            try:
                reply = self._wait(connection, report)
            except BaseException:  # nobody waits any more (the session closed): stop the fit, not only the wait
                self.stop()  # else its reply would reach the next job, after minutes of work for no one
                raise
        finally:
            self._lock.release()
        if reply[0] == "error":
            raise ValueError(reply[1])
        result = reply[1]
        if reply[2]:  # the worker kept a model that can place new points
            result = replace(result, placer=partial(self._transform, job))
        return result

    def _transform(self, job: int, new_vectors: np.ndarray) -> np.ndarray:
        with self._lock:
            if not self.is_running():
                raise ValueError(
                    "The model behind this picture was released to save memory after "
                    f"{self.idle_seconds / 60:g} idle minutes; change a parameter and press Run "
                    "to fit one that can place new points."
                )
            self._connection.send(("transform", job, np.asarray(new_vectors)))
            reply = self._wait(self._connection, _ignore)
        if reply[0] == "error":
            raise ValueError(reply[1])
        return reply[1]

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def stop(self) -> None:
        """End the worker now (tests, shutdown); the next job starts a new one."""
        if self.is_running():
            self._process.terminate()
            self._process.join(5)
        self._process = self._connection = None

    def _start(self):
        if not self.is_running():
            # "spawn": a fresh interpreter, not a fork of a server that runs many threads.
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._process = context.Process(
                target=serve, args=(theirs, self.idle_seconds), name="projection-worker", daemon=True
            )
            _start_without_main(self._process)
            theirs.close()
            self._connection = ours
        return self._connection

    def _wait(self, connection, report: proj.Progress) -> tuple:
        """Relay progress until the reply arrives; a worker that died gets a sentence, not a hang."""
        while True:
            if connection.poll(POLL_SECONDS):
                try:
                    message = connection.recv()
                except EOFError:
                    message = None
                if message is None:
                    break
                if message[0] == "progress":
                    report(*message[1:])
                    continue
                return message
            if not self._process.is_alive():
                break
        exit_code = self._process.exitcode
        self._process = self._connection = None
        return (
            "error",
            f"The projection stopped unexpectedly (worker exit code {exit_code}); it may have run "
            "out of memory. Try fewer points (a smaller sample) or PCA.",
        )


_SPAWNING = threading.Lock()


def _start_without_main(process) -> None:
    """Start `process` without re-running the parent's `__main__` in it.

    "spawn" re-runs the parent's main script in the child before the target. Under `streamlit
    run` that script is the app itself (Streamlit runs it as `__main__`): every cold worker ran
    the whole app in bare mode, its imports and 16 "missing ScriptRunContext" warnings included.
    The worker needs nothing from it: its target lives in this module.
    """
    import sys
    import types

    with _SPAWNING:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to re-run
        try:
            process.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _ignore(fraction: float, message: str) -> None:
    """Progress nobody is watching."""


def serve(connection, idle_seconds: float) -> None:
    """The worker's loop: project, transform, and exit when idle or when the app goes away."""
    models = LRU(KEPT_MODELS)  # fitted UMAP models that can place new points, newest kept

    def progress(fraction: float, message: str) -> None:
        connection.send(("progress", fraction, message))

    while connection.poll(idle_seconds):
        try:
            request = connection.recv()
        except EOFError:
            return
        kind, job, *arguments = request
        try:
            if kind == "project":
                vectors, params, labels = arguments
                result = proj.project(vectors, params, progress=progress, labels=labels)
                if result.placer is not None:
                    models[job] = result.placer
                connection.send(("done", replace(result, placer=None), result.placer is not None))
            else:
                (new_vectors,) = arguments
                if job not in models:
                    raise ValueError(
                        "The model behind this picture is no longer kept; press Run again "
                        "with changed parameters to place new points."
                    )
                connection.send(("done", np.asarray(models.get(job)(new_vectors), dtype=np.float32)))
        except ValueError as error:  # our sentences for bad parameters or data
            connection.send(("error", str(error)))
        except Exception as error:  # noqa: BLE001 - anything else still gets a sentence, and the worker lives on
            connection.send(("error", f"The projection failed: {type(error).__name__}: {error}"))
