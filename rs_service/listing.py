"""Lists that scale: one page of a query or a list, natural ordering of names, and search patterns.

Every list page runs a fixed number of SQL statements whatever the number of rows: a count and
one page of rows, then lookups keyed by the page's ids.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for
from sqlalchemy import ColumnElement, Select, func, or_

from rs_service.extensions import db

T = TypeVar("T")

PER_PAGE = 50
MAX_PER_PAGE = 200
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item shown (0 when the page is empty)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_number(value: Any) -> int:
    """A page number from a query string: a whole number of at least 1, else the first page."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 10**6)


def page_of_query(query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of an ordered query, in two statements: the count, then the page's rows."""
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = list(rows.scalars()) if len(query.column_descriptions) == 1 else list(rows.tuples())
    return Page(items, total, number, per_page)


def page_of_list(items: Sequence[T], number: int, per_page: int = PER_PAGE) -> Page[T]:
    start = (number - 1) * per_page
    return Page(list(items[start : start + per_page]), len(items), number, per_page)


def natural_key(name: str) -> tuple:
    """Sort key that puts "Group 2" before "Group 10" and ignores case."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in _DIGITS.split(name))


def contains(search: str, *columns) -> ColumnElement[bool]:
    """Any of `columns` contains `search`, case-insensitively; % and _ typed by a person match themselves."""
    escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def matches(search: str, *texts: str | None) -> bool:
    """The same test as `contains`, for rows already in memory."""
    wanted = search.strip().casefold()
    return any(wanted in (text or "").casefold() for text in texts)


def url_with(**changes) -> str:
    """This page's URL with some query parameters changed (None removes one): for paging and sorting links."""
    args: dict[str, object] = dict(request.args.to_dict(flat=False))
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint or "accounts.home", **{**(request.view_args or {}), **args})
