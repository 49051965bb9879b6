"""The published API description: complete, served, and its settings documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from interactions_api.config import Settings, settings_table
from tests.api.conftest import ApiClient

README = Path(__file__).resolve().parents[2] / "README.md"
UNSAFE = {"post", "put", "patch", "delete"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in UNSAFE | {"get"}
    ]


def test_docs_and_schema_are_served(client: ApiClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Quire interaction API"
    for path in ("/api/auth/signin", "/api/me/tokens", "/api/admin/users", "/api/ready"):
        assert path in schema["paths"]


def test_docs_page_loads_nothing_from_another_host(client: ApiClient) -> None:
    """Swagger UI's script and stylesheet come from the API itself: /api/docs works offline."""
    page = client.get("/api/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(src.startswith("/api/docs/assets/") for src in sources), sources
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 1000, src
    assert client.get("/api/docs/assets/..%2Fcore.py").status_code == 404
    assert client.get("/api/docs/assets/core.py").status_code == 404


def test_every_route_declares_its_errors_as_error_bodies(client: ApiClient) -> None:
    schema = client.get("/api/openapi.json").json()
    problems = []
    for method, path, op in _operations(schema):
        errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        if not errors:
            problems.append(f"{method.upper()} {path}: no error responses")
        for code, response in errors.items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {})
            if not str(ref.get("$ref", "")).endswith(("/ErrorOut", "/ValidationErrorOut")):
                problems.append(f"{method.upper()} {path} {code}: not an ErrorOut body")
        if method in UNSAFE and "415" not in errors:
            problems.append(f"{method.upper()} {path}: 415 (JSON only) not declared")
        if op.get("summary") is None and not op.get("description"):
            problems.append(f"{method.upper()} {path}: undocumented")
    assert problems == []


def test_routes_needing_a_user_declare_401(client: ApiClient) -> None:
    schema = client.get("/api/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for method, path, op in _operations(schema)
        if path.startswith(("/api/me", "/api/admin", "/api/moderation"))
        and "401" not in op["responses"]
    ]
    assert missing == []


def test_error_shape_is_documented(client: ApiClient) -> None:
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert set(components["ErrorOut"]["required"]) == {"code", "message"}
    assert "fields" in components["ValidationErrorOut"]["properties"]


def test_readme_settings_table_matches_the_settings_class() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", text, re.S)
    assert found, "README.md lacks the <!-- settings:start/end --> table"
    documented = set(re.findall(r"^\| `(QUIRE_[A-Z0-9_]+)`", found.group(1), re.M))
    fields = {f"QUIRE_{name.upper()}" for name in Settings.model_fields}
    assert documented == fields, (
        f"undocumented: {sorted(fields - documented)}; stale: {sorted(documented - fields)}"
    )
    assert found.group(1) == settings_table(), (
        "README settings table is out of date; regenerate it with "
        '`python -c "from interactions_api.config import settings_table; print(settings_table())"`'
    )
