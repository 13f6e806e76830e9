"""The REST channel's own bilingual replies — what it says itself, before or instead of the bot: a message
too long or empty, Rasa's reset commands, and the apology when the action server cannot answer. (The
actions keep their wording in actions/messages.py.) Hotlines and names come from common.organizations.
"""

from __future__ import annotations

from typing import Dict, Iterable, Protocol

from common.organizations import OrgFacts


class HasHotline(Protocol):
    """An organisation as the catalogue gives it (common.organizations.OrgFacts, knowledge's Organization)."""

    @property
    def name(self) -> str: ...
    @property
    def zh(self) -> str: ...
    @property
    def hotline(self) -> str: ...


def hotline_list(orgs: Iterable[HasHotline], language: str) -> str:
    """ "the … hotline 12333 or the … hotline 12329" / "…热线 12333或…热线 12329"."""
    if language == "zh":
        return "或".join(f"{o.zh}热线 {o.hotline}" for o in orgs)
    return " or ".join(f"the {o.name} hotline {o.hotline}" for o in orgs)


def apology(orgs: Iterable[HasHotline], language: str) -> str:
    """When no answer can be looked up (the channel: the action server failed; an action: no knowledge)."""
    if language == "zh":
        return f"抱歉，我暂时无法查询。请拨打{hotline_list(orgs, 'zh')}。"
    return f"Sorry, I can't look that up right now. Please call {hotline_list(orgs, 'en')}."


class Replies:
    def __init__(self, orgs: Dict[str, OrgFacts], max_chars: int) -> None:
        self.orgs = orgs
        self.max_chars = max_chars

    def too_long(self, language: str) -> str:
        if language == "zh":
            return (
                f"您的消息太长了（上限 {self.max_chars} 个字符）。请用一两句话描述您的问题，"
                "例如“公积金贷款逾期了找哪个部门？”"
            )
        return (
            f"Your message is too long (the limit is {self.max_chars} characters). Please describe your "
            'problem in a sentence or two, e.g. "Who handles late provident fund loan repayments?"'
        )

    def empty(self, language: str) -> str:
        if language == "zh":
            return "请输入您的问题，例如“单位拖欠工资找哪个部门？”"
        return 'Please type your question, e.g. "My employer hasn\'t paid my wages — who handles that?"'

    def reset(self, command: str) -> str:
        """After Rasa's own conversation commands, which reply with nothing (both languages: the command
        carries none)."""
        if command == "/back":
            return "OK, I went back one step. Ask your question again. · 好的，已返回上一步，请重新提问。"
        return "The conversation has been started afresh: describe your problem. · 对话已重新开始，请描述您的问题。"

    def apology(self, language: str) -> str:
        return apology(self.orgs.values(), language)
