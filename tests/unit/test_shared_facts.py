"""Organisation facts have one source (knowledge/data/departments.yml): the widget, the console page and the
REST channel's replies take them from it, never from a copy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from common.organizations import CATALOGUE, organizations
from common.replies import Replies
from web.server import ORGS_PLACEHOLDER, TEXT_PLACEHOLDER, widget_js

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


def _catalogue() -> dict:
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["organizations"]


def test_the_served_widget_carries_the_catalogues_names_and_hotlines():
    served = widget_js()
    assert ORGS_PLACEHOLDER not in served
    table = json.loads(re.search(r"var ORGS = (\{.*?\}\}) \|\| \{\};", served).group(1))
    for org, item in _catalogue().items():
        assert table[org]["name"] == item["name"] and table[org]["zh"] == item["zh"]
        assert table[org]["hotline"] == str(item["hotline"])


def test_the_served_widget_carries_its_texts_in_both_languages():
    served = widget_js()
    assert TEXT_PLACEHOLDER not in served
    catalogue = json.loads((STATIC / "widget-text.json").read_text(encoding="utf-8"))
    assert set(catalogue) == {"en", "zh"} and set(catalogue["en"]) == set(catalogue["zh"])
    assert json.dumps(catalogue, ensure_ascii=False) in served


def test_no_page_script_keeps_its_own_copy_of_a_hotline_or_an_organisation_name():
    facts = [str(v) for item in _catalogue().values() for k, v in item.items() if k in ("name", "zh", "hotline")]
    for script in ("widget.js", "agent.js", "agent.html", "gaps.html"):
        text = (STATIC / script).read_text(encoding="utf-8")
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)  # comments may name them
        assert not [f for f in facts if f in code], script


def test_the_channels_replies_name_both_hotlines_from_the_catalogue():
    replies = Replies(organizations(), max_chars=2000)
    for item in _catalogue().values():
        assert str(item["hotline"]) in replies.apology("en") and item["name"] in replies.apology("en")
        assert str(item["hotline"]) in replies.apology("zh") and item["zh"] in replies.apology("zh")
