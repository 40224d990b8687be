"""AppTest for the Text page: generation, the probability view, temperatures side by side, bad input."""

import shutil

import pytest

from .conftest import open_page


@pytest.fixture()
def text_root(tiny_charrnn, tmp_path, monkeypatch):
    shutil.copytree(tiny_charrnn, tmp_path / "tiny-charrnn")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    return tmp_path


def generated(at) -> str:
    return "".join(step.char for step in at.session_state["steps"])


def test_generate_writes_the_text_and_the_same_seed_writes_it_again(text_root):
    at = open_page("app_pages/text.py", length="120", text_seed="3")
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
    at = open_page("app_pages/text.py", length="50")
    at.button(key="generate").click().run()
    at.slider(key="position").set_value(10).run()
    assert not at.exception
    bars = at.get("plotly_chart")[0].proto.spec
    assert '"orientation":"h"' in bars.replace(" ", "")
    step = at.session_state["steps"][9]
    assert len(step.top_ids) == 10 and step.top_probabilities[0] >= step.top_probabilities[-1]


def test_temperatures_side_by_side(text_root):
    at = open_page("app_pages/text.py", length="50", view="Compare temperatures")
    at.button(key="generate").click().run()
    assert not at.exception
    texts = [c.value for c in at.code]
    assert len(texts) == 3 and len(set(texts)) == 3 and all(len(t) == 300 for t in texts)


def test_temperature_zero_and_length_zero_are_handled(text_root):
    at = open_page("app_pages/text.py", temperature="0", length="60")
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
    at = open_page("app_pages/text.py", prompt="ROMEO 😀 says ¿hola? " + "the king " * 80)
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "😀" in notes and "¿" in notes and "left out" in notes
    assert "cut to its last 500 characters" in notes
    at.text_area(key="prompt").set_value("").run()
    assert "starts from a new line" in " ".join(c.value for c in at.caption)
    at.button(key="generate").click().run()
    assert not at.exception and len(generated(at)) == 400


def test_hostile_url_values_fall_back_to_defaults(text_root):
    at = open_page("app_pages/text.py", temperature="-5", length="99999999", top_k="abc", top_p="2", view="<img src=x>")
    assert not at.exception
    assert at.slider(key="temperature").value == 0.8 and at.slider(key="length").value == 400
