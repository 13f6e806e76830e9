"""Poll the servers `make run` starts until they answer, print where to reach them, then stay up.

Runs as the one-shot `ready` program of `make run` (deploy/supervisord-run.conf: scripts/wait-ready --web --exit). Without
--exit it stays up after printing until SIGTERM/SIGINT. If a server is not ready in time it exits 1 (logged by
supervisord, which keeps restarting the server that failed). Stdlib only.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from common import settings
from deploy.cluster import http_ok

READY_TIMEOUT_S = 300.0  # WHOHANDLES_READY_TIMEOUT unset (make cluster waits 600)


def main() -> int:
    try:
        rasa = f"http://127.0.0.1:{settings.integer('RASA_PORT')}"
        actions = f"http://127.0.0.1:{settings.integer('ACTIONS_PORT')}"
        web = f"http://127.0.0.1:{settings.integer('WEB_PORT')}"
        timeout = settings.number_or("READY_TIMEOUT", READY_TIMEOUT_S)
    except settings.SettingError as exc:
        print(f"whohandles: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="scripts/wait-ready", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=timeout)
    parser.add_argument("--web", action="store_true", help="also wait for the web server")
    parser.add_argument("--exit", action="store_true", help="exit once ready instead of staying up")
    args = parser.parse_args()

    checks = {"Rasa": f"{rasa}/webhooks/rest/", "actions": f"{actions}/health"}
    if args.web:
        checks["web"] = f"{web}/"
    start = time.monotonic()
    pending = dict(checks)
    while pending:
        for name, url in list(pending.items()):
            if http_ok(url):
                print(f"{name} ready after {time.monotonic() - start:.1f} s", flush=True)
                del pending[name]
        if pending:
            if time.monotonic() - start > args.timeout:
                print(f"not ready after {args.timeout:.0f} s: {', '.join(pending)} (see its log above)", flush=True)
                return 1
            time.sleep(0.25)  # poll interval, not a guess at start-up time

    print("\nwhohandles is up:", flush=True)
    print(f"  REST channel   POST {rasa}/webhooks/rest/webhook", flush=True)
    print(f"  action server  {actions}/health", flush=True)
    if args.web:
        print(f"  citizen widget {web}/", flush=True)
        print(
            f"  agent console  {web}/agent  (staff login; first account: "
            "whohandles staff add NAME --password-stdin, or make staff ADD=NAME)",
            flush=True,
        )
    print(
        "  try: curl -s -XPOST " + rasa + '/webhooks/rest/webhook -H "Content-Type: application/json" '
        '-d \'{"sender":"me","message":"公积金贷款逾期了找谁"}\'',
        flush=True,
    )
    print("Ctrl-C stops everything.", flush=True)
    if args.exit:
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
