"""Load and validate the knowledge base: departments.yml plus one curated file per department."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.schema import (
    Catalogue,
    DepartmentFile,
    DepartmentRef,
    Duty,
    OrgAliases,
    Organization,
    Outside,
    Places,
    Service,
    Synonyms,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# An alias that ends like a unit's name ("Wage Office", "信访办", "纪委", "市外国专家局", "仲裁委员会") or
# starts like one ("Office for letters and visits", "Wages Division of the HRSS Bureau") names the department
# itself; every other alias is a topic it handles ("unemployment benefits", "干部任免"). The one rule for the
# engine's name matcher and the NLU data (bot/generate.py).
_UNIT_NAME = re.compile(
    r"(office|division|department|commission|committee|处|室|办|部|委|局|委员会|部门)\)?）?$"
    r"|\b(office|division|commission|bureau|department|committee)\s+(of|for|\()",
    re.I,
)


class KnowledgeError(ValueError):
    """Bad knowledge data; the message names the file, the department and the field."""


@dataclass(frozen=True)
class Department:
    """Everything the assistant knows about one department."""

    id: str
    org: str
    name: str
    zh: str
    organization: Organization
    duties: tuple[Duty, ...]
    aliases_en: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    examples_en: tuple[str, ...] = ()
    examples_zh: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()  # citizen services, each under one duty (Service.duty, 1-based)

    @property
    def hotline(self) -> str:
        return self.organization.hotline

    @property
    def name_aliases_en(self) -> tuple[str, ...]:
        """The English aliases that are names of the department, not topics it handles."""
        return tuple(a for a in self.aliases_en if _UNIT_NAME.search(a))

    @property
    def name_aliases_zh(self) -> tuple[str, ...]:
        """The Chinese aliases that are names of the department, not topics it handles."""
        return tuple(a for a in self.aliases_zh if _UNIT_NAME.search(a))

    @property
    def topic_aliases(self) -> tuple[str, ...]:
        """Every other alias, in both languages: a topic the department handles ("unemployment benefits")."""
        names = {*self.name_aliases_en, *self.name_aliases_zh}
        return tuple(a for a in (*self.aliases_en, *self.aliases_zh) if a not in names)


@dataclass(frozen=True)
class KnowledgeBase:
    """All departments, in departments.yml order, with lookups by id."""

    organizations: dict[str, Organization]
    departments: tuple[Department, ...]
    org_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # every name of each organisation
    org_topics: dict[str, tuple[str, ...]] = field(default_factory=dict)  # words only one organisation's business uses
    org_short_names: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # org → language → 人社局…
    places: Places | None = None  # places.yml: Shanghai and the other places a question may be about
    outside: tuple[tuple[str, str], ...] = ()  # outside.yml: (language, text) of services none of ours handles
    synonyms: dict[str, str] = field(default_factory=dict)  # synonyms.yml: variant → standard term
    _by_id: dict[str, Department] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({d.id: d for d in self.departments})

    def get(self, department_id: str) -> Department:
        return self._by_id[department_id]

    def __contains__(self, department_id: object) -> bool:
        return department_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.departments]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from exc


def _validate(model: type[BaseModel], data: object, path: Path, who: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(str(p) for p in err['loc']) or '<root>'}': {err['msg']}" for err in exc.errors()
        )
        raise KnowledgeError(f"{path}: department {who}: {problems}") from exc


def load_knowledge(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Read and validate everything; raise KnowledgeError naming the first bad place."""
    catalogue_path = data_dir / "departments.yml"
    catalogue = _validate(Catalogue, _read_yaml(catalogue_path), catalogue_path, "<catalogue>")
    assert isinstance(catalogue, Catalogue)
    files_dir = data_dir / "departments"
    known = {ref.id for ref in catalogue.departments}
    strays = sorted(p.stem for p in files_dir.glob("*.yml") if p.stem not in known)
    if strays:
        raise KnowledgeError(f"{files_dir}: files for unknown department ids {strays}; ids come from {catalogue_path}")
    departments = []
    for ref in catalogue.departments:
        path = files_dir / f"{ref.id}.yml"
        if not path.exists():
            raise KnowledgeError(f"{path}: missing; every department in {catalogue_path} needs its file")
        departments.append(_department(ref, path, catalogue.organizations[ref.org]))
    aliases_path = data_dir / "org_aliases.yml"
    aliases = _validate(OrgAliases, _read_yaml(aliases_path), aliases_path, "<organisations>")
    assert isinstance(aliases, OrgAliases)
    org_names: dict[str, tuple[str, ...]] = {}
    org_topics: dict[str, tuple[str, ...]] = {}
    org_short_names: dict[str, dict[str, tuple[str, ...]]] = {}
    for org_id, org in catalogue.organizations.items():
        cues = getattr(aliases, org_id)
        org_short_names[org_id] = {"en": tuple(cues.names.en), "zh": tuple(cues.names.zh)}
        org_names[org_id] = (org.name, org.zh, org.hotline, *org.aliases, *cues.names.en, *cues.names.zh)
        org_topics[org_id] = (*cues.topics.en, *cues.topics.zh)
    places_path = data_dir / "places.yml"
    places = _validate(Places, _read_yaml(places_path), places_path, "<places>")
    assert isinstance(places, Places)
    outside_path = data_dir / "outside.yml"
    outside = _validate(Outside, _read_yaml(outside_path), outside_path, "<outside>")
    assert isinstance(outside, Outside)
    synonyms_path = data_dir / "synonyms.yml"
    synonyms = _validate(Synonyms, _read_yaml(synonyms_path), synonyms_path, "<synonyms>")
    assert isinstance(synonyms, Synonyms)
    return KnowledgeBase(
        organizations={str(k): v for k, v in catalogue.organizations.items()},
        departments=tuple(departments),
        org_names=org_names,
        org_topics=org_topics,
        org_short_names=org_short_names,
        places=places,
        outside=tuple((lang, t) for topic in outside.topics for lang in ("en", "zh") for t in getattr(topic, lang)),
        synonyms=synonyms.pairs(),
    )


def _department(ref: DepartmentRef, path: Path, organization: Organization) -> Department:
    data = _read_yaml(path)
    curated = _validate(DepartmentFile, data, path, ref.id)
    assert isinstance(curated, DepartmentFile)
    if curated.id != ref.id:
        raise KnowledgeError(f"{path}: department {ref.id}: field 'id' is {curated.id!r}, expected {ref.id!r}")
    return Department(
        id=ref.id,
        org=ref.org,
        name=ref.name,
        zh=ref.zh,
        organization=organization,
        duties=tuple(curated.duties),
        aliases_en=tuple(curated.aliases.en),
        aliases_zh=tuple(curated.aliases.zh),
        examples_en=tuple(curated.examples.en),
        examples_zh=tuple(curated.examples.zh),
        services=tuple(curated.services),
    )
