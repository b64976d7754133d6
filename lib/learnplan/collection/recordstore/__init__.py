"""The learner's records in a collection: the record files, the old config, the summary.

:mod:`learnplan.progress.entries` defines the entries, :mod:`learnplan.progress.records`
their fold and :mod:`learnplan.progress.migration` the move from the old config layout;
this package reads and writes them in a live ``anki.collection.Collection`` (``anki`` is
never imported here: callers pass the collection), for the add-on and for
``learnplan import|log|report --collection``:

- :func:`read` folds every record file of the media folder (plus, until they are moved,
  the records still kept in the old config layout) and lists what could not be read
  (:mod:`~learnplan.collection.recordstore.reader`);
- :func:`write` adds one new file; a :func:`capture` around a change collects what it
  wrote, so the add-on can take it back on Edit > Undo; :func:`adopt`,
  :func:`change_log` and friends record a change and update the summary;
  :func:`move_old_config` moves the old config records into a file, once
  (:mod:`~learnplan.collection.recordstore.writer`);
- :func:`refresh_summaries` / :func:`stale_summaries` keep the summary in the plan's
  root deck description (:mod:`learnplan.collection.summary`) in step with the records
  (:mod:`~learnplan.collection.recordstore.summaries`).

Nothing here overwrites or deletes a record: files are only added, and an old config key
is removed only once everything it held is in a file.
"""

from __future__ import annotations

from learnplan.collection.recordstore.reader import (
    Problem,
    Stored,
    media_folder,
    old_config,
    read,
    read_file,
    record_names,
    recorded_decks,
)
from learnplan.collection.recordstore.summaries import (
    refresh_summaries,
    stale_summaries,
)
from learnplan.collection.recordstore.writer import (
    MOVE_UNDO_NAME,
    adopt,
    arrived_since,
    capture,
    change_log,
    dismiss,
    forget,
    imported_record,
    move_old_config,
    record_import,
    release,
    set_aside,
    set_current,
    write,
)

__all__ = [
    "MOVE_UNDO_NAME",
    "Problem",
    "Stored",
    "adopt",
    "arrived_since",
    "capture",
    "change_log",
    "dismiss",
    "forget",
    "imported_record",
    "media_folder",
    "move_old_config",
    "old_config",
    "read",
    "read_file",
    "record_import",
    "record_names",
    "recorded_decks",
    "refresh_summaries",
    "release",
    "set_aside",
    "set_current",
    "stale_summaries",
    "write",
]
