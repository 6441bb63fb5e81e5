"""The state store: the ledger behind incremental runs and resumable backfills.

:mod:`~crawler.state.base` (the interface and its contract), :mod:`~crawler.state.sqlite` (the
default), :mod:`~crawler.state.redis` (distributed runs; the optional ``redis`` extra),
:mod:`~crawler.state.journal` (the SQLite state's journal, ``<state>.journal``: every write, for
``crawler state rebuild``), :mod:`~crawler.state.open` (:func:`open_state`, :func:`default_state_path`),
:mod:`~crawler.state.lock` (run locks).
"""

from crawler.state.base import StateStore, utc_now
from crawler.state.lock import LockHeld, RunLock
from crawler.state.open import default_state_path, open_state, state_file_path
from crawler.state.journal import journal_path_for, scan_journal
from crawler.state.sqlite import SQLiteStateStore, StateDamaged, check_state_file, replay_journal

__all__ = ["StateStore", "SQLiteStateStore", "open_state", "default_state_path", "state_file_path", "utc_now", "RunLock", "LockHeld",
           "StateDamaged", "check_state_file", "journal_path_for", "scan_journal", "replay_journal"]
