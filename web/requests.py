"""What the web API accepts, as pydantic models: a vote's JSON body (/api/feedback) and a lookup's query (/api/ask).

`Model.parse(data)` returns the checked, cleaned request or raises the `Problem` (common/errors.py) the API
answers with. Each model's PROBLEMS table names every way it can be wrong — the field ("" for the request as a
whole, "*" for any field), pydantic's error type ("*" for any) and the Problem sent; when several things are
wrong at once, the first row that matches is the one reported.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticKnownError

from common import errors
from common.errors import Problem
from common.text import MAX_MESSAGE_CHARS, clean_text

MAX_QUERY = 500
SENDER = r"^[A-Za-z0-9_.:-]{1,128}$"
DEPT_ID_OR_EMPTY = r"^((hrss|hpf)\.[a-z0-9-]{1,60})?$"
FEEDBACK_EXAMPLE = (
    '{"sender": "user-123", "question": "...", "answer": "...", "department_id": "hpf.loans", "vote": "up"}'
)
Row = tuple[str, str, Problem]
R = TypeVar("R", bound="_Request")


def _text(value: object) -> object:
    """A string, cleaned before any other check: control characters and lone surrogates dropped, trimmed."""
    if not isinstance(value, str):
        raise PydanticKnownError("string_type")
    return clean_text(value)


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _whole_number(value: object) -> object:
    """Python's int() of the text (" 7" and "+7" count, "7.0" does not), as this parameter was always read."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise PydanticKnownError("int_parsing") from None
    return value


class _Request(BaseModel):
    # Unknown fields are ignored; a missing field is its default, checked like a value sent; patterns are
    # Python's re, matched as they always were. In each field the constraints (Field) come before the
    # BeforeValidator, so that they are the string's own checks (string_too_long, not pydantic's generic
    # too_long applied after a validator): the error types PROBLEMS names.
    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True, regex_engine="python-re")
    PROBLEMS: ClassVar[tuple[Row, ...]] = ()

    @classmethod
    def parse(cls: type[R], data: object) -> R:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise cls.problem(exc) from None

    @classmethod
    def problem(cls, exc: ValidationError) -> Problem:
        found = [
            (str(e["loc"][0]) if e["loc"] else "", e["type"], e["msg"])
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        for field, kind, problem in cls.PROBLEMS:
            for where, what, _ in found:
                if (field == where or (field == "*" and where)) and kind in ("*", what):
                    return problem
        where, _, message = found[0]  # not in the table (a new field or constraint without its row): still a 400
        return Problem(400, errors.status_code_name(400), f"{where}: {message}" if where else message)


class FeedbackVote(_Request):
    """A citizen's 👍/👎 on an answer, as the widget sends it."""

    sender: Annotated[str, Field(pattern=SENDER), BeforeValidator(_text)] = ""
    question: Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS), BeforeValidator(_text)] = ""
    answer: Annotated[str, BeforeValidator(_text)] = ""
    department_id: Annotated[str, Field(pattern=DEPT_ID_OR_EMPTY), BeforeValidator(_text)] = ""
    vote: Annotated[Literal["up", "down"], BeforeValidator(_text)] = ""  # type: ignore[assignment]

    PROBLEMS = (
        ("", "model_type", Problem(400, "body_not_object", "Send a JSON object like " + FEEDBACK_EXAMPLE + ".")),
        (
            "*",
            "string_type",
            Problem(400, "bad_field", "sender, question, answer, department_id and vote must be strings."),
        ),
        (
            "question",
            "string_too_long",
            Problem(400, "question_too_long", f"Questions are limited to {MAX_MESSAGE_CHARS} characters."),
        ),
        ("vote", "literal_error", Problem(400, "bad_vote", "vote must be 'up' or 'down'.")),
        ("sender", "*", Problem(400, "bad_sender", "sender must be 1-128 letters, digits or . _ : -")),
        ("question", "string_too_short", Problem(400, "missing_question", "question must not be empty.")),
        (
            "department_id",
            "*",
            Problem(400, "bad_department", "department_id must look like 'hpf.loans' or be empty."),
        ),
    )


class AskParams(_Request):
    """A console lookup: the question `q` (trimmed) and how many departments to rank, `k`."""

    q: Annotated[str, Field(min_length=1, max_length=MAX_QUERY), BeforeValidator(_stripped)] = ""
    k: Annotated[int, Field(ge=1, le=10), BeforeValidator(_whole_number)] = 3

    PROBLEMS = (
        ("q", "string_too_short", Problem(400, "missing_query", "Add a question: /api/ask?q=...")),
        ("q", "string_too_long", Problem(400, "query_too_long", f"Questions are limited to {MAX_QUERY} characters.")),
        ("k", "*", Problem(400, "bad_k", "k must be a whole number from 1 to 10.")),
    )
