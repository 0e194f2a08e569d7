"""``kg eval``: score the extraction pipeline against hand-made gold facts.

The gold file is a JSON list, one object per article (schema of ``tests/data/seeds-gold.json``):
``file``, ``places`` (``name``, ``type``, ``country``), ``routes`` (``origin``, ``destination``,
``via``, ``cargo``), ``aliases`` (groups of names of one place).  Names are compared through
the gazetteer (so "Urumqi", "URUMQI" and "Ürümqi" are one place), falling back to the folded
spelling for names the gazetteer does not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import InputError
from .gazetteer import Gazetteer, Place, fold
from .model import Article


@dataclass
class Report:
    """Scores and the lists behind them."""

    articles: int = 0
    gold_routes: int = 0
    predicted_routes: int = 0
    matched_routes: int = 0
    transit_exact: int = 0
    places_gold: int = 0
    places_found: int = 0
    places_typed: int = 0
    alias_groups: int = 0
    alias_merged: int = 0
    cargo_gold: int = 0
    cargo_predicted: int = 0
    cargo_matched: int = 0
    published: int = 0
    routes_dated: int = 0
    routes_stated: int = 0
    trains: int = 0
    trains_dated: int = 0
    trains_stated: int = 0
    precisions: dict[str, int] = field(default_factory=dict)
    """Stated train dates by precision (day, week, month, year)."""
    misses: list[str] = field(default_factory=list)
    false_routes: list[str] = field(default_factory=list)
    order_errors: list[str] = field(default_factory=list)
    type_errors: list[str] = field(default_factory=list)
    alias_errors: list[str] = field(default_factory=list)
    cargo_errors: list[str] = field(default_factory=list)
    """Matched routes whose cargo differs from the gold's: what was missed and what was extra."""
    per_article: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        """Share of predicted routes that are in the gold."""
        return self._ratio(self.matched_routes, self.predicted_routes)

    @property
    def recall(self) -> float:
        """Share of gold routes that were predicted."""
        return self._ratio(self.matched_routes, self.gold_routes)

    @property
    def f1(self) -> float:
        """Harmonic mean of route precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def scores(self) -> dict[str, float]:
        """The headline figures."""
        cargo_p = self._ratio(self.cargo_matched, self.cargo_predicted)
        cargo_r = self._ratio(self.cargo_matched, self.cargo_gold)
        return {
            "routes_precision": round(self.precision, 4),
            "routes_recall": round(self.recall, 4),
            "routes_f1": round(self.f1, 4),
            "transit_order_exact": round(self._ratio(self.transit_exact, self.matched_routes), 4),
            "place_recall": round(self._ratio(self.places_found, self.places_gold), 4),
            "place_type_accuracy": round(self._ratio(self.places_typed, self.places_found), 4),
            "aliases_merged": round(self._ratio(self.alias_merged, self.alias_groups), 4),
            "cargo_f1": round(2 * cargo_p * cargo_r / (cargo_p + cargo_r), 4) if cargo_p + cargo_r else 0.0,
        }

    def date_coverage(self) -> dict[str, Any]:
        """How many matched gold routes and extracted trains have a date, and a stated one."""
        return {
            "articles_with_publication_date": self.published,
            "matched_routes_dated": round(self._ratio(self.routes_dated, self.matched_routes), 4),
            "matched_routes_stated": round(self._ratio(self.routes_stated, self.matched_routes), 4),
            "trains": self.trains,
            "trains_dated": round(self._ratio(self.trains_dated, self.trains), 4),
            "trains_stated": round(self._ratio(self.trains_stated, self.trains), 4),
            "stated_precision": dict(sorted(self.precisions.items())),
        }

    def as_dict(self, *, verbose: bool = False) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {"articles": self.articles, "gold_routes": self.gold_routes,
                               "predicted_routes": self.predicted_routes, **self.scores(),
                               "dates": self.date_coverage()}
        if verbose:
            out.update(misses=self.misses, false_routes=self.false_routes, order_errors=self.order_errors,
                       type_errors=self.type_errors, alias_errors=self.alias_errors,
                       cargo_errors=self.cargo_errors)
        out["per_article"] = self.per_article
        return out

    def lines(self, *, verbose: bool = False) -> list[str]:
        """Human-readable report: one line per article, the totals, and with ``verbose`` the errors."""
        s = self.scores()
        out = [f"{'article':<40} {'gold':>4} {'pred':>4} {'ok':>3} {'F1':>5} {'via':>5}"]
        for row in self.per_article:
            out.append(f"{row['file'][:40]:<40} {row['gold']:>4} {row['predicted']:>4} {row['matched']:>3} "
                       f"{row['f1']:>5.2f} {row['via_exact']:>5.2f}")
        out += ["", "total", 
            f"articles              {self.articles}",
            f"routes                gold {self.gold_routes}, predicted {self.predicted_routes}, "
            f"matched {self.matched_routes}",
            f"routes P / R / F1     {s['routes_precision']:.3f} / {s['routes_recall']:.3f} / {s['routes_f1']:.3f}",
            f"transit order exact   {s['transit_order_exact']:.3f}  (on matched routes)",
            f"place recall          {s['place_recall']:.3f}  ({self.places_found}/{self.places_gold})",
            f"place type accuracy   {s['place_type_accuracy']:.3f}  (on places found)",
            f"aliases merged        {s['aliases_merged']:.3f}  ({self.alias_merged}/{self.alias_groups} groups)",
            f"cargo F1              {s['cargo_f1']:.3f}",
            f"dates                 {self.published}/{self.articles} articles dated; matched routes "
            f"{self.routes_dated}/{self.matched_routes} dated, {self.routes_stated} stated in the text; trains "
            f"{self.trains_dated}/{self.trains} dated, {self.trains_stated} stated "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.precisions.items())) or 'none'})",
        ]
        if verbose:
            for title, items in (("missed routes", self.misses), ("false routes", self.false_routes),
                                 ("transit order errors", self.order_errors),
                                 ("place type errors", self.type_errors), ("alias errors", self.alias_errors),
                                 ("cargo errors", self.cargo_errors)):
                out.append(f"\n{title} ({len(items)}):")
                current = None
                for item in items:
                    name, _, rest = item.partition(": ")
                    if name != current:
                        out.append(f"  {name}")
                        current = name
                    out.append(f"    {rest}")
        return out


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Read and check a gold file.

    Raises
    ------
    InputError
        When the file is missing, not JSON, or not a list of article objects with ``file``.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the gold file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, list) or not all(isinstance(a, dict) and "file" in a for a in data):
        raise InputError(f"{path}: expected a JSON list of objects with a 'file' key, like tests/data/seeds-gold.json")
    return data


def evaluate(gold_path: str | Path, articles_dir: str | Path | None = None, *,
             model: str | None = None) -> Report:
    """Extract the gold file's articles with the current pipeline and score the result.

    Parameters
    ----------
    gold_path
        The gold JSON.
    articles_dir
        Folder holding the articles named in the gold file (default: ``seeds/`` beside the
        current directory, else the gold file's folder).
    model
        spaCy pipeline to use.
    """
    from . import nlp as nlp_mod
    from .extract import extract_articles, read_article
    from .gazetteer import default

    gold = load_gold(Path(gold_path))
    folder = Path(articles_dir) if articles_dir else (Path("seeds") if Path("seeds").is_dir() else Path(gold_path).parent)
    paths = [folder / g["file"] for g in gold]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(f"articles named in the gold file are not in {folder}: {', '.join(missing[:3])}; "
                         "pass the folder that holds them as ARTICLES_DIR")
    articles = extract_articles([read_article(p) for p in paths], nlp=nlp_mod.load(model), gazetteer=default())
    return score(gold, articles, default())


def score(gold: list[dict[str, Any]], articles: list[Article], gazetteer: Gazetteer) -> Report:
    """Compare extracted articles with gold articles (same order)."""
    report = Report(articles=len(gold))
    for g, a in zip(gold, articles):
        _score_article(report, g, a, gazetteer)
    return report


def _key(gazetteer: Gazetteer, name: str | None, gold: dict[str, Any] | None = None) -> str | None:
    """The place a gold name stands for: the candidate of the gold's type and country, by the
    name or by one of the gold's surface mentions ("Khorgos" written "Khorgos Gateway")."""
    if not name:
        return None
    gold = gold or {}
    country, type_ = gold.get("country"), gold.get("type")
    names = [name, *gold.get("mentions", [])]
    if type_ == "Port":
        names += [f"{name} port", f"port of {name}"]
    def fits(place: Place | None) -> bool:
        return place is not None and (country is None or place.country == country) \
            and (type_ is None or place.type == type_)

    for n in names:
        best = gazetteer.resolve(n, countries=[country] if country else [])
        if fits(best):
            return best.key  # type: ignore[union-attr]
        for _, place in gazetteer.candidates(n):
            if fits(place):
                return place.key
    place = gazetteer.resolve(name, countries=[country] if country else [])
    return place.key if place is not None else "name/" + fold(name)


def _score_article(report: Report, g: dict[str, Any], a: Article, gz: Gazetteer) -> None:
    gold_place = {fold(p["name"]): p for p in g.get("places", [])}

    def key(name: str | None) -> str | None:
        return _key(gz, name, gold_place.get(fold(name)) if name else None)

    before = (report.gold_routes, report.predicted_routes, report.matched_routes, report.transit_exact)

    predicted = [r for r in a.routes if r.status == "reported"]
    pred: dict[tuple[str | None, str | None], Any] = {}
    for r in predicted:
        pred.setdefault((r.origin.key if r.origin else None, r.destination.key if r.destination else None), r)
    gold_routes: dict[tuple[str | None, str | None], Any] = {}
    for r in g.get("routes", []):
        gold_routes.setdefault((key(r.get("origin")), key(r.get("destination"))), r)
    report.gold_routes += len(gold_routes)
    report.predicted_routes += len(pred)
    name = g["file"]
    for pair, gr in gold_routes.items():
        if pair not in pred:
            report.misses.append(f"{name}: {gr.get('origin')} -> {gr.get('destination')}")
            continue
        report.matched_routes += 1
        pr = pred[pair]
        report.routes_dated += pr.date is not None
        report.routes_stated += pr.date_basis == "stated"
        if [key(v) for v in gr.get("via", [])] == [v.key for v in pr.via]:
            report.transit_exact += 1
        else:
            report.order_errors.append(f"{name}: {gr.get('origin')} -> {gr.get('destination')}: gold via "
                                       f"{gr.get('via', [])}, got {[v.label for v in pr.via]}")
        gold_cargo = {fold(c) for c in gr.get("cargo", [])}
        got_cargo = {fold(c) for c in pr.cargo}
        report.cargo_gold += len(gold_cargo)
        report.cargo_predicted += len(got_cargo)
        report.cargo_matched += len(gold_cargo & got_cargo)
        if gold_cargo != got_cargo:
            missed, extra = sorted(gold_cargo - got_cargo), sorted(got_cargo - gold_cargo)
            report.cargo_errors.append(f"{name}: {gr.get('origin')} -> {gr.get('destination')}: missed {missed}, "
                                       f"extra {extra}")
    report.published += a.date is not None
    for first in {r.train: r for r in reversed(predicted)}.values():
        report.trains += 1
        report.trains_dated += first.date is not None
        if first.date_basis == "stated":
            report.trains_stated += 1
            kind = first.date_precision or "day"
            report.precisions[kind] = report.precisions.get(kind, 0) + 1
    for pair, pr in pred.items():
        if pair not in gold_routes:
            report.false_routes.append(f"{name}: {pr.origin.label if pr.origin else None} -> "
                                       f"{pr.destination.label if pr.destination else None} | {pr.evidence[:120]}")
    gold_n, pred_n, matched, exact = (x - y for x, y in zip(
        (report.gold_routes, report.predicted_routes, report.matched_routes, report.transit_exact), before))
    p = matched / pred_n if pred_n else 1.0
    r = matched / gold_n if gold_n else 1.0
    report.per_article.append({"file": name, "gold": gold_n, "predicted": pred_n, "matched": matched,
                               "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                               "via_exact": round(exact / matched, 4) if matched else 1.0})
    found = {m.place.key: m.place for m in a.mentions}
    by_text = {fold(m.text): m.place for m in a.mentions}
    for p in g.get("places", []):
        report.places_gold += 1
        k = key(p["name"])
        place = found.get(k) if k else None
        place = place or by_text.get(fold(p["name"]))
        if place is None:
            report.type_errors.append(f"{name}: {p['name']} not found")
            continue
        report.places_found += 1
        if place.type == p["type"]:
            report.places_typed += 1
        else:
            report.type_errors.append(f"{name}: {p['name']} typed {place.type}, gold {p['type']}")
    for group in g.get("aliases", []):
        report.alias_groups += 1
        keys = {(by_text.get(fold(n)) or gz.resolve(n) or _Unknown(n)).key for n in group}
        if len(keys) == 1 and not next(iter(keys)).startswith("?"):
            report.alias_merged += 1
        else:
            report.alias_errors.append(f"{name}: {group} -> {sorted(keys)}")


@dataclass(frozen=True)
class _Unknown:
    name: str

    @property
    def key(self) -> str:
        return "?" + self.name
