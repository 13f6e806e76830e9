"""`whohandles staff add|remove|list`: the accounts that may use the hotline console and the gaps page.

  whohandles staff add NAME --password-stdin     password from the first line of stdin (or a prompt without it)
  whohandles staff add NAME --replace ...        set a new password (ends that account's sessions)
  whohandles staff remove NAME                   delete the account (its sessions end at once)
  whohandles staff list                          names, created, last login

The store is $WHOHANDLES_STAFF_DB or the project's var/staff.db (--db to choose); a running web server sees
changes at once.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time

from web.staff import StaffError, StaffStore


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else "never"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise StaffError("no terminal to ask for the password: pipe it in with --password-stdin")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise StaffError("the two passwords differ")
    return first


def cmd_staff(args: argparse.Namespace) -> int:
    store = StaffStore(args.db)
    try:
        if args.staff_command == "add":
            store.add(args.name, _password(args), replace=args.replace)
            print(f"{'password set for' if args.replace else 'added'} {args.name} ({store.path})")
        elif args.staff_command == "remove":
            if not store.remove(args.name):
                print(f"error: no staff account {args.name!r}", file=sys.stderr)
                return 1
            print(f"removed {args.name}")
        else:
            accounts = store.list()
            if not accounts:
                print(f"No staff accounts yet ({store.path}). Add one: whohandles staff add NAME --password-stdin")
            for a in accounts:
                print(f"{a['name']:<24}  created {_when(a['created_at'])}  last login {_when(a['last_login'])}")
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `staff` on the whohandles CLI."""
    staff = sub.add_parser(
        "staff",
        help="staff accounts for the agent console and the gaps page",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    staff.add_argument(
        "--db", default=None, help="SQLite file (default $WHOHANDLES_STAFF_DB or the project's var/staff.db)"
    )
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="create an account (or --replace its password)")
    add.add_argument("name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--replace", action="store_true", help="set a new password for an existing account")
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    actions.add_parser("list", help="list the accounts")
    staff.set_defaults(func=cmd_staff)
