"""AppTest for the Projector page: projections, caching, colouring, search, the inspector, bad input."""

import json

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from explorer.projector import projection
from explorer.training.embed import DEFAULT_PROJECTIONS
from explorer.ui import projector, projector_data
from tests.support.apptest import open_page, trace_points, traces

SHIPPED_EMBEDDINGS = sorted(
    c.name for c in list_checkpoints(root=SHIPPED_CHECKPOINTS)[0] if "embedding" in c.manifest.get("files", {})
)


def test_shipped_embeddings_cover_digits_and_emoji():
    assert {"mnist-vae-16d", "emoji-vae-16d"} <= set(SHIPPED_EMBEDDINGS)


@pytest.mark.parametrize("name", SHIPPED_EMBEDDINGS)
def test_every_shipped_embedding_ships_its_default_projections(name):
    """Else the first visitor of a fresh server waits for numba to compile UMAP: half a minute, or more."""
    manifest = json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text())
    with np.load(SHIPPED_CHECKPOINTS / name / manifest["files"]["projections"]) as projections:
        for params in DEFAULT_PROJECTIONS:
            assert projections[projection.projection_key(params)].shape == (manifest["embedding"]["points"], 2)


@pytest.mark.parametrize("name", SHIPPED_EMBEDDINGS)
@pytest.mark.parametrize("method", ["PCA", "UMAP", "t-SNE"])
def test_shipped_embeddings_open_at_once_in_every_default_projection(name, method):
    at = open_page("app_pages/projector.py", data=name, method=method)
    assert not at.exception and not at.error
    manifest = json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text())
    assert (
        sum(trace_points(t) for t in traces(at) if t["name"] not in ("selected", "neighbours"))
        == manifest["embedding"]["points"]
    )
    assert not any(b.key == "run" for b in at.button), "defaults are shipped, nothing to run"


def test_neighbour_captions_name_the_point_without_its_code_and_fit_under_the_image():
    from explorer.ui.common import short_name

    # Ten characters fit one line under an 80-pixel thumbnail; twelve broke inside the word ("man_feedin g…").
    assert short_name("surfer:1F3FC") == "surfer"
    assert short_name("female_fairy:1F3FE") == "female_fa…"
    assert short_name("grinning_face_with_big_eyes:1F603") == "grinning_…"
    assert short_name(":") == ":", "a character embedding's colon is a name of its own"
    assert short_name("7") == "7"


def test_an_upload_is_parsed_once_however_often_the_page_reruns(monkeypatch):
    calls = []
    real = projector_data.load_projector_upload
    monkeypatch.setattr(projector_data, "load_projector_upload", lambda *a, **k: calls.append(1) or real(*a, **k))
    vectors = "\n".join("\t".join(str(v) for v in row) for row in np.random.default_rng(0).normal(size=(30, 4)))
    at = open_page("app_pages/projector.py", data="Upload Projector files")
    at.file_uploader(key="projector_files").set_value([("vectors.tsv", vectors.encode(), "text/tab-separated-values")])
    at.run()
    assert at.get("plotly_chart") and not at.exception
    at.slider(key="size").set_value(9).run()
    at.run()
    assert at.get("plotly_chart") and len(calls) == 1  # once, not once per rerun


def test_uploads_beyond_the_session_limit_are_refused_and_let_go(monkeypatch):
    monkeypatch.setattr(projector_data, "MAX_SESSION_UPLOAD_BYTES", 1_000)
    rows = np.random.default_rng(0).normal(size=(60, 4))
    vectors = "\n".join("\t".join(f"{v:.6f}" for v in row) for row in rows).encode()
    at = open_page("app_pages/projector.py", data="Upload Projector files")
    at.file_uploader(key="projector_files").set_value([("vectors.tsv", vectors, "text/tab-separated-values")]).run()
    assert not at.exception and not at.get("plotly_chart")
    assert any("at once are accepted" in error.value for error in at.error)


def test_a_config_with_several_embeddings_offers_them_and_reads_only_the_one_picked():
    config = json.dumps(
        {
            "embeddings": [
                {"tensorName": "words", "tensorPath": "words.tsv"},
                {"tensorName": "digits", "tensorPath": "digits.tsv", "metadataPath": "digits_meta.tsv"},
            ]
        }
    ).encode()
    rng = np.random.default_rng(0)
    table = lambda rows: "\n".join("\t".join(f"{v:.4f}" for v in row) for row in rng.normal(size=(rows, 3))).encode()  # noqa: E731
    files = [
        ("projector_config.json", config, "application/json"),
        ("words.tsv", table(20), "text/tab-separated-values"),
        ("digits.tsv", table(30), "text/tab-separated-values"),
        ("digits_meta.tsv", "\n".join(str(i % 10) for i in range(30)).encode(), "text/tab-separated-values"),
    ]
    at = open_page("app_pages/projector.py", data="Upload Projector files")
    at.file_uploader(key="projector_files").set_value(files).run()
    picker = at.selectbox(key="upload_embedding")
    assert picker.options == ["words", "digits"] and not at.exception
    assert "20 points" in " ".join(c.value for c in at.caption)
    picker.set_value("digits").run()
    assert not at.exception and "30 points" in " ".join(c.value for c in at.caption)


def test_an_upload_that_runs_out_of_memory_gets_a_sentence(monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(projector_data, "load_projector_upload", out_of_memory)
    at = open_page("app_pages/projector.py", data="Upload Projector files")
    at.file_uploader(key="projector_files").set_value([("vectors.tsv", b"1\t2\n3\t4\n", "text/plain")]).run()
    assert not at.exception and any("more memory than this server" in error.value for error in at.error)


def test_the_plot_is_first_coloured_by_a_column_of_categories_not_one_of_names():
    """An upload whose "label" names every point had 24 coloured points and "other (99,989 values)"."""
    names = np.array([f"word {i}" for i in range(500)], dtype=object)
    groups = np.array([f"group {i % 5}" for i in range(500)], dtype=object)
    assert projector.default_colour({"label": names, "group": groups}) == "group"
    assert projector.default_colour({"label": groups, "kind": groups}) == "label"
    assert projector.default_colour({"label": names}) == "(none)"
    assert projector.default_colour({}) == "(none)"
    assert projector.default_colour({"label": np.array(["0", "1", "2"] * 10)}) == "label"  # shipped: str
