"""Every message a person may read from a refusal is a catalogue entry, translated.

``DomainError`` (and its kinds), ``Problem``, ``DataFileError``, ``PhotoRefused``,
``checked_transition``, ``check_length`` and the web layer's ``error_response`` /
``family_error`` take an English catalogue id that the error page or API translates
at render time (``gridgov.i18n.gettext``), with ``%(name)s`` placeholders filled from
``params``. A message the extractor (``make messages``) never saw is shown in English on
a Chinese page. This test reads the source (no imports, no database) and checks the
message argument of every such call in ``src/gridgov``:

- a string literal, or ``N_("...")``: a msgid of the zh_Hans catalogue with a non-empty
  translation, whose ``%(name)s`` placeholders are given when ``params`` is a literal;
- a name: every value it is assigned in its function or module is acceptable, or it is a
  parameter of the enclosing function, whose callers' arguments are then checked in turn
  (the function becomes a message-taking function, to any depth);
- ``a if c else b``: both branches acceptable;
- ``TABLE[key]`` / ``TABLE.get(key, ...)`` of a module-level dict, tuple or list whose
  values are all acceptable;
- ``x.message`` (an existing error's or problem's id, passed on unchanged);
- a call of a function of ours (``rules.signup_problem(...)``): every value it returns;
- a loop or comprehension variable over a table, a walrus target: what it is bound to;
- anything else (an f-string, ``%``/``.format``/``+`` building, ``str(exc)``, a call) is
  a failure: the variable parts belong in ``params``, the id stays constant.

Checking the catalogue rather than the source's shape catches the trap this test was
written for: babel's Python extractor loses messages of a keyword call nested in another
(``InvalidInput("...", details=[Problem(f, "...")])`` extracts neither literal); writing
each as ``N_("...")`` makes the extractor see them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[1] / "src" / "gridgov"
CATALOGUE = SRC / "web" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"

# The roots: the error kinds take the message first; the others at a position or keyword.
ERROR_ROOT = "DomainError"
SINKS: dict[str, tuple[int, str]] = {
    "Problem": (1, "message"),
    "DataFileError": (1, "message"),
    "checked_transition": (3, "refusal"),
    "check_length": (4, "missing"),
    "PhotoRefused": (0, "message"),
    # the web layer's own refusals (status pages, body limits, an unavailable database)
    "error_response": (10_000, "message"),
    "family_error": (10_000, "message"),
}
# What a sink fills in itself, beyond the call's own params.
SINK_PARAMS: dict[str, set[str]] = {"checked_transition": {"current", "target"}}

# Messages that are not for people, by "module path:function" (as in the failures) and
# why. Empty: every refusal scanned here reaches a page or an API answer.
ALLOWED: dict[str, str] = {}

PLACEHOLDER = re.compile(r"%\((\w+)\)")


@cache
def catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str)
    }


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    calls: list[ast.Call] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SRC.parent))


@cache
def modules() -> tuple[Module, ...]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = Module(path, tree)
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                module.parents[child] = node
            if isinstance(node, ast.Call):
                module.calls.append(node)
            elif isinstance(node, ast.ClassDef):
                module.classes.append(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                module.functions.append(node)
        found.append(module)
    return tuple(found)


def callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


@cache
def error_kinds() -> dict[str, ast.ClassDef]:
    """DomainError and every class below it in src, by name."""
    classes = {node.name: node for module in modules() for node in module.classes}
    kinds = {ERROR_ROOT: classes[ERROR_ROOT]}
    grown = True
    while grown:
        grown = False
        for name, node in classes.items():
            if name in kinds:
                continue
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & kinds.keys():
                kinds[name] = node
                grown = True
    return kinds


def own_init(node: ast.ClassDef) -> bool:
    return any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body)


def enclosing_function(
    module: Module, node: ast.AST
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    current = module.parents.get(node)
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return current
        current = module.parents.get(current)
    return None


def enclosing_class(module: Module, node: ast.AST) -> ast.ClassDef | None:
    current = module.parents.get(node)
    while current is not None:
        if isinstance(current, ast.ClassDef):
            return current
        current = module.parents.get(current)
    return None


def argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def literal_params(call: ast.Call) -> set[str] | None:
    """The keys of the call's parameters when they are written out, else None."""
    for kw in call.keywords:
        if kw.arg == "params":
            if isinstance(kw.value, ast.Dict) and all(
                isinstance(k, ast.Constant) for k in kw.value.keys
            ):
                return {str(k.value) for k in kw.value.keys if isinstance(k, ast.Constant)}
            return None
    if callee(call) in SINK_PARAMS:
        return SINK_PARAMS[str(callee(call))]
    if callee(call) in ("Problem", "DataFileError"):
        if any(kw.arg is None for kw in call.keywords):
            return None
        return {kw.arg for kw in call.keywords if kw.arg not in (None, "message")}
    return set()


@dataclass(frozen=True)
class Site:
    module: str
    line: int
    where: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} ({self.where})"


@dataclass
class Checker:
    failures: list[str] = field(default_factory=list)
    checked: int = 0
    # message-taking functions found on the way: name -> (position, keyword)
    takers: dict[str, tuple[int, str]] = field(default_factory=dict)

    def fail(self, site: Site, why: str) -> None:
        if f"{site.module}:{site.where}" in ALLOWED:
            return
        self.failures.append(f"{site}: {why}")

    def check_literal(self, site: Site, text: object, params: set[str] | None) -> None:
        self.checked += 1
        if not isinstance(text, str):
            self.fail(site, f"not a string: {text!r}")
            return
        if not catalogue().get(text):
            self.fail(site, f"not a translated catalogue entry: {text!r}")
        if params is not None and set(PLACEHOLDER.findall(text)) - params:
            self.fail(site, f"placeholders without params: {text!r}")

    def check(
        self, module: Module, node: ast.expr, site: Site, params: set[str] | None, depth: int = 0
    ) -> None:
        if depth > 6:
            self.fail(site, "the message's origin is too far to follow")
            return
        if isinstance(node, ast.Constant):
            self.check_literal(site, node.value, params)
        elif isinstance(node, ast.Call) and callee(node) == "N_" and node.args:
            self.check(module, node.args[0], site, params, depth + 1)
        elif isinstance(node, ast.Tuple):
            # a (code, message) row unpacked into names: its N_ ids are the messages
            ids = [p for p in node.elts if isinstance(p, ast.Call) and callee(p) == "N_"]
            if not ids:
                self.checked += 1
                self.fail(site, f"no message in {ast.unparse(node)}")
            for part in ids:
                self.check(module, part, site, params, depth + 1)
        elif isinstance(node, ast.IfExp):
            self.check(module, node.body, site, params, depth + 1)
            self.check(module, node.orelse, site, params, depth + 1)
        elif isinstance(node, ast.Attribute) and node.attr == "message":
            self.checked += 1  # an existing error's id, passed on
        elif isinstance(node, ast.Name):
            self.check_name(module, node, site, params, depth)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            self.check_table(module, node.value.id, site, depth)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
        ):
            self.check_table(module, node.func.value.id, site, depth)
            for default in node.args[1:]:
                self.check(module, default, site, params, depth + 1)
        elif isinstance(node, ast.Call) and callee(node) in functions():
            # a function of ours that answers with a message id: every value it returns
            for definition_module, definition in functions()[str(callee(node))]:
                for ret in ast.walk(definition):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        if isinstance(ret.value, ast.Constant) and ret.value.value is None:
                            continue
                        self.check(definition_module, ret.value, site, None, depth + 1)
        else:
            self.checked += 1
            self.fail(site, f"a built message, not a catalogue id: {ast.unparse(node)}")

    def check_name(
        self, module: Module, node: ast.Name, site: Site, params: set[str] | None, depth: int
    ) -> None:
        function = enclosing_function(module, node)
        scopes: list[ast.AST] = [function] if function is not None else []
        scopes.append(module.tree)
        for scope in scopes:
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
                kwonly = [a.arg for a in scope.args.kwonlyargs]
                if node.id in names or node.id in kwonly:
                    position = names.index(node.id) if node.id in names else 10_000
                    if names and names[0] in ("self", "cls"):
                        position -= 1
                    owner = enclosing_class(module, scope)
                    taker = owner.name if scope.name == "__init__" and owner else scope.name
                    self.takers[taker] = (position, node.id)
                    self.checked += 1
                    return
            values = list(assigned(scope, node.id, only_top=scope is module.tree))
            if values:
                for value in values:
                    self.check(module, value, site, params if len(values) == 1 else None, depth + 1)
                return
            tables = list(iterated(scope, node.id))
            if tables:
                for table in tables:
                    self.check_entries(module, table, site, depth)
                return
        self.checked += 1
        self.fail(site, f"cannot tell where {node.id!r} comes from")

    def check_table(self, module: Module, name: str, site: Site, depth: int) -> None:
        values = list(assigned(module.tree, name, only_top=True))
        if not values:
            self.checked += 1
            self.fail(site, f"{name} is not a module-level table")
            return
        for value in values:
            self.check_entries(module, value, site, depth)

    def check_entries(self, module: Module, value: ast.expr, site: Site, depth: int) -> None:
        """The messages in a table: the values of a dict, the N_ ids of tuples' rows."""
        if isinstance(value, ast.Name):
            function = enclosing_function(module, value)
            scope: ast.AST = function if function is not None else module.tree
            found = list(assigned(scope, value.id, only_top=scope is module.tree))
            if not found and scope is not module.tree:
                found = list(assigned(module.tree, value.id, only_top=True))
            if not found:
                self.checked += 1
                self.fail(site, f"{value.id} is not a table of messages")
            for table in found:
                self.check_entries(module, table, site, depth + 1)
            return
        if isinstance(value, ast.Dict):
            entries = value.values
        elif isinstance(value, ast.Tuple | ast.List | ast.Set):
            entries = value.elts
        elif isinstance(value, ast.Call) and callee(value) in ("MappingProxyType", "frozenset"):
            entries = [value.args[0]] if value.args else []
            if entries and isinstance(entries[0], ast.Dict):
                entries = entries[0].values
        else:
            self.checked += 1
            self.fail(site, f"{ast.unparse(value)} is not a table of messages")
            return
        for entry in entries:
            if isinstance(entry, ast.Tuple):
                # (code, message) pairs: the strings among them must be messages
                for part in entry.elts:
                    if isinstance(part, ast.Call) and callee(part) == "N_":
                        self.check(module, part, site, None, depth + 1)
            else:
                self.check(module, entry, site, None, depth + 1)


@cache
def functions() -> dict[str, list[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]]:
    found: dict[str, list[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]] = {}
    for module in modules():
        for node in module.functions:
            found.setdefault(node.name, []).append((module, node))
    return found


def iterated(scope: ast.AST, name: str) -> Iterator[ast.expr]:
    """What a loop or comprehension binding ``name`` runs over."""
    for node in ast.walk(scope):
        if isinstance(node, ast.For | ast.comprehension) and any(
            isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)
        ):
            yield node.iter


def assigned(scope: ast.AST, name: str, *, only_top: bool) -> Iterator[ast.expr]:
    body = scope.body if isinstance(scope, ast.Module) and only_top else None
    nodes = body if body is not None else list(ast.walk(scope))
    for node in nodes:
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            if any(
                isinstance(t, ast.Name) and t.id == name
                for target in node.targets
                for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ):
                value = node.value
        elif (
            isinstance(node, ast.NamedExpr | ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            value = node.value
        if value is not None:
            yield value


def message_calls() -> Iterator[tuple[Module, ast.Call, ast.expr | None, str]]:
    """Every call that passes a message to a refusal, with its message argument."""
    kinds = error_kinds()
    for module in modules():
        for node in module.calls:
            name = callee(node)
            if name in kinds and not own_init(kinds[name]):
                yield module, node, argument(node, 0, "message"), name
            elif name in SINKS:
                yield module, node, argument(node, *SINKS[name]), name
            elif (
                name == "__init__"
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call)
                and callee(node.func.value) == "super"
            ):
                owner = enclosing_class(module, node)
                if owner is not None and owner.name in kinds and owner.name != ERROR_ROOT:
                    yield module, node, argument(node, 0, "message"), f"{owner.name}.__init__"


@cache
def run() -> Checker:
    checker = Checker()
    for module, call, message, name in message_calls():
        function = enclosing_function(module, call)
        site = Site(module.name, call.lineno, function.name if function else "<module>")
        if message is None:
            if name in SINKS:
                continue  # check_length and friends with their default message
            checker.fail(site, f"{name}() without a message")
            continue
        checker.check(module, message, site, literal_params(call))
    # Functions that take the message as a parameter: check what their callers pass.
    seen: set[str] = set()
    while checker.takers.keys() - seen:
        for taker in sorted(checker.takers.keys() - seen):
            seen.add(taker)
            position, keyword = checker.takers[taker]
            for module in modules():
                for node in module.calls:
                    if callee(node) == taker:
                        message = argument(node, position, keyword)
                        if message is None:
                            continue
                        function = enclosing_function(module, node)
                        site = Site(
                            module.name, node.lineno, function.name if function else "<module>"
                        )
                        checker.check(module, message, site, None)
    return checker


def test_the_scan_finds_the_refusals() -> None:
    """Not vacuous: the scan sees hundreds of messages, through N_ tables and helpers."""
    checker = run()
    assert checker.checked > 300
    # messages handed through helpers' parameters are followed to the helpers' callers
    assert {"_already", "check_text", "check_length"} <= checker.takers.keys()
    assert len(catalogue()) > 500


def test_a_built_message_is_caught() -> None:
    source = (
        "def f(x, y):\n"
        "    raise InvalidInput(f'Bad {x}.')\n"
        "def g(x):\n"
        "    raise NotFound('No such thing, ever, in %s' % x)\n"
        "def h():\n"
        "    raise Conflict('A sentence that no catalogue has in it.')\n"
        "def k(field):\n"
        "    m = N_('This field is required.')\n"
        "    raise InvalidInput(m, details=[Problem(field, m)])\n"
        "TABLE = {'a': N_('This field is required.'), 'b': 'Said in no catalogue at all.'}\n"
        "def t(key):\n"
        "    raise InvalidInput(TABLE[key])\n"
    )
    module = Module(SRC / "example.py", ast.parse(source))
    for node in ast.walk(module.tree):
        for child in ast.iter_child_nodes(node):
            module.parents[child] = node
    checker = Checker()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and callee(node) in ("InvalidInput", "NotFound", "Conflict"):
            message = argument(node, 0, "message")
            assert message is not None
            checker.check(module, message, Site("example.py", node.lineno, "f"), set())
    assert len(checker.failures) == 4, checker.failures
    assert all("example.py:" in f for f in checker.failures)


def test_every_refusal_message_is_a_translated_catalogue_entry() -> None:
    checker = run()
    assert not checker.failures, "\n".join(checker.failures)
