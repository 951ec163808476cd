"""Progress words of other languages read as English ("dritte Modul der ersten Woche" →
"third module of first week"), so the module rules (`agent.understanding.progress_modules`)
read positions said in German, Italian, Spanish, French or Polish. Plan titles are not
changed; only the words listed under ``foreign_words`` in ``data/progress.yaml`` are.
"""

from __future__ import annotations

import re
from functools import cache

from agent.understanding.progress_modules import phrases, words


@cache
def _table() -> tuple[re.Pattern[str], dict[str, str]]:
    english = {
        str(word).lower(): str(target)
        for target, forms in words()["foreign_words"].items()
        for word in forms
    }
    return re.compile(rf"(?<![\w'-])(?:{phrases(english)})(?![\w'-])"), english


def to_english(text: str) -> str:
    """`text` (lowercased) with the listed foreign progress words replaced by English."""
    pattern, english = _table()
    return pattern.sub(lambda m: english[m.group()], text)
