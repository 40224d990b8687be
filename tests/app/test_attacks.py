"""The attack corpus: each hostile upload gets a sentence (or is used) within a bound on time and memory.

Each file once cost the shared server minutes of CPU or gigabytes (issue 14); the bounds are
generous, and every one of them failed before the fix beside it. `attacks.measure` runs a file
through the calls the page makes, in a fresh process, so one case's memory cannot hide another's.
"""

import pytest

from tools import attacks

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does


IMAGE_CASES = [
    # maker, what the sentence says (None: the image is used), CPU seconds, MB added at peak; before the fix
    pytest.param(attacks.many_page_tiff, "blank", 3, 100, id="tiff-60000-pages"),  # 20 s: its one pixel is blank
    pytest.param(attacks.long_thin_png, "1000 times as long", 3, 60, id="png-20000000x1"),  # 227 MB
    pytest.param(attacks.all_ink_png, None, 3, 150, id="png-4800-all-ink"),  # 465 MB
]


@pytest.mark.parametrize("maker, says, cpu_s, added_mb", IMAGE_CASES)
def test_hostile_images_on_the_vae_uploader(maker, says, cpu_s, added_mb):
    name, data = maker()
    result = attacks.measure("image", {name: data})
    if says:
        assert says in result["said"]
    assert result["cpu_s"] < cpu_s and result["added_mb"] < added_mb, result


def test_a_zip_that_lies_about_its_size_is_refused_before_it_unpacks():
    name, data = attacks.lying_zip()  # 300 KB, says 1,000 bytes, unpacks to 300 MB
    result = attacks.measure("projector", {name: data})
    assert "lying.zip" in result["said"]
    assert result["added_mb"] < 60, result  # 272 MB before


def test_a_zip_of_sixty_thousand_entries_gets_a_short_sentence_quickly():
    name, data = attacks.many_entry_zip()
    result = attacks.measure("projector", {name: data})
    assert "60,000 entries" in result["said"] and len(result["said"]) < 300, result["said"][:300]
    assert result["cpu_s"] < 0.1, result  # 18 s and 620 KB of file names at first; then 0.29 s reading every entry
    assert result["added_mb"] < 4, result  # reading every entry's record: 8.5 MB here, 32 MB in Python objects


def test_one_long_label_among_200000_points_costs_tens_of_megabytes():
    result = attacks.measure("projector", attacks.one_long_label())
    assert result["said"] == ""
    assert result["added_mb"] < 150 and result["cpu_s"] < 3, result  # 3.6 GB and 11 s before


def test_a_config_naming_one_large_file_twenty_times_reads_it_once():
    result = attacks.measure("projector", attacks.one_file_many_entries())
    assert result["said"] == ""
    assert result["added_mb"] < 80 and result["cpu_s"] < 1, result  # every entry read before: 20 x the file


def test_a_huge_sparse_sprite_gets_a_sentence_before_it_is_decoded():
    result = attacks.measure("projector", attacks.huge_sprite_upload())  # 8,000² RGBA, 250 KB
    assert "once decoded" in result["said"] and "sprite.png" in result["said"]
    assert result["added_mb"] < 60, result  # 894 MB before


def test_a_large_sprite_within_the_limit_is_decoded_once_and_shrunk():
    result = attacks.measure("projector", attacks.huge_sprite_upload(side=4_000, mode="RGB"))  # 46 MB decoded
    assert result["said"] == ""
    assert result["added_mb"] < 250, result


def test_thumbnails_are_kept_small_and_still_in_order():
    import io

    import numpy as np
    from PIL import Image

    from explorer.projector.files import MAX_THUMBNAIL_SIDE
    from explorer.projector.sprites import read_sprite

    cells = np.repeat(np.arange(4, dtype=np.uint8) * 60, 200 * 200).reshape(4, 200, 200)
    sprite = np.block([[cells[0], cells[1]], [cells[2], cells[3]]])
    buffer = io.BytesIO()
    Image.fromarray(sprite).save(buffer, "PNG")
    thumbnails = read_sprite(buffer.getvalue(), (200, 200), 4)
    assert thumbnails.shape == (4, MAX_THUMBNAIL_SIDE, MAX_THUMBNAIL_SIDE, 1)
    assert [int(t.mean()) for t in thumbnails] == [0, 60, 120, 180]


@pytest.mark.parametrize("dtype", [str, object])  # shipped columns are str, uploaded ones object
def test_metadata_from_a_file_reaches_plotly_as_text_not_markup(dtype):
    import numpy as np

    from explorer.projector.plot import projection_figure

    names = np.array(
        [attacks.MARKDOWN_NAMES[0], "<a href='https://evil.example'>x</a>", "%{customdata[0]}", "plain"], dtype=dtype
    )
    figure = projection_figure(
        np.zeros((4, 2), np.float32),
        np.arange(4),
        {"<b>name</b>": names},
        color_by="<b>name</b>",
        label_by="<b>name</b>",
    )
    shown = [
        str(value)
        for trace in figure.data
        for value in (trace.name, trace.hovertemplate, *np.ravel(trace.customdata), *(trace.text or ()))
    ]
    assert not any("<a " in value or "<b>name" in value or "%{customdata[0]}" == value for value in shown)
    assert any("&lt;a href=" in value for value in shown) and "plain" in shown


def test_each_point_carries_its_row_as_a_number_and_short_hover_values():
    """Every point a box or lasso selects sends its customdata back: long values made a selection of
    100,000 points larger than the server takes."""
    import numpy as np

    from explorer.projector.plot import HOVER_CHARS, projection_figure, selected_rows

    long = np.array(["é" * 1_000, "<b>" * 300, "short"], dtype=object)
    figure = projection_figure(np.zeros((3, 2), np.float32), np.array([2, 0, 1]), {"name": long})
    custom = [list(row) for trace in figure.data for row in trace.customdata]
    assert sorted(row[0] for row in custom) == [0, 1, 2] and all(type(row[0]) is int for row in custom)
    assert max(len(row[1]) for row in custom) <= HOVER_CHARS * len("&lt;")
    assert "short" in [row[1] for row in custom] and not any("<b>" in row[1] for row in custom)
    assert selected_rows({"selection": {"points": [{"customdata": custom[0]}]}}, 3) == [custom[0][0]]
