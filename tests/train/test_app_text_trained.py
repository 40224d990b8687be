"""AppTest for the Text page: generation, the probability view, temperatures side by side, bad input."""

import shutil

import pytest

from tests.support.apptest import open_page, written_steps


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
