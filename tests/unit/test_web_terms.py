"""Query terms the console highlights: content words only, Chinese split by jieba, longest first."""

from web.terms import query_terms


def test_english_content_words_only():
    assert set(query_terms("Who handles my provident fund loans?")) == {"provident", "fund", "loans"}


def test_chinese_words_without_question_words():
    terms = query_terms("公积金贷款逾期了找谁")
    assert {"公积金", "贷款", "逾期"} <= set(terms)
    assert "找谁" not in terms and "了" not in terms
    assert terms == sorted(terms, key=len, reverse=True)


def test_mixed_and_empty():
    assert {"pension", "养老"} <= set(query_terms("pension 养老保险"))
    assert query_terms("?? !!") == []
