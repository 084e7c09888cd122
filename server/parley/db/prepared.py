"""Statements compiled once per database and run on the driver's cursor: the message path.

``Connection.execute`` wraps a statement that SQLite runs in a few microseconds in a cache
lookup, an execution context, event dispatch and a result object, and on the append path that
wrapping was a third of the server's CPU per message (docs/architecture.md, "Where the time
goes"). A ``Prepared`` statement is compiled for the connection's dialect on first use; each
call converts the parameters with the column types' own bind processors, runs the SQL on the
driver's cursor inside the transaction SQLAlchemy already began, and converts the row that
comes back with the types' result processors: the values ``Connection.execute`` would give.

A driver error is raised as SQLAlchemy's (``IntegrityError`` and the rest), and a connection
the driver reports as lost is invalidated, as ``Connection.execute`` would do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    parameters: Sequence[tuple[str, Processor]]  # in the order the SQL takes them
    constants: Mapping[str, Any]  # values the statement carries itself (the 1 of ``n + 1``)
    positional: bool
    columns: Sequence[tuple[str, Processor]]  # what a row of the result holds


class Prepared:
    """One statement with named bound parameters, runnable below SQLAlchemy's per-call cost."""

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def first(self, conn: Connection, parameters: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict of column name to value, or ``None``."""
        compiled = self._compiled(conn.dialect)
        cursor = self._cursor(conn, compiled, parameters)
        if cursor is None:  # the connection was lost: SQLAlchemy's own path took over
            return self._through_sqlalchemy(conn, parameters)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return {
            name: value if process is None else process(value)
            for (name, process), value in zip(compiled.columns, row, strict=True)
        }

    def run(self, conn: Connection, parameters: Mapping[str, Any]) -> None:
        """Execute for its effect only."""
        cursor = self._cursor(conn, self._compiled(conn.dialect), parameters)
        if cursor is None:
            self._through_sqlalchemy(conn, parameters)
        else:
            cursor.close()

    def _cursor(self, conn: Connection, compiled: _Compiled, parameters: Mapping[str, Any]) -> Any:
        """The driver's cursor after executing, or ``None`` if the connection was lost."""
        given = {**compiled.constants, **parameters}
        values = [
            given[name] if process is None else process(given[name])
            for name, process in compiled.parameters
        ]
        bound: Any = (
            values
            if compiled.positional
            else dict(zip((name for name, _ in compiled.parameters), values, strict=True))
        )
        driver_connection = conn.connection
        cursor = driver_connection.cursor()
        try:
            cursor.execute(compiled.sql, bound)
        except Exception as error:
            cursor.close()
            dbapi = conn.dialect.loaded_dbapi
            if not isinstance(error, dbapi.Error):
                raise
            if conn.dialect.is_disconnect(error, driver_connection.dbapi_connection, None):
                return None
            raise DBAPIError.instance(
                compiled.sql, bound, error, dbapi.Error, dialect=conn.dialect
            ) from error
        return cursor

    def _through_sqlalchemy(
        self, conn: Connection, parameters: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Run the statement the ordinary way. After a lost connection this is what discards
        it, and every connection opened before it (the database went away), and raises the
        error the caller's retry expects; if it runs, its answer is the statement's."""
        result = conn.execute(self.statement, dict(parameters))
        if not result.returns_rows:
            return None
        row = result.mappings().first()
        return None if row is None else dict(row)

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _compile(self.statement, dialect)
        return compiled


def _compile(statement: Select[Any] | UpdateBase, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    binds = compiled.binds
    names = compiled.positiontup if compiled.positional else list(binds)
    parameters = [
        (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in names or ()
    ]
    columns = [
        (str(column.key), column.type.dialect_impl(dialect).result_processor(dialect, None))
        for column in statement.exported_columns
    ]
    constants = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
    return _Compiled(compiled.string, parameters, constants, compiled.positional, columns)
