"""The code's shape, kept by a test: no status written as a bare string outside its Enum, no
service route written outside shared/api, no module over 350 lines, no function over 60 lines
(tests and migrations aside)."""

from __future__ import annotations

import ast
import enum
from pathlib import Path

from shared.api import intake as intake_api
from shared.api import notify as notify_api
from shared.api import registry as registry_api
from shared.api import review as review_api
from shared.api.intake import ApplicationStatus, Eligibility
from shared.api.notify import MailState
from shared.api.review import Decision, EvaluationStatus
from shared.call_status import CallPhase, CallStatus
from shared.routes import Route

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "shared", ROOT / "services", ROOT / "gateway", ROOT / "infra"]
STATUSES: list[type[enum.StrEnum]] = [
    CallStatus, CallPhase, ApplicationStatus, Eligibility,
    MailState, EvaluationStatus, Decision,
]  # fmt: skip
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def code_files() -> list[Path]:
    return sorted(
        path
        for folder in CODE
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts and ".venv" not in path.parts
    )


def enum_class_names() -> set[str]:
    return {kind.__name__ for kind in STATUSES}


def status_literals(path: Path) -> list[str]:
    """String constants equal to a status value, outside the Enum classes that define them."""
    values = {member.value for kind in STATUSES for member in kind}
    tree = ast.parse(path.read_text())
    inside_enum: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in enum_class_names():
            inside_enum.update(id(child) for child in ast.walk(node))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in values
        and id(node) not in inside_enum
    ]


def test_no_status_is_written_as_a_string() -> None:
    found = [hit for path in code_files() for hit in status_literals(path)]
    assert not found, "use the status Enum:\n" + "\n".join(found)


def test_no_service_module_is_over_350_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {lines}"
        for path in code_files()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, "split these modules:\n" + "\n".join(long)


def test_no_function_is_over_60_lines() -> None:
    long = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines}")
    assert not long, "split these functions:\n" + "\n".join(long)


def test_no_service_route_is_written_outside_its_interface() -> None:
    """A handler and the gateway's client both name the Route in shared/api; a path string
    written again anywhere else would be a second, silently diverging, definition."""
    paths = {
        value.path
        for module in (intake_api, notify_api, registry_api, review_api)
        for value in vars(module).values()
        if isinstance(value, Route)
    }
    written = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.value}"
        for path in code_files()
        if path.parent != ROOT / "shared" / "api"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in paths
    ]
    assert not written, "name the Route instead:\n" + "\n".join(written)
