"""AppTest for the Text page: generation, the probability view, temperatures side by side, bad input."""

import shutil

import numpy as np
import pytest

from .conftest import open_page, written_steps


@pytest.fixture()
def text_root(tiny_charrnn, tmp_path, monkeypatch):
    shutil.copytree(tiny_charrnn, tmp_path / "tiny-charrnn")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    return tmp_path


def generated(at) -> str:
    return "".join(step.char for step in written_steps(at))


def test_generate_writes_the_text_and_the_same_seed_writes_it_again(text_root):
    at = open_page("app_pages/text.py", runtime="server", length="120", text_seed="3")
    assert not at.exception and not at.error
    at.button(key="generate").click().run()
    first = generated(at)
    assert len(first) == 120 and not at.exception
    assert any(m.value.startswith("```text\n" + first[:40]) for m in at.markdown), "streamed in a code fence"
    at.run()  # a rerun shows the same text as it looked while streaming
    assert at.code[0].value == first
    at.button(key="generate").click().run()
    assert generated(at) == first
    at.number_input(key="text_seed").set_value(4).run()
    at.button(key="generate").click().run()
    assert generated(at) != first


def test_probability_view_shows_ten_likeliest_next_characters(text_root):
    at = open_page("app_pages/text.py", runtime="server", length="50")
    at.button(key="generate").click().run()
    at.slider(key="position").set_value(10).run()
    assert not at.exception
    bars = at.get("plotly_chart")[0].proto.spec
    assert '"orientation":"h"' in bars.replace(" ", "")
    step = written_steps(at)[9]
    assert len(step.top_ids) == 10 and step.top_probabilities[0] >= step.top_probabilities[-1]


def test_temperatures_side_by_side(text_root):
    at = open_page("app_pages/text.py", runtime="server", length="50", view="Compare temperatures")
    at.button(key="generate").click().run()
    assert not at.exception
    texts = [c.value for c in at.code]
    assert len(texts) == 3 and len(set(texts)) == 3 and all(len(t) == 300 for t in texts)
    assert "at each temperature." in " ".join(c.value for c in at.caption)


def test_compared_temperatures_say_which_top_k_and_top_p_they_keep(text_root):
    """The comparison keeps the sidebar's top-k and top-p: it says so (it did not)."""
    at = open_page(
        "app_pages/text.py", runtime="server", length="50", view="Compare temperatures", top_k="5", top_p="0.5"
    )
    at.button(key="generate").click().run()
    assert "each drawn with top-k 5 and top-p 0.5 as set above" in " ".join(c.value for c in at.caption)


def test_the_default_prompt_is_a_speaker_as_the_shipped_corpus_writes_them():
    """'ROMEO:' was no speaker the model read (the corpus writes "KING." on its own line; ":" is 0.25 % of
    its characters): the model found it three times as surprising as its held-out text. The default
    prompt must read to the model as ordinary text does."""
    from explorer.checkpoint import read_checkpoint
    from explorer.serving.models import CharModel
    from explorer.ui.text import DEFAULT_PROMPT

    folder = _shipped_text_model()
    model = CharModel.from_folder(folder)
    ids = model.vocabulary.encode("\n\n" + DEFAULT_PROMPT)  # as after the end of a speech
    state, nats = model.initial_state(), 0.0
    for current, following in zip(ids[:-1], ids[1:]):
        logits, state = model.step(np.array([current]), state)
        shifted = logits[0] - logits[0].max()
        nats -= shifted[following] - np.log(np.exp(shifted).sum())
    assert nats / (len(ids) - 1) < read_checkpoint(folder).metrics["heldout_nats_per_char"]


def test_temperature_zero_and_length_zero_are_handled(text_root):
    at = open_page("app_pages/text.py", runtime="server", temperature="0", length="60")
    at.button(key="generate").click().run()
    greedy = generated(at)
    at.number_input(key="text_seed").set_value(9).run()
    at.button(key="generate").click().run()
    assert generated(at) == greedy, "at temperature 0 the seed does not matter"
    assert "always the likeliest" in " ".join(c.value for c in at.caption)
    at.slider(key="length").set_value(0).run()
    at.button(key="generate").click().run()
    assert not at.exception and generated(at) == ""


def test_unknown_characters_and_a_long_prompt_are_explained(text_root):
    at = open_page("app_pages/text.py", runtime="server", prompt="ROMEO 😀 says ¿hola? " + "the king " * 80)
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "😀" in notes and "¿" in notes and "left out" in notes
    assert "cut to its last 500 characters" in notes
    at.text_area(key="prompt").set_value("").run()
    assert "starts from a new line" in " ".join(c.value for c in at.caption)
    at.button(key="generate").click().run()
    assert not at.exception and len(generated(at)) == 400


def test_hostile_url_values_fall_back_to_defaults(text_root):
    at = open_page(
        "app_pages/text.py",
        runtime="server",
        temperature="-5",
        length="99999999",
        top_k="abc",
        top_p="2",
        view="<img src=x>",
    )
    assert not at.exception
    assert at.slider(key="temperature").value == 0.8 and at.slider(key="length").value == 400


def test_in_the_browser_generate_asks_the_page_to_write_what_the_server_would():
    """The page gets the prompt's ids, the settings and the seed's uniform draws: the server path's inputs."""
    import numpy as np

    from explorer.maths.sampling import clean_prompt
    from explorer.serving.models import CharModel

    at = open_page("app_pages/text.py", length="120", text_seed="3", temperature="0.7", top_k="5")
    assert live_data_text(at)["job"] is None and "Stop" not in [b.label for b in at.button]
    at.button(key="generate").click().run()
    job = live_data_text(at)["job"]
    model = CharModel.from_folder(_shipped_text_model())
    assert job["prompt"] == model.vocabulary.encode(clean_prompt("KING.\n", model.vocabulary).text).tolist()
    assert job["uniforms"] == np.random.default_rng(3).random(120).tolist()
    assert (job["temperature"], job["topK"], job["topP"]) == (0.7, 5, 1.0)
    assert live_data_text(at)["model"]["url"].startswith(f"/models/{model.name}/step.tflite?v=")
    at.button(key="generate").click().run()
    assert live_data_text(at)["job"]["run"] == job["run"] + 1, "each click a new text, even with the same settings"


def live_data_text(at) -> dict:
    import json

    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("live_text")]
    return json.loads(element.proto.json)


def _shipped_text_model():
    from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints

    return list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0][0].folder


def test_text_as_numbers_shows_the_prompts_ids_and_its_shifted_pairs(text_root):
    at = open_page("app_pages/text.py", runtime="server", view="Text as numbers", prompt="ROMEO: what")
    assert not at.exception
    assert "input   ROMEO:␣wha\ntarget  OMEO:␣what" in [code.value for code in at.code]
    pairs = at.dataframe[0].value
    assert list(pairs["input"][:2]) == ["R", "O"] and list(pairs["target"][:2]) == ["O", "M"]
    assert ((pairs["p(target)"] > 0) & (pairs["p(target)"] < 1)).all()
    assert "in training, sequences were 20 characters long, this one is 10" in " ".join(c.value for c in at.caption)
    short = open_page("app_pages/text.py", runtime="server", view="Text as numbers", prompt="R")
    assert "two characters or more" in short.info[-1].value
