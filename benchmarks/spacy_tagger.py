"""A spaCy PhraseMatcher tagger over the gazetteer's aliases: the other yardstick for tagging.

Only spaCy's English tokenizer is used (`spacy.blank("en")`): no model is downloaded. Every
alias (by default the aliases and demonyms of `etl/tagging/data/gazetteer.tsv`, or any
alias table, such as the toolkit's own pattern list) becomes a phrase pattern keyed by its
`entity_id`; overlapping matches are resolved leftmost-longest with `spacy.util.filter_spans`.
PhraseMatcher matches whole tokens, so word boundaries come from the tokenizer. Offsets are
`Span.start_char`/`end_char`: Unicode code points, like the toolkit's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import cast

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.util import filter_spans

from benchmarks.naive import GAZETTEER, Entry, load_aliases

__all__ = ["SpacyTagger"]


class SpacyTagger:
    """Tags texts with a PhraseMatcher built from the gazetteer's aliases."""

    def __init__(self, aliases: Mapping[str, Entry] | None = None) -> None:
        """Build the matcher from `aliases` (default: those of the package's gazetteer.tsv)."""
        aliases = load_aliases(GAZETTEER) if aliases is None else aliases
        self.nlp: Language = spacy.blank("en")
        # spacy.blank's tokenizer is a Tokenizer; Language types it as any callable.
        self.tokenizer = cast(Tokenizer, self.nlp.tokenizer)
        self.matcher = PhraseMatcher(self.nlp.vocab)
        by_entity: dict[str, list[str]] = {}
        self.entries: dict[str, Entry] = {}
        for alias, entry in aliases.items():
            by_entity.setdefault(entry.entity_id, []).append(alias)
            self.entries[entry.entity_id] = entry
        for entity_id, names in by_entity.items():
            self.matcher.add(entity_id, list(self.tokenizer.pipe(names)))

    def mentions(self, texts: Iterable[str]) -> Iterator[list[tuple[int, int, Entry]]]:
        """Yield, per text, the (start, end, entry) of its leftmost-longest matches."""
        for doc in self.tokenizer.pipe(texts, batch_size=1000):
            spans = self.matcher(doc, as_spans=True)
            yield [
                (span.start_char, span.end_char, self.entries[span.label_])
                for span in filter_spans(spans)
            ]

    def count(self, texts: Iterable[str]) -> int:
        """Return the number of mentions in `texts` (what the benchmark times)."""
        return sum(len(found) for found in self.mentions(texts))
