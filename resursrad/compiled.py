"""A queryset's SQL compiled once per process and shape, then run with each request's values.

Building and compiling a QuerySet costs Django more than PostgreSQL needs to
run it when the query is small and complex: on the case worker's list, the
two queries that carry the visibility rule, the to-do conditions and the
consent annotation took about three times longer to build than to answer.
``QueryShapes`` builds such a query with the ORM, once per shape, from
stand-in values, and remembers the SQL and where each value went among its
parameters. Later requests of the same shape run that SQL with their own
values: the rules stay in the QuerySet methods that built it, and are never
written again by hand.

The shape is everything that changes the SQL itself: the caller's key (the
user's roles, which columns a page shows, a LIMIT) and the length of every
list value (each id of an IN list is one parameter). A value must reach the
SQL as a parameter of its own: a stand-in found written into the SQL text or
in no parameter, or a parameter worked out from one (a day after a stand-in
day), refuses the shape (ValueError); such a value is passed as a value of its
own, and a value the query does not use is not passed. With
``settings.COMPILED_QUERIES_CHECK`` (on in the test suite) every run also
builds the query with the request's real values and fails loudly unless the
ORM would have sent the same SQL with the same parameters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

# The alias the application's shapes run on (it has one database).
USING = "default"

# A value of a query: an id, a day, or a list of ids.
Value = int | date | list[int]

# Stand-ins lie far outside what the application stores: negative ids and days
# in the eleventh century. A parameter in these ranges that is no stand-in was
# worked out from one.
# They start in the middle of their ranges, so that a value worked out either
# way (a day before a stand-in day, as well as after) stays in them.
_STAND_IN_ID_RANGE = range(-(10**15), -(10**15) + 10**6)
_STAND_IN_YEAR_RANGE = range(1000, 1100)
_STAND_IN_IDS = range(-(10**15) + 500_000, -(10**15) + 10**6)
_STAND_IN_YEARS = range(1050, 1100)


@dataclass(frozen=True)
class _Slot:
    """Where a value goes: parameter `index` takes values[name] (or its item `item`), as text or not."""

    index: int
    name: str
    item: int | None
    as_text: bool


@dataclass(frozen=True)
class Compiled:
    """One shape's SQL, its fixed parameters, and the slots the request's values fill."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    # The compiler that made the SQL: its columns, converters and model layout read the rows.
    compiler: SQLCompiler
    using: str

    def params_for(self, values: Mapping[str, Value]) -> list[Any]:
        params = list(self.params)
        for slot in self.slots:
            value: Any = values[slot.name]
            if slot.item is not None:
                value = value[slot.item]
            params[slot.index] = value.isoformat() if slot.as_text else value
        return params

    def _fetch(self, values: Mapping[str, Value]) -> list[Any]:
        # This thread's connection (the compiler's may be another thread's).
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params_for(values))
            rows = cursor.fetchall()
        if self.compiler.has_extra_select:
            # Columns only for ordering, which Django's execute_sql leaves out too.
            rows = [row[: self.compiler.col_count] for row in rows]
        # The ORM's own converters (a day stored as text on SQLite, for one).
        return list(self.compiler.results_iter(results=[rows]))

    def rows(self, values: Mapping[str, Value]) -> list[tuple[Any, ...]]:
        """The rows of a values_list() query, as Django's ValuesListIterable gives them."""
        if self.compiler.query.selected is None:
            raise ValueError("rows() is for a values_list() query; objects() for a model query")
        return [tuple(row) for row in self._fetch(values)]

    def objects(self, values: Mapping[str, Value]) -> list[Model]:
        """The model instances of a model query, with its select_related objects and annotations.

        What Django's ModelIterable does with a compiler's rows.
        """
        compiler = self.compiler
        select, klass_info, annotation_col_map = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
        )
        if compiler.query.selected is not None or klass_info is None:
            raise ValueError("objects() is for a model query; rows() for a values_list() query")
        model: type[Model] = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        # Django 5.2's signature (the type stubs already have a later one's).
        populators = get_related_populators(klass_info, select, self.using)  # type: ignore[call-arg]
        objects = []
        for row in self._fetch(values):
            obj = model.from_db(self.using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def first_of(queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    """The query QuerySet.first() sends, as a queryset to compile: its own order, or the primary key's, and one row."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def _stand_ins(values: Mapping[str, Value]) -> dict[str, Value]:
    """A stand-in of the same kind for every value, each different from every other."""
    stand_ins: dict[str, Value] = {}
    ids = iter(_STAND_IN_IDS)
    years = iter(_STAND_IN_YEARS)
    for name, value in values.items():
        if isinstance(value, list):
            stand_ins[name] = [next(ids) for _ in value]
        elif isinstance(value, datetime):
            raise TypeError(f"{name}: a point in time is not a value a shape takes")
        elif isinstance(value, date):
            stand_ins[name] = date(next(years), 1, 1)
        elif isinstance(value, int) and not isinstance(value, bool):
            stand_ins[name] = next(ids)
        else:
            raise TypeError(f"{name}: {type(value).__name__} is not a value a shape takes")
    return stand_ins


def _shape_of(values: Mapping[str, Value]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (name, len(value) if isinstance(value, list) else type(value).__name__)
        for name, value in sorted(values.items())
    )


def _worked_out_from_a_stand_in(param: Any) -> bool:
    if isinstance(param, bool):
        return False
    if isinstance(param, int):
        return param in _STAND_IN_ID_RANGE
    if isinstance(param, date):
        return param.year in _STAND_IN_YEAR_RANGE
    if isinstance(param, str) and len(param) >= 10 and param[4] == "-" and param[:4].isdigit():
        return int(param[:4]) in _STAND_IN_YEAR_RANGE
    return False


def compile_shape(queryset: QuerySet[Any], stand_ins: Mapping[str, Value]) -> Compiled:
    """The queryset's SQL and where each stand-in went among its parameters."""
    using = queryset.db
    compiler = queryset.query.get_compiler(using)
    sql, params = compiler.as_sql()
    where: dict[Any, tuple[str, int | None, bool]] = {}
    for name, value in stand_ins.items():
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for item, stand_in in items:
            text = stand_in.isoformat() if isinstance(stand_in, date) else str(stand_in)
            if text in sql:
                raise ValueError(f"{name}: written into the SQL, not a parameter")
            where[(type(stand_in), stand_in)] = (name, item, False)
            if isinstance(stand_in, date):
                # A backend that sends days as text (SQLite).
                where[(str, text)] = (name, item, True)
    slots: list[_Slot] = []
    for index, param in enumerate(params):
        try:
            found = where.get((type(param), param))
        except TypeError:  # an unhashable parameter is never a stand-in
            found = None
        if found is not None:
            slots.append(_Slot(index, *found))
        elif _worked_out_from_a_stand_in(param):
            raise ValueError(f"parameter {index} ({param!r}) was worked out from a stand-in")
    # A value that reaches no parameter would be ignored: dropped by Django (a
    # condition it finds can match nothing), or sent in some other form.
    placed = {(slot.name, slot.item) for slot in slots}
    missing = sorted({name for name, item, _ in where.values() if (name, item) not in placed})
    if missing:
        raise ValueError(f"{', '.join(missing)}: reaches no parameter of the SQL")
    return Compiled(sql, tuple(params), tuple(slots), compiler, using)


class QueryShapes:
    """The compiled SQL of one query, per shape, for the process's life (the least used go first).

    ``build(values)`` makes the queryset from values (ids, days, lists of ids);
    it must make the same SQL for the same key and list lengths.
    """

    def __init__(self, build: Callable[[Hashable, Mapping[str, Value]], QuerySet[Any]], maxsize: int = 128):
        self._build = build
        self._maxsize = maxsize
        self._compiled: OrderedDict[Hashable, Compiled] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, values: Mapping[str, Value], using: str = "default") -> Compiled:
        full_key = (using, key, _shape_of(values))
        with self._lock:
            compiled = self._compiled.get(full_key)
            if compiled is not None:
                self._compiled.move_to_end(full_key)
        if compiled is None:
            stand_ins = _stand_ins(values)
            compiled = compile_shape(self._build(key, stand_ins).using(using), stand_ins)
            with self._lock:
                self._compiled[full_key] = compiled
                while len(self._compiled) > self._maxsize:
                    self._compiled.popitem(last=False)
        if getattr(settings, "COMPILED_QUERIES_CHECK", False):
            self.check(compiled, key, values, using)
        return compiled

    def check(self, compiled: Compiled, key: Hashable, values: Mapping[str, Value], using: str) -> None:
        """Fail unless the ORM, given the real values, sends this SQL with these parameters."""
        sql, params = self._build(key, values).using(using).query.get_compiler(using).as_sql()
        expected = compiled.params_for(values)
        if sql != compiled.sql or list(params) != expected:
            raise AssertionError(
                f"A compiled shape differs from the ORM's query.\nORM:      {sql}\n          {list(params)}\n"
                f"compiled: {compiled.sql}\n          {expected}"
            )

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()
