"""The map's play control: the date range stepped a week or a month at a time.

A step slides the range by one week or one calendar month, keeping its length (a range of whole
months moves to the next whole months), so a person watches the reporting move. When the range is the whole span (nothing chosen yet) the first step
forward starts at the span's first week or month, and the first step back at its last one. The
range never leaves the span; `at_end` says when playing forward has nothing left.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

UNITS = ("week", "month")


def step(current: tuple[date, date], span: tuple[date, date], unit: str, direction: int) -> tuple[date, date]:
    """The range one `unit` later (direction 1) or earlier (-1) than `current`, inside `span`."""
    first, last = span
    if tuple(current) == tuple(span):
        return _window_at(first if direction > 0 else last, unit, span, direction)
    start, end = current
    if (direction > 0 and end >= last) or (direction < 0 and start <= first):
        return start, end  # nothing further that way
    if unit == "week":
        start, end = start + timedelta(days=7 * direction), end + timedelta(days=7 * direction)
    elif (start.day == 1 or start == first) and (end == _month_end(end) or end == last):
        # whole calendar months (the span may cut the first and the last): the next ones, whole
        months = (end.year - start.year) * 12 + end.month - start.month
        end = _month_end(_add_months(end.replace(day=1), direction))
        start = _add_months(end.replace(day=1), -months)
    else:
        start, end = _add_months(start, direction), _add_months(end, direction)
    length = end - start
    if start > last:  # past the end: the last range of that length
        start, end = last - length, last
    elif end < first:
        start, end = first, first + length
    return max(start, first), min(end, last)


def at_end(current: tuple[date, date], span: tuple[date, date]) -> bool:
    """Whether a step forward would change nothing."""
    return current[1] >= span[1]


def _window_at(day: date, unit: str, span: tuple[date, date], direction: int) -> tuple[date, date]:
    """One week from `day` (forward) or up to it (back); or the calendar month around it."""
    first, last = span
    if unit == "week":
        start, end = (day, day + timedelta(days=6)) if direction > 0 else (day - timedelta(days=6), day)
    else:
        start, end = day.replace(day=1), _month_end(day)
    return max(start, first), min(end, last)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
