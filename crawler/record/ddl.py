"""Column types and table definitions generated from a record JSON Schema (pure).

:func:`columns` walks the schema (version 2 by default) into logical types -- ``string``,
``integer``, ``number``, ``timestamp`` (``format: date-time``), ``date`` (``format: date``),
``("list", T)``, ``("struct", [(name, T), ...])`` -- with nullability from ``required`` and
``null`` in ``type``/``oneOf``/``enum``. Renderers:

- :func:`duckdb_columns`: the ``columns=`` argument of DuckDB's ``read_json``, so every batch
  file gets the same column types (auto-detection cannot type a column that is ``null`` in
  every record of a file);
- :func:`pandas_dtypes`: ``dtype`` for ``pandas.read_json`` and the timestamp columns;
- :func:`ddl` ``"postgres"`` (structs and lists of structs as ``JSONB``, lists of strings as
  ``TEXT[]``) and ``"bigquery"`` (``STRUCT``/``ARRAY``, ``TIMESTAMP``, ``DATE``, ``INT64``, ``FLOAT64``).
"""

from __future__ import annotations

from typing import Any

from crawler.record.validate import load_schema


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"].removeprefix("#/")
        target: Any = schema
        for part in ref.split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(schema: dict, node: dict) -> tuple[Any, bool]:
    """``(logical type, nullable)`` of a schema node."""
    node = _resolve(schema, node)
    if "oneOf" in node or "anyOf" in node:
        options = [_resolve(schema, o) for o in node.get("oneOf", node.get("anyOf"))]
        nullable = any(o.get("type") == "null" for o in options)
        rest = [o for o in options if o.get("type") != "null"]
        t, n = _type(schema, rest[0])
        return t, nullable or n
    if "const" in node:
        return ("integer" if isinstance(node["const"], int) else "string"), False
    if "enum" in node:
        values = node["enum"]
        return "string", None in values
    types = node.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    nullable = "null" in types
    types = [t for t in types if t != "null"]
    base = types[0] if types else "string"
    if base == "string":
        fmt = node.get("format")
        return ("timestamp" if fmt == "date-time" else "date" if fmt == "date" else "string"), nullable
    if base in ("integer", "number", "boolean"):
        return base, nullable
    if base == "array":
        item, _ = _type(schema, node.get("items", {}))
        return ("list", item), nullable
    if base == "object":
        required = set(node.get("required", []))
        fields = []
        for name, sub in node.get("properties", {}).items():
            t, n = _type(schema, sub)
            fields.append((name, t, n or name not in required))
        return ("struct", fields), nullable
    return "string", nullable


def columns(version: int = 2) -> list[tuple[str, Any, bool]]:
    """``[(name, logical type, nullable)]`` of the record's top-level fields, in order."""
    schema = load_schema(version)
    t, _ = _type(schema, {k: v for k, v in schema.items() if k != "$defs"})
    return t[1]


_DUCK = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
         "timestamp": "TIMESTAMPTZ", "date": "DATE"}
_PG = {"string": "TEXT", "integer": "BIGINT", "number": "DOUBLE PRECISION", "boolean": "BOOLEAN",
       "timestamp": "TIMESTAMPTZ", "date": "DATE"}
_BQ = {"string": "STRING", "integer": "INT64", "number": "FLOAT64", "boolean": "BOOL",
       "timestamp": "TIMESTAMP", "date": "DATE"}


def _quote_duck(name: str) -> str:
    return f'"{name}"'


def duckdb_type(t: Any) -> str:
    if isinstance(t, str):
        return _DUCK[t]
    if t[0] == "list":
        return duckdb_type(t[1]) + "[]"
    return "STRUCT(" + ", ".join(f"{_quote_duck(n)} {duckdb_type(s)}" for n, s, _ in t[1]) + ")"


def duckdb_columns(version: int = 2) -> dict[str, str]:
    """``read_json(..., columns=duckdb_columns())``: one DuckDB type per field."""
    return {name: duckdb_type(t) for name, t, _ in columns(version)}


PANDAS_TIMESTAMP = "datetime64[us, UTC]"


def pandas_dtypes(version: int = 2) -> tuple[dict[str, str], list[str]]:
    """``(dtype, timestamps)`` for pandas: ``df = pandas.read_json(path, lines=True, dtype=dtype)``,
    then ``df[c] = pandas.to_datetime(df[c], utc=True).astype(PANDAS_TIMESTAMP)`` for each
    timestamp column (a column that is null in every record of a file carries neither a time zone
    nor a unit through ``read_json``). Strings as
    ``string``, integers as nullable ``Int64``, numbers ``float64``, dates as strings, lists and
    structs as Python objects."""
    dtype: dict[str, str] = {}
    timestamps: list[str] = []
    for name, t, nullable in columns(version):
        if t == "timestamp":
            timestamps.append(name)
        elif t in ("string", "date"):
            dtype[name] = "string"
        elif t == "integer":
            dtype[name] = "Int64"
        elif t == "number":
            dtype[name] = "float64"
        else:
            dtype[name] = "object"
    return dtype, timestamps


def pg_type(t: Any) -> str:
    if isinstance(t, str):
        return _PG[t]
    if t[0] == "list" and isinstance(t[1], str):
        return _PG[t[1]] + "[]"
    return "JSONB"


def bq_type(t: Any) -> str:
    if isinstance(t, str):
        return _BQ[t]
    if t[0] == "list":
        return f"ARRAY<{bq_type(t[1])}>"
    return "STRUCT<" + ", ".join(f"`{n}` {bq_type(s)}" for n, s, _ in t[1]) + ">"


def ddl(dialect: str, table: str = "reviews", version: int = 2) -> str:
    """``CREATE TABLE`` for *dialect* (``postgres`` or ``bigquery``), generated from the schema."""
    lines = []
    for name, t, nullable in columns(version):
        if dialect == "postgres":
            not_null = "" if nullable or t[0] == "list" else " NOT NULL"
            extra = " PRIMARY KEY" if name == "id" else ""
            lines.append(f'  "{name}" {pg_type(t)}{not_null}{extra}')
        elif dialect == "bigquery":
            # BigQuery arrays cannot be NULL (an absent list loads as []); REQUIRED only on scalars
            not_null = " NOT NULL" if not nullable and isinstance(t, str) else ""
            lines.append(f"  `{name}` {bq_type(t)}{not_null}")
        else:
            raise ValueError(f"unknown DDL dialect {dialect!r} (postgres, bigquery)")
    quoted = f'"{table}"' if dialect == "postgres" else f"`{table}`"
    return f"CREATE TABLE {quoted} (\n" + ",\n".join(lines) + "\n);"
