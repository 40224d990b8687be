"""The char-RNN: vocabulary, sampling maths, state carried between steps, Keras -> LiteRT parity."""

import numpy as np

from explorer.maths.sampling import Vocabulary, clean_prompt, next_char_distribution, sample_next


def test_vocabulary_round_trip_and_order():
    vocabulary = Vocabulary.from_text("hello, world\n")
    assert vocabulary.chars == "\n ,dehlorw"
    assert vocabulary.decode(vocabulary.encode("low, old\n")) == "low, old\n"


def test_prompt_drops_unknown_characters_cuts_long_ones_and_starts_empty_ones_on_a_new_line():
    vocabulary = Vocabulary.from_text("abc \n")
    cleaned = clean_prompt("a😀b é", vocabulary)
    assert cleaned.text == "ab " and cleaned.dropped == "é😀" and cleaned.cut == 0
    assert clean_prompt("abc" * 10, vocabulary, limit=5).text == "bcabc"
    assert clean_prompt("abc" * 10, vocabulary, limit=5).cut == 25
    assert clean_prompt("", vocabulary).text == "\n" and clean_prompt("😀", vocabulary).text == "\n"


def test_temperature_zero_is_the_arg_max_and_small_temperatures_approach_it():
    logits = np.array([0.1, 2.0, 1.9, -1.0])
    assert next_char_distribution(logits, 0.0).tolist() == [0, 1, 0, 0]
    assert next_char_distribution(logits, 0.01)[1] > 0.99
    rng = np.random.default_rng(0)
    assert {sample_next(logits, rng, 0.0) for _ in range(50)} == {1}
    flatter = next_char_distribution(logits, 2.0)
    assert flatter.max() < next_char_distribution(logits, 1.0).max()


def test_top_k_and_top_p_keep_exactly_the_right_characters():
    logits = np.log(np.array([0.05, 0.5, 0.15, 0.3]))
    assert np.flatnonzero(next_char_distribution(logits, top_k=2)).tolist() == [1, 3]
    assert np.flatnonzero(next_char_distribution(logits, top_p=0.8)).tolist() == [1, 3]  # 0.5 + 0.3 reach 0.8
    assert np.flatnonzero(next_char_distribution(logits, top_p=0.81)).tolist() == [1, 2, 3]
    assert np.flatnonzero(next_char_distribution(logits, top_p=0.1)).tolist() == [1]
    kept = next_char_distribution(logits, top_k=3, top_p=0.8)
    np.testing.assert_allclose(kept[[1, 3]], [0.5 / 0.8, 0.3 / 0.8])
    rng = np.random.default_rng(0)
    assert {sample_next(logits, rng, top_k=2) for _ in range(200)} == {1, 3}


def test_the_same_seed_draws_the_same_characters():
    logits = np.zeros(30)
    first = [sample_next(logits, np.random.default_rng(5)) for _ in range(3)]
    assert first == [sample_next(logits, np.random.default_rng(5)) for _ in range(3)]
    draws = np.random.default_rng(1)
    assert len({sample_next(logits, draws) for _ in range(100)}) > 10


def test_training_pairs_are_the_text_shifted_by_one():
    from explorer.maths.sampling import Vocabulary, shifted_pairs

    vocabulary = Vocabulary.from_text("Machine learning")
    inputs, targets = shifted_pairs(vocabulary.encode("Machine"), 6)
    assert vocabulary.decode(inputs[0]) == "Machin" and vocabulary.decode(targets[0]) == "achine"
    inputs, targets = shifted_pairs(vocabulary.encode("Machine learning"), 5)
    assert inputs.shape == targets.shape == (3, 5)  # 16 characters: three full sequences and a target
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
    np.testing.assert_array_equal(inputs[1:, 0], targets[:-1, -1])
    assert shifted_pairs(vocabulary.encode("M"), 5)[0].shape == (0, 5)
