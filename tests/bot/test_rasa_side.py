"""The Rasa side's own code, in Rasa's environment (Python 3.10, `make test-bot`): the server's entry point,
the patches of Rasa internals, the REST channel's construction and replies, the masking tracker store and
the NLU components."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
import rasa
import rasa.core.actions.action as rasa_action
import rasa.server
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot import patches, serve

VALID_ID = "11010519491231002X"  # GB 11643's own example (check digit X)
MOBILE = "13912345678"


@pytest.fixture()
def patched():
    """Rasa with bot/patches.py applied, as `python -m bot.serve` starts it."""
    patches.apply(0.7)
    yield
    patches._applied = False


def test_the_entry_point_refuses_a_rasa_the_patches_were_not_written_for():
    serve.check_rasa_version(rasa.__version__)  # the installed one is fine
    with pytest.raises(SystemExit, match="written for Rasa 3.6"):
        serve.check_rasa_version("3.7.0")


def test_patches_bound_the_action_wait_and_hide_the_version(patched):
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 0.7
    from sanic import Sanic

    app = Sanic("banner-test")
    rasa.server.add_root_route(app)
    handler = next(r.handler for r in app.router.routes if r.path in ("", "/"))
    body = handler.__code__.co_consts
    assert not any(isinstance(c, str) and "Hello from Rasa" in c for c in body)


def test_a_patch_whose_target_rasa_removed_fails_loudly(monkeypatch):
    monkeypatch.delattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT")
    with pytest.raises(patches.PatchError, match="DEFAULT_REQUEST_TIMEOUT"):
        patches.limit_action_wait(1.0)


def test_the_action_wait_comes_from_the_environment_then_credentials(tmp_path, monkeypatch):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(f"{serve.CHANNEL}:\n  action_timeout: 2.5\n", encoding="utf-8")
    monkeypatch.delenv(serve.ACTION_TIMEOUT_ENV, raising=False)
    assert serve.action_timeout(credentials) == 2.5
    assert serve.action_timeout(tmp_path / "missing.yml") == serve.ACTION_TIMEOUT_S
    monkeypatch.setenv(serve.ACTION_TIMEOUT_ENV, "0.4")
    assert serve.action_timeout(credentials) == 0.4


def test_the_channel_will_not_load_without_the_patches():
    from bot.channels.rest import HardenedRestInput

    patches._applied = False
    with pytest.raises(RuntimeError, match="bot.serve"):
        HardenedRestInput()


def test_the_channels_own_replies_name_both_hotlines(patched):
    from bot.channels.rest import HardenedRestInput

    channel = HardenedRestInput.from_credentials({"max_message_chars": 300})
    assert channel.max_message_chars == 300
    assert "12333" in channel.replies.apology("en") and "12329" in channel.replies.apology("zh")
    assert "300" in channel.replies.too_long("zh")


def test_the_tracker_store_never_writes_an_id_or_a_mobile_number(tmp_path):
    from bot.tracker_store import SQLiteTrackerStore

    db = tmp_path / "tracker.db"
    store = SQLiteTrackerStore(domain=Domain.empty(), db=str(db))
    text = f"我叫张三，身份证号{VALID_ID}，手机{MOBILE}，社保怎么转"
    tracker = DialogueStateTracker.from_events("citizen-1", [UserUttered(text, parse_data={"text": text})])
    asyncio.run(store.save(tracker))
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("tracker.db"))
    assert VALID_ID.encode() not in stored and MOBILE.encode() not in stored
    (data,) = sqlite3.connect(db).execute("select data from events").fetchone()
    event = json.loads(data)
    assert "社保怎么转" in event["text"] and "[ID]" in event["text"] and "[PHONE]" in event["text"]


def test_the_language_component_tags_each_message_with_its_language(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from bot.components.language import LanguageEntityExtractor

    component = LanguageEntityExtractor.create(
        LanguageEntityExtractor.get_default_config(),
        LocalModelStorage(Path(tmp_path)),
        Resource("language"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    messages = [Message(data={"text": t}) for t in ("公积金怎么取", "who handles my 公积金 loan", "2")]
    component.process(messages)
    values = [[e["value"] for e in m.get("entities", []) if e["entity"] == "language"] for m in messages]
    assert values == [["zh"], ["en"], []]


def test_sql_retention_deletes_whole_old_conversations_only(tmp_path):
    from bot.tracker_store import SQLiteTrackerStore, SQLRetention

    class Store(SQLRetention, SQLiteTrackerStore):  # the PostgreSQL store's purge, on a SQLite file
        pass

    store = Store(domain=Domain.empty(), db=str(tmp_path / "tracker.db"))
    old = DialogueStateTracker.from_events("old", [UserUttered("社保", timestamp=1_000.0)])
    new = DialogueStateTracker.from_events("new", [UserUttered("公积金")])
    asyncio.run(store.save(old))
    asyncio.run(store.save(new))
    assert store.purge_older_than(days=180) == {"conversations": 1, "events": 1}
    assert asyncio.run(store.keys()) and "old" not in set(asyncio.run(store.keys()))
