"""A small ESC/POS encoder for Korean receipt printers: `Receipt` builds the bytes of one print.

Why not python-escpos: it pulls in USB, image and barcode dependencies the server does not
need, and its code-page tables are single-byte Western ones, while a Korean printer takes Hangul
as double-byte KS X 1001 codes. The few commands a kitchen ticket needs are written out here,
each with its bytes, so they can be checked against a printer's manual.

How Korean is selected. Sources read: Epson's ESC/POS reference (ESC R's table: 13 = Korea;
FS & / FS . / FS C in the TM-P60 specification), the command manuals of Epson-compatible
printers with double-byte fonts (they describe FS & and FS . the same way: in Kanji mode a
byte from 0xA1 on starts a two-byte character, out of it every byte is one ASCII character),
Bixolon's SRP-350plusII/SRP-275II manuals (ESC R; a memory switch selects single- or
double-byte country specification), and react-thermal-printer, which Korean POS vendors use
(its "korea" character set sends ESC R 13 and encodes EUC-KR). Not verified on a real printer:

- `ESC @` (1B 40) first: it resets every mode a previous, interrupted job may have left on.
- `ESC R 13` (1B 52 0D) selects the "Korea" international character set: the one-byte codes
  stay ASCII except 0x5C, which prints as ₩ (so `₩` is sent as 0x5C and a backslash as '?').
- `FS &` (1C 26) selects "Kanji character mode", on Korean models the double-byte Korean
  mode: a byte 0xA1-0xFE followed by another prints one KS X 1001 character, 24 dots wide (two
  columns of font A), and ASCII stays one byte, one column. Korean models (Bixolon or Sewoo
  set to double-byte/Korean, Epson's Korean TM models) already power on in this mode; sending
  it again is harmless and covers a printer whose `ESC @` or memory switch left it off.
  `FS .` (1C 2E) would cancel it; nothing here needs to. A single-byte (Western) model, or a
  Chinese one whose Kanji mode is GB2312, cannot print Korean whatever is sent.
- Text is encoded as CP949, the superset of EUC-KR (KS X 1001 Wansung): both give the same two
  bytes for every KS X 1001 character (주방 = C1 D6 B9 E6). CP949 also encodes the 8,822
  syllables outside KS X 1001 (똠, 햏) with lead bytes 0x81-0xC6; a printer whose font has only
  KS X 1001 prints those wrong, so pass `encoding="euc_kr"` for such a printer (they become '?').
  A character the encoding lacks, and any control character (which could otherwise inject a
  command such as a cut or a cash-drawer kick), becomes '?': encoding never raises.

Layout counts columns as the printer does: a one-byte character is one column of font A, a
two-byte one is two (this agrees with `unicodedata.east_asian_width` W/F for Hangul and CJK,
and is also right for "ambiguous" characters such as × that KS X 1001 prints full width).
80 mm paper holds 42 (Epson TM-T88, 512 dots) or 48 (576 dots) columns, 58 mm paper 32.
"""

from __future__ import annotations

from typing import Literal

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

INITIALIZE = ESC + b"@"
KOREA_CHARACTER_SET = ESC + b"R\x0d"
KOREAN_MODE = FS + b"&"

Alignment = Literal["left", "center", "right"]
_ALIGNMENTS: dict[Alignment, int] = {"left": 0, "center": 1, "right": 2}

# The Korea character set prints 0x5C as the won sign, which KS X 1001 itself lacks.
_SPECIAL: dict[str, bytes | None] = {"₩": b"\\", "\\": None}


class Receipt:
    """Builds one print: text in the printer's Korean mode, styles, layout by columns, a cut."""

    def __init__(self, *, columns: int = 42, encoding: str = "cp949") -> None:
        if columns < 8:
            raise ValueError("A receipt needs at least 8 columns.")
        self.columns = columns
        self.encoding = encoding
        self._width_factor = 1
        self._data = bytearray(INITIALIZE + KOREA_CHARACTER_SET + KOREAN_MODE)

    # Styles -------------------------------------------------------------------------------

    def bold(self, on: bool = True) -> Receipt:
        """ESC E n: emphasized (bold) on or off, for one- and two-byte characters alike."""
        self._data += ESC + b"E" + bytes([1 if on else 0])
        return self

    def size(self, width: int = 1, height: int = 1) -> Receipt:
        """GS ! n: character width and height multipliers 1-8; layout then has fewer columns."""
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise ValueError("Character width and height are 1 to 8.")
        self._data += GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])
        self._width_factor = width
        return self

    def align(self, alignment: Alignment) -> Receipt:
        """ESC a n: justification of the following lines."""
        self._data += ESC + b"a" + bytes([_ALIGNMENTS[alignment]])
        return self

    # Content ------------------------------------------------------------------------------

    @property
    def line_columns(self) -> int:
        """Columns of one line at the current character width."""
        return self.columns // self._width_factor

    def text(self, text: str, *, indent: int = 0) -> Receipt:
        """Prints `text` wrapped to the line (its own newlines kept); `indent` spaces lead each line."""
        for line in wrap(self.printable(text), self.line_columns, indent=indent, encoding=self.encoding):
            self._line(line)
        return self

    def row(self, left: str, right: str) -> Receipt:
        """A "name ... qty" row: `left` from the left edge, `right` flush with the right edge.

        A `left` too long for one line wraps, `right` staying on its first line; a `right` wider
        than half the line goes on a line of its own below `left`.
        """
        columns = self.line_columns
        left, right = self.printable(left), self.printable(right)
        right_width = text_width(right, self.encoding)
        if right_width > columns // 2:
            self.text(left)
            return self.text(" " * (columns - right_width) + right if right_width <= columns else right)
        lines = wrap(left, columns - right_width - 1, encoding=self.encoding)
        first = lines[0]
        self._line(first + " " * (columns - text_width(first, self.encoding) - right_width) + right)
        for line in lines[1:]:
            self._line(line)
        return self

    def rule(self, char: str = "-") -> Receipt:
        """A line of `char` across the full width (a two-column character fills half as many)."""
        char = self.printable(char)[:1] or "-"
        self._line(char * (self.line_columns // text_width(char, self.encoding)))
        return self

    def feed(self, lines: int = 1) -> Receipt:
        """ESC d n: prints the buffer and feeds `lines` lines."""
        self._data += ESC + b"d" + bytes([max(0, min(lines, 255))])
        return self

    def cut(self, feed: int = 3) -> bytes:
        """GS V 66 n: feeds to the cutter plus `feed` motion units, partial cut; returns the bytes."""
        self._data += GS + b"VB" + bytes([max(0, min(feed, 255))])
        return bytes(self._data)

    # Encoding -----------------------------------------------------------------------------

    def printable(self, text: str) -> str:
        """`text` with every character the printer cannot take (or a control other than LF) as '?'."""
        return "".join(ch if ch == "\n" or _encode_char(ch, self.encoding) else "?" for ch in text)

    def _line(self, line: str) -> None:
        self._data += b"".join(_encode_char(ch, self.encoding) or b"?" for ch in line) + LF


def _encode_char(ch: str, encoding: str) -> bytes | None:
    """The printer's bytes for `ch`, or None for a control character or one `encoding` lacks."""
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if ch < " " or "\x7f" <= ch < "\xa0":
        return None
    try:
        encoded = ch.encode(encoding)
    except UnicodeEncodeError:
        return None
    # Python's euc_kr spells a syllable outside KS X 1001 as an 8-byte jamo sequence, which a
    # printer shows as loose jamo: only one- and two-byte codes are characters to it.
    return encoded if len(encoded) <= 2 else None


def char_width(ch: str, encoding: str = "cp949") -> int:
    """Columns the printer gives `ch`: its encoded length (1 for ASCII, 2 for Hangul and KS X 1001)."""
    return len(_encode_char(ch, encoding) or b"?")


def text_width(text: str, encoding: str = "cp949") -> int:
    """Columns of `text` on the printer (see `char_width`)."""
    return sum(char_width(ch, encoding) for ch in text)


def wrap(text: str, columns: int, *, indent: int = 0, encoding: str = "cp949") -> list[str]:
    """`text` as lines of at most `columns` columns, breaking at spaces where it can.

    Newlines in `text` start new lines; a word longer than a line is cut between characters
    (Korean is commonly broken anywhere). Each line starts with `indent` spaces. An empty text
    gives one empty line.
    """
    width = max(1, columns - indent)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current, current_width = "", 0
        for word in paragraph.split(" "):
            word_width = text_width(word, encoding)
            gap = 1 if current else 0
            if current_width + gap + word_width <= width:
                current += " " * gap + word
                current_width += gap + word_width
                continue
            if current:
                lines.append(current)
            current, current_width = "", 0
            for ch in word:
                ch_width = char_width(ch, encoding)
                if current_width + ch_width > width:
                    lines.append(current)
                    current, current_width = "", 0
                current += ch
                current_width += ch_width
        lines.append(current)
    return [" " * indent + line for line in lines]
