"""Draft a curated department file from the seed (used once per department, then edited by hand).

Usage: python -m knowledge.draft [--force]   writes knowledge/data/departments/<id>.yml
"""

from __future__ import annotations

import argparse

import yaml

from knowledge.loader import DATA_DIR
from knowledge.seeds import read_sections, split_duties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args()
    catalogue = yaml.safe_load((DATA_DIR / "departments.yml").read_text(encoding="utf-8"))
    for org_id, org in catalogue["organizations"].items():
        refs = [d for d in catalogue["departments"] if d["org"] == org_id]
        sections = read_sections(DATA_DIR / "seeds" / org["seed"])
        if len(sections) != len(refs):
            raise SystemExit(f"{org['seed']}: {len(sections)} sections but {len(refs)} departments")
        for ref, section in zip(refs, sections, strict=False):
            path = DATA_DIR / "departments" / f"{ref['id']}.yml"
            if path.exists() and not args.force:
                continue
            draft = {
                "id": ref["id"],
                "seed_heading": section.heading,
                "aliases": {"en": [], "zh": []},
                "duties": [{"en": duty, "zh": ""} for duty in split_duties(section.body)],
                "examples": {"en": [], "zh": []},
            }
            path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
            print(f"drafted {path}")


if __name__ == "__main__":
    main()
