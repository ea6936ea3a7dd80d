"""Text in any script: fonts chosen per character, wrapped lines, drawn as a mask.

Reelay ships its fonts (fonts/, SIL Open Font License) so that a title card looks the same on
every machine and never shows a missing-glyph box for a script it covers: Noto Sans CJK (Latin,
Greek, Cyrillic, Chinese, Japanese, Korean), then Noto Sans Arabic, Devanagari and Thai. The
system's own fonts come last, for the rare script none of those cover.

Each character is drawn with the first font whose character map has it; neighbouring characters
with the same font form one run, shaped as a whole (libraqm: Arabic joins, Devanagari conjuncts).
"""

from __future__ import annotations

import bisect
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

FONTS_DIR = Path(__file__).with_name("fonts")
SHIPPED_FONTS = ["NotoSansCJKjp-Bold.otf", "NotoSansArabic.ttf", "NotoSansDevanagari.ttf", "NotoSansThai.ttf"]
SYSTEM_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
]
BOLD = 700  # weight used from variable fonts
SHAPING = features.check("raqm")  # libraqm: bidi, joining, conjuncts and language forms
# Characters that belong to no line break opportunity of their own: they stay with what precedes.
NO_LINE_START = set(
    "、。，．・：；？！）］｝〉》」』】〕〗〙〛’”ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻,.;:!?)]}%"
)


class Typeface:
    """One font file: which characters it has, and its fonts by size."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def _ranges(self) -> tuple[list[int], list[int]]:
        starts, ends = [], []
        for start, end in _cmap_ranges(self.path.read_bytes()):
            starts.append(start)
            ends.append(end)
        return starts, ends

    def has(self, char: str) -> bool:
        starts, ends = self._ranges
        code = ord(char)
        i = bisect.bisect_right(starts, code) - 1
        return i >= 0 and code <= ends[i]

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(str(self.path), size)


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM if SHAPING else ImageFont.Layout.BASIC)
    try:
        axes = font.get_variation_axes()
    except OSError:
        return font  # not a variable font
    values: list[float] = []
    for axis in axes:
        name = axis["name"].decode() if isinstance(axis["name"], bytes) else str(axis["name"])
        low, default, high = axis["minimum"], axis["default"], axis["maximum"]
        # Pillow types them optional; FreeType reports all three for every axis of a variable font.
        assert low is not None and default is not None and high is not None
        wanted = BOLD if name.lower() == "weight" else default
        values.append(min(max(wanted, low), high))
    font.set_variation_by_axes(values)
    return font


@lru_cache(maxsize=1)
def typefaces() -> tuple[Typeface, ...]:
    """The fonts in the order they are tried; the first is the primary one."""
    paths = [FONTS_DIR / name for name in SHIPPED_FONTS] + [Path(p) for p in SYSTEM_FONTS]
    found = [Typeface(path) for path in paths if path.is_file()]
    if not found:
        raise RuntimeError(f"no font found: Reelay's fonts belong in {FONTS_DIR}")
    return tuple(found)


@dataclass(frozen=True)
class Run:
    text: str
    face: Typeface


def runs(text: str, faces: Iterable[Typeface] | None = None) -> list[Run]:
    """The text cut where the font that draws it changes.

    A character that no font has (an emoji, a rare script) is left out: a title card shows
    the rest of the prompt rather than a missing-glyph box.
    """
    return list(_runs(text, tuple(faces or typefaces())))


@lru_cache(maxsize=8192)
def _runs(text: str, faces: tuple[Typeface, ...]) -> tuple[Run, ...]:
    result: list[Run] = []
    for char in text:
        face = result[-1].face if result and _joins_previous(char) else _face_for(char, faces)
        if face is None:
            continue
        if result and result[-1].face is face:
            result[-1] = Run(result[-1].text + char, face)
        else:
            result.append(Run(char, face))
    return tuple(result)


def drawable(text: str) -> str:
    """The text without the characters no font has (they would be left out anyway)."""
    faces = typefaces()
    return "".join(char for char in text if char.isspace() or _joins_previous(char) or _face_for(char, faces))


def _face_for(char: str, faces: tuple[Typeface, ...]) -> Typeface | None:
    for face in faces:
        if face.has(char):
            return face
    return faces[0] if char == " " else None


def _joins_previous(char: str) -> bool:
    """Spaces, combining marks and joiners are drawn with the run they follow."""
    return char == " " or unicodedata.category(char) in ("Mn", "Me", "Cf")


def language_of(text: str) -> str | None:
    """A language tag that picks the right glyph forms of Han characters (needs libraqm)."""
    if not SHAPING:
        return None
    if any("\u3040" <= c <= "\u30ff" for c in text):
        return "ja"
    if any("\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff" for c in text):
        return "ko"
    if any(_is_han(c) for c in text):
        return "zh-Hans"
    return None


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\U00020000" <= char <= "\U0003134f"


def breaks_anywhere(char: str) -> bool:
    """Scripts written without spaces: a line may break before any of their characters."""
    return _is_han(char) or "\u3000" <= char <= "\u30ff" or "\uff00" <= char <= "\uffef"


class Lettering:
    """Measures and draws text at one size with the font fallback chain."""

    def __init__(self, size: int, language: str | None = None) -> None:
        self.size = size
        self.language = language
        primary = typefaces()[0].font(size)
        self.ascent, self.descent = primary.getmetrics()
        self._lengths: dict[str, float] = {}

    def length(self, text: str) -> float:
        """How wide the text is drawn, in pixels."""
        if text not in self._lengths:
            self._lengths[text] = sum(self._font(run).getlength(run.text, **self._options()) for run in runs(text))
        return self._lengths[text]

    def draw(self, draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, stroke: int = 0) -> None:
        """Draws one line with its baseline's left end at xy."""
        x, baseline = xy
        for run in runs(text):
            font = self._font(run)
            draw.text((x, baseline), run.text, fill=255, font=font, anchor="ls", stroke_width=stroke, **self._options())
            x += font.getlength(run.text, **self._options())

    def _font(self, run: Run) -> ImageFont.FreeTypeFont:
        return run.face.font(self.size)

    def _options(self) -> dict:
        return {"language": self.language} if self.language else {}


def wrap(text: str, lettering: Lettering, max_width: float) -> list[str]:
    """Greedy line breaking: between words, between the characters of scripts written without
    spaces, and inside a word too long for a line. Closing punctuation never starts a line."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if line and (lettering.length(line + token) <= max_width or token[0] in NO_LINE_START):
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip(" "))
        line = token.lstrip(" ")
        if lettering.length(line) > max_width:
            *full, line = _split_long(line, lettering, max_width)
            lines.extend(full)
    if line.strip():
        lines.append(line.rstrip(" "))
    return lines


def _tokens(text: str) -> list[str]:
    """Break opportunities: a token is a word with its leading space, or one CJK character."""
    tokens: list[str] = []
    for char in text:
        if (
            not tokens
            or char == " "
            or (breaks_anywhere(char) and char not in NO_LINE_START)
            or (breaks_anywhere(tokens[-1][-1]) and char not in NO_LINE_START)
        ):
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def _split_long(word: str, lettering: Lettering, max_width: float) -> list[str]:
    pieces, piece = [], ""
    for char in word:
        if piece and lettering.length(piece + char) > max_width and char not in NO_LINE_START:
            pieces.append(piece)
            piece = char.lstrip(" ")
        else:
            piece += char
    return [*pieces, piece]


def mask(lines: list[str], lettering: Lettering, size: tuple[int, int], line_gap: int, stroke: int = 0) -> Image.Image:
    """An 8-bit mask of the lines, each centred, the block centred in `size`."""
    width, height = size
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    line_height = lettering.ascent + lettering.descent
    block = len(lines) * line_height + (len(lines) - 1) * line_gap
    top = (height - block) / 2
    for index, line in enumerate(lines):
        baseline = top + index * (line_height + line_gap) + lettering.ascent
        left = (width - lettering.length(line)) / 2
        lettering.draw(draw, (left, baseline), line, stroke=stroke)
    return image


def _cmap_ranges(data: bytes) -> list[tuple[int, int]]:
    """Code point ranges an OpenType/TrueType font maps to a glyph, from its `cmap` table."""
    (tables,) = struct.unpack_from(">H", data, 4)
    cmap = None
    for index in range(tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        return []
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
        subtables[(platform, encoding)] = cmap + offset
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 1), (0, 0)):
        if key in subtables:
            offset = subtables[key]
            (kind,) = struct.unpack_from(">H", data, offset)
            if kind == 12:
                return _format12(data, offset)
            if kind == 4:
                return _format4(data, offset)
    return []


def _format12(data: bytes, offset: int) -> list[tuple[int, int]]:
    (groups,) = struct.unpack_from(">I", data, offset + 12)
    result = []
    for index in range(groups):
        start, end, _ = struct.unpack_from(">III", data, offset + 16 + 12 * index)
        result.append((start, end))
    return _merged(result)


def _format4(data: bytes, offset: int) -> list[tuple[int, int]]:
    (seg_x2,) = struct.unpack_from(">H", data, offset + 6)
    segments = seg_x2 // 2
    ends = struct.unpack_from(f">{segments}H", data, offset + 14)
    starts = struct.unpack_from(f">{segments}H", data, offset + 16 + seg_x2)
    struct.unpack_from(f">{segments}h", data, offset + 16 + 2 * seg_x2)
    range_at = offset + 16 + 3 * seg_x2
    range_offsets = struct.unpack_from(f">{segments}H", data, range_at)
    result = []
    for i in range(segments):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        if range_offsets[i] == 0:
            result.append((start, end))
            continue
        for code in range(start, end + 1):
            at = range_at + 2 * i + range_offsets[i] + 2 * (code - start)
            if at + 2 <= len(data) and struct.unpack_from(">H", data, at)[0]:
                result.append((code, code))
    return _merged(result)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
