"""Bytes of a delivery -> text, with the encoding that was actually found.

The contract names an encoding per dataset, but files are written by other systems and we do
not trust it blindly. Detection order:

1. a UTF-8 byte-order mark means ``utf-8-sig``;
2. otherwise strict UTF-8;
3. otherwise GB18030.

Never the other way round: UTF-8 Chinese decodes as GB18030 *without error*, into garbage.

A half-written file may end inside a multi-byte character. Only the complete lines (up to the
last newline) are decoded strictly; an undecodable tail after the last newline that is merely
a cut character is replaced by U+FFFD and reported as ``cut_tail`` so the reader can quarantine
that line instead of rejecting the file or falling through to the wrong encoding.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass

from hub.sources.catalog import Encoding
from hub.sources.problems import DeliveryRejected

logger = logging.getLogger(__name__)

_BOM = codecs.BOM_UTF8
# Valid UTF-8 with this many continuation bytes (about six Chinese characters) before the first
# bad byte is a corrupt UTF-8 file, not a GB18030 one: GB18030 Chinese almost never forms even
# two valid UTF-8 sequences in a row, so reading on as GB18030 would only produce garbage.
_CLEARLY_UTF8 = 12


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text of a delivery and what was learnt while decoding it."""

    text: str
    encoding: Encoding
    expected: Encoding | None
    cut_tail: bool  # the text after the last newline ended inside a character (U+FFFD added)

    @property
    def mismatch(self) -> bool:
        """True when the detected encoding is not the one the contract names."""
        return self.expected is not None and self.encoding != self.expected


def decode(data: bytes, file: str, *, expected: Encoding | None = None) -> tuple[str, Encoding]:
    """Decode a delivery; return its text and the detected encoding.

    Raises :class:`DeliveryRejected` naming the file and byte offset when the data is neither
    UTF-8 nor GB18030. A character cut in half at the very end becomes U+FFFD; use
    :func:`decode_text` to learn that it happened and whether the encoding matched the contract.
    """
    decoded = decode_text(data, file, expected=expected)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, file: str, *, expected: Encoding | None = None) -> Decoded:
    """Decode a delivery (see the module docstring for the rules); never trusts ``expected``."""
    if data.startswith(_BOM):
        try:
            text, cut = _decode_lines(data[len(_BOM) :], "utf-8")
        except UnicodeDecodeError as err:
            offset = err.start + len(_BOM)
            raise DeliveryRejected(
                file, f"starts with a UTF-8 byte-order mark but byte {offset} is not UTF-8"
            ) from err
        return _found(file, text, Encoding.UTF8_BOM, expected, cut)
    try:
        text, cut = _decode_lines(data, "utf-8")
    except UnicodeDecodeError as utf8_err:
        if _clearly_utf8(data, utf8_err.start):
            raise DeliveryRejected(
                file,
                f"valid UTF-8 up to byte offset {utf8_err.start}, then an invalid byte "
                f"(0x{data[utf8_err.start]:02x}); the file is corrupt",
            ) from utf8_err
        if data.startswith(_UTF16_BOMS):
            raise DeliveryRejected(
                file, f"wrong encoding: UTF-16 (a UTF-16 byte-order mark){_contract(expected)}"
            ) from None
        try:
            text, cut = _decode_lines(data, "gb18030")
        except UnicodeDecodeError as gb_err:
            raise DeliveryRejected(
                file,
                f"wrong encoding: neither UTF-8 (invalid byte at offset {utf8_err.start}) nor "
                f"GB18030 (invalid byte at offset {gb_err.start}){_contract(expected)}",
            ) from gb_err
        return _found(file, text, Encoding.GB18030, expected, cut)
    if expected is Encoding.GB18030 and data.isascii():
        # Plain ASCII is valid GB18030 too: no reason to flag a mismatch.
        return _found(file, text, Encoding.GB18030, expected, cut)
    return _found(file, text, Encoding.UTF8, expected, cut)


#: Encodings a department's system may have written instead of the contract's, with their names
#: for people: tried on a header that did not read (:func:`header_encoding`).
OTHER_ENCODINGS = (
    ("big5", "Big5 (traditional Chinese)"),
    ("utf-16", "UTF-16"),
    ("shift_jis", "Shift JIS (Japanese)"),
    ("euc_kr", "EUC-KR (Korean)"),
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def header_encoding(head: bytes, columns: tuple[str, ...]) -> str | None:
    """The name of the encoding in which ``head`` (a file's first bytes) starts with a line
    holding every one of ``columns``, among :data:`OTHER_ENCODINGS`; None if none does.

    A Big5 file decodes as GB18030 without an error, into a header of mojibake: trying the
    encodings that systems do write tells "wrong encoding" from "wrong columns". A Big5
    system writes traditional characters (人員編號 for 人员编号): the line is compared in
    simplified characters (OpenCC ``t2s``)."""
    from opencc import OpenCC

    simplified = OpenCC("t2s")
    for codec, name in OTHER_ENCODINGS:
        text = head.decode(codec, errors="replace")
        first = simplified.convert(text.lstrip("\ufeff").split("\n", 1)[0])
        if all(column in first for column in columns):
            return name
    return None


def encoding_name(encoding: Encoding) -> str:
    """An encoding as people name it: GB18030, UTF-8, UTF-8 with a byte-order mark."""
    return _NAMES[encoding]


def _contract(expected: Encoding | None) -> str:
    return "" if expected is None else f"; the contract says {_NAMES[expected]}"


_NAMES = {Encoding.GB18030: "GB18030", Encoding.UTF8: "UTF-8",
          Encoding.UTF8_BOM: "UTF-8 with a byte-order mark"}  # fmt: skip


def _found(
    file: str, text: str, encoding: Encoding, expected: Encoding | None, cut: bool
) -> Decoded:
    decoded = Decoded(text=text, encoding=encoding, expected=expected, cut_tail=cut)
    if decoded.mismatch:
        logger.warning("%s: detected %s, the contract says %s", file, encoding, expected)
    return decoded


def _decode_lines(data: bytes, codec: str) -> tuple[str, bool]:
    """Decode strictly, except that a tail after the last newline may end in a cut character.

    Returns the text (a cut character replaced by U+FFFD) and whether the tail was cut. Raises
    the strict decoder's :class:`UnicodeDecodeError` (offset into ``data``) otherwise.
    """
    try:
        return data.decode(codec), False
    except UnicodeDecodeError as err:
        first_error = err
    end = data.rfind(b"\n") + 1  # b"\n" is never part of a multi-byte UTF-8/GB18030 character
    try:
        head = data[:end].decode(codec)
        decoder = codecs.getincrementaldecoder(codec)()
        tail = decoder.decode(data[end:], final=False)
    except UnicodeDecodeError:
        raise first_error from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return head + tail + "\ufffd", True
    raise first_error  # unreachable in practice: head and tail decode, so the whole does


def _clearly_utf8(data: bytes, bad_offset: int) -> bool:
    # data[:bad_offset] is valid UTF-8: bytes minus characters = continuation bytes.
    return bad_offset - len(data[:bad_offset].decode("utf-8", errors="ignore")) >= _CLEARLY_UTF8
