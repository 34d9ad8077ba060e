"""Turn the bytes of a fetched page into text, honouring the page's declared encoding."""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

# Pages are capped before parsing so one pathological page cannot exhaust memory;
# no real article comes close to 10 MB of HTML.
MAX_HTML_BYTES = 10 * 1024 * 1024
MAX_HTML_CHARS = 10 * 1024 * 1024

# A page that is UTF-8 but for at most this many invalid bytes is read as UTF-8.
MAX_STRAY_BYTES = 16
# Encoding declarations must appear early in the document; 4 KB is generous.
_SNIFF_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_SURROGATE = re.compile("[\ud800-\udfff]")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)

# WHATWG: browsers decode these labels as the (superset) encoding given, and so do we:
# pages labelled Shift_JIS or GB2312 routinely use the vendor extensions. An
# ASCII-compatible page cannot really be UTF-16, so such a label means UTF-8.
_ENCODING_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "iso-8859-9": "windows-1254",
    "latin5": "windows-1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "x-user-defined": "windows-1252",
}


def decode_html(data: str | bytes, charset: str | None = None) -> str:
    """Return the page as text: BOM, UTF-8, then `charset`, then <meta>, then detection.

    Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever the page declares:
    mislabelled UTF-8 is common, while other encodings' text is almost never valid UTF-8.
    """
    if isinstance(data, str):
        # Lone surrogates (a str built with surrogateescape, say) cannot reach the parser.
        return _SURROGATE.sub("\ufffd", data[:MAX_HTML_CHARS])
    truncated = len(data) > MAX_HTML_BYTES
    data = data[:MAX_HTML_BYTES]
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding, truncated, errors="replace")
    if not data.isascii():
        text = _try_decode(data, "utf-8", truncated)
        if text is not None:
            return text
        text = _mostly_utf8(data, truncated)
        if text is not None:
            return text
    for encoding in (_normalise_encoding(charset), declared_encoding(data), "utf-8"):
        if encoding:
            text = _try_decode(data, encoding, truncated)
            if text is not None:
                return text
            logger.debug("page does not decode as %s", encoding)
    best = from_bytes(data[: _SNIFF_BYTES * 16]).best()
    encoding = _normalise_encoding(best.encoding) if best else None
    return _decode(data, encoding or "windows-1252", truncated, errors="replace")


def declared_encoding(data: bytes) -> str | None:
    """Return the encoding a <meta charset> or <meta http-equiv> declares, if it is known."""
    return _normalise_encoding(declared_charset(data))


def declared_charset(data: bytes) -> str | None:
    """Return the charset label a <meta charset> or <meta http-equiv> declares, as written."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def _normalise_encoding(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ENCODING_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try_decode(data: bytes, encoding: str, truncated: bool) -> str | None:
    try:
        return _decode(data, encoding, truncated, errors="strict")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes, truncated: bool) -> str | None:
    # UTF-8 pages with a stray byte or two (a Latin-1 word pasted into a comment) are still
    # UTF-8, as browsers read them: undecodable bytes become U+FFFD, the rest stays right.
    # Text in another encoding fails UTF-8 on nearly every non-ASCII byte.
    text = _decode(data, "utf-8", truncated, errors="replace")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    bad = text.count("\ufffd")
    return text if bad <= MAX_STRAY_BYTES and non_ascii - bad > bad else None


def _decode(data: bytes, encoding: str, truncated: bool, *, errors: str) -> str:
    # An incremental decoder that is not told the input is final drops a multi-byte
    # character cut in half by the size cap instead of failing on it.
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    return decoder.decode(data, final=not truncated)
