"""Generate the knowledge-derived NLU data: `python -m bot.generate` (app environment, reads knowledge/).

Why generated, not hand-copied: department names, aliases and example questions live in knowledge/ and change
there; copying them into Rasa files by hand drifts. This writes bot/data/nlu/generated/ (gitignored):

- departments.yml: entity `department` — a regex for English surface forms (with word boundaries), a lookup
  table for Chinese ones (the extractor runs with `use_word_boundaries: false`, which Chinese needs), and a
  synonym per department mapping every surface form to the department id, so the entity value IS the id;
- who_handles.yml: `ask_who_handles` examples from each department's examples_en/zh, topic aliases and
  services;
- department_info.yml: `ask_department_info` examples ("What does the Wage Office do?", "工资处负责什么？")
  built from names and aliases, annotated with the entity.

Surface forms: full name, name without its bracketed part, the bracketed part, org-qualified forms
("公积金中心办公室") and aliases. A form claimed by several departments goes to the one where it ranks best
(full name > short name > bracketed part > alias); a tie means it is ambiguous and it is dropped, as are
bare generic words ("Office", "办公室"). Alternatives are ordered longest first so the longest name wins.

Files are rewritten only when their content changes, so `rasa train` can skip an unchanged model.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.vocabulary import GENERIC_UNIT_NAMES
from knowledge.loader import Department, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "bot" / "data" / "nlu" / "generated"
HANDWRITTEN_DIR = ROOT / "bot" / "data" / "nlu"

RANK_FULL, RANK_SHORT, RANK_INNER, RANK_QUALIFIED, RANK_ALIAS = range(5)

# Aliases in knowledge/ mix names ("Wage Office") with topics ("official seal of the centre"); only the
# name-like ones (Department.name_aliases_*, as retrieval.Engine.find_department uses) become entity forms.
_BRACKETS = re.compile(r"\s*[（(]([^()（）]+)[)）]\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")

INFO_TEMPLATES_EN = [
    "What does the {} do?",
    "What is the {} responsible for?",
    "Tell me about the {}",
    "What are the duties of the {}?",
    "what does {} handle",
    "{}",
    "Which matters does the {} deal with?",
    "what's the {} in charge of?",
]
INFO_TEMPLATES_ZH = [
    "{}是做什么的？",
    "{}负责什么？",
    "介绍一下{}",
    "{}的职责是什么",
    "{}",
    "{}管哪些事情？",
    "{}主要负责哪些工作",
    "请问{}是干什么的",
]


@dataclass(frozen=True)
class Form:
    text: str
    language: str  # "en" | "zh"
    rank: int


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _name_forms(name: str, language: str) -> list[Form]:
    forms = [Form(_norm(name), language, RANK_FULL)]
    inner = _BRACKETS.findall(name)
    short = _norm(_BRACKETS.sub(" ", name))
    if inner:
        forms.append(Form(short, language, RANK_SHORT))
        forms.extend(Form(_norm(i), language, RANK_INNER) for i in inner)
    return forms


def surface_forms(dept: Department, org_short_names: dict[str, tuple[str, ...]]) -> list[Form]:
    """Every way of naming `dept` we generate, before conflict resolution: its names, its name aliases and its
    name after each short name of its organisation ("人社局工资处", "provident fund centre Office";
    knowledge/data/org_aliases.yml)."""
    forms = _name_forms(dept.name, "en") + _name_forms(dept.zh, "zh")
    shorts = {f.language: f.text for f in forms if f.rank in (RANK_FULL, RANK_SHORT)}
    for language, qualifiers in org_short_names.items():
        base = shorts[language]
        joiner = " " if language == "en" else ""
        forms.extend(Form(f"{q}{joiner}{base}", language, RANK_QUALIFIED) for q in qualifiers)
    forms.extend(Form(_norm(a), "en", RANK_ALIAS) for a in dept.name_aliases_en)
    forms.extend(Form(_norm(a), "zh", RANK_ALIAS) for a in dept.name_aliases_zh)
    return forms


def _usable(form: Form) -> bool:
    text = form.text
    if not text or text.lower() in GENERIC_UNIT_NAMES or any(c in text for c in "[]{}|\\"):
        return False
    if form.language == "zh":
        return len(text) >= 2 and bool(_CJK.search(text))
    return len(text) >= 3 and not _CJK.search(text)


def resolve_forms(kb: KnowledgeBase) -> dict[str, list[Form]]:
    """{department id: its unambiguous surface forms}."""
    claims: dict[str, dict[str, Form]] = defaultdict(dict)  # key -> {dept id: best form}
    for dept in kb.departments:
        for form in surface_forms(dept, kb.org_short_names[dept.org]):
            if not _usable(form):
                continue
            key = form.text.lower()
            best = claims[key].get(dept.id)
            if best is None or form.rank < best.rank:
                claims[key][dept.id] = form
    resolved: dict[str, list[Form]] = {d.id: [] for d in kb.departments}
    for by_dept in claims.values():
        top = min(f.rank for f in by_dept.values())
        winners = [d for d, f in by_dept.items() if f.rank == top]
        if len(winners) == 1:
            resolved[winners[0]].append(by_dept[winners[0]])
    return resolved


def _block(items: list[str]) -> str:
    return "".join(f"    - {item}\n" for item in items)


def _one_line(text: str) -> str:
    return _norm(text.replace("\n", " "))


def _entity(text: str, dept_id: str) -> str:
    return f'[{text}]{{"entity": "department", "value": "{dept_id}"}}'


def _handwritten_examples() -> set[str]:
    """Example texts already in the hand-written NLU files (generated ones must not repeat them)."""
    seen: set[str] = set()
    for path in HANDWRITTEN_DIR.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    seen.add(re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", line[2:]).strip().lower())
    return seen


def departments_yml(kb: KnowledgeBase, forms: dict[str, list[Form]]) -> str:
    english = sorted({f.text for fs in forms.values() for f in fs if f.language == "en"}, key=lambda t: (-len(t), t))
    chinese = sorted({f.text for fs in forms.values() for f in fs if f.language == "zh"}, key=lambda t: (-len(t), t))
    alternatives = "|".join(re.escape(t).replace("\\ ", "\\s+") for t in english)
    out = [
        "# GENERATED by `python -m bot.generate` from knowledge/ — do not edit.",
        'version: "3.1"',
        "nlu:",
        "- regex: department",
        "  examples: |",
        _block([f"\\b(?:{alternatives})\\b"]).rstrip("\n"),
        "- lookup: department",
        "  examples: |",
        _block(chinese).rstrip("\n"),
    ]
    for dept in kb.departments:
        texts = sorted({f.text for f in forms[dept.id]}, key=lambda t: (-len(t), t))
        if texts:
            out += [f"- synonym: {dept.id}", "  examples: |", _block(texts).rstrip("\n")]
    return "\n".join(out) + "\n"


def who_handles_yml(kb: KnowledgeBase, seen: set[str]) -> str:
    """Example questions, plus topic aliases ("work injury insurance", "公积金提取") and citizen services
    ("租房提取公积金", "severance pay"): people often type just the topic, and without such examples a bare
    "pension" looked more like "deny" than a question."""
    examples: list[str] = []
    for dept in kb.departments:
        services = [term for service in dept.services for term in (*service.en, *service.zh)]
        for text in (*dept.examples_en, *dept.examples_zh, *dept.topic_aliases, *services):
            line = _one_line(text)
            key = line.lower()
            if not line or key in seen or any(c in line for c in "[]{}"):
                continue
            seen.add(key)
            examples.append(line)
    return (
        "# GENERATED by `python -m bot.generate` from knowledge/ (examples, topic aliases, services) — do not edit.\n"
        'version: "3.1"\nnlu:\n- intent: ask_who_handles\n  examples: |\n' + _block(examples)
    )


def department_info_yml(kb: KnowledgeBase, forms: dict[str, list[Form]], seen: set[str]) -> str:
    examples: list[str] = []
    turn = {"en": 0, "zh": 0}
    for dept in kb.departments:
        for form in sorted(forms[dept.id], key=lambda f: (f.rank, f.text)):
            templates = INFO_TEMPLATES_EN if form.language == "en" else INFO_TEMPLATES_ZH
            # Two templates per form, rotating, so every phrasing is seen with many names.
            for _ in range(2 if form.rank <= RANK_INNER else 1):
                template = templates[turn[form.language] % len(templates)]
                turn[form.language] += 1
                plain = template.format(form.text)
                if plain.lower() in seen:
                    continue
                seen.add(plain.lower())
                examples.append(template.format(_entity(form.text, dept.id)))
    return (
        "# GENERATED by `python -m bot.generate` from knowledge/ (names and aliases) — do not edit.\n"
        'version: "3.1"\nnlu:\n- intent: ask_department_info\n  examples: |\n' + _block(examples)
    )


def _write(path: Path, content: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.write_text(content, encoding="utf-8")
    return True


def generate(out_dir: Path = OUT_DIR, kb: KnowledgeBase | None = None) -> dict[str, bool]:
    """Write the generated files; returns {file name: changed}."""
    kb = kb or load_knowledge()
    forms = resolve_forms(kb)
    seen = _handwritten_examples()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "departments.yml": departments_yml(kb, forms),
        "department_info.yml": department_info_yml(kb, forms, seen),
        "who_handles.yml": who_handles_yml(kb, seen),
    }
    return {name: _write(out_dir / name, content) for name, content in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    changed = generate(args.out)
    for name, did in changed.items():
        print(f"{'wrote' if did else 'unchanged'} {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
