"""The Jinja2 sandbox templates run in, and the static checks made on their source.

`ImmutableSandboxedEnvironment` refuses private attributes (`_x`, `__class__`…), mutation of lists and
dicts and unsafe callables; `StrictUndefined` turns an undefined value into an error. On top of that:
`*` and `**` may not build huge values, `range` is capped, `lipsum` is gone, and each rendered part is
limited in size. Templates are written by tenant administrators; these limits keep a mistake (or a
malicious administrator) from exhausting a worker.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Final

from jinja2 import StrictUndefined, Template, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_PART_BYTES: Final = 20 * 1024
"""Longest template part (UTF-8 bytes)."""
MAX_OUTPUT_CHARS: Final = 100_000
"""Longest rendered part."""
MAX_SEQUENCE: Final = 10_000
"""Longest string or list a `*` may build."""
MAX_RANGE: Final = 1_000
"""Most items `range()` may produce."""
MAX_POWER: Final = 64
"""Largest exponent `**` accepts."""

_ATTRIBUTE_FILTERS: Final = frozenset(
    {"attr", "map", "select", "selectattr", "reject", "rejectattr", "sort", "groupby", "sum", "unique"}
    | {"min", "max", "dictsort"}
)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise OverflowError(f"range is limited to {MAX_RANGE} items in templates")
    return numbers


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """The sandboxed environment, with size limits on `*`, `**` and `range`."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, autoescape: bool) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape)
        self.globals.pop("lipsum", None)
        self.globals["range"] = _range

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Refuse `'x' * 10**9` and `9 ** 10**9` before Python tries to build them."""
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
            raise SecurityError(f"exponents above {MAX_POWER} are not allowed in templates")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > MAX_SEQUENCE:
                    raise SecurityError(f"values longer than {MAX_SEQUENCE} are not allowed in templates")
        return super().call_binop(context, operator, left, right)


TEXT_ENV: Final = TemplateSandbox(autoescape=False)
HTML_ENV: Final = TemplateSandbox(autoescape=True)


def env_for(html: bool) -> TemplateSandbox:
    """The autoescaping environment for the e-mail HTML part, the plain one for everything else."""
    return HTML_ENV if html else TEXT_ENV


@lru_cache(maxsize=1024)
def compiled(source: str, html: bool) -> Template:
    """The compiled template (cached: the dispatcher renders the same few sources many times)."""
    return env_for(html).from_string(source)


def render_source(source: str, values: dict[str, Any], html: bool) -> str:
    """Render `source`, refusing output longer than `MAX_OUTPUT_CHARS`. Jinja2 and sandbox errors
    propagate; callers turn them into `DomainError(TEMPLATE_RENDER_FAILED)`."""
    out: list[str] = []
    size = 0
    for chunk in compiled(source, html).generate(values):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise OverflowError(f"the rendered text is longer than {MAX_OUTPUT_CHARS} characters")
        out.append(chunk)
    return "".join(out)


def param_source(expression: str) -> str:
    """The template that renders one WhatsApp parameter expression."""
    return "{{ " + expression + " }}"


def _private(name: object) -> bool:
    return isinstance(name, str) and any(part.startswith("_") for part in name.split("."))


def private_names(ast: nodes.Template) -> list[tuple[int, str]]:
    """(line, name) of every private attribute the template reaches for: `x._y`, `x['_y']`,
    `x|attr('_y')`, `xs|map(attribute='__class__')`…; the sandbox would refuse them when rendering."""
    found: list[tuple[int, str]] = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Getattr) and _private(node.attr):
            found.append((node.lineno, node.attr))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if _private(node.arg.value):
                found.append((node.lineno, str(node.arg.value)))
        elif isinstance(node, nodes.Filter | nodes.Test) and node.name in _ATTRIBUTE_FILTERS:
            args = [*node.args, *(kw.value for kw in node.kwargs)]
            found.extend(
                (node.lineno, str(a.value)) for a in args if isinstance(a, nodes.Const) and _private(a.value)
            )
    return sorted(set(found))
