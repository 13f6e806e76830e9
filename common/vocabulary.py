"""Words that say nothing about which department handles a question — every such list, in one place, each
named for what it is used for (both interpreters import this: the engine, the console, the actions, and
Rasa's NLU guard and data generator).

- STOPWORDS_EN / _ZH: dropped from search tokens (BM25) and from long questions before encoding.
- UNHIGHLIGHTED_EN / _ZH: the stopwords plus what every question says; the console marks no such word.
- NON_TOPIC_WORDS: words of who-handles examples that name no topic ("which office handles…"); NLU's
  small-talk guard never learns them as topics.
- HOTLINE_REQUEST_EN / _ZH: what a bare "what's the hotline?" consists of; a message with more asks more.
- GENERIC_UNIT_NAMES: bare words that name no department on their own ("Office", "办公室").
"""

from __future__ import annotations

STOPWORDS_EN = frozenset(
    """a an and are as at be been by can do does did for from has have how i if in into is it its me my
    of on or our should so that the their them then there these they this to was we what when where which who
    whom why will with would you your about any also am i'm im want need get got us he she his her
    office department division bureau center responsible handle handles handling deal deals
    please hi hello""".split()
)
STOPWORDS_ZH = frozenset(
    """的 了 是 我 在 和 与 及 或 有 也 就 都 要 会 能 吗 呢 吧 啊 哪 哪个 哪些 什么 怎么 怎么办 谁 找 找谁 管 归
    这 那 个 一 一个 我们 你们 他们 请问 问 想 应该 可以 需要 部门 处 室 办公室 负责 是不是 还是 如何 该 去
    办 办理 给 被 把 对 让 到 上 下 中 等 及其 以及 相关 有关 工作""".split()
)

UNHIGHLIGHTED_EN = STOPWORDS_EN | frozenset(
    """but could had no not than were yours after before can't cannot don't handled departments who's help find
    tell""".split()
)
UNHIGHLIGHTED_ZH = STOPWORDS_ZH | frozenset(
    "我的 你 他 她 它 怎样 哪里 能否 一下 这个 那个 还 没有 没 不 向 请 问题".split()
)

NON_TOPIC_WORDS = frozenset(
    """handle handles handled handling charge sets matters matter want wants from makes make shanghai manage manages
    which what where whom whose office offices division department departments committee bureau center centre
    responsible question questions information know like would could should please help about this that there them
    they their tell does deal deals with have need thing things someone anyone thank thanks good great hello work
    works working city municipal people person find look looking right best also just really some other
    处管 主要 事情 介绍 一下 我们 上海 办公室 部门 负责 哪个 请问 什么 怎么 问题 知道 这个 那个 哪里 办理 处理 工作
    相关 需要 可以 应该 情况 时候 已经 还是 现在 你们 他们 谢谢 咨询 了解 想问 帮忙 一个 没有 这样 如何 为什么""".split()
)

HOTLINE_REQUEST_EN = frozenset(
    "hotline hotlines phone telephone number numbers call ring dial contact reach them they their it its what what's "
    "whats which who is are the a an do does i should can could to for of about your you me my give please there how "
    "get customer service line".split()
)
HOTLINE_REQUEST_ZH = (
    "热线",
    "电话",
    "号码",
    "咨询",
    "联系",
    "方式",
    "多少",
    "什么",
    "哪个",
    "怎么",
    "拨打",
    "请问",
    "你们",
    "客服",
    "一下",
    "可以",
    "的",
    "是",
    "我",
    "给",
    "个",
    "吗",
    "呢",
    "该",
    "要",
    "能",
    "打",
    "问",
)

GENERIC_UNIT_NAMES = frozenset(
    {
        "office",
        "department",
        "division",
        "bureau",
        "center",
        "centre",
        "section",
        "committee",
        "party committee",
        "party committee office",
        "secretariat",
        "办公室",
        "处",
        "部",
        "科",
        "中心",
        "党委",
        "党委办公室",
    }
)
