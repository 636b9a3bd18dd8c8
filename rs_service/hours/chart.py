"""An inline SVG chart of counted hours accumulating toward a target: pure geometry, no JavaScript.

The chart plots the entries the progress bar counts, so the line ends where the bar does. It is
drawn in a viewBox about as wide as a phone's column, so its 14-unit labels are at least 12 CSS
pixels on a 390 px screen (style.css caps its width, so they stay moderate on a wide one); it has
three ticks at most on each axis: 0, the top and the target; the first and the last date.
"""

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34  # room for the labels
FONT_SIZE = 14


@dataclass(frozen=True)
class Chart:
    points: str  # SVG polyline points of the cumulative counted minutes
    target_y: float | None  # where the target line sits
    top_minutes: int  # the value at the top of the y axis
    counted_minutes: int  # where the line ends: what the bar counts
    first: date | None
    last: date | None

    @property
    def empty(self) -> bool:
        return not self.points


def cumulative_chart(entries: list[tuple[date, int]], target_minutes: int | None) -> Chart:
    """`entries` are (date received, minutes) of the counted entries; a reversal is a negative row."""
    entries = sorted(entries)
    total = sum(minutes for _, minutes in entries)
    top = max(total, target_minutes or 0, 60)
    target_y = _y(target_minutes, top) if target_minutes else None
    if not entries or total <= 0:  # nothing counts (yet, or any longer)
        return Chart("", target_y, top, 0, None, None)
    first, last = entries[0][0], entries[-1][0]
    span = max((last - first).days, 1)
    running, points = 0, [(float(LEFT), _y(0, top))]
    for day, minutes in entries:
        x = LEFT + (day - first).days / span * (WIDTH - LEFT - RIGHT)
        points.append((x, _y(running, top)))
        running += minutes
        points.append((x, _y(running, top)))
    return Chart(" ".join(f"{x:.1f},{y:.1f}" for x, y in points), target_y, top, running, first, last)


def _y(minutes: int, top: int) -> float:
    return HEIGHT - BOTTOM - minutes / top * (HEIGHT - TOP - BOTTOM)
