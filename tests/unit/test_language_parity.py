"""The widget (JavaScript) and every Python side decide a message's language by the same rule.

The widget restates common.language between `<language-rule>` markers (it is one script tag with no build
step); this test runs one set of cases through both with Node and fails on the first disagreement.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from common.language import detect_or_none

WIDGET = Path(__file__).resolve().parents[2] / "web" / "static" / "widget.js"

CASES = [
    "hello",
    "公积金贷款逾期了找谁",
    "HR部门在哪",
    "What does 工资处 do?",
    "who handles my 公积金 loan",
    "12333",
    "",
    "2",
    "👍?",
    "Café?",
    "我想问一下 pension 的问题",
    "OK好的",
    "勞動仲裁",
    "第二个",
    "my 社保 was cut",
    "社保 transfer",
    "A类工作许可",
    "gongjijin 提取",
    "e-mail 地址",
    "x",
]


def _js_rule() -> str:
    source = WIDGET.read_text(encoding="utf-8")
    found = re.search(r"// <language-rule>(.*?)// </language-rule>", source, re.S)
    assert found, "widget.js lost its <language-rule> markers"
    return found.group(1)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is needed to run the widget's rule")
def test_widget_and_python_agree_on_every_case():
    script = (
        _js_rule() + "\nconst cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(cases.map(languageOf)));\n"
    )
    run = subprocess.run(["node", "-e", script], input=json.dumps(CASES), capture_output=True, text=True, check=True)
    javascript = json.loads(run.stdout)
    python = [detect_or_none(c) for c in CASES]
    assert javascript == python, [(c, j, p) for c, j, p in zip(CASES, javascript, python, strict=False) if j != p]


def test_an_english_sentence_with_one_chinese_word_is_english():
    assert detect_or_none("who handles my 公积金 loan") == "en"
    assert detect_or_none("公积金 loan") == "zh"
