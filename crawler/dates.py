"""Parse the many ways pages write dates into timezone-aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

MIN_YEAR = 1900
# Clocks and time zones disagree a little; anything further ahead is a typo or a template.
MAX_FUTURE = timedelta(days=1)

_MONTH_NAMES = (
    # English, French, Spanish, Portuguese, Italian, German, Dutch; abbreviations count.
    ("jan", "january", "janvier", "enero", "janeiro", "gennaio", "januar", "januari", "jänner"),
    (
        "feb",
        "february",
        "février",
        "fevrier",
        "febrero",
        "fevereiro",
        "febbraio",
        "februar",
        "februari",
    ),
    ("mar", "march", "mars", "marzo", "março", "marco", "märz", "maart"),
    ("apr", "april", "avril", "abril", "aprile"),
    ("may", "mai", "mayo", "maio", "maggio", "mei"),
    ("jun", "june", "juin", "junio", "junho", "giugno", "juni"),
    ("jul", "july", "juillet", "julio", "julho", "luglio", "juli"),
    ("aug", "august", "août", "aout", "agosto", "augustus"),
    ("sep", "sept", "september", "septembre", "septiembre", "setembro", "settembre"),
    ("oct", "october", "octobre", "octubre", "outubro", "ottobre", "oktober", "okt"),
    ("nov", "november", "novembre", "noviembre", "novembro"),
    (
        "dec",
        "december",
        "décembre",
        "decembre",
        "diciembre",
        "dezembro",
        "dicembre",
        "dezember",
        "dez",
    ),
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
# Zone abbreviations news pages print after a time ("18.45 BST"); ambiguous ones left out.
_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "bst": 60,
    "wet": 0,
    "west": 60,
    "cet": 60,
    "cest": 120,
    "eet": 120,
    "eest": 180,
    "msk": 180,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
    "jst": 540,
    "kst": 540,
    "aest": 600,
    "aedt": 660,
    "nzst": 720,
    "nzdt": 780,
}
_MONTH_NAME = r"(?P<mon>[^\W\d_]{3,10})\.?"
_TIME = (
    r"(?:[ ,T]+(?:at\s+|à\s+|um\s+|a\s+las\s+)?(?P<H>\d{1,2})[:.h](?P<M>\d{2})"
    r"(?::(?P<S>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?P<zone>[A-Za-z]{1,4})\b)?)?"
)
_TEXT_DATES = (
    # March 14, 2019 [10:00 am]
    re.compile(_MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME, re.I),
    # 14 March 2019 [10:00], 3 juillet 2024 à 06h00, 3. März 2024, 3 de julio de 2024
    re.compile(
        r"(?P<d>\d{1,2})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?"
        + _MONTH_NAME
        + r",?\s+(?:de\s+)?(?P<y>\d{4})"
        + _TIME,
        re.I,
    ),
    # 2019/03/14 [10:00] and 2019.03.14
    re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME),
    # 2012年5月3日 18:12 (Chinese, Japanese) and 2012년 5월 3일 (Korean)
    re.compile(
        r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
        r"(?:\s*(?:\([^)]*\)|（[^）]*）)?\s*(?P<H>\d{1,2})\s*[:時시]\s*(?P<M>\d{2})"
        r"(?:\s*[:分분]\s*(?P<S>\d{2}))?)?"
    ),
    # 14.03.2019 [10:00] (day first, as European pages write it)
    re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})" + _TIME),
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date(
    value: str | None, *, now: datetime | None = None, local: tzinfo = UTC
) -> datetime | None:
    """Return `value` as an aware UTC datetime; None if absent or implausible.

    A date that names no time zone is read in `local`, the page's own zone when known.
    """
    if not value:
        return None
    value = " ".join(value.split())
    parsed = _parse_iso(value)
    if parsed is None:
        # email.utils ignores zone names it does not know ("BST"); the text patterns read them.
        rfc = _parse_rfc2822(value)
        parsed = rfc if rfc is not None and rfc.tzinfo else _parse_text(value) or rfc
    if parsed is not None and parsed.tzinfo is None and parsed.time() == time(0):
        # A bare day ("2023-10-26", "19. Oktober 2019") names the day, not local midnight:
        # read in a zone east of UTC, it would be stored, and shown, as the day before.
        local = UTC
    return plausible(parsed, now=now, local=local)


def plausible(
    value: datetime | None, *, now: datetime | None = None, local: tzinfo = UTC
) -> datetime | None:
    """Return `value` in UTC if it is after 1900 and not more than a day in the future."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local)
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
        hour = int(fields.get("H") or 0)
        if fields.get("ampm"):
            hour = hour % 12 + (12 if fields["ampm"].lower().startswith("p") else 0)
        zone = _ZONES.get((fields.get("zone") or "").lower())
        try:
            return datetime(
                int(fields["y"]),
                month,
                int(fields["d"]),
                hour,
                int(fields.get("M") or 0),
                int(fields.get("S") or 0),
                tzinfo=None if zone is None else timezone(timedelta(minutes=zone)),
            )
        except ValueError:
            continue
    return None
