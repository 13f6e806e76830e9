"""Is a question about another city? Both organisations serve Shanghai only, so "北京公积金租房提取" or
"unemployment benefit in Hangzhou" deserves "this assistant covers Shanghai; call 12333 / 12329 there" rather
than a Shanghai department or a flat refusal. The names live in knowledge/data/places.yml.
"""

from __future__ import annotations

import re

from knowledge.schema import Places

# Many Shanghai streets carry a province's or city's name (南京西路, 四川北路, "West Nanjing Road").
_ZH_STREET = r"(?![东西南北中]?(?:路|街|大道|大街))"
_EN_STREET = r"(?!\s+(?:(?:east|west|north|south|middle|central)\s+)?(?:road|rd|street|st|avenue|ave)\b)"
_EN_BEFORE_STREET = r"(?<!\beast )(?<!\bwest )(?<!\bnorth )(?<!\bsouth )"


def _alternatives(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


class PlaceFinder:
    """Built once from the knowledge base's places; `other_place(text)` per question."""

    def __init__(self, places: Places) -> None:
        self._shanghai = self._pattern(places.shanghai.zh, places.shanghai.en)
        self._transfer = self._pattern(places.transfer.zh, places.transfer.en)
        self._elsewhere = re.compile(
            f"(?:{_alternatives(places.elsewhere.zh)}){_ZH_STREET}"
            f"|{_EN_BEFORE_STREET}\\b(?:{_alternatives(places.elsewhere.en)})\\b{_EN_STREET}",
            re.IGNORECASE,
        )

    @staticmethod
    def _pattern(zh: list[str], en: list[str]) -> re.Pattern[str]:
        return re.compile(f"{_alternatives(zh)}|\\b(?:{_alternatives(en)})\\b", re.IGNORECASE)

    def other_place(self, text: str) -> str | None:
        """The other place a question is about, when it names one and neither names Shanghai nor moves
        something between that place and here ("北京的社保转到上海", "transfer my pension from Chengdu")."""
        found = self._elsewhere.search(text)
        if found is None or self._shanghai.search(text) or self._transfer.search(text):
            return None
        return found.group(0)
