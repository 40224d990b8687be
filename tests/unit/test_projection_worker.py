"""The projection worker process: the same pictures as in-process, progress, placing, and failures."""

import numpy as np
import pytest

from explorer.projector import projection as proj
from explorer.projector.worker import ProjectionWorker
from tests.support.data import digits as digits_and_labels

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does


def digits(count):
    return digits_and_labels(count)[0]


@pytest.fixture()
def worker():
    worker = ProjectionWorker(idle_seconds=60)
    yield worker
    worker.stop()


def test_tsne_in_the_worker_equals_tsne_here_and_reports_progress(worker):
    vectors = digits(200)
    params = proj.ProjectionParams(method="tsne", perplexity=10, seed=3)
    messages = []
    remote = worker.project(vectors, params, progress=lambda fraction, message: messages.append((fraction, message)))
    local = proj.project(vectors, params)
    np.testing.assert_array_equal(remote.coordinates, local.coordinates)
    np.testing.assert_array_equal(remote.indices, local.indices)
    assert messages[-1][0] == 1.0 and any("iteration" in m for _, m in messages)
    assert remote.cannot_place and remote.placer is None


def test_umap_models_stay_in_the_worker_and_place_new_points_there(worker):
    vectors = digits(200)
    params = proj.ProjectionParams(method="umap", n_neighbors=10, seed=1)
    result = worker.project(vectors, params)
    placed = result.transform(vectors[:3])
    assert placed.shape == (3, 2) and np.isfinite(placed).all()
    spread = np.ptp(result.coordinates, axis=0).max()
    assert np.abs(placed - result.coordinates[:3]).max() < 0.25 * spread, "training points land near themselves"


def test_bad_parameters_come_back_as_a_sentence_and_the_worker_lives_on(worker):
    with pytest.raises(ValueError, match="at least 5 points"):
        worker.project(digits(3), proj.ProjectionParams(method="tsne"))
    assert worker.is_running()
    assert worker.project(digits(50), proj.ProjectionParams(method="tsne", perplexity=5)).coordinates.shape == (50, 2)


def test_a_worker_that_dies_gives_a_sentence_and_a_released_model_cannot_place(worker):
    result = worker.project(digits(100), proj.ProjectionParams(method="pca"))  # PCA too can run there
    assert result.transform(digits(2)).shape == (2, 2)
    worker._process.kill()
    worker._process.join()
    with pytest.raises(ValueError, match="released to save memory"):
        result.transform(digits(2))
    # the next job starts a new worker
    again = worker.project(digits(60), proj.ProjectionParams(method="tsne", perplexity=5))
    assert again.coordinates.shape == (60, 2) and worker.is_running()


def test_an_idle_worker_exits_and_frees_its_memory():
    worker = ProjectionWorker(idle_seconds=0.5)
    worker.project(digits(60), proj.ProjectionParams(method="tsne", perplexity=5))
    worker._process.join(10)
    assert not worker.is_running()


def test_the_worker_does_not_run_the_parents_main_script(tmp_path):
    """Under `streamlit run` the parent's __main__ is the app: spawn re-ran it in every cold worker."""
    import subprocess
    import sys

    from tests.support.data import ROOT

    marker = tmp_path / "ran.txt"
    script = tmp_path / "app.py"
    script.write_text(
        "import numpy as np\n"
        f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
        "if __name__ == '__main__':\n"
        "    from explorer.projector import projection as proj\n"
        "    from explorer.projector.worker import ProjectionWorker\n"
        "    worker = ProjectionWorker(idle_seconds=5)\n"
        "    vectors = np.random.default_rng(0).standard_normal((30, 4)).astype('float32')\n"
        "    result = worker.project(vectors, proj.ProjectionParams(method='tsne', perplexity=5))\n"
        "    assert result.coordinates.shape == (30, 2)\n"
        "    worker.stop()\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert marker.read_text().split() == ["__main__"], "the worker re-ran the main script"


def test_a_job_nobody_waits_for_is_stopped_and_the_next_job_gets_its_own_result(worker):
    class SessionClosed(Exception):
        """What Streamlit raises in a closed session's script at its next call (StopException)."""

    def closed(fraction, message):
        if fraction > 0.05:  # the fit has started in the worker
            raise SessionClosed

    slow, _ = digits_and_labels(1797)
    with pytest.raises(SessionClosed):
        worker.project(slow, proj.ProjectionParams(method="tsne", perplexity=50), progress=closed)
    assert not worker.is_running(), "the abandoned fit was stopped with its worker"
    small = digits(60)
    result = worker.project(small, proj.ProjectionParams(method="tsne", perplexity=10))
    assert result.coordinates.shape == (60, 2)  # its own reply, not the abandoned job's
