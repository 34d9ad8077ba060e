"""Text analysis per article language: the analyzer and field suffix each language indexes with."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang import NoStopWords, aliases, has_stemmer, languages, stemmer_for_language
from whoosh.lang import stopwords_for_language as whoosh_stopwords
from whoosh.support.charset import accent_map

# Languages Whoosh ships a stemmer for (Turkish has a stop list but no stemmer, so it is not here).
STEMMED_LANGUAGES: frozenset[str] = frozenset(code for code in languages if has_stemmer(code))
# Written without spaces between words (Korean spaces phrases, but glues particles onto words).
UNSPACED_LANGUAGES: frozenset[str] = frozenset({"zh", "ja", "ko", "th", "lo", "km", "my"})

CJK_SUFFIX = "cjk"
OTHER_SUFFIX = "other"
# "" is English, in the default fields; every other suffix names fields like `body_fr`.
LANGUAGE_FIELD_SUFFIXES: tuple[str, ...] = (
    "",
    *sorted(STEMMED_LANGUAGES - {"en"}),
    CJK_SUFFIX,
    OTHER_SUFFIX,
)

_ALIASES = {**aliases, "nb": "no", "nn": "no"}


def _char_class(codepoints: Iterable[int]) -> str:
    """Return the inside of a regex character class matching exactly `codepoints`."""
    parts: list[str] = []
    ordered = sorted(set(codepoints))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        first, last = re.escape(chr(ordered[i])), re.escape(chr(ordered[j]))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


def _range_class(*ranges: tuple[int, int]) -> str:
    return "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in ranges)


def _letters(*ranges: tuple[int, int]) -> list[int]:
    return [
        c
        for first, last in ranges
        for c in range(first, last + 1)
        if unicodedata.category(chr(c)).startswith("L")
    ]


# `\w` leaves out combining marks, which would cut Devanagari, Bengali, Thai... words apart.
_MARK_CLASS = _char_class(
    [c for c in range(0x20000) if unicodedata.category(chr(c)).startswith("M")]
    + [0xFF9E, 0xFF9F]  # halfwidth (han)dakuten, which NFKC turns into combining marks
) + _range_class((0xE0100, 0xE01EF))  # variation selectors supplement
# Ideographs, kana and hangul are bigrammed whole; only the letters of the Southeast Asian
# scripts are (their digits and punctuation are words and separators as elsewhere).
_BASE_CLASS = _range_class(
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3041, 0x3096),  # hiragana
    (0x309D, 0x309F),
    (0x30A1, 0x30FA),  # katakana
    (0x30FC, 0x30FF),
    (0x31F0, 0x31FF),
    (0xFF66, 0xFF9D),  # halfwidth katakana
    (0x1100, 0x11FF),  # hangul jamo
    (0x3131, 0x318E),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7A3),  # hangul syllables
    (0xD7B0, 0xD7FF),
    (0x3400, 0x4DBF),  # CJK unified ideographs and extensions
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x30000, 0x323AF),
) + _char_class(
    _letters(
        (0x0E00, 0x0E7F),  # Thai
        (0x0E80, 0x0EFF),  # Lao
        (0x1000, 0x109F),  # Myanmar
        (0xA9E0, 0xA9FF),
        (0xAA60, 0xAA7F),
        (0x1780, 0x17FF),  # Khmer
        (0x19E0, 0x19FF),
    )
)

_WORD_CHAR = rf"[\w*{_MARK_CLASS}]"
_WORD = re.compile(rf"{_WORD_CHAR}+(?:\.{_WORD_CHAR}+)*")
# Inside unspaced text a word stops where ideographs (or Thai...) begin.
_CJK_WORD_CHAR = rf"(?:[^\W{_BASE_CLASS}]|[*{_MARK_CLASS}])"
# A letter is a grapheme cluster: a Thai consonant keeps its vowel and tone marks.
_CLUSTER = re.compile(f"[{_BASE_CLASS}][{_MARK_CLASS}]*")
_SEGMENT = re.compile(
    rf"(?P<run>(?:[{_BASE_CLASS}][{_MARK_CLASS}]*)+)|{_CJK_WORD_CHAR}+(?:\.{_CJK_WORD_CHAR}+)*"
)
_VARIATION_SELECTORS = dict.fromkeys([*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])

# accent_map plus: the dot "İ".lower() leaves (so Turkish İ, I and ı all fold to i), and ligatures.
_FOLD_MAP: dict[int, str | None] = {
    **accent_map,
    0x0307: None,
    ord("œ"): "oe",
    ord("æ"): "ae",
}


def _clean(text: str) -> str:
    """Return `text` in NFKC (full-width Latin, halfwidth kana...) minus variation selectors."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_VARIATION_SELECTORS)


def _fold(text: str) -> str:
    return text.translate(_FOLD_MAP)


class WordTokenizer(Tokenizer):
    """Yields words (letters, digits and their combining marks) normalised to NFKC."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled into the index's schema: keep the class name, not the regex.
        return (self.__class__, ())

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield the tokens of `value` (the same Token object each time, as Whoosh expects)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            spans = self._spans(value, mode)
        else:
            spans = iter([(_clean(value), 0, 0, len(value))])
        for text, pos, start, end in spans:
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t

    def _spans(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        """Yield (text, position, startchar, endchar) for each word of `value`."""
        for pos, match in enumerate(_WORD.finditer(value)):
            yield _clean(match.group()), pos, match.start(), match.end()


class BigramTokenizer(WordTokenizer):
    """Yields overlapping bigrams of CJK/Thai/Lao/Khmer/Myanmar letter runs, and words elsewhere."""

    def __init__(self, unigrams: bool = True) -> None:
        self.unigrams = unigrams

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.unigrams,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigramTokenizer) and self.unigrams == other.unigrams

    def _spans(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        """Yield (text, position, startchar, endchar) for each word, bigram and unigram."""
        # Indexed alone too, letters match one-letter queries. Each sits at the position of the
        # bigram it starts (the last at the last bigram's): queries, bigrams only, keep positions.
        unigrams = self.unigrams and mode == "index"
        pos = 0
        for match in _SEGMENT.finditer(value):
            if match.lastgroup != "run":
                yield _clean(match.group()), pos, match.start(), match.end()
                pos += 1
                continue
            letters = [
                (_clean(m.group()), m.start(), m.end())
                for m in _CLUSTER.finditer(value, match.start(), match.end())
            ]
            if len(letters) == 1:
                letter, start, end = letters[0]
                yield letter, pos, start, end
                pos += 1
                continue
            for (first, start, mid), (second, _, end) in zip(letters, letters[1:], strict=False):
                yield first + second, pos, start, end
                if unigrams:
                    yield first, pos, start, mid
                pos += 1
            if unigrams:
                last, start, end = letters[-1]
                yield last, pos - 1, start, end


class FoldFilter(CharsetFilter):
    """Folds accents (accent_map), the dot of a lowercased "İ", and the œ/æ ligatures."""

    def __init__(self) -> None:
        super().__init__(_FOLD_MAP)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, ())


class StemFoldFilter(Filter):
    """Stems with a language's Whoosh stemmer; when indexing, also stems the unaccented word."""

    is_morph = True

    def __init__(self, language: str) -> None:
        self.language = language
        self._stem = _stemmer(language)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.language,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemFoldFilter) and self.language == other.language

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        """Yield each token stemmed (and its unaccented stem after it, when indexing)."""
        stem = self._stem
        for t in tokens:
            if t.stopped:
                yield t
                continue
            text = t.text
            t.text = stemmed = stem(text)
            yield t
            # Stemmers cut some words differently without their accents ("sécurité" -> "secur",
            # "securite" -> "securit"): the index holds both, so either spelling finds the text.
            if t.mode == "index":
                unaccented = stem(_fold(text))
                if _fold(unaccented) != _fold(stemmed):
                    t.text = unaccented
                    yield t


# Whoosh's default tokenizer pattern without its capturing group, so `findall` returns words.
_DEFAULT_WORDS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
# UTF-8 bytes with every ASCII byte no word can hold made a space: splitting the result cuts text
# into chunks that hold whole words (and no word is cut), found without a regex per word.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*.")
_CHUNK_TABLE = bytes(b if b in _WORD_BYTES or b >= 0x80 else 0x20 for b in range(256))
_STOPPED = object()  # a cached analysis: the word is a stop word
# Distinct chunks cached per analyzer (twice: stemmed and not); past it the cache starts afresh.
CACHED_CHUNKS = 100_000


def _chunks(value: str) -> list[str]:
    """Return `value` split where no word can be: each chunk is one word or several, or none."""
    spaced = value.encode("utf-8", "surrogatepass").translate(_CHUNK_TABLE)
    return spaced.decode("utf-8", "surrogatepass").split()


class FusedAnalyzer(Analyzer):
    """Runs `RegexTokenizer() | LowercaseFilter() | StopFilter() | StemFilter() | CharsetFilter()`
    as one loop, analysing each distinct chunk of text once: the same tokens, several times faster.
    """

    def __init__(self, chain: CompositeAnalyzer) -> None:
        kinds = [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter, CharsetFilter]
        items = list(chain.items)
        if [type(item) for item in items] != kinds or items[0].gaps:
            raise ValueError(f"cannot fuse {chain!r}")
        if items[0].expression.pattern != default_pattern.pattern:
            raise ValueError(f"cannot fuse a tokenizer matching {items[0].expression.pattern!r}")
        self.chain = chain
        self._stop: StopFilter = items[2]
        self._stem: StemFilter = items[3]
        self._charmap = items[4].charmap
        # chunk -> its token text, _STOPPED, or a tuple of them when it holds no word or several
        self._cache: dict[bool, dict[str, Any]] = {True: {}, False: {}}  # by whether stemmed

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.chain,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FusedAnalyzer) and self.chain == other.chain

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.chain!r})"

    def has_morph(self) -> bool:
        """Return True: the chain stems (so a `spelling` field keeps unstemmed words apart)."""
        return True

    def __call__(
        self,
        value: str,
        no_morph: bool = False,
        *,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield the tokens the chain yields (one Token object, as Whoosh expects)."""
        if not tokenize:
            return self.chain(
                value,
                no_morph=no_morph,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stemmed = not no_morph
        if chars or keeporiginal or not removestops:
            return self._tokens(value, token, stemmed, keeporiginal, start_pos, start_char)
        return self._words(value, token, stemmed, start_pos)

    def positions(self, value: str) -> dict[str, list[int]]:
        """Return each stemmed token text of `value` with its positions, in order met."""
        found: dict[str, list[int]] = {}
        for text, pos in self._texts(value, True, 0):
            poses = found.get(text)
            if poses is None:
                found[text] = [pos]
            else:
                poses.append(pos)
        return found

    def _words(self, value: str, t: Token, stemmed: bool, start_pos: int) -> Iterator[Token]:
        """Yield the tokens of `value` without stop words, offsets or originals."""
        t.boost = 1.0
        if not t.positions:
            for t.text, _ in self._texts(value, stemmed, start_pos):
                yield t
            return
        for t.text, t.pos in self._texts(value, stemmed, start_pos):
            yield t

    def _texts(self, value: str, stemmed: bool, start_pos: int) -> Iterator[tuple[str, int]]:
        """Yield the text and position of each token of `value`, stop words left out."""
        cache = self._cache[stemmed]
        renumber = self._stop.renumber
        pos = None
        first = start_pos  # the position of chunk i's first word is first + i
        for i, chunk in enumerate(_chunks(value)):
            text = cache.get(chunk)
            if text is None:
                text = self._analyse(chunk, stemmed)
            if text.__class__ is str:
                # StopFilter numbers the words it keeps on from the first one's position.
                pos = first + i if pos is None or not renumber else pos + 1
                yield text, pos
            elif text is not _STOPPED:
                for n, part in enumerate(text):
                    if part is not _STOPPED:
                        pos = first + i + n if pos is None or not renumber else pos + 1
                        yield part, pos
                first += len(text) - 1

    def _tokens(
        self,
        value: str,
        t: Token,
        stemmed: bool,
        keeporiginal: bool,
        start_pos: int,
        start_char: int,
    ) -> Iterator[Token]:
        """Yield the tokens of `value` with whatever the caller asked for."""
        cache = self._cache[stemmed]
        renumber = self._stop.renumber
        pos = None
        for i, match in enumerate(_DEFAULT_WORDS.finditer(value)):
            word = match.group()
            text = cache.get(word)
            if text is None:
                text = self._analyse(word, stemmed)
            if text is _STOPPED:
                if t.removestops:
                    continue
                t.text = word.lower().translate(self._charmap)
                t.stopped = True
                if t.positions:
                    t.pos = start_pos + i
            else:
                t.text = text
                t.stopped = False
                if t.positions:
                    pos = start_pos + i if pos is None or not renumber else pos + 1
                    t.pos = pos
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            if t.chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t

    def _analyse(self, chunk: str, stemmed: bool) -> Any:
        """Return (and cache) the analysis of `chunk`: a token text, _STOPPED or a tuple."""
        parts = tuple(self._word(word, stemmed) for word in _DEFAULT_WORDS.findall(chunk))
        cache = self._cache[stemmed]
        if len(cache) >= CACHED_CHUNKS:
            cache.clear()
        cache[chunk] = result = parts[0] if len(parts) == 1 else parts
        return result

    def _word(self, word: str, stemmed: bool) -> Any:
        """Return the token text of `word` (lowercased, stemmed, folded), or _STOPPED."""
        stop, stem = self._stop, self._stem
        text = word.lower()
        if (
            len(text) < stop.min
            or (stop.max is not None and len(text) > stop.max)
            or text in stop.stops
        ):
            return _STOPPED
        if stemmed and text not in stem.ignore:
            text = stem._stem(text)
        return text.translate(self._charmap)


def _portuguese_singular(word: str) -> str:
    # Snowball leaves "eleições" and "eleição" apart; -ões is almost always the plural of -ão
    # (and -oes the same typed without accents).
    if word.endswith("ões"):
        return word[:-3] + "ão"
    return word[:-3] + "ao" if word.endswith("oes") else word


def _stemmer(language: str) -> Callable[[str], str]:
    """Return the cached stemming function of `language`."""
    stem = stemmer_for_language(language)
    if language == "pt":
        base = stem

        def stem(word: str) -> str:
            return base(_portuguese_singular(word))

    return lru_cache(maxsize=50000)(stem)


def _stopwords(language: str) -> frozenset[str]:
    """Return the Whoosh stop words of `language`, also as typed without accents."""
    try:
        words = whoosh_stopwords(language)
    except NoStopWords:
        return frozenset()
    return frozenset(words) | {_fold(word) for word in words}


def _normalise(language: str) -> str:
    primary = re.split(r"[-_\s]", (language or "").strip().lower(), maxsplit=1)[0]
    return _ALIASES.get(primary, primary)


def field_suffix(language: str) -> str:
    """Return the suffix of the text fields `language` is indexed in ("" for English)."""
    code = _normalise(language)
    if code == "en":
        return ""
    if code in STEMMED_LANGUAGES:
        return code
    if code in UNSPACED_LANGUAGES:
        return CJK_SUFFIX
    return OTHER_SUFFIX


def analyzer_for(language: str) -> Analyzer:
    """Return the (shared) analyzer for text in `language`, an ISO 639-1 code or ""."""
    return analyzer_for_suffix(field_suffix(language))


@cache
def analyzer_for_suffix(suffix: str) -> Analyzer:
    """Return the (shared) analyzer of the text fields named with `suffix`."""
    if suffix == "":
        # Exactly what the default fields have always used (Porter stemmer, English stop words).
        return FusedAnalyzer(StemmingAnalyzer() | CharsetFilter(accent_map))
    if suffix == CJK_SUFFIX:
        return BigramTokenizer() | LowercaseFilter() | FoldFilter()
    if suffix == OTHER_SUFFIX:
        return WordTokenizer() | LowercaseFilter() | FoldFilter()
    if suffix in STEMMED_LANGUAGES:
        return (
            WordTokenizer()
            | LowercaseFilter()
            | StopFilter(stoplist=_stopwords(suffix), minsize=2)
            | StemFoldFilter(suffix)
            | FoldFilter()
        )
    raise ValueError(f"no text fields with suffix {suffix!r}")
