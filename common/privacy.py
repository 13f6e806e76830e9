"""Masking of personal data before anything is stored (feedback, gaps, the tracker store). Standard library only.

One implementation for both interpreters: the Rasa server (tracker store, Python 3.10) and the app side
(feedback store, web API, action server, Python 3.11) call `mask()`; retrieval never does — it reads the
original message, so answers do not change.

What is replaced, by a placeholder in square brackets:
- `[ID]`    mainland resident ID-card numbers: 18 characters, region + a plausible birth date + sequence, and the
            ISO 7064 MOD 11-2 check digit (0-9 or X);
- `[CARD]`  bank-card numbers: 16-19 digits (optionally grouped with spaces or dashes) that pass the Luhn check;
- `[PHONE]` mobile numbers 1[3-9]xxxxxxxxx (optionally +86 / grouped 3-4-4), landlines with an area code
            (021-12345678, (021) 1234 5678, 02112345678, with an extension) and 7-8 digit numbers right after
            a word such as 电话 / phone;
- `[EMAIL]` e-mail addresses;
- `[NAME]`  a name where a person introduces themselves: 我叫…, 我的名字是…, 本人姓名…, 我姓…, "my name is …",
            "I'm called …", "call me …", and 我是… only when what follows is clearly a name (a common surname and
            one or two more characters, then punctuation, a title such as 先生/女士 or the end; not 我是江苏人).

Not masked: hotline numbers (12333, 12329), years (2024年), amounts (5000元), dates, numbers that fail the
check digit or the Luhn check, and anything shorter than a phone number.
"""

from __future__ import annotations

import copy
import re

ID, CARD, PHONE, EMAIL, NAME = "[ID]", "[CARD]", "[PHONE]", "[EMAIL]", "[NAME]"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){15,18}(?![\d])")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[ -]?[2-9]\d{6,7}(?:[-转]\d{1,5})?(?!\d)")
_KEYWORD_NUMBER = re.compile(
    r"((?:电话|手机|座机|联系方式|号码|phone|tel|mobile)(?:号码|号)?\s*(?:是|为|:|：)?\s*)\d{7,8}(?!\d)", re.IGNORECASE
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# A name is at most 4 characters; stop before words that begin the rest of the sentence.
_ZH_INTRO = re.compile(rf"(我叫|我名叫|我的名字是|我的名字叫|本人姓名|姓名\s*[:：]|本人名叫|我姓)\s*([{_CJK}·]{{1,4}})")
_ZH_STOP = "想要问在是的今从去和我，现因请找能可会刚已于被给到了"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜"
    "崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文"
)
_ZH_IAM = re.compile(rf"我是([{_SURNAMES}][{_CJK}]{{1,2}})(?=先生|女士|小姐|老师|[，,。.！!？?；;、\s]|$)")
_NOT_A_NAME_END = set("人员者生工户族籍方属家长")
_EN_INTRO = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|call me|name\s*:)\s+([A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*){0,2})",
    re.IGNORECASE,
)
_EN_STOP = {
    "and",
    "i",
    "im",
    "i'm",
    "my",
    "from",
    "in",
    "at",
    "with",
    "who",
    "what",
    "how",
    "please",
    "but",
    "so",
    "the",
    "a",
    "an",
    "is",
    "am",
    "here",
    "calling",
    "about",
    "to",
    "for",
    "on",
    "of",
    "or",
}


def id_card_valid(number: str) -> bool:
    """True when an 18-character resident ID number has the right ISO 7064 MOD 11-2 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by bank cards."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _id(m: re.Match) -> str:
    return ID if id_card_valid(m.group(0)) else m.group(0)


def _card(m: re.Match) -> str:
    digits = re.sub(r"[ -]", "", m.group(0))
    return CARD if 16 <= len(digits) <= 19 and luhn_valid(digits) else m.group(0)


def _zh_name(m: re.Match) -> str:
    name = m.group(2)
    while len(name) > 1 and name[-1] in _ZH_STOP:
        name = name[:-1]
    if len(name) > 1 and name[1] in _ZH_STOP:  # 我姓王想问… keeps only 王
        name = name[:1]
    return m.group(0).replace(name, NAME, 1) if name else m.group(0)


def _zh_iam(m: re.Match) -> str:
    name = m.group(1)
    return m.group(0) if name[-1] in _NOT_A_NAME_END else m.group(0).replace(name, NAME, 1)


def _en_name(m: re.Match) -> str:
    prefix = m.group(0)[: m.start(2) - m.start(0)]
    end = 0
    for word in re.finditer(r"\S+", m.group(2)):
        if word.group(0).lower() in _EN_STOP:
            break
        end = word.end()
    return prefix + NAME + m.group(2)[end:] if end else m.group(0)


def mask(text: str | None) -> str:
    """`text` with personal data replaced by placeholders ([ID], [CARD], [PHONE], [EMAIL], [NAME])."""
    if not text:
        return text or ""
    text = _EMAIL.sub(EMAIL, text)
    text = _ID_CARD.sub(_id, text)
    text = _DIGIT_RUN.sub(_card, text)
    text = _MOBILE.sub(PHONE, text)
    text = _LANDLINE.sub(PHONE, text)
    text = _KEYWORD_NUMBER.sub(lambda m: m.group(1) + PHONE, text)
    text = _ZH_INTRO.sub(_zh_name, text)
    text = _ZH_IAM.sub(_zh_iam, text)
    return _EN_INTRO.sub(_en_name, text)


def mask_deep(value: object) -> object:
    """mask() applied to every string inside JSON-like data (dicts, lists); keys are left alone."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_deep(v) for v in value]
    return value


def mask_event(data: dict) -> dict:
    """A Rasa event's as_dict() with personal data masked where user text can be (the tracker store saves this):
    a user event's text, parse_data.text and metadata, and a slot's string values (e.g. a pending question).
    Other events and fields (intents, timestamps, ids, the bot's own replies) are returned unchanged."""
    kind = data.get("event")
    if kind == "user":
        data = copy.deepcopy(data)
        if isinstance(data.get("text"), str):
            data["text"] = mask(data["text"])
        parse = data.get("parse_data")
        if isinstance(parse, dict) and isinstance(parse.get("text"), str):
            parse["text"] = mask(parse["text"])
        if data.get("metadata"):
            data["metadata"] = mask_deep(data["metadata"])
    elif kind == "slot" and isinstance(data.get("value"), (str, list, dict)):
        data = dict(data, value=mask_deep(data["value"]))
    return data
