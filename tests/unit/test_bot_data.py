"""The Rasa side's pure-Python parts: language rule (no letters), generated NLU data, channel text cleaning."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.generate import resolve_forms
from common.language import detect_or_none
from common.text import clean_text
from knowledge.loader import load_knowledge


def test_no_letters_means_no_language():
    assert detect_or_none("2") is None and detect_or_none("👍?") is None and detect_or_none("第二个") == "zh"


def test_generated_forms_are_unambiguous_and_name_real_departments():
    kb = load_knowledge()
    forms = resolve_forms(kb)
    assert set(forms) == set(kb.ids)
    seen: dict[str, str] = {}
    for dept_id, dept_forms in forms.items():
        for form in dept_forms:
            key = form.text.lower()
            assert seen.setdefault(key, dept_id) == dept_id, f"{form.text!r} names two departments"
    # every department can be named in both languages
    for dept_id, dept_forms in forms.items():
        assert {f.language for f in dept_forms} == {"en", "zh"}, dept_id
    assert "office" not in seen and "办公室" not in seen


def test_generate_writes_valid_rasa_files(tmp_path):
    from bot.generate import generate

    generate(tmp_path)
    kb = load_knowledge()
    departments = yaml.safe_load((tmp_path / "departments.yml").read_text(encoding="utf-8"))
    synonyms = {item["synonym"] for item in departments["nlu"] if "synonym" in item}
    assert synonyms == set(kb.ids)
    regex = next(item for item in departments["nlu"] if item.get("regex") == "department")
    pattern = re.compile(regex["examples"].strip()[2:], re.I)
    assert pattern.search("what does the loan management office do").group(0).lower() == "loan management office"
    lookup = next(item for item in departments["nlu"] if item.get("lookup") == "department")
    elements = [line[2:] for line in lookup["examples"].splitlines() if line.startswith("- ")]
    assert elements == sorted(elements, key=lambda t: (-len(t), t)), "longest first, so the longest name wins"
    info = yaml.safe_load((tmp_path / "department_info.yml").read_text(encoding="utf-8"))
    values = set(re.findall(r'"value": "([^"]+)"', info["nlu"][0]["examples"]))
    assert values <= set(kb.ids) and len(values) == len(kb.ids)


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("a\x00b\x07c", "abc"),
        ("  hi \t there  ", "hi there"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("line1\nline2", "line1\nline2"),
        ("bad\ufffdbytes", "badbytes"),
        ("\ud800x", "x"),
        ("工资\u200b处", "工资\u200b处"),
    ],
)
def test_channel_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_origin_lists_take_commas_spaces_or_both():
    from common.origins import parse_origins

    expected = ("https://a.example", "http://127.0.0.1:8080")
    for raw in (
        "https://a.example,http://127.0.0.1:8080",
        "https://a.example http://127.0.0.1:8080",
        " https://a.example/ ,  http://127.0.0.1:8080 , https://a.example",
    ):
        assert parse_origins(raw) == expected
    assert parse_origins("") == ()
