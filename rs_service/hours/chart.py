"""An inline SVG chart of hours accumulating toward a target: pure geometry, no JavaScript."""

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, PAD = 600, 220, 36


@dataclass(frozen=True)
class Chart:
    points: str  # SVG polyline points of the cumulative hours
    target_y: float | None  # where the target line sits
    max_hours: float
    first: date | None
    last: date | None
    description: str  # the same information in words, for screen readers


def cumulative_chart(entries: list[tuple[date, int]], target_minutes: int | None) -> Chart:
    entries = sorted(entries)
    total = sum(minutes for _, minutes in entries)
    top = max(total, target_minutes or 0, 60)
    if not entries:
        return Chart(
            "", _y(target_minutes, top) if target_minutes else None, top / 60, None, None, "No hours recorded yet."
        )
    first, last = entries[0][0], entries[-1][0]
    span = max((last - first).days, 1)
    running, points = 0, [(float(PAD), _y(0, top))]
    for day, minutes in entries:
        x = PAD + (day - first).days / span * (WIDTH - 2 * PAD)
        points.append((x, _y(running, top)))
        running += minutes
        points.append((x, _y(running, top)))
    words = f"{running / 60:.2f} hours from {first.isoformat()} to {last.isoformat()}"
    if target_minutes:
        words += f", toward {target_minutes / 60:.2f} hours required"
    return Chart(
        " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        _y(target_minutes, top) if target_minutes else None,
        top / 60,
        first,
        last,
        words + ".",
    )


def _y(minutes: int, top: int) -> float:
    return HEIGHT - PAD - minutes / top * (HEIGHT - 2 * PAD)
