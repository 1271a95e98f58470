"""Every environment variable byoc-toolkit's code reads, found in its source: the names given
to ``environ.get`` and ``os.environ[...]``, to the functions that pass a parameter on to them
(``env_settings.integer(env, NAME, ...)``, a module's own helper), and to click's ``envvar=``;
written as a string or as a module constant (``PROGRAM_ENV``, sagemaker-training's
``params.USER_PROGRAM_ENV``)."""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from support.paths import REPO

PACKAGE = REPO / "src" / "byoc_toolkit"
#: byoc init's template is the user's code, not byoc's.
NOT_SCANNED = (PACKAGE / "scaffold" / "template",)
#: Functions that read whichever variables the environment holds, not a setting: (module,
#: function) and why.
WHOLE_ENVIRONMENT = {
    ("testing/training.py", "_environment"): "restores the environment it saved",
}
#: How a loop variable over a dict's items stands for its keys or its values.
_KEYS, _VALUES = "__keys__", "__values__"
#: Mappings that hold the environment where a function reads it.
ENVIRONMENT_NAMES = frozenset({"environ", "env"})


@dataclass(frozen=True)
class Read:
    name: str
    #: ``path:line`` of the read.
    where: str


class UnresolvedRead(Exception):
    """A read whose variable name is not a string the scan can resolve."""


def modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if not any(path.is_relative_to(skipped) for skipped in NOT_SCANNED))


def constants() -> dict[str, ast.expr]:
    """Module-level ``NAME = "string"``, ``NAMES = (NAME, ...)`` and ``{NAME: NAME}``
    assignments across the package, by name."""
    found: dict[str, ast.expr] = {}
    for path in modules():
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, (ast.Constant, ast.Tuple, ast.Dict))):
                found[node.targets[0].id] = node.value
    return found


@functools.cache
def reads() -> tuple[Read, ...]:
    """Every read in the package; raises UnresolvedRead naming any it cannot resolve."""
    trees = {path: ast.parse(path.read_text()) for path in modules()}
    readers = _readers(trees.values())
    names = constants()
    found = []
    for path, tree in trees.items():
        imported = _imported_modules(tree)
        for function, node, argument in _reads_in(tree, readers):
            if _parameter_index(function, argument) is not None:
                continue  # a reader itself: its callers name the variable
            module = path.relative_to(PACKAGE).as_posix()
            if function is not None and (module, function.name) in WHOLE_ENVIRONMENT:
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            loops = _loop_variables(function or tree)
            found.extend(Read(name, where) for name in
                         _resolve(argument, names, imported, loops, where))
    return tuple(found)


def _loop_variables(scope: ast.AST) -> dict[str, ast.expr]:
    """``for NAME in X`` and ``for KEY, VALUE in X.items()`` (statements and comprehensions)
    in ``scope``: NAME -> X; KEY -> X's keys and VALUE -> X's values, as ``X.__keys__`` and
    ``X.__values__``."""
    loops: dict[str, ast.expr] = {}
    for node in ast.walk(scope):
        if not isinstance(node, (ast.For, ast.comprehension)):
            continue
        if isinstance(node.target, ast.Name):
            loops[node.target.id] = node.iter
        elif (isinstance(node.target, ast.Tuple) and len(node.target.elts) == 2
              and isinstance(node.iter, ast.Call) and isinstance(node.iter.func, ast.Attribute)
              and node.iter.func.attr == "items"):
            for element, part in zip(node.target.elts, (_KEYS, _VALUES), strict=True):
                if isinstance(element, ast.Name):
                    loops[element.id] = ast.Attribute(node.iter.func.value, part, ast.Load())
    return loops


def _readers(trees: Iterable[ast.Module]) -> dict[str, int]:
    """Functions that read the variable one of their parameters names, by name: the index of
    that parameter (found until no new one appears: readers call readers)."""
    readers: dict[str, int] = {}
    while True:
        before = dict(readers)
        for tree in trees:
            for function, _, argument in _reads_in(tree, readers):
                index = _parameter_index(function, argument)
                if function is not None and index is not None:
                    readers[function.name] = index
        if readers == before:
            return readers


def _reads_in(tree: ast.Module, readers: dict[str, int]) -> Iterator[
        tuple[ast.FunctionDef | None, ast.expr, ast.expr]]:
    """(enclosing function, node, the expression naming the variable) for each read."""
    for function in [None, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
        body = tree.body if function is None else function.body
        for node in _walk_own(body):
            argument = _read_argument(node, readers)
            if argument is not None:
                yield function, node, argument


def _walk_own(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of ``body``, without those of the functions defined in it."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending.extend([*node.decorator_list, *node.args.defaults])
            continue
        yield node
        pending.extend(ast.iter_child_nodes(node))


def _parameter_index(function: ast.FunctionDef | None, argument: ast.expr) -> int | None:
    if function is None or not isinstance(argument, ast.Name):
        return None
    parameters = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    return parameters.index(argument.id) if argument.id in parameters else None


def _read_argument(node: ast.AST, readers: dict[str, int]) -> ast.expr | None:
    """The expression naming the variable, when ``node`` reads one."""
    if isinstance(node, ast.Call):
        function = node.func
        if (isinstance(function, ast.Attribute) and function.attr == "get"
                and _is_environment(function.value) and node.args):
            return node.args[0]
        called = function.id if isinstance(function, ast.Name) else (
            function.attr if isinstance(function, ast.Attribute) else None)
        if called in readers and len(node.args) > readers[called]:
            return node.args[readers[called]]
        for keyword in node.keywords:
            if keyword.arg == "envvar":
                return keyword.value
    if (isinstance(node, ast.Subscript) and _is_environment(node.value)
            and isinstance(node.ctx, ast.Load)):
        return node.slice
    return None


def _is_environment(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ENVIRONMENT_NAMES
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _imported_modules(tree: ast.Module) -> dict[str, str]:
    """Names bound to modules outside the package by ``import x.y as z`` / ``from x import y``."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _resolve(argument: ast.expr, names: dict[str, ast.expr], imported: dict[str, str],
             loops: dict[str, ast.expr], where: str) -> list[str]:
    """The variable names ``argument`` stands for (several for a loop over a tuple)."""
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.Tuple):
        return [name for element in argument.elts
                for name in _resolve(element, names, imported, loops, where)]
    if isinstance(argument, ast.Name) and argument.id in names:
        return _resolve(names[argument.id], names, imported, loops, where)
    if isinstance(argument, ast.Name) and argument.id in loops:
        return _resolve(loops[argument.id], names, imported, {}, where)
    if isinstance(argument, ast.Attribute) and argument.attr in (_KEYS, _VALUES):
        mapping = argument.value
        if isinstance(mapping, ast.Name) and isinstance(names.get(mapping.id), ast.Dict):
            found = names[mapping.id]
            assert isinstance(found, ast.Dict)
            parts = found.keys if argument.attr == _KEYS else found.values
            return [name for part in parts if part is not None
                    for name in _resolve(part, names, imported, loops, where)]
    if (isinstance(argument, ast.Attribute) and isinstance(argument.value, ast.Name)
            and argument.value.id in imported):
        value = getattr(importlib.import_module(imported[argument.value.id]), argument.attr,
                        None)
        if isinstance(value, str):
            return [value]
    raise UnresolvedRead(f"{where}: cannot tell which variable {ast.unparse(argument)} names")
