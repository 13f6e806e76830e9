"""Input normalisation (common.normalize), the same on every path: engine, REST channel, console."""

from __future__ import annotations

import pytest

from common.normalize import normalize, to_simplified
from retrieval.tokenize import without_numbers


def test_traditional_becomes_simplified_with_phrases():
    assert to_simplified("上海職稱評定流程") == "上海职称评定流程"
    assert to_simplified("住房公積金貸款") == "住房公积金贷款"
    assert to_simplified("English stays") == "English stays"


def test_full_width_and_whitespace_fold():
    assert normalize("　ＡＢＣ１２３，\t公積金 \n 提取？ ") == "ABC123, 公积金 提取?"
    assert normalize(None) == "" and normalize("   ") == ""


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("2021上海最低工资标准是多少", "上海最低工资标准是多少"),
        ("2020年上海失业金多少钱一个月", "上海失业金多少钱一个月"),
        ("月薪8000元 公积金", "月薪 公积金"),
        ("shanghai pension age 2024", "shanghai pension age"),
        ("12333电话", "12333电话"),  # a hotline names the organisation: kept
        ("e5 model", "e5 model"),
    ],
)
def test_years_and_amounts_leave_the_retrieval_text(text, kept):
    assert without_numbers(text) == kept


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("公積金貸款逾期了找誰", "公积金贷款逾期了找谁"),
        ("職稱評定要準備什麼材料", "职称评定要准备什么材料"),
        ("公司拖欠工資三個月了怎麼辦", "公司拖欠工资三个月了怎么办"),
        ("ＰＲＯＶＩＤＥＮＴ ＦＵＮＤ withdrawal", "PROVIDENT FUND withdrawal"),
    ],
)
def test_traditional_and_full_width_get_the_same_answer(engine, traditional, simplified):
    a, b = engine.ask(traditional), engine.ask(simplified)
    assert a.verdict == b.verdict and a.verdict in ("answer", "clarify")
    assert [d.id for d in a.departments] == [d.id for d in b.departments]
    assert a.confidence == pytest.approx(b.confidence, abs=1e-3)


def test_a_year_does_not_push_a_question_out_of_scope(engine):
    plain = engine.ask("上海最低工资标准")
    dated = engine.ask("2024年上海最低工资标准是多少")
    assert dated.verdict != "no_answer"
    assert dated.departments[0].id == plain.departments[0].id
