"""Rules shipped as data files (indicator trees, deliberation procedures) are YAML read
with their line numbers, so that a refusal names the line an administrator must fix."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode

from gridgov.errors import Problem


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on (1-based) and each key's."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in mapping:
                raise DataFileError(
                    key_node.start_mark.line + 1, "%(key)s appears twice.", key=str(key)
                )
            mapping[str(key)] = self.construct_object(value_node, deep=True)
            mapping.key_lines[str(key)] = key_node.start_mark.line + 1
        return mapping


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node),  # type: ignore[arg-type]
)


class DataFileError(ValueError):
    """A data file refused at ``line`` (1-based) with a translatable message."""

    def __init__(self, line: int, message: str, **params: Any) -> None:
        self.line = line
        self.problem = Problem(f"line {line}", message, **params)
        super().__init__(f"line {line}: {message % params if params else message}")


def load_yaml(text: str) -> LineDict:
    """Parse ``text``; the top level must be a mapping. Syntax errors name their line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except DataFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise DataFileError(line, "Not valid YAML: %(reason)s", reason=str(exc.problem)) from exc
    except yaml.YAMLError as exc:
        raise DataFileError(1, "Not valid YAML: %(reason)s", reason=str(exc)) from exc
    if not isinstance(data, LineDict):
        raise DataFileError(1, "The file must be a mapping of keys to values.")
    return data
