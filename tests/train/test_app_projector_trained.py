"""AppTest for the Projector page: projections, caching, colouring, search, the inspector, bad input."""

import base64
import io
import json
import shutil

import pytest

from explorer.projector import projection, shared
from explorer.ui import projector
from tests.support.apptest import open_page, trace_points, traces


@pytest.fixture()
def projector_root(embedded_vae, tmp_path, monkeypatch):
    """The tiny embedded VAE as the only checkpoint the app sees, and a count of projections computed."""
    shutil.copytree(embedded_vae, tmp_path / "tiny-vae")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    calls = []
    real = projection.project

    def counting(vectors, params, *args, **kwargs):
        calls.append(params)
        return real(vectors, params, *args, **kwargs)

    monkeypatch.setattr(projection, "project", counting)
    monkeypatch.setattr(shared, "IN_WORKER", ())  # in this process, where the calls are counted
    return calls


def test_pca_colours_by_label_with_one_trace_per_digit(projector_root):
    at = open_page("app_pages/projector.py")
    assert not at.exception and not at.error
    legend = [t["name"] for t in sorted(traces(at), key=lambda t: t.get("legendrank", 1000))]
    assert [n for n in legend if n.isdigit()] == [str(d) for d in range(10)]
    assert "PC1 (" in str(at.get("plotly_chart")[0].proto.spec)
    at.selectbox(key="color").set_value("split").run()
    drawn = [t["name"] for t in traces(at)]
    # The few held-out points are drawn after (above) the many training points, which hid them.
    assert drawn.index("train") < drawn.index("held-out")


def test_a_slow_projection_waits_for_run_and_is_then_cached(projector_root):
    at = open_page("app_pages/projector.py")
    at.segmented_control(key="method").set_value("t-SNE").run()
    assert "PC1 (" in str(at.get("plotly_chart")[0].proto.spec), "the last picture stays until Run"
    at.slider(key="perplexity").set_value(12).run()
    assert any(b.key == "run" for b in at.button), "a new t-SNE waits for Run"
    assert not [p for p in projector_root if p.method == "tsne"]
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    assert [p.perplexity for p in projector_root if p.method == "tsne"] == [12.0]
    assert "t-SNE 1" in str(at.get("plotly_chart")[0].proto.spec)
    at.selectbox(key="color").set_value("split").run()  # an unrelated change
    at.segmented_control(key="method").set_value("PCA").run()
    at.segmented_control(key="method").set_value("t-SNE").run()  # back: cached, no Run, no recompute
    assert not any(b.key == "run" for b in at.button)
    assert len([p for p in projector_root if p.method == "tsne"]) == 1


def test_umap_and_tsne_run_in_the_worker_process_with_progress(projector_root, monkeypatch):
    monkeypatch.setattr(shared, "IN_WORKER", ("umap", "tsne"))
    at = open_page("app_pages/projector.py")
    at.segmented_control(key="method").set_value("t-SNE").run()
    at.slider(key="perplexity").set_value(11).run()
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    assert "t-SNE 1" in str(at.get("plotly_chart")[0].proto.spec)
    assert projector.PROJECTIONS.worker.is_running(), "the worker did the fitting"
    assert not [p for p in projector_root if p.method == "tsne"], "and this process did not"
    projector.PROJECTIONS.worker.stop()


def test_the_shipped_default_tsne_is_not_recomputed(projector_root):
    at = open_page("app_pages/projector.py", method="t-SNE", perplexity="10")
    assert not at.exception and not at.error
    assert not [p for p in projector_root if p.method == "tsne"]
    captions = " ".join(c.value for c in at.caption)
    assert "t-SNE: perplexity 10, learning rate auto, euclidean, seed 0 · computed at training time" in captions
    assert "not the sidebar's settings" not in captions


def test_the_caption_says_when_the_plot_is_not_the_sidebars_projection(projector_root):
    """After a setting changes, the plot keeps the last projection until Run: its caption says which it
    is, not "computed with these parameters" (it said so after the metric changed to cosine)."""
    at = open_page("app_pages/projector.py", method="t-SNE", perplexity="10")
    at.radio(key="metric").set_value("cosine").run()
    captions = " ".join(c.value for c in at.caption)
    assert "t-SNE: perplexity 10, learning rate auto, euclidean" in captions
    assert "not the sidebar's settings: press Run" in captions
    assert at.button(key="run").value is False and not [p for p in projector_root if p.method == "tsne"]


def test_the_inspector_lists_k_neighbours_of_the_chosen_point(projector_root):
    at = open_page("app_pages/projector.py", point="7", k="5")
    images = [i for element in at.get("image") for i in element.proto.imgs]
    assert len(images) == 1 + 5  # the point, then its neighbours
    assert "5 nearest points to #7" in " ".join(c.value for c in at.caption)


def test_search_dims_the_rest_and_a_bad_regex_gets_a_sentence(projector_root):
    at = open_page("app_pages/projector.py", search_column="label", search="^3$", search_regex="true")
    assert not at.exception and not at.error
    dimmed = [t for t in traces(at) if t["name"] == "not matching"]
    assert dimmed and trace_points(dimmed[0]) == 600 - sum(trace_points(t) for t in traces(at) if t["name"] == "3")
    at.text_input(key="search").set_value("(3").run()
    assert not at.exception and "not a valid regular expression" in at.error[0].value


def test_a_custom_projection_with_a_query_that_matches_nothing_gets_a_sentence(projector_root):
    at = open_page("app_pages/projector.py", method="Custom", axis_column="label", left="1", right="nothing")
    assert not at.exception
    assert "nothing" in at.error[0].value


def test_hostile_url_values_fall_back_to_defaults(projector_root):
    at = open_page(
        "app_pages/projector.py", method="<script>", point="-3", k="100000", n_neighbors="x", data="../../etc/passwd"
    )
    assert not at.exception and not at.error
    assert at.number_input(key="point").value == 0 and at.slider(key="k").value == 12


def test_an_interpolation_path_is_placed_into_pca_and_a_point_opens_in_the_vae_page(projector_root):
    at = open_page("app_pages/projector.py", point="3")
    at.number_input(key="path_from").set_value(3)
    at.number_input(key="path_to").set_value(9)
    at.slider(key="path_frames").set_value(5)
    at.toggle(key="show_path").set_value(True).run()
    assert not at.exception and not at.error
    path = [t for t in traces(at) if t["name"] == "interpolation path"]
    assert path and trace_points(path[0]) == 5
    link = at.get("link_button")[0].proto
    assert link.url.startswith("vae?model=tiny-vae&z1=") and link.url.count("&z") == 3


def test_a_shipped_tsne_cannot_place_a_path_and_says_why(projector_root):
    at = open_page("app_pages/projector.py", method="t-SNE", perplexity="10")
    assert not at.exception
    assert "show_path" not in {t.key for t in at.toggle}
    assert "cannot place new points" in " ".join(c.value for c in at.caption)


def test_isolating_a_selection_shows_only_it_until_show_all(projector_root):
    at = open_page("app_pages/projector.py")
    at.session_state["page.ProjectorPageState"].selection = [5, 50, 500]  # what a lasso on the plot leaves behind
    at.run()
    at.button(key="isolate").click().run()
    points = lambda: sum(trace_points(t) for t in traces(at) if t["name"] not in ("selected", "neighbours"))  # noqa: E731
    assert not at.exception and points() == 3
    at.button(key="show_all").click().run()
    assert points() == 600


def test_character_embeddings_open_coloured_by_kind_without_images(tiny_charrnn, tmp_path, monkeypatch):
    shutil.copytree(tiny_charrnn, tmp_path / "tiny-charrnn")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    at = open_page("app_pages/projector.py", data="tiny-charrnn")
    assert not at.exception and not at.error
    assert at.selectbox(key="color").value == "kind"
    assert {"upper case", "lower case", "punctuation"} <= {t["name"] for t in traces(at)}
    assert not at.get("link_button"), "characters have no VAE page to open"
    assert at.dataframe, "neighbours without thumbnails are listed as a table"


def test_hover_thumbnails_get_a_sprite_of_every_point_and_the_chart_to_follow(projector_root):
    from PIL import Image

    at = open_page("app_pages/projector.py")
    (component,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("hover_thumbnails")]
    data = json.loads(component.proto.json)
    assert data["target"] == ".st-key-plot .js-plotly-plot" and data["count"] == 600
    sprite = Image.open(io.BytesIO(base64.b64decode(data["sprite"].split(",", 1)[1])))
    assert sprite.format == "WEBP"
    assert sprite.width == data["columns"] * data["cell"][0] and data["columns"] ** 2 >= 600
