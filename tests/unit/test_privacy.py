"""Personal data is masked before it is stored (common/privacy.py); what is not personal stays as typed."""

from __future__ import annotations

import pytest

from common.privacy import id_card_valid, luhn_valid, mask, mask_deep


def luhn_complete(prefix: str) -> str:
    """prefix + the digit that makes it Luhn-valid."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def id_complete(first17: str) -> str:
    return next(first17 + c for c in "0123456789X" if id_card_valid(first17 + c))


VALID_ID = "11010519491231002X"  # the standard's own example, check digit X
VALID_CARD_16 = luhn_complete("622202123456789")
VALID_CARD_19 = luhn_complete("621700123456789012")


def test_check_digit_and_luhn():
    assert id_card_valid(VALID_ID) and id_card_valid(VALID_ID.lower())
    assert not id_card_valid(VALID_ID[:-1] + "1")
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"我的身份证号是{VALID_ID}，想查社保", "我的身份证号是[ID]，想查社保"),
        (f"ID {id_complete('31010119900307123')} please", "ID [ID] please"),
        ("手机13812345678，帮我查公积金", "手机[PHONE]，帮我查公积金"),
        ("call me on +86 139 1234 5678", "call me on [PHONE]"),
        ("电话 021-64381234 转 12", "电话 [PHONE] 转 12"),
        ("座机(021)64381234", "座机[PHONE]"),
        ("office 02164381234", "office [PHONE]"),
        ("联系电话：64381234", "联系电话：[PHONE]"),
        (f"卡号{VALID_CARD_16}被冻结", "卡号[CARD]被冻结"),
        (
            f"card {VALID_CARD_19[:4]} {VALID_CARD_19[4:8]} {VALID_CARD_19[8:12]} {VALID_CARD_19[12:16]} {VALID_CARD_19[16:]}",
            "card [CARD]",
        ),
        ("mail me at zhang.san+hr@example.com.cn", "mail me at [EMAIL]"),
        ("我叫张三，公积金怎么提取", "我叫[NAME]，公积金怎么提取"),
        ("我叫李小龙想问失业金", "我叫[NAME]想问失业金"),
        ("本人姓名：欧阳娜娜", "本人姓名：[NAME]"),
        ("我姓王想问养老金", "我姓[NAME]想问养老金"),
        ("我是王小明。单位欠薪", "我是[NAME]。单位欠薪"),
        ("我是张伟先生，要办退休", "我是[NAME]先生，要办退休"),
        ("My name is John Smith and I lost my job", "My name is [NAME] and I lost my job"),
        ("my name is anna, who handles pensions?", "my name is [NAME], who handles pensions?"),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "请拨打12333或12329咨询",
        "2024年的社保基数是多少",
        "工资5000元，公积金缴存比例7%",
        "我在2023年12月31日离职，赔偿金额为150000元",
        "123456789012345",  # 15 digits: not an 18-digit ID, not a card length
        "4111111111111112",  # 16 digits with a bad Luhn digit
        VALID_ID[:-1] + "1",  # 18 characters with a wrong check digit
        "我是江苏人，在上海工作",  # 我是 + a place, not a name
        "我是高三学生",
        "我是退休人员，养老金怎么调整",
        "I am unemployed, who pays benefits?",
        "My employer hasn't paid my wages",
        "policy no. 2019-1234",
    ],
)
def test_what_is_not_personal_stays(text):
    assert mask(text) == text


def test_everything_in_one_message_and_nested_data():
    text = f"我叫张三，身份证{VALID_ID}，手机13812345678，邮箱a@b.cn，卡{VALID_CARD_16}，咨询12333"
    masked = mask(text)
    assert masked == "我叫[NAME]，身份证[ID]，手机[PHONE]，邮箱[EMAIL]，卡[CARD]，咨询12333"
    assert mask_deep({"a": [text, 5, None], "b": {"c": "13812345678"}}) == {
        "a": [masked, 5, None],
        "b": {"c": "[PHONE]"},
    }
    assert mask("") == "" and mask(None) == ""


def test_tracker_events_are_masked_where_user_text_is():
    from common.privacy import mask_event

    user = {
        "event": "user",
        "timestamp": 1.5,
        "text": "手机13812345678",
        "message_id": "a1b2",
        "parse_data": {"text": "手机13812345678", "intent": {"name": "who_handles"}, "entities": []},
        "metadata": {"note": "mail x@y.cn"},
        "input_channel": "rest",
    }
    masked = mask_event(user)
    assert masked["text"] == masked["parse_data"]["text"] == "手机[PHONE]"
    assert masked["metadata"] == {"note": "mail [EMAIL]"} and masked["parse_data"]["intent"] == {"name": "who_handles"}
    assert user["text"] == "手机13812345678", "the event the turn is using is not changed"
    slot = {"event": "slot", "name": "pending_question", "value": f"身份证{VALID_ID}"}
    assert mask_event(slot)["value"] == "身份证[ID]"
    bot = {"event": "bot", "text": "请拨打12333"}
    assert mask_event(bot) == bot and mask_event({"event": "slot", "name": "n", "value": 3})["value"] == 3
