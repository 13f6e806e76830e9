"""The curated knowledge base against the seeds it came from, and its schema errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import DATA_DIR, KnowledgeError, load_knowledge
from knowledge.seeds import NOISE_LINES, is_dropped, normalise, read_sections, split_duties

KB = load_knowledge()
CATALOGUE = yaml.safe_load((DATA_DIR / "departments.yml").read_text(encoding="utf-8"))


def _seed_sections(org: str):
    return read_sections(DATA_DIR / "seeds" / CATALOGUE["organizations"][org]["seed"])


@pytest.mark.parametrize("org", ["hrss", "hpf"])
def test_no_seed_duty_is_lost(org):
    """Each department file holds exactly the duties the seed states, in the seed's order."""
    sections = _seed_sections(org)
    departments = [d for d in KB.departments if d.org == org]
    assert len(sections) == len(departments)
    for section, dept in zip(sections, departments, strict=False):
        curated = yaml.safe_load((DATA_DIR / "departments" / f"{dept.id}.yml").read_text(encoding="utf-8"))
        assert curated["seed_heading"] == section.heading, dept.id
        assert [normalise(d.en) for d in dept.duties] == [normalise(d) for d in split_duties(section.body)], dept.id


def test_every_seed_sentence_word_survives():
    """Stronger than counting: the seed body minus dropped boilerplate equals the joined duties, word for word."""
    for org in ("hrss", "hpf"):
        for section, dept in zip(_seed_sections(org), [d for d in KB.departments if d.org == org], strict=False):
            words = normalise(section.body)
            for boilerplate in ("to undertake other tasks assigned by the leaders",):
                words = words.replace(boilerplate, " ")
            assert " ".join(words.split()) == " ".join(normalise(d.en) for d in dept.duties), dept.id


def test_scraping_noise_is_dropped():
    texts = [d.en for dept in KB.departments for d in dept.duties]
    assert not any("Joke Collection" in t for t in texts)
    assert not any(is_dropped(t) for t in texts)
    assert "Joke Collection Website" in NOISE_LINES


def test_catalogue_is_the_contract():
    assert KB.ids == [d["id"] for d in CATALOGUE["departments"]]
    assert len(KB.ids) == 38
    assert {d.hotline for d in KB.departments} == {"12333", "12329"}
    assert KB.get("hpf.loans").hotline == "12329"
    assert KB.get("hrss.employment").zh == "就业促进处（失业保险处）"


def test_every_duty_has_a_chinese_translation():
    for dept in KB.departments:
        assert dept.aliases_en and dept.aliases_zh, dept.id
        for duty in dept.duties:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in duty.zh), (dept.id, duty.en)


def test_split_duties_handles_both_seed_styles():
    assert split_duties("Responsible for A; To undertake other tasks assigned by the leaders.") == ["Responsible for A"]
    numbered = "1. Responsible for A; responsible for B; 2. Responsible for C 3 , Responsible for D"
    assert split_duties(numbered) == [
        "Responsible for A",
        "Responsible for B",
        "Responsible for C",
        "Responsible for D",
    ]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_schema_error_names_file_department_and_field(data_copy):
    path = data_copy / "departments" / "hpf.loans.yml"
    _edit(path, lambda d: d["duties"][0].update(zh="not chinese"))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data_copy)
    message = str(err.value)
    assert "hpf.loans.yml" in message and "department hpf.loans" in message and "duties.0.zh" in message


def test_unknown_field_is_rejected(data_copy):
    _edit(data_copy / "departments" / "hrss.wages.yml", lambda d: d.update(phone="12345678"))
    with pytest.raises(KnowledgeError, match="hrss.wages.*phone"):
        load_knowledge(data_copy)


def test_missing_department_file_is_named(data_copy):
    (data_copy / "departments" / "hrss.finance.yml").unlink()
    with pytest.raises(KnowledgeError, match="hrss.finance.yml: missing"):
        load_knowledge(data_copy)


def test_stray_file_and_bad_yaml_are_named(data_copy):
    (data_copy / "departments" / "hrss.nonexistent.yml").write_text("id: x", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown department ids"):
        load_knowledge(data_copy)
    (data_copy / "departments" / "hrss.nonexistent.yml").unlink()
    (data_copy / "departments" / "hpf.office.yml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="hpf.office.yml: not valid YAML"):
        load_knowledge(data_copy)


def test_index_fingerprint_follows_passages_not_file_layout(data_copy):
    """The index is re-encoded when a passage or the encoder changes, and only then."""
    from embeddings import build_passages
    from embeddings.index import fingerprint

    before = fingerprint("e5", build_passages(load_knowledge(data_copy)))
    assert before == fingerprint("e5", build_passages(KB))
    assert fingerprint("minilm", build_passages(KB)) != before
    path = data_copy / "departments" / "hpf.loans.yml"
    path.write_text("# a comment only\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert fingerprint("e5", build_passages(load_knowledge(data_copy))) == before
    _edit(path, lambda d: d["aliases"]["en"].append("home loan desk"))
    assert fingerprint("e5", build_passages(load_knowledge(data_copy))) != before


def test_calibration_questions_are_valid_and_cover_every_department():
    """The calibration set (retrieval/calibrate.py) names real departments and covers all of them."""
    from knowledge.loader import DATA_DIR, load_knowledge
    from retrieval.evaluate import read_cases

    ids = set(load_knowledge().ids)
    cases = [c for path in sorted((DATA_DIR / "calibration").glob("*.jsonl")) for c in read_cases(path, ids)]
    covered = {d for c in cases for d in c.expected}
    assert covered == ids
    assert sum(not c.expected for c in cases) >= 40  # out-of-scope questions to set the no-answer threshold
    assert {c.lang for c in cases} == {"en", "zh"}


def test_a_service_must_name_an_existing_duty(data_copy):
    """Every service entry names the duty it follows from; one naming a duty the file does not have is refused."""
    path = data_copy / "departments" / "hpf.loans.yml"
    count = len(yaml.safe_load(path.read_text(encoding="utf-8"))["duties"])
    _edit(
        path,
        lambda d: d.setdefault("services", []).append(
            {"duty": count + 1, "en": ["home loan rescue"], "zh": ["贷款救助"]}
        ),
    )
    with pytest.raises(KnowledgeError, match=rf"hpf.loans.yml.*names duty {count + 1}, but there are only {count}"):
        load_knowledge(data_copy)


def test_services_cover_citizen_departments_and_feed_the_index():
    """The everyday services sit under real duties and become passages tied to that duty."""
    from embeddings import build_passages

    for dept_id in (
        "hpf.collection",
        "hpf.loans",
        "hrss.employment",
        "hrss.mediation-arbitration",
        "hrss.urban-pension",
        "hrss.injury-welfare",
        "hrss.hr-market",
        "hrss.foreign-experts",
    ):
        dept = KB.get(dept_id)
        assert len(dept.services) >= 4, dept_id
        assert all(1 <= s.duty <= len(dept.duties) for s in dept.services)
    services = [p for p in build_passages(KB) if p.kind == "service"]
    assert {p.lang for p in services} == {"en", "zh"}
    collection = KB.get("hpf.collection")
    rent = next(p for p in services if p.department == "hpf.collection" and "租房" in p.text)
    assert 0 <= rent.duty < len(collection.duties)


def test_places_name_shanghai_and_other_cities():
    assert "上海" in KB.places.shanghai.zh and "Shanghai" in KB.places.shanghai.en
    assert {"北京", "深圳", "杭州"} <= set(KB.places.elsewhere.zh)
    assert "Beijing" in KB.places.elsewhere.en
