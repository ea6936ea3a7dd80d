"""Title cards: the prompt legible in its own script, over a backdrop that the seed chooses."""

from __future__ import annotations

import av
import numpy as np
import pytest

from reelay.engines.sandbox.backdrop import backdrop
from reelay.engines.sandbox.lettering import Lettering, runs, typefaces, wrap
from reelay.engines.sandbox.render import RenderJob, render
from reelay.engines.sandbox.titlecard import title_card

WIDTH, HEIGHT = 320, 192
MISSING = "\uffff"  # a noncharacter: no font maps it, so it draws the font's missing-glyph box


def glyph(char: str, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """The mask a character draws with, in the font the title card picks for it, and the mask
    of that font's missing-glyph box."""
    (run,) = runs(char)
    font = run.face.font(size)
    return np.asarray(font.getmask(char)), np.asarray(font.getmask(MISSING))


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a, b)


def test_chinese_draws_real_glyphs_not_the_missing_glyph_box():
    for char in "一只小猫":
        drawn, box = glyph(char)
        assert box.any()  # the box itself is visible: the comparison means something
        assert drawn.mean() > 20, char  # ink
        assert not same(drawn, box), char


@pytest.mark.parametrize(
    "text", ["一只小猫", "こんにちは", "고양이", "Кошка", "γάτα", "قطة", "बिल्ली", "แมว", "Ça va, Zoë?"]
)
def test_every_script_a_prompt_may_use_has_a_font(text):
    for char in text:
        if char.strip() and char not in ",?":
            assert any(face.has(char) for face in typefaces()), (text, char)
            assert not same(*glyph(char)), (text, char)


def test_the_fonts_ship_with_reelay():
    shipped = [face for face in typefaces() if "engines/sandbox/fonts" in face.path.as_posix()]
    assert shipped and shipped[0] is typefaces()[0]  # the primary font is Reelay's own, not the system's
    assert all(shipped[0].has(char) for char in "Aa一只小猫あア한Жπ")


def test_a_chinese_title_is_drawn_on_the_card():
    plain = title_card(None, seed=3, width=WIDTH * 2, height=HEIGHT * 2)
    card = title_card("一只小猫", seed=3, width=WIDTH * 2, height=HEIGHT * 2)

    white = (card > 220).all(axis=2)
    assert white.sum() > 1000  # the letters, white
    assert not (plain > 220).all(axis=2).any()  # the backdrop alone has none


def test_characters_no_font_has_are_left_out_rather_than_drawn_as_boxes():
    plain = title_card(None, seed=3, width=WIDTH, height=HEIGHT)

    assert np.array_equal(title_card(MISSING * 4, seed=3, width=WIDTH, height=HEIGHT), plain)
    assert runs(f"a{MISSING}b") == runs("ab")


def test_chinese_breaks_between_characters_and_keeps_punctuation_off_the_line_start():
    lettering = Lettering(40, "zh-Hans")
    lines = wrap("一只小猫在阳光下睡觉，它的梦里有很多鱼。", lettering, 40 * 6)

    assert len(lines) > 2
    assert all(lettering.length(line) <= 40 * 7 for line in lines)
    assert not any(line[0] in "，。" for line in lines)
    assert "".join(lines) == "一只小猫在阳光下睡觉，它的梦里有很多鱼。"


def test_a_long_prompt_is_wrapped_inside_the_card():
    card = title_card("a very long prompt " * 52, seed=3, width=WIDTH * 4, height=HEIGHT * 4)

    white = (card > 235).all(axis=2)
    assert white.sum() > 1000  # text was drawn
    rows, columns = np.nonzero(white)
    assert columns.min() > card.shape[1] * 0.05 and columns.max() < card.shape[1] * 0.95
    assert rows.min() > card.shape[0] * 0.05 and rows.max() < card.shape[0] * 0.95


def test_the_backdrop_is_a_function_of_the_seed():
    one, again, other = backdrop(11, 400, 240), backdrop(11, 400, 240), backdrop(12, 400, 240)

    assert np.array_equal(one, again)
    assert np.abs(one.astype(int) - other.astype(int)).mean() > 10
    assert one.std() > 5  # not a flat colour
    assert one.max() < 235  # white letters stay legible over it


def test_the_camera_moves_the_backdrop_while_the_title_holds_still(tmp_path):
    job = RenderJob(WIDTH, HEIGHT, 1, str(tmp_path / "out"), 5, prompt="HOLD", motion=(10, 0, 0, 0, 0, 0))
    with av.open(render(job).video) as container:
        frames = [frame.to_ndarray(format="gray").astype(int) for frame in container.decode(video=0)]
    letters = frames[0] > 200

    assert letters.sum() > 200
    assert np.abs(frames[0][letters] - frames[-1][letters]).mean() < 6  # the title did not move
    assert np.abs(frames[0][~letters] - frames[-1][~letters]).mean() > 1.5  # the backdrop did
