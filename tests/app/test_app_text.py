"""AppTest for the Text page: generation, the probability view, temperatures side by side, bad input."""

import numpy as np

from tests.support.apptest import open_page


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
