"""The two organisations' names and hotlines, read from the department catalogue (knowledge/data/
departments.yml) — for the parts that do not load the whole knowledge base: the REST channel's own replies
(Rasa's Python 3.10 side) and the widget's table of hotlines (served by the web server). Standard library
and PyYAML only, like the rest of common/.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict

import yaml

CATALOGUE = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "departments.yml"
SHORT_NAMES = CATALOGUE.with_name("org_aliases.yml")  # the first of each organisation's short names


@dataclass(frozen=True)
class OrgFacts:
    """What a reply may say about an organisation: its English and Chinese names and its hotline."""

    name: str
    zh: str
    hotline: str
    short_en: str = ""  # "HRSS", "HPF"
    short_zh: str = ""  # "人社局", "公积金中心"


@functools.lru_cache(maxsize=4)
def organizations(path: Path = CATALOGUE) -> Dict[str, OrgFacts]:
    """{org id: OrgFacts}, in catalogue order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    shorts_path = path.with_name(SHORT_NAMES.name)
    shorts = yaml.safe_load(shorts_path.read_text(encoding="utf-8")) if shorts_path.exists() else {}
    facts = {}
    for org, item in data["organizations"].items():
        names = (shorts.get(org) or {}).get("names") or {}
        facts[org] = OrgFacts(
            name=str(item["name"]),
            zh=str(item["zh"]),
            hotline=str(item["hotline"]),
            short_en=str((names.get("en") or [item["name"]])[0]),
            short_zh=str((names.get("zh") or [item["zh"]])[0]),
        )
    return facts


def as_table(path: Path = CATALOGUE) -> Dict[str, Dict[str, str]]:
    """The same as plain dicts (JSON for the widget)."""
    return {org: asdict(facts) for org, facts in organizations(path).items()}
