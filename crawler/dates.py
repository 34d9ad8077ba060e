"""Parse the many ways pages write dates into timezone-aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MIN_YEAR = 1900
# Clocks and time zones disagree a little; anything further ahead is a typo or a template.
MAX_FUTURE = timedelta(days=1)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<mon>[A-Za-z]{3,9})\.?"
_TIME = (
    r"(?:[ ,T]+(?:at\s+)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_TEXT_DATES = (
    # March 14, 2019 [10:00 am]
    re.compile(_MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME, re.I),
    # 14 March 2019 [10:00]
    re.compile(
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+" + _MONTH_NAME + r",?\s+(?P<y>\d{4})" + _TIME, re.I
    ),
    # 2019/03/14 [10:00] and 2019.03.14
    re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME),
    # 14.03.2019 [10:00] (day first, as European pages write it)
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})" + _TIME),
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """Return `value` as an aware UTC datetime (naive means UTC); None if absent or implausible."""
    if not value:
        return None
    value = " ".join(value.split())
    parsed = _parse_iso(value) or _parse_rfc2822(value) or _parse_text(value)
    return plausible(parsed, now=now)


def plausible(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """Return `value` in UTC if it is after 1900 and not more than a day in the future."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.year < MIN_YEAR or value > (now or datetime.now(UTC)) + MAX_FUTURE:
        return None
    return value


def _parse_iso(value: str) -> datetime | None:
    if not _ISO_LIKE.match(value):
        return None
    candidate = value.replace(" ", "T", 1) if len(value) > 10 and value[10] == " " else value
    candidate = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", candidate)
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        try:
            return datetime.fromisoformat(value[:10])
        except ValueError:
            return None


def _parse_rfc2822(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_text(value: str) -> datetime | None:
    for pattern in _TEXT_DATES:
        match = pattern.search(value)
        if not match:
            continue
        fields = match.groupdict()
        month = _MONTHS.get(fields["mon"].lower()) if fields.get("mon") else int(fields["m"])
        if not month:
            continue
        hour = int(fields["H"] or 0)
        if fields.get("ampm"):
            hour = hour % 12 + (12 if fields["ampm"].lower().startswith("p") else 0)
        try:
            return datetime(
                int(fields["y"]),
                month,
                int(fields["d"]),
                hour,
                int(fields["M"] or 0),
                int(fields["S"] or 0),
            )
        except ValueError:
            continue
    return None
