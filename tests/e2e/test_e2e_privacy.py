"""A citizen's ID-card and mobile numbers reach the answer but are stored nowhere (tracker DB, feedback DB, logs)."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


def files_under(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_id_and_mobile_are_stored_nowhere(stack, chat):
    with_pii = chat().say(f"我叫张三，身份证号{ID_NUMBER}，手机{MOBILE}，公积金贷款逾期了找哪个部门")
    assert with_pii.top_id and with_pii.top_id.startswith("hpf."), "answered as usual"
    # An unanswered question is recorded in the feedback DB (the gaps list): it must be masked there too.
    chat().say(f"我的手机{MOBILE}，身份证{ID_NUMBER}，火星上的天气怎么样")
    assert stack.tracker_db.exists() and stack.feedback_db.exists()
    time.sleep(0.5)  # let the servers' writes reach the files (WAL) before reading them; not a timing assertion
    files = files_under(stack.workdir)
    assert any(p.name.startswith("tracker.db") for p in files) and any(p.name.startswith("feedback.db") for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (ID_NUMBER, MOBILE):
            assert secret.encode() not in data, f"{secret} found in {path.relative_to(stack.workdir)}"
            assert secret.encode("utf-16-le") not in data
    tracker = b"".join(p.read_bytes() for p in files if p.name.startswith("tracker.db"))
    assert b"[ID]" in tracker and b"[PHONE]" in tracker and b"[NAME]" in tracker
    feedback = b"".join(p.read_bytes() for p in files if p.name.startswith("feedback.db"))
    assert b"[PHONE]" in feedback and b"[ID]" in feedback
