"""The shape of the curated knowledge: validated with pydantic so bad data fails loudly."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OrgId = Literal["hrss", "hpf"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _needs_cjk(value: str) -> str:
    if not _CJK.search(value):
        raise ValueError(f"must be Chinese text, got {value!r}")
    return value.strip()


def _needs_latin(value: str) -> str:
    if not _LATIN.search(value):
        raise ValueError(f"must be English text, got {value!r}")
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(_Strict):
    """One of the two agencies, as departments.yml describes it."""

    name: str
    aliases: list[str] = []
    zh: str
    hotline: str = Field(pattern=r"^\d{5}$")
    seed: str


class DepartmentRef(_Strict):
    """A department's identity from the departments.yml contract."""

    id: str = Field(pattern=r"^(hrss|hpf)\.[a-z0-9-]+$")
    org: OrgId
    name: str
    zh: str


class Catalogue(_Strict):
    """departments.yml: the contract for ids, names and organisations."""

    organizations: dict[OrgId, Organization]
    departments: list[DepartmentRef]


class Duty(_Strict):
    """One single duty: the seed's English sentence and a faithful Chinese translation."""

    en: str
    zh: str

    _en = field_validator("en")(_needs_latin)
    _zh = field_validator("zh")(_needs_cjk)


class Bilingual(_Strict):
    en: list[str] = []
    zh: list[str] = []

    @field_validator("en")
    @classmethod
    def _en_items(cls, values: list[str]) -> list[str]:
        return [_needs_latin(v) for v in values]

    @field_validator("zh")
    @classmethod
    def _zh_items(cls, values: list[str]) -> list[str]:
        return [_needs_cjk(v) for v in values]


class Service(Bilingual):
    """A citizen service or everyday term that falls under one of the department's duties, in the words people
    use ("租房提取公积金", "severance pay"). `duty` is the 1-based number of that duty in the file's `duties`,
    so a reviewer can check that the service follows from the seed and nothing is invented."""

    duty: int = Field(ge=1)
    en: list[str] = Field(min_length=1)
    zh: list[str] = Field(min_length=1)


class DepartmentFile(_Strict):
    """One curated file under knowledge/data/departments/: what a department does."""

    id: str
    seed_heading: str = Field(min_length=2)
    aliases: Bilingual
    duties: list[Duty] = Field(min_length=1)
    examples: Bilingual = Bilingual()
    services: list[Service] = []

    @model_validator(mode="after")
    def _services_name_real_duties(self) -> "DepartmentFile":
        for n, service in enumerate(self.services, start=1):
            if service.duty > len(self.duties):
                raise ValueError(
                    f"services[{n}] ({service.zh[0]}) names duty {service.duty}, but there are only "
                    f"{len(self.duties)} duties"
                )
        return self


class OrgCues(_Strict):
    names: Bilingual  # short names people use for the organisation
    topics: Bilingual = Bilingual()  # words that only ever concern this organisation's business


class OrgAliases(_Strict):
    """knowledge/data/org_aliases.yml: what tells which organisation a question is about, in both languages."""

    hrss: OrgCues
    hpf: OrgCues


class Places(_Strict):
    """knowledge/data/places.yml: names of Shanghai, words that move something to it, and other places."""

    shanghai: Bilingual
    transfer: Bilingual
    elsewhere: Bilingual


class Outside(_Strict):
    """knowledge/data/outside.yml: neighbouring services no department of ours handles (contrast for the
    domain decision, never shown)."""

    topics: list[Bilingual] = Field(min_length=1)


class Synonyms(_Strict):
    """knowledge/data/synonyms.yml: variant → standard term, by kind of variant."""

    pinyin: dict[str, str]
    regional: dict[str, str]
    typos: dict[str, str]

    def pairs(self) -> dict[str, str]:
        return {**self.pinyin, **self.regional, **self.typos}
