"""What could not be carried between a draft and an OTIO timeline, as a typed warning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OtioWarning", "Unmapped"]


@dataclass(frozen=True)
class Unmapped:
    """One thing left out: where it is (track, segment or clip) and why."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class OtioWarning(UserWarning):
    """Some things could not be mapped; `.unmapped` lists them (`Unmapped`), the text says so."""

    def __init__(self, doing: str, unmapped: Sequence[Unmapped]) -> None:
        self.doing = doing
        self.unmapped = tuple(unmapped)
        lines = "".join(f"\n  - {u}" for u in self.unmapped)
        n = len(self.unmapped)
        super().__init__(f"{doing}: {n} thing{'s' if n != 1 else ''} could not be mapped:{lines}")
