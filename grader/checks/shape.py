"""The `shape` kind: H × W × C per the homework, channels-first or a batch of 1 accepted with a note."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from grader.core import examples
from grader.core.hints import EXPECTED, compare_counts
from grader.core.homework import Item
from grader.core.kinds import Kind
from grader.core.verdict import Verdict
from grader.math.shapes import ShapeReading, format_shape, read_dims, read_shape


@dataclass(frozen=True)
class ShapeOptions:
    """Options of a `shape` item; `layout` names the axes of the expected shape."""

    layout: str = "HWC"


_BATCH_NOTE = "The leading batch dimension is not part of the expected shape; accepted."


def needs_bounds(text: str) -> bool:
    """Reading is regular expressions over text whose length is already limited: no bounded worker needed."""
    return False


def read(text: str, item: Item) -> ShapeReading:
    """Parse a student's (or the key's) shape; raises FormatError."""
    return read_shape(text)


def show(value: ShapeReading) -> str:
    """How the grader read the shape."""
    return format_shape(value.dims)


def compare(given: ShapeReading, expected: ShapeReading, item: Item) -> Verdict:
    """Exact match, or the same shape in channels-first order or with a batch of 1; else partial by part."""
    layout = KIND.options_of(item).layout
    want = expected.dims
    dims, notes = _drop_batch(given, want)
    if dims == want:
        return Verdict(1.0, " ".join(notes))
    channels_first = _channels_first(want, layout)
    if channels_first is not None and dims == channels_first:
        notes.append(f"Channels-first order ({_axes(layout, first=True)}) accepted; this homework writes {' × '.join(layout)}.")
        return Verdict(1.0, " ".join(notes))
    if len(dims) != len(want):
        if len(dims) == 1 and len(want) > 1 and dims[0] == prod(want):
            return Verdict(0.0, f"That is the flattened size; give the shape as {' × '.join(layout)}.")
        return Verdict(0.0, f"Expected {len(want)} dimension{'s' * (len(want) > 1)} ({' × '.join(layout)}), got {len(dims)}.")
    return _partial(dims, want, layout, channels_first, notes)


def _drop_batch(given: ShapeReading, want: tuple[int, ...]) -> tuple[tuple[int, ...], list[str]]:
    dims = given.dims
    if given.symbolic_batch:
        return dims, [_BATCH_NOTE]
    if len(dims) == len(want) + 1 and dims[0] == 1:
        return dims[1:], [_BATCH_NOTE]
    return dims, []


def _channels_first(want: tuple[int, ...], layout: str) -> tuple[int, ...] | None:
    """The expected shape reordered channels-first, for channels-last layouts of 3 axes."""
    if len(want) != 3 or layout != "HWC":
        return None
    return (want[2], want[0], want[1])


def _axes(layout: str, *, first: bool) -> str:
    return " × ".join(layout[-1] + layout[:-1]) if first else " × ".join(layout)


def _partial(dims, want, layout, channels_first, notes) -> Verdict:
    """Half credit each for the spatial size and the channel count, in whichever order fits best."""
    if channels_first is None:
        return Verdict(0.0, "This is not the expected shape.")
    as_written = (dims[:2] == want[:2], dims[2] == want[2])
    as_channels_first = (dims[1:] == want[:2], dims[0] == want[2])
    spatial_ok, channels_ok = max(as_written, as_channels_first, key=sum)
    if spatial_ok:
        return Verdict(0.5, " ".join([*notes, "The spatial size (H × W) is right; the number of channels is not."]))
    if channels_ok:
        return Verdict(0.5, " ".join([*notes, "The number of channels is right; the spatial size (H × W) is not."]))
    return Verdict(0.0, "Neither the spatial size nor the number of channels is right.")


def hint(item: Item, given: str, reference: str, hidden: bool, relative_to: str | None) -> str | None:
    """Which part of a wrong shape is off and how (sizes swapped, the spatial size or the channels by a factor)."""
    given_dims, reference_dims = read_dims(given), read_dims(reference)
    if given_dims is None or reference_dims is None or given_dims == reference_dims:
        return None
    if len(given_dims) != 3 or len(reference_dims) != 3:
        return None
    layout, target = KIND.options_of(item).layout, relative_to or EXPECTED
    if sorted(given_dims) == sorted(reference_dims):
        return f"Hint: the sizes are right but in the wrong order; write {' × '.join(layout)}."
    parts = []
    (gh, gw, gc), (rh, rw, rc) = given_dims, reference_dims
    if (gh, gw) != (rh, rw):
        if gh - rh == gw - rw or gh * rw == gw * rh:  # the same change on both sides: describe one
            parts.append(compare_counts("the spatial size", gh, rh, target, hidden))
        else:
            parts.append("the height and the width are not off in the same way; work out each side")
    if gc != rc:
        parts.append(compare_counts("the number of channels", gc, rc, target, hidden))
    return "Hint: " + "; ".join(parts) + "." if parts else None


KIND = Kind(
    name="shape",
    read=read,
    compare=compare,
    show=show,
    how_to_answer=lambda item: f"a shape {' × '.join(KIND.options_of(item).layout)}, e.g. {examples.SHAPE_TYPED}",
    json_schema=lambda item: {
        "anyOf": [{"type": ["string", "integer"]}, {"type": "array", "items": {"type": ["integer", "string"]}}]},
    options=ShapeOptions,
    default_options=ShapeOptions,
    needs_bounds=needs_bounds,
    hint=hint,
)
