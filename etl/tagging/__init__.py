"""Entity tagging: the gazetteer (package data), the matcher, the rules, themes and salience.

`load_gazetteer` once per run, then `tag` any number of batches of texts with it.
"""

from __future__ import annotations

from etl.tagging.gazetteer import Gazetteer, load_gazetteer
from etl.tagging.tagger import Tagged, tag

__all__ = ["Gazetteer", "Tagged", "load_gazetteer", "tag"]
