"""Score extracted metadata on real news pages against a truth read off the pages by hand.

The truth lives in `realmeta/*.json` beside this script: per page of trafilatura's evaluation
set (read from `../shared/realdata/extraction-trafilatura-eval/`, never copied here), what a
careful reader of the page would say its headline, byline, publication day, publication name,
section and language are. A field may list equally right alternatives as `<field>_also`.
Scored per field, as the share of pages right:

- title: equal after whitespace normalisation and casefolding (or any `title_also`);
- published: the UTC day of the extracted date is the truth's day (or a `published_also` day;
  a null truth wants no date);
- authors: the same set of names, casefolded; names outside the truth are listed as junk;
- source: casefolded equal (or `source_also`);
- section: right (casefolded equal, or `section_also`) and "right or empty"; wrong non-empty
  values are listed as junk;
- language: the primary subtag is equal.

A page refused (ExtractionError, or an extractor crash) counts as wrong on every field. Run
from the repository root:

    python benchmarks/extraction/realdata_meta.py [--set DIR] [--truth PATH] [--peers] [--worst]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from evaluate import newsarchive_extract, trafilatura_extract
from realdata import DEFAULT_SET, HERE, ROOT

TRUTH = HERE / "realmeta"
FIELDS = ("title", "published", "authors", "source", "section", "language")
EXTRACTORS = {"newsarchive": newsarchive_extract, "trafilatura": trafilatura_extract}


def load_truth(where: Path) -> list[dict]:
    """Return every page of the `*.json` list(s) at `where` (a file or folder), sorted by file."""
    pages = []
    for path in [where] if where.is_file() else sorted(where.glob("*.json")):
        pages.extend(json.loads(path.read_text("utf-8")))
    return sorted(pages, key=lambda page: page["file"])


def norm(value: object) -> str:
    """Return `value` as text with whitespace collapsed and casefolded."""
    return " ".join(str(value or "").split()).casefold()


def day(value: object) -> str | None:
    """Return the UTC day ("YYYY-MM-DD") of a datetime or ISO date string, None if there is none."""
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return str(value).strip()[:10]
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def wanted(truth: dict, name: str) -> list:
    """Return the truth's value of field `name` followed by its `<name>_also` alternatives."""
    return [truth.get(name)] + list(truth.get(f"{name}_also") or [])


def language_tag(value: object) -> str:
    """Return the primary subtag of a language tag ("de-CH" -> "de")."""
    return norm(value).replace("_", "-").split("-")[0]


def judge(truth: dict, meta: dict) -> dict[str, bool]:
    """Return which fields `meta` (an extractor's metadata) got right against `truth`."""
    got_authors = {norm(name) for name in meta.get("authors") or []}
    got_section = norm(meta.get("section"))
    section_right = got_section in {norm(s) for s in wanted(truth, "section")}
    return {
        "title": norm(meta.get("title")) in {norm(t) for t in wanted(truth, "title")},
        "published": day(meta.get("published")) in {day(d) for d in wanted(truth, "published")},
        "authors": any(
            got_authors == {norm(name) for name in names} for names in wanted(truth, "authors")
        ),
        "source": norm(meta.get("source")) in {norm(s) for s in wanted(truth, "source")},
        "section": section_right,
        "section_or_empty": section_right or not got_section,
        "language": language_tag(meta.get("language")) == language_tag(truth["language"]),
    }


def junk_authors(truth: dict, meta: dict) -> list[str]:
    """Return the extracted author names found in neither the truth nor its alternatives."""
    known = {norm(name) for names in wanted(truth, "authors") for name in names}
    return [name for name in meta.get("authors") or [] if norm(name) not in known]


def evaluate(name: str, truths: list[dict], folder: Path) -> dict:
    """Run extractor `name` over the truth's pages; return shares right and per-page rows."""
    extract = EXTRACTORS[name]
    rows = []
    for truth in truths:
        html = (folder / "pages" / truth["file"]).read_bytes()
        try:
            out = extract(html, truth["url"])
            meta, refused = out.meta, out.error if out.text is None else ""
        except Exception as exc:  # a crash is scored as a refusal and reported
            meta, refused = {}, f"crash: {type(exc).__name__}: {exc}"
        if refused:
            right = dict.fromkeys((*FIELDS, "section_or_empty"), False)
            junk, junk_section = [], ""
        else:
            right = judge(truth, meta)
            junk = junk_authors(truth, meta)
            junk_section = "" if right["section"] else (meta.get("section") or "")
        rows.append(
            {
                "file": truth["file"],
                "refused": refused,
                "right": right,
                "got": meta,
                "junk_authors": junk,
                "junk_section": junk_section,
            }
        )
    shares = {
        field: sum(row["right"][field] for row in rows) / len(rows) if rows else 0.0
        for field in (*FIELDS, "section_or_empty")
    }
    return {"extractor": name, "pages": len(rows), "shares": shares, "rows": rows}


def describe_misses(truth: dict, row: dict) -> list[str]:
    """Return one "field: got ... want ..." line per field `row` got wrong."""
    lines = []
    for field in FIELDS:
        if row["right"][field]:
            continue
        got = row["got"].get(field)
        if field == "published":
            got = day(got)
        want = wanted(truth, field)
        also = f" (or {want[1:]!r})" if len(want) > 1 else ""
        lines.append(f"{field}: got {got!r} want {want[0]!r}{also}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the share of pages with each metadata field right, for newsarchive (and peers)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the evaluation folder")
    parser.add_argument(
        "--truth", type=Path, default=TRUTH, help="truth *.json list, or a folder of them"
    )
    parser.add_argument("--peers", action="store_true", help="also score trafilatura")
    parser.add_argument("--worst", action="store_true", help="list every page's wrong fields")
    parser.add_argument("--json", type=Path, help="write every page's result to this file")
    args = parser.parse_args(argv)
    if not (args.set / "pages").is_dir():
        print(
            f"no evaluation set at {args.set} (see ../shared/realdata/README.md)", file=sys.stderr
        )
        return 1
    truths = load_truth(args.truth)
    if not truths:
        print(f"no truth under {args.truth}", file=sys.stderr)
        return 1
    names = ["newsarchive", "trafilatura"] if args.peers else ["newsarchive"]
    results = [evaluate(name, truths, args.set) for name in names]
    by_file = {truth["file"]: truth for truth in truths}

    where = args.truth.name + ("" if args.truth.is_file() else "/")
    print(f"{len(truths)} pages with hand-read metadata from {where}\n")
    header = "  ".join(f"{f[:9]:>9}" for f in FIELDS[:5]) + "  sec|empty   language"
    print(f"{'extractor':<12} {header}  refused  junk authors")
    for r in results:
        s = r["shares"]
        cells = "  ".join(f"{s[f]:9.2f}" for f in FIELDS[:5])
        refused = sum(bool(row["refused"]) for row in r["rows"])
        junk = sum(len(row["junk_authors"]) for row in r["rows"])
        print(
            f"{r['extractor']:<12} {cells}  {s['section_or_empty']:9.2f}  {s['language']:9.2f}"
            f"  {refused:7d}  {junk:12d}"
        )

    for r in results:
        print(f"\n{r['extractor']}:")
        refused = [row for row in r["rows"] if row["refused"]]
        if refused:
            print(f"  refused ({len(refused)}):")
            for row in refused:
                print(f"    {row['file'][:60]:<60} {row['refused'][:80]}")
        junk = [(row["file"], name) for row in r["rows"] for name in row["junk_authors"]]
        if junk:
            print(f"  junk authors ({len(junk)}):")
            for file, name in junk:
                print(f"    {name!r:<40} on {file[:60]}")
        sections = Counter(row["junk_section"] for row in r["rows"] if row["junk_section"])
        if sections:
            print(
                f"  junk sections ({sum(sections.values())}): "
                + ", ".join(
                    f"{s!r}" + (f" x{n}" if n > 1 else "") for s, n in sections.most_common()
                )
            )
        if args.worst:
            print("  wrong fields per page:")
            for row in r["rows"]:
                if row["refused"]:
                    continue
                misses = describe_misses(by_file[row["file"]], row)
                if misses:
                    print(f"    {row['file'][:90]}")
                    for line in misses:
                        print(f"      {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str), "utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
