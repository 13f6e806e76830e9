"""Every sentence the actions say, in English and Chinese, in one place.

Rules: names and hotlines come from the knowledge base (RankedDepartment / Organization), never from here;
no addresses or opening hours; a department is named in the user's language with the other language in
brackets. Functions return plain text (clients render it as text, never as HTML).
"""

from __future__ import annotations

from common import replies
from knowledge.loader import KnowledgeBase
from retrieval import RankedDepartment

BULLET = "• "

# Only when even the knowledge base cannot be read (no numbers to give).
APOLOGY_NO_KNOWLEDGE = {
    "en": "Sorry, I can't look that up right now. Please try again in a moment.",
    "zh": "抱歉，我暂时无法查询，请稍后再试。",
}


def dept_name(d: RankedDepartment, language: str) -> str:
    """'Loan Management Office (贷款管理处)' or '贷款管理处（Loan Management Office）'."""
    return f"{d.zh}（{d.name}）" if language == "zh" else f"{d.name} ({d.zh})"


def org_name(d: RankedDepartment, language: str) -> str:
    return d.org_zh if language == "zh" else d.org_name


def _bullets(lines: list[str]) -> str:
    return "\n".join(BULLET + line for line in lines)


def _hotline_list(kb: KnowledgeBase, language: str) -> str:
    return replies.hotline_list(kb.organizations.values(), language)


# ---- who handles ------------------------------------------------------------------------------------
def answer(d: RankedDepartment, evidence: list[str], language: str, also: tuple[RankedDepartment, ...] = ()) -> str:
    if language == "zh":
        text = (
            f"这个问题由{d.org_zh}的{dept_name(d, 'zh')}负责。\n相关职责：\n{_bullets(evidence)}\n"
            f"咨询热线：{d.hotline}（{d.org_zh}）"
        )
        others = "；".join(f"{dept_name(o, 'zh')}（{o.org_zh}，热线 {o.hotline}）" for o in also)
        return text + (f"\n也可能是：{others}" if also else "")
    text = (
        f"This is handled by the {dept_name(d, 'en')} of the {d.org_name}.\nRelevant duties:\n"
        f"{_bullets(evidence)}\nHotline: {d.hotline} ({d.org_name})"
    )
    others = "; ".join(f"{dept_name(o, 'en')} ({o.org_name}, hotline {o.hotline})" for o in also)
    return text + (f"\nAlso possible: {others}" if also else "")


def clarify(options: list[RankedDepartment], evidence: list[list[str]], language: str) -> str:
    lines = []
    for n, (d, ev) in enumerate(zip(options, evidence, strict=True), start=1):
        hotline = f"（热线 {d.hotline}）" if language == "zh" else f" (hotline {d.hotline})"
        lines.append(f"{n}. {dept_name(d, language)} — {org_name(d, language)}{hotline}")
        if ev:
            lines.append(f"   {ev[0]}")
    listing = "\n".join(lines)
    if language == "zh":
        return f"您的问题可能由以下几个部门之一负责，哪一个更符合您的情况？\n{listing}\n请点击按钮，或回复“第一个”“第二个”。"
    return (
        f"More than one department could handle this. Which one fits your situation best?\n{listing}\n"
        "Click a button or reply “the first one”, “the second one”…"
    )


def clarify_button(n: int, d: RankedDepartment, language: str) -> str:
    return f"{n}. {dept_name(d, language)}"


def choice_not_understood(options: list[RankedDepartment], language: str) -> str:
    count = len(options)
    if language == "zh":
        return f"抱歉，我没明白您选的是哪一个。请点击按钮，或回复 1 到 {count} 之间的数字。"
    return f"Sorry, I didn't catch which one you mean. Click a button or reply with a number from 1 to {count}."


def nothing_to_choose(language: str) -> str:
    if language == "zh":
        return "目前没有待选择的选项。请直接描述您的问题，例如“公积金贷款逾期了找谁？”"
    return 'There\'s nothing to choose from yet. Please describe your problem, e.g. "Who handles late provident fund loan repayments?"'


def no_answer(kb: KnowledgeBase, language: str) -> str:
    orgs = list(kb.organizations.values())
    if language == "zh":
        names = "和".join(o.zh for o in orgs)
        return (
            f"抱歉，{names}所列的部门似乎都不负责这个问题。"
            f"您可以拨打{_hotline_list(kb, 'zh')}咨询，或换一种说法再问我一次。"
        )
    names = " and the ".join(o.name for o in orgs)
    return (
        f"Sorry, none of the listed departments of the {names} seems to cover this. "
        f"You can call {_hotline_list(kb, 'en')} for advice, or rephrase your question and ask me again."
    )


def other_city(kb: KnowledgeBase, place: str, language: str) -> str:
    """A question about another city: we cover Shanghai's two organisations; the same national hotline numbers
    (12333 human resources and social security, 12329 housing provident fund) answer in that city too."""
    orgs = list(kb.organizations.values())
    if language == "zh":
        names = "和".join(o.zh for o in orgs)
        numbers = "、".join(o.hotline for o in orgs)
        return (
            f"这个助手只介绍{names}的部门分工，不掌握{place}的办理规定。"
            f"在{place}，同样可以拨打 {numbers} 热线咨询当地的人社和公积金业务。"
        )
    names = " and the ".join(o.name for o in orgs)
    numbers = " and ".join(o.hotline for o in orgs)
    return (
        f"I can only tell you which departments of the {names} handle what, so I don't know the rules in {place}. "
        f"In {place}, {numbers} are the hotline numbers to call as well, for the local offices."
    )


def apology(kb: KnowledgeBase, language: str) -> str:
    return replies.apology(kb.organizations.values(), language)


# ---- departments ---------------------------------------------------------------------------------------
def department_info(d: RankedDepartment, duties: list[str], more: bool, language: str) -> str:
    if language == "zh":
        text = f"{dept_name(d, 'zh')}隶属于{d.org_zh}（咨询热线 {d.hotline}）。主要职责：\n{_bullets(duties)}"
        return text + ("\n想了解更多，可以问“那个部门还管什么？”" if more else "")
    text = (
        f"The {dept_name(d, 'en')} is part of the {d.org_name} (hotline {d.hotline}). Its duties:\n{_bullets(duties)}"
    )
    return text + ("\nAsk “what else do they handle?” for more." if more else "")


def more_duties(d: RankedDepartment, duties: list[str], more: bool, language: str) -> str:
    if language == "zh":
        text = f"{dept_name(d, 'zh')}的其他职责：\n{_bullets(duties)}"
        return text + ("\n还有更多，可以继续问“还有呢？”" if more else "")
    text = f"Other duties of the {dept_name(d, 'en')}:\n{_bullets(duties)}"
    return text + ("\nAsk “what else?” for the rest." if more else "")


def all_duties_shown(d: RankedDepartment, count: int, language: str) -> str:
    if language == "zh":
        return f"{dept_name(d, 'zh')}的 {count} 项职责都已经列出来了。还有其他问题吗？"
    return f"That's everything listed for the {dept_name(d, 'en')} — all {count} of its duties. Anything else?"


def which_department(language: str) -> str:
    if language == "zh":
        return "您指的是哪个部门？请告诉我部门名称，或直接描述您的问题。"
    return "Which department do you mean? Tell me its name, or just describe your problem."


def organization(d: RankedDepartment, language: str) -> str:
    if language == "zh":
        return f"{dept_name(d, 'zh')}隶属于{d.org_zh}（{d.org_name}），咨询热线 {d.hotline}。"
    return f"The {dept_name(d, 'en')} belongs to the {d.org_name} ({d.org_zh}). Hotline: {d.hotline}."


# ---- hotlines -----------------------------------------------------------------------------------------
def hotline_for(d: RankedDepartment, language: str) -> str:
    if language == "zh":
        return f"{dept_name(d, 'zh')}属于{d.org_zh}，咨询热线：{d.hotline}。"
    return f"The {dept_name(d, 'en')} is part of the {d.org_name}: call its hotline {d.hotline}."


def hotline_org(name: str, zh: str, hotline: str, language: str) -> str:
    if language == "zh":
        return f"{zh}咨询热线：{hotline}。"
    return f"{name} hotline: {hotline}."


def hotlines_all(kb: KnowledgeBase, language: str) -> str:
    orgs = list(kb.organizations.values())
    if language == "zh":
        lines = [f"{o.zh}：{o.hotline}" for o in orgs]
        return "咨询热线：\n" + _bullets(lines) + "\n告诉我您的问题，我可以告诉您具体由哪个部门负责。"
    lines = [f"{o.name}: {o.hotline}" for o in orgs]
    return "Hotlines:\n" + _bullets(lines) + "\nTell me your problem and I'll tell you which department handles it."
