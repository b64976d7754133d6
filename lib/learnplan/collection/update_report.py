"""What one safe update did (:func:`learnplan.collection.update.update_collection`), and
its summary for the learner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anki.collection import OpChanges


@dataclass(frozen=True)
class UpdateReport:
    """What one update did. Note ids unless said otherwise; every tuple is sorted."""

    plan_id: str
    timestamp: float  # the package's build time (note mod)
    new: tuple[int, ...] = ()  # notes added by this update
    updated: tuple[int, ...] = ()  # existing notes whose plan content applied
    unchanged: tuple[int, ...] = ()  # existing notes with nothing to change
    moved: tuple[int, ...] = ()  # card ids moved to their new lesson/course deck
    kept_user_edits: tuple[int, ...] = ()  # hand-edited notes whose edits were kept
    restored_tags: tuple[int, ...] = ()  # notes whose own tags were put back
    removed: tuple[int, ...] = ()  # notes no longer in the plan, tagged <plan>::removed
    conflicting: tuple[str, ...] = ()  # GUIDs Anki's importer refused (note type clash)
    renamed_decks: tuple[tuple[str, str], ...] = ()  # (old name, new name)
    removed_decks: tuple[str, ...] = ()  # decks of the plan left empty, removed
    # OpChanges of the merged undo step, so the add-on's CollectionOp can refresh the UI.
    changes: OpChanges | None = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        lines = [
            f"Learning plan '{self.plan_id}' updated: {len(self.new)} new, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged note(s)."
        ]
        if self.moved:
            lines.append(f"{len(self.moved)} card(s) moved to their new lesson deck.")
        if self.renamed_decks:
            lines.append(f"{len(self.renamed_decks)} deck(s) renamed:")
            lines.extend(f"  {old} -> {new}" for old, new in self.renamed_decks)
        if self.removed_decks:
            lines.append(f"{len(self.removed_decks)} empty deck(s) of the plan removed.")
        if self.restored_tags:
            lines.append(f"Your own tags were kept on {len(self.restored_tags)} note(s).")
        if self.kept_user_edits:
            lines.append(
                f"{len(self.kept_user_edits)} note(s) you edited by hand were NOT overwritten "
                f"(search: nid:{','.join(map(str, self.kept_user_edits))})."
            )
        if self.removed:
            lines.append(
                f"{len(self.removed)} note(s) are no longer in the plan; they were kept and "
                f"tagged {self.plan_id}::removed (nothing was deleted)."
            )
        if self.conflicting:
            lines.append(
                f"{len(self.conflicting)} note(s) were left as they were because their card "
                "kind (note type) changed; give such a card a new id to start it afresh."
            )
        return "\n".join(lines)
