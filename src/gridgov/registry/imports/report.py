"""The import report: every problem as (row, column header as in the file, the value,
the reason), with ID numbers and phones masked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gridgov.registry.imports.vocabulary import Kind


@dataclass
class RowProblem:
    """One problem: the row as the spreadsheet shows it, the column header as in the
    file, the value (ID numbers and phones masked) and an English message id."""

    row: int
    column: str
    value: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass
class ImportReport:
    kind: Kind
    file: str
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: int = 0
    located: int = 0  # rows whose grid was found from their longitude and latitude
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems
