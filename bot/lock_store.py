"""Rasa's RedisLockStore with every ticket update done atomically (RasaHQ/rasa#9213).

Why: the stock store issues a ticket by GET lock → add ticket → SET lock, and releases one the same way.
With two Rasa replicas, two messages of one sender arriving together both read the same lock: both get
ticket 0 and are served at once (the second reply is computed on a tracker without the first, and one user
message is lost when both save), or one replica's release overwrites the other's fresh ticket. (Rasa Pro's
`concurrent_redis` store fixes it; Rasa Open Source does not.)

Here the same TicketLock (same key, same JSON, same waiting loop in Rasa) is changed only inside a Redis
optimistic transaction (WATCH key → read → MULTI/SET or DEL → EXEC, retried by redis-py when another
replica changed the key meanwhile). So tickets are unique and in arrival order, and a lock is deleted only
when no ticket is left in it. Configured in the cluster's endpoints file as
`type: bot.lock_store.AtomicRedisLockStore` with the stock RedisLockStore settings.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose read-modify-write of a conversation's lock is one Redis transaction."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store given by module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        kwargs.pop("type", None)
        super().__init__(**kwargs)

    def _atomically(
        self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]
    ) -> T:
        """Apply `change(lock) -> (lock to store or None, result)` to the stored lock in one transaction."""
        key = self.key_prefix + conversation_id
        outcome: list[T] = []

        def run(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            outcome[:] = [result]
            pipe.multi()
            if new is None or not new.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())

        self.red.transaction(run, key)
        return outcome[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomically(conversation_id, issue)
        except Exception as e:  # same contract as the stock store: callers catch LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        def expire(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._atomically(conversation_id, expire)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def release(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomically(conversation_id, release)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving deletes the lock in the same transaction when no ticket is left.
        self.finish_serving(conversation_id, ticket_number)
