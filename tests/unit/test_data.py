import numpy as np
import pytest
from PIL import Image

from explorer.training.data import DataError, load_dataset, split_holdout


def test_image_folder_with_mixed_sizes_modes_and_stray_files(tmp_path):
    for label, colour in (("cats", 40), ("dogs", 200)):
        (tmp_path / label).mkdir()
        Image.new("L", (40, 30), colour).save(tmp_path / label / "a.png")
        Image.new("RGBA", (64, 64), (colour, colour, colour, 255)).save(tmp_path / label / "b.png")
    (tmp_path / "cats" / "notes.txt").write_text("not an image")
    data = load_dataset(str(tmp_path), image_size=16)
    assert data.x.shape == (4, 16, 16, 1) and data.x.dtype == np.uint8
    assert data.label_names == ["cats", "dogs"] and sorted(data.y.tolist()) == [0, 0, 1, 1]
    assert data.origin["skipped_files"] == 1


def test_colour_folder_stays_colour(tmp_path):
    Image.new("RGB", (20, 20), (255, 0, 0)).save(tmp_path / "red.png")
    Image.new("RGB", (24, 24), (0, 0, 255)).save(tmp_path / "blue.jpg")
    assert load_dataset(str(tmp_path), image_size=8).x.shape == (2, 8, 8, 3)


def test_npz_problems_are_explained(tmp_path):
    np.savez(tmp_path / "no_x.npz", images=np.zeros((3, 8, 8)))
    with pytest.raises(DataError, match="no array named 'x'"):
        load_dataset(str(tmp_path / "no_x.npz"))
    np.savez(tmp_path / "labels.npz", x=np.zeros((3, 8, 8)), y=np.zeros(2))
    with pytest.raises(DataError, match="'y' has 2 entries for 3 images"):
        load_dataset(str(tmp_path / "labels.npz"))
    (tmp_path / "broken.npz").write_bytes(b"nope")
    with pytest.raises(DataError, match="not a readable .npz"):
        load_dataset(str(tmp_path / "broken.npz"))


def test_float_images_in_zero_one_become_uint8(tmp_path):
    np.savez(tmp_path / "float.npz", x=np.full((2, 4, 4), 0.5))
    assert load_dataset(str(tmp_path / "float.npz")).x.max() == 128


def test_holdout_split_is_seeded_and_disjoint():
    train, held = split_holdout(100, 10, seed=3)
    assert len(held) == 10 and not set(train) & set(held) and len(train) + len(held) == 100
    np.testing.assert_array_equal(held, split_holdout(100, 10, seed=3)[1])
    with pytest.raises(DataError, match="hold out"):
        split_holdout(10, 10, seed=0)


def _emoji_like(path, counts: dict) -> str:
    """An .npz shaped like emoji-64: images with a `category` and a finer `subcategory` column."""
    category = [c for (c, _), n in counts.items() for _ in range(n)]
    subcategory = [s for (_, s), n in counts.items() for _ in range(n)]
    np.savez(path, x=np.zeros((len(category), 4, 4, 3), np.uint8), category=category, subcategory=subcategory)
    return str(path)


def test_finer_labels_are_classes_with_their_category_as_parent(tmp_path):
    counts = {
        ("People & Body", "family"): 5,
        ("People & Body", "hands"): 4,
        ("Food & Drink", "drink"): 1,
        ("Animals & Nature", "animal-mammal"): 3,
    }
    source = _emoji_like(tmp_path / "emoji.npz", counts)
    data = load_dataset(source, labels="subcategory")
    assert data.label_names == ["animal-mammal", "drink", "family", "hands"]  # sorted by category
    assert data.label_parents == ["Animals & Nature", "Food & Drink", "People & Body", "People & Body"]
    names = np.array(data.label_names)[data.y]
    assert list(names[np.load(source)["subcategory"] == "hands"]) == ["hands"] * 4
    assert data.origin["labels"] == "subcategory"
    plain = load_dataset(source)  # by default the category labels, with no parents
    assert plain.label_names == ["Animals & Nature", "Food & Drink", "People & Body"] and plain.label_parents is None


def test_an_emoji_and_its_skin_tones_are_one_class_when_labelled_by_name(tmp_path):
    names = ["wave:1F3FB", "wave:1F3FD", "wave", "flag-nr", "apple", "wave:1F3FF"]
    category = ["People & Body"] * 3 + ["Flags", "Food & Drink", "People & Body"]
    np.savez(tmp_path / "e.npz", x=np.zeros((6, 4, 4, 3), np.uint8), name=names, category=category)
    data = load_dataset(str(tmp_path / "e.npz"), labels="name")
    assert data.label_names == ["flag-nr", "apple", "wave"]  # sorted by category
    assert data.label_parents == ["Flags", "Food & Drink", "People & Body"]
    assert np.array(data.label_names)[data.y].tolist() == ["wave", "wave", "wave", "flag-nr", "apple", "wave"]


def test_a_label_column_that_is_not_there_gets_a_sentence(tmp_path):
    source = _emoji_like(tmp_path / "emoji.npz", {("Flags", "country-flag"): 2})
    with pytest.raises(DataError, match=r"no label column 'subcat' \(its label columns: category, subcategory\)"):
        load_dataset(source, labels="subcat")
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(DataError, match="--labels names a column of an .npz file"):
        load_dataset(str(folder), labels="category")
