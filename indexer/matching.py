"""Query evaluation over whole posting lists at once: which articles match, with what score.

Whoosh's matchers score one posting at a time in Python; here each term's postings are read
block by block into arrays and combined with numpy, scoring exactly as Whoosh's BM25F, its
DisjunctionMax, Or with coordination (CoordMatcher's SQR formula), And, AndMaybe and AndNot
would. Query types without an array form (phrases, prefixes, fuzzy terms, ranges...) are run
through Whoosh's own matcher, so every query gets the same answer either way. A phrase is
its words together, kept where their positions (read only for those articles) line up.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from math import log
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from indexer import postings
from indexer.columns import Columns
from indexer.errors import QueryError
from indexer.ranking import K1, B
from indexer.schema import DEFAULTS
from indexer.suggest import SPELLING_PREFIX

# Filter sets (sources, years...) recur from search to search: keep the latest ones.
CACHED_FILTERS = 256
# Most words a prefix*, wildcard or fuzzy~ term may stand for: past it, a search would read
# the postings of a good part of the vocabulary.
MAX_EXPANSION = 1000
# Wildcard and fuzzy parts whose words are kept (a page of results asks for them again).
CACHED_EXPANSIONS = 256


@dataclass
class Match:
    """The articles a query matches, their scores, and how many of its terms each holds.

    `terms` is the number of terms in the query (Whoosh's term matchers), which the
    coordination bonus of an Or needs along with `hits`, the per-article count of them.
    """

    mask: np.ndarray
    score: np.ndarray
    hits: np.ndarray
    terms: int


class Evaluator:
    """Evaluates Whoosh queries against one searcher and its `Columns`."""

    def __init__(self, searcher: Any, columns: Columns) -> None:
        self.searcher = searcher
        self.columns = columns
        self.size = columns.size
        self._filters: OrderedDict[str, np.ndarray] = OrderedDict()
        self._averages: dict[str, float] = {}
        # The words recent wildcard and fuzzy parts stand for: read once per searcher, checked
        # before any posting is read, and named again for highlighting.
        self._expansions: OrderedDict[str, tuple[str, list[Any]] | None] = OrderedDict()

    def match(self, query: wq.Query) -> Match:
        """Return the live articles matching `query`, scored."""
        self.check_expansions(query)
        found = self._match(query)
        found.mask &= self.columns.live
        return found

    def mask(self, query: wq.Query | None) -> np.ndarray:
        """Return the live articles matching filter `query` (all of them for None), cached."""
        if query is None:
            return self.columns.live
        key = repr(query)
        cached = self._filters.get(key)
        if cached is None:
            cached = self.match(query).mask
            self._filters[key] = cached
            while len(self._filters) > CACHED_FILTERS:
                self._filters.popitem(last=False)
        else:
            self._filters.move_to_end(key)
        return cached

    def copies(self, docs: np.ndarray) -> np.ndarray:
        """Return how many live articles share each of `docs`' near-duplicate key (itself too)."""
        keys = self.columns.values("dupkey").ords
        live = keys[self.columns.live]
        tally = np.bincount(live[live >= 0], minlength=int(keys.max(initial=-1)) + 1)
        mine = keys[docs]
        return np.where(mine >= 0, tally[np.maximum(mine, 0)], 1)

    def _match(self, query: wq.Query) -> Match:
        kind = type(query)
        if kind is wq.Term and query.fieldname in DEFAULTS:
            return self._valued(query)
        if kind is wq.Term:
            return self._term(query)
        if kind is wq.DisjunctionMax:
            return self._dismax(query)
        if kind is wq.Or:
            return self._or(query)
        if kind is wq.And:
            return self._and(query)
        if kind is wq.AndMaybe:
            return self._and_maybe(query)
        if kind is wq.AndNot:
            return self._and_not(query)
        if kind is wq.Phrase:
            return self._phrase(query)
        if kind is wq.Every and query.fieldname in (None, "", "*"):
            found = self._empty(0)
            found.mask[:] = True
            found.score[:] = query.boost
            return found
        if kind is wq.Every and self.searcher.schema[query.fieldname].scorable:
            return self._every_in(query)
        if kind is wq.Not:
            return self._not(query)
        if isinstance(query, wq.NumericRange) and query.fieldname == "published":
            return self._published_between(query)
        if isinstance(query, wq.MultiTerm):
            return self._expanded(query)
        if isinstance(query, type(wq.NullQuery)):
            return self._empty(0)
        return self._whoosh(query)

    def _empty(self, terms: int) -> Match:
        return Match(
            np.zeros(self.size, dtype=bool),
            np.zeros(self.size),
            np.zeros(self.size, dtype=np.int32),
            terms,
        )

    def _valued(self, query: wq.Term) -> Match:
        """Match a value of a field with a default on its column, where the articles indexed
        before the field was added hold the default (their postings hold nothing)."""
        values = self.columns.values(query.fieldname)
        found = self._empty(1)
        if query.text in values.names:
            held = values.ords == values.names.index(query.text)
            found.mask[values.docs[held]] = True
        found.score[found.mask] = query.boost
        found.hits = found.mask.astype(np.int32)
        return found

    def _every_in(self, query: wq.Every) -> Match:
        """Match every article with text in the query's field, scored by its boost alone."""
        found = self._empty(0)
        found.mask = self.columns.lengths(query.fieldname) > 0
        found.score[found.mask] = query.boost
        return found

    def _not(self, query: wq.Not) -> Match:
        """Match the articles the inner query does not, each scored by the boost alone (Whoosh's
        matcher for it walked every article and every word of an inner `field:*`)."""
        inner = self._match(query.query)
        found = self._empty(0)
        found.mask = ~inner.mask
        found.score[found.mask] = query.boost
        found.hits = found.mask.astype(np.int32)
        return found

    def _published_between(self, query: wq.NumericRange) -> Match:
        """Match a publication date range on the date column (Whoosh's matcher walks every
        article of the range through a tree of range terms: a second for 10,000)."""
        dates = self.columns.numbers("published")
        found = self._empty(0)
        dated = self.searcher.schema["undated"].to_column_value(0)  # as the column holds it
        found.mask = self.columns.numbers("undated") == dated
        if query.start is not None:
            found.mask &= dates > query.start if query.startexcl else dates >= query.start
        if query.end is not None:
            found.mask &= dates < query.end if query.endexcl else dates <= query.end
        found.score[found.mask] = query.boost
        return found

    def _expanded(self, query: wq.MultiTerm) -> Match:
        """Match a prefix*, wildcard or fuzzy~ term as the words it stands for, each scored as a
        term and summed (Whoosh's own reading), refusing one that stands for too many."""
        field, words = self._expansion(query)
        found = self._empty(0)
        for word in words:
            docs, weights, _values = self._postings(field, word)
            if len(docs):  # summed in place: a Match per word cost three full arrays each
                found.mask[docs] = True
                found.score[docs] += self._bm25(field, docs, weights, len(docs)) * query.boost
        # As Whoosh's matcher for it counts: one matching term, none for coordination.
        found.hits = found.mask.astype(np.int32)
        return found

    def _expansion(self, query: wq.MultiTerm) -> tuple[str, list[Any]]:
        """Return the field and words whose postings `query` stands for; QueryError past
        MAX_EXPANSION words (None in the cache)."""
        key = repr(query)
        if key in self._expansions:
            self._expansions.move_to_end(key)
        else:
            words = list(islice(self._words(query), MAX_EXPANSION + 1))
            self._expansions[key] = (
                self._target(query.field(), [word for word in words if word])
                if len(words) <= MAX_EXPANSION
                else None
            )
            while len(self._expansions) > CACHED_EXPANSIONS:
                self._expansions.popitem(last=False)
        expansion = self._expansions[key]
        if expansion is None:
            raise QueryError(
                f"{query} stands for more than {MAX_EXPANSION:,} different words: "
                "give more letters before the * or ?, or leave the wildcard out."
            )
        return expansion

    def _target(self, field: str, words: list[Any]) -> tuple[str, list[Any]]:
        """Return the field and words whose postings stand for `words` of `field`: a spelling
        field's whole words (its postings are no articles') stand for their stems in the field
        they were taken from."""
        if not field.startswith(SPELLING_PREFIX):
            return field, words
        spelling, source = self.searcher.schema[field], field.removeprefix(SPELLING_PREFIX)
        target = self.searcher.schema[source]
        stems = {
            target.to_bytes(stem)
            for word in words
            for stem in target.process_text(spelling.from_bytes(word), mode="query")
        }
        return source, sorted(stems)

    def _words(self, query: wq.MultiTerm) -> Iterable[Any]:
        """Yield the words of the index that `query` stands for."""
        reader = self.searcher.reader()
        if not isinstance(query, wq.FuzzyTerm):
            return query._btexts(reader)
        # Whoosh's reader over several segments computes the edit distance of every word with
        # the same first letter in Python (seconds); each segment's own reader walks an automaton.
        field = self.searcher.schema[query.fieldname]
        return sorted(
            {
                field.to_bytes(word)
                for leaf, _offset in reader.leaf_readers()
                for word in leaf.terms_within(
                    query.fieldname, query.text, query.maxdist, prefix=query.prefixlength
                )
            }
        )

    def with_expansions(self, query: wq.Query) -> wq.Query:
        """Return a copy of `query` with each wildcard or fuzzy part replaced by an OR of the
        words it stands for (found once, when matching), for highlighting."""

        def expand(part: wq.Query) -> wq.Query:
            if not isinstance(part, wq.MultiTerm):
                return part
            name, words = self._expansion(part)
            field = self.searcher.schema[name]
            return wq.Or([wq.Term(name, field.from_bytes(word)) for word in words])

        return query.accept(expand)

    def check_expansions(self, query: wq.Query) -> None:
        """Raise QueryError now if a wildcard or fuzzy part of `query` stands for too many
        words, before any posting is read for the others."""
        for part in query.leaves():
            if isinstance(part, wq.MultiTerm):
                self._expansion(part)

    def _term(self, query: wq.Term) -> Match:
        docs, weights, _values = self._postings(query.fieldname, query.text)
        return self._scored(query.fieldname, query.text, docs, weights, query.boost)

    def _scored(
        self, field: str, text: str, docs: np.ndarray, weights: np.ndarray, boost: float
    ) -> Match:
        """Return the articles `docs` holding term `text` of `field`, scored with BM25F."""
        found = self._empty(1 if len(docs) else 0)
        if not len(docs):
            return found
        found.mask[docs] = True
        found.score[docs] = self._bm25(field, docs, weights, len(docs)) * boost
        found.hits[docs] = 1
        return found

    def _bm25(self, field: str, docs: np.ndarray, weights: np.ndarray, postings: int) -> Any:
        """Return the BM25F scores of a term of `field` with `postings` postings in total, for
        articles `docs` holding it `weights` times."""
        if not self.searcher.schema[field].scorable:
            return weights
        # Whoosh's idf: its document frequency counts every posting, deleted or not.
        idf = log(self.searcher.doc_count_all() / (postings + 1)) + 1
        average = self._average_length(field)
        lengths = self.columns.lengths(field)[docs]
        return idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))

    def _average_length(self, field: str) -> float:
        if field not in self._averages:
            self._averages[field] = self.searcher.avg_field_length(field) or 1
        return self._averages[field]

    def _postings(
        self, field: str, text: Any, positions: bool = False
    ) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
        """Return the article numbers, weights and (with `positions`) encoded values of a
        term's postings in every segment."""
        docs, weights, values = [], [], []
        for reader, offset in self.searcher.reader().leaf_readers():
            try:
                matcher = reader.postings(field, text)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):  # deletions: the live mask drops them
                matcher = matcher.child
            ids, found, encoded = postings.read(matcher, positions)
            docs.append(ids + offset)
            weights.append(found)
            values.extend(encoded)
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0), []
        return np.concatenate(docs), np.concatenate(weights), values

    def _phrase(self, phrase: wq.Phrase) -> Match:
        """Score a phrase as its words together, kept where their positions make the phrase.

        Only the articles holding every word are looked at: their positions are read and their
        scores computed, in sparse arrays."""
        field, words = phrase.fieldname, list(phrase.words)
        reads = [self._postings(field, word, positions=len(words) > 1) for word in words]
        docs = reads[0][0]
        for ids, _weights, _values in reads[1:]:
            docs = np.intersect1d(docs, ids, assume_unique=True)
        docs = docs[self.columns.live[docs]]
        if len(words) > 1 and len(docs):
            places = [postings.positions(ids, values, docs) for ids, _w, values in reads]
            docs = docs[postings.phrase_found(places, len(docs), phrase.slop)]
        found = self._empty(sum(1 for ids, _w, _v in reads if len(ids)))
        score = np.zeros(len(docs))
        for ids, weights, _values in reads:
            score += self._bm25(field, docs, weights[np.searchsorted(ids, docs)], len(ids))
        found.mask[docs] = True
        found.score[docs] = score * phrase.boost
        found.hits[docs] = len(words)
        return found

    def _dismax(self, query: wq.DisjunctionMax) -> Match:
        parts = [self._match(sub) for sub in query.subqueries]
        found = self._union(parts)
        best = np.zeros(self.size)
        for part in parts:
            np.maximum(best, part.score, out=best)
        if query.tiebreak:
            best += query.tiebreak * (found.score - best)
        found.score = best
        if query.boost != 1:
            found.score *= query.boost
        return found

    def _or(self, query: wq.Or) -> Match:
        found = self._union([self._match(sub) for sub in query.subqueries])
        terms, scale = found.terms, query.scale
        if scale and terms > 1 and terms != scale:
            # Whoosh's CoordMatcher: a bonus for each further term an article holds.
            found.score += (found.hits - 1) / (terms - scale) ** 2
            found.score *= found.mask * ((terms - 1) / terms)
        if query.boost != 1:
            found.score *= query.boost
        return found

    def _union(self, parts: list[Match]) -> Match:
        if not parts:
            return self._empty(0)
        first, *rest = parts
        found = Match(
            first.mask.copy(), first.score.copy(), first.hits.copy(), sum(p.terms for p in parts)
        )
        for part in rest:
            found.mask |= part.mask
            found.score += part.score
            found.hits += part.hits
        return found

    def _and(self, query: wq.And) -> Match:
        parts = [self._match(sub) for sub in query.subqueries]
        if not parts:
            return self._empty(0)
        found = self._union(parts)
        for part in parts:
            found.mask &= part.mask
        return self._only(found, found.mask, query.boost)

    def _and_maybe(self, query: wq.AndMaybe) -> Match:
        must, maybe = self._match(query.a), self._match(query.b)
        found = self._union([must, maybe])
        return self._only(found, must.mask, query.boost)

    def _and_not(self, query: wq.AndNot) -> Match:
        positive, negative = self._match(query.a), self._match(query.b)
        return self._only(positive, positive.mask & ~negative.mask, query.boost)

    @staticmethod
    def _only(found: Match, mask: np.ndarray, boost: float) -> Match:
        """Return `found` narrowed to the articles in `mask`, its scores times `boost`."""
        found.mask = mask
        found.score *= mask * boost if boost != 1 else mask
        found.hits *= mask
        return found

    def _whoosh(self, query: wq.Query) -> Match:
        """Run `query` through Whoosh's matcher, one posting at a time."""
        found = self._empty(0)
        context = self.searcher.context()
        terms = None
        for searcher, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(searcher, context)
            if terms is None:
                terms = len(list(matcher.term_matchers()))
            while matcher.is_active():
                doc = offset + matcher.id()
                found.mask[doc] = True
                found.score[doc] = matcher.score()
                found.hits[doc] = sum(1 for _ in matcher.matching_terms(matcher.id()))
                matcher.next()
        found.terms = terms or 0
        return found
