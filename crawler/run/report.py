"""The run report: one self-contained HTML file (inline SVG, no script, no network) per state.

:func:`history_fields` adds to the run summary the controller stores in the state's run history
(:meth:`crawler.state.base.StateStore.add_run`) what the report draws: per-field coverage,
failed pages by reason, rejects by reason, the monitor thresholds and failures, the output files
with their counts, sha256 and manifests. :func:`render_report` turns a history into HTML;
:func:`write_report` writes it atomically. ``crawler report`` (:mod:`crawler.cli`) renders the
history of one or more state stores; the run controller writes the report of its own state
beside the run's outputs when ``REPORT_ENABLED`` (see :func:`report_enabled`).

Per site (the spider's ``site_key``, else the ``base_url`` host, else the spider name), over
the last N runs: reviews seen / emitted / unchanged, failed pages by reason and rejects, the
coverage of each monitored field with its threshold drawn in and the runs where a monitor
failed marked (a pale red band, class ``monitor-failed``, and a red triangle), a table of the
runs, the latest run's outputs (file, records, sha256, manifest, exit status) and its top
reject reasons with example URLs (read from its reject file).

Charts are hand-made SVG (about 100 lines here): a charting library (matplotlib is ~40 MB with
numpy) would be a dependency of every production install for three bar and line charts, and
its SVG embeds glyph paths that make the file ten times larger.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.output.atomic import AtomicFile
from crawler.output.manifest import manifest_path_for
from crawler.record.coverage import COVERAGE_KEYS
from crawler.run import monitors
from crawler.run.context import EXIT_MEANINGS
from crawler.security import redact
from crawler.state import open_state, utc_now

#: colours (Okabe-Ito, colour-blind safe) for series, in order
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#000000")
#: the band behind a run where a monitor failed (tests count its pixels) and its triangle
FAILED_BAND, FAILED_MARK = "#FFD0D0", "#D00000"
#: the band behind a run that did not finish or could not start
INCOMPLETE_BAND = "#E4E4E4"


# ---------------------------------------------------------------- what the run history stores
def site_of(spider, spider_name: str) -> str:
    """The site a run is reported under: ``site_key``, else the ``base_url`` host, else the name."""
    key = getattr(spider, "site_key", None)
    if key:
        return str(key)
    host = urlsplit(getattr(spider, "base_url", None) or "").hostname
    return host.removeprefix("www.") if host else spider_name


def history_fields(run, stats: Mapping[str, Any], coverage_thresholds: Mapping[str, Any],
                   failed: Sequence[monitors.Failure] = ()) -> dict[str, Any]:
    """The report's fields of a finished run (added to the summary stored in the run history)."""
    g = lambda k: int(stats.get(k, 0) or 0)  # noqa: E731
    specs = {str(k): float(v) for k, v in dict(coverage_thresholds or {}).items()}
    coverage: dict[str, float | None] = {}
    for spec in list(specs) + [k for k in COVERAGE_KEYS if k not in specs]:
        field, _, kind = spec.partition("@")
        value, _n = monitors.coverage(stats, field, kind or "all")
        coverage[spec] = None if value is None else round(value, 4)
    rejects = {k.removeprefix("rejects/"): int(v) for k, v in stats.items()
               if k.startswith("rejects/") and k not in ("rejects/total", "rejects/path")}
    outputs = [{"file": str(Path(p).resolve()), "items": int(sc.get("item_count", 0)), "sha256": sc.get("sha256"),
                "bytes": sc.get("bytes"), "manifest": str(manifest_path_for(Path(p).resolve()))} for p, sc in run.outputs]
    return {
        "site": site_of(run.crawler.spider, run.spider_name),
        "spider": run.spider_name,
        "base_url": run.arguments.get("base_url"),
        "reviews_read": g("reviews/normalized"),
        "unchanged": g("reviews/dropped/unchanged"),
        "not_modified": g("pages/not_modified"),
        "failed_pages": {k.removeprefix("pages/failed/"): int(v) for k, v in stats.items() if k.startswith("pages/failed/")},
        "rejects_total": g("rejects/total"),
        "rejects_by_reason": rejects,
        "rejects_file": stats.get("rejects/path"),
        "coverage": coverage,
        "coverage_sample": {kind: g(f"coverage/{kind}/reviews") for kind in ("all", "film", "tv")},
        "coverage_thresholds": specs,
        "monitor_failures": [{"check": f.check, "message": f.line()} for f in failed],
        "outputs": outputs,
    }


def report_enabled(settings, default_feed: bool) -> bool:
    """``REPORT_ENABLED``: ``True``/``False``; unset (``None``, the default): on for scheduled
    runs, i.e. runs writing the default feed (``DEFAULT_FEEDS``: no ``-o``/``-O``/``FEEDS``)."""
    if settings.get("REPORT_ENABLED") is None:
        return default_feed
    return settings.getbool("REPORT_ENABLED")


def report_path_for(output: Path) -> Path:
    """``<batch>-<run id>.jsonl`` -> ``<batch>-<run id>.report.html`` (``.jsonl.gz`` too)."""
    name = output.name
    for suffix in (".gz", ".jsonl", ".jsonlines", ".json"):
        name = name.removesuffix(suffix)
    return output.with_name(f"{name}.report.html")


# ---------------------------------------------------------------- reading histories
def group_by_site(summaries: Iterable[Mapping[str, Any]], site: str | None = None, runs: int = 10) -> dict[str, list[dict]]:
    """``{site: [summary, ...]}``, oldest first, the last *runs* of each site (*summaries*:
    newest first, as :meth:`~crawler.state.base.StateStore.recent_runs` gives them)."""
    out: dict[str, list[dict]] = {}
    for s in summaries:
        key = str(s.get("site") or s.get("spider") or "unknown")
        if site is not None and key != site:
            continue
        if len(out.setdefault(key, [])) < runs:
            out[key].append(dict(s))
    return {k: list(reversed(v)) for k, v in sorted(out.items())}


def load_history(locations: Sequence[str], site: str | None = None, runs: int = 10, spider: str | None = None,
                 scan: int = 500) -> dict[str, list[dict]]:
    """The history of the state stores at *locations* (SQLite paths or ``redis://`` URIs) grouped
    by site (:func:`group_by_site`). A SQLite path that does not exist raises ``FileNotFoundError``
    (never created by a report). *spider*: the Redis key namespace (default: *site*, or the
    ``<spider>.state.sqlite`` file name)."""
    summaries: list[dict] = []
    for location in locations:
        text = str(location)
        is_redis = text.startswith(("redis://", "rediss://", "unix://"))
        if not is_redis and not Path(text.removeprefix("sqlite://")).is_file():
            raise FileNotFoundError(f"no state store at {text}")
        name = spider or site or Path(text).name.split(".")[0]
        with open_state(text, name) as state:
            summaries += state.recent_runs(scan)
    summaries.sort(key=lambda s: str(s.get("finished") or s.get("started") or ""), reverse=True)
    return group_by_site(summaries, site=site, runs=runs)


def read_rejects(path: str | os.PathLike | None, examples: int = 3, limit: int = 200_000) -> list[tuple[str, int, list[str]]]:
    """``[(reason, count, [example URL, ...]), ...]`` from a reject file, commonest first
    (empty when there is no such file)."""
    if not path or not Path(path).is_file():
        return []
    counts: Counter[str] = Counter()
    urls: dict[str, list[str]] = {}
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            try:
                row = json.loads(line)
            except ValueError:
                continue
            reason = str(row.get("reason") or "unknown")
            counts[reason] += 1
            if len(urls.setdefault(reason, [])) < examples and row.get("url"):
                urls[reason].append(str(row["url"]))
    return [(r, n, urls.get(r, [])) for r, n in counts.most_common()]


# ---------------------------------------------------------------- SVG
_W, _H, _L, _R, _T, _B = 760, 230, 48, 12, 14, 38


def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _x(i: int, n: int) -> float:
    return _L + (i + 0.5) * (_W - _L - _R) / max(n, 1)


def _y(v: float, ymax: float) -> float:
    return _T + (1 - v / ymax) * (_H - _T - _B) if ymax else _H - _B


def _nice_max(v: float) -> float:
    """A round axis maximum >= *v* (at least 4: whole-number ticks)."""
    if v <= 4:
        return 4
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000):
        if v <= step * 4:
            return step * 4 if v > step * 2 else step * 2 if v > step else step
    return float(v)


def _frame(runs: Sequence[Mapping[str, Any]], ymax: float, fmt, title: str) -> list[str]:
    """Bands for failed runs, the y grid, the x labels (run number and date)."""
    n = len(runs)
    slot = (_W - _L - _R) / max(n, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" role="img" aria-label="{_esc(title)}">']
    for i, r in enumerate(runs):
        code = r.get("exit_code")
        if code == 1:
            out.append(f'<rect class="monitor-failed" data-run="{_esc(r.get("run_id"))}" x="{_x(i, n) - slot / 2:.1f}" y="{_T}" '
                       f'width="{slot:.1f}" height="{_H - _T - _B}" fill="{FAILED_BAND}"><title>monitor failed: '
                       f'{_esc("; ".join(m.get("message", "") for m in r.get("monitor_failures") or []) or "exit 1")}</title></rect>')
        elif code not in (0, None):
            out.append(f'<rect class="run-incomplete" x="{_x(i, n) - slot / 2:.1f}" y="{_T}" width="{slot:.1f}" '
                       f'height="{_H - _T - _B}" fill="{INCOMPLETE_BAND}"><title>exit {_esc(code)}: {_esc(EXIT_MEANINGS.get(code, ""))}</title></rect>')
    for k in range(5):
        v = ymax * k / 4
        y = _y(v, ymax)
        out.append(f'<line x1="{_L}" x2="{_W - _R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{_L - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{fmt(v)}</text>')
    for i, r in enumerate(runs):
        date = str(r.get("finished") or r.get("started") or "")[5:16].replace("T", " ")
        out.append(f'<text x="{_x(i, n):.1f}" y="{_H - _B + 15}" text-anchor="middle" class="tick">#{i + 1}</text>'
                   f'<text x="{_x(i, n):.1f}" y="{_H - _B + 28}" text-anchor="middle" class="tick small">{_esc(date)}</text>')
    return out


def bar_chart(runs: Sequence[Mapping[str, Any]], series: Sequence[tuple[str, str, Sequence[float]]], *, stacked: bool, title: str) -> str:
    """Grouped (or stacked) bars per run; *series*: ``(label, colour, values)``."""
    n = len(runs)
    totals = [sum(s[2][i] for s in series) if stacked else max((s[2][i] for s in series), default=0) for i in range(n)]
    ymax = _nice_max(max(totals, default=0))
    out = _frame(runs, ymax, lambda v: f"{v:.0f}", title)
    slot = (_W - _L - _R) / max(n, 1)
    width = slot * 0.7 / (1 if stacked else max(len(series), 1))
    for i in range(n):
        base = 0.0
        for j, (label, colour, values) in enumerate(series):
            v = float(values[i])
            if stacked:
                x, y0, y1 = _x(i, n) - slot * 0.35, _y(base + v, ymax), _y(base, ymax)
                base += v
            else:
                x, y0, y1 = _x(i, n) - slot * 0.35 + j * width, _y(v, ymax), _y(0, ymax)
            if v > 0:
                out.append(f'<rect x="{x:.1f}" y="{y0:.1f}" width="{width - 1:.1f}" height="{max(y1 - y0, 0.5):.1f}" fill="{colour}">'
                           f'<title>run #{i + 1} {_esc(label)}: {v:.0f}</title></rect>')
    out.append("</svg>")
    return "".join(out)


def line_chart(runs: Sequence[Mapping[str, Any]], series: Sequence[tuple[str, str, Sequence[float | None]]],
               thresholds: Mapping[str, float], *, title: str) -> str:
    """Coverage lines (0-100 %) with each series' threshold dashed in its colour; points under
    their threshold are drawn as hollow red-ringed circles; failed runs marked."""
    n = len(runs)
    out = _frame(runs, 1.0, lambda v: f"{v * 100:.0f}%", title)
    for label, colour, _ in series:
        if label in thresholds:
            y = _y(float(thresholds[label]), 1.0)
            out.append(f'<line class="threshold" x1="{_L}" x2="{_W - _R}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
                       f'stroke-width="1.5" stroke-dasharray="6 4"><title>{_esc(label)} threshold {float(thresholds[label]):.2f}</title></line>')
    for label, colour, values in series:
        pts = [(_x(i, n), _y(v, 1.0), v) for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)}"/>')
        for x, y, v in pts:
            low = label in thresholds and v + 1e-9 < float(thresholds[label])
            cls = ' class="below-threshold"' if low else ""
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{5 if low else 3}" fill="{"#fff" if low else colour}" '
                       f'stroke="{FAILED_MARK if low else colour}" stroke-width="2"{cls}>'
                       f'<title>{_esc(label)} {v:.2f}</title></circle>')
    for i, r in enumerate(runs):
        if r.get("exit_code") == 1:
            x = _x(i, n)
            out.append(f'<path class="monitor-failed-mark" d="M{x - 7:.1f},{_T - 12} L{x + 7:.1f},{_T - 12} L{x:.1f},{_T} Z" fill="{FAILED_MARK}"/>')
    out.append("</svg>")
    return "".join(out).replace(f'viewBox="0 0 {_W} {_H}"', f'viewBox="0 -14 {_W} {_H + 14}"', 1).replace(f'height="{_H}"', f'height="{_H + 14}"', 1)


def _legend(series: Sequence[tuple[str, str, Any]], extra: str = "") -> str:
    items = "".join(f'<span class="key"><i style="background:{c}"></i>{_esc(label)}</span>' for label, c, _ in series)
    return f'<div class="legend">{items}{extra}</div>'


# ---------------------------------------------------------------- HTML
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 6px;border-bottom:2px solid #333;padding-bottom:3px}
h3{font-size:15px;margin:18px 0 4px}.meta{color:#666;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.exit-0{background:#1a7f37}.exit-1{background:#D00000}.exit-2,.exit-3{background:#666}
svg{display:block;max-width:100%;height:auto}svg text{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#555}svg .small{font-size:9px}
.legend{font-size:12px;margin:2px 0 0 48px}.key{margin-right:14px;white-space:nowrap}
.key i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border-radius:2px}
table{border-collapse:collapse;font-size:12px;margin:4px 0;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}code{font-size:11px;word-break:break-all}
tr.failed td{background:#fff0f0}.fail{color:#B00000}table.narrow{width:auto;min-width:50%}td.nowrap,td.nowrap code{white-space:nowrap;word-break:normal}
"""


def _cov_label(spec: str) -> str:
    field, _, kind = spec.partition("@")
    return f"{field} ({kind})" if kind else field


def render_site(site: str, runs: Sequence[Mapping[str, Any]]) -> str:
    """One site's section: charts, the runs table, the latest run's outputs and rejects."""
    latest = runs[-1]
    code = latest.get("exit_code")
    seen = [int(r.get("reviews_seen", 0) or 0) for r in runs]
    reviews = [("seen", PALETTE[0], seen), ("emitted", PALETTE[2], [int(r.get("emitted", 0) or 0) for r in runs]),
               ("unchanged", PALETTE[6], [int(r.get("unchanged", 0) or 0) for r in runs])]
    reasons = sorted({k for r in runs for k in (r.get("failed_pages") or {})})
    failures = [(f"failed: {k}", PALETTE[(i + 1) % 6], [int((r.get("failed_pages") or {}).get(k, 0)) for r in runs]) for i, k in enumerate(reasons)]
    failures.append(("rejects", "#444", [int(r.get("rejects_total", 0) or 0) for r in runs]))
    thresholds: dict[str, float] = {}
    for r in runs:
        thresholds.update({str(k): float(v) for k, v in (r.get("coverage_thresholds") or {}).items()})
    specs = list(thresholds) or ["title", "body", "grade@film"]
    coverage = [(spec, PALETTE[i % len(PALETTE)], [(r.get("coverage") or {}).get(spec) for r in runs]) for i, spec in enumerate(specs)]
    failed_runs = [i for i, r in enumerate(runs) if r.get("exit_code") == 1]
    band_key = (f'<span class="key"><i style="background:{FAILED_BAND};border:1px solid {FAILED_MARK}"></i>monitor failed '
                f'({", ".join(f"#{i + 1}" for i in failed_runs) or "none"})</span>'
                f'<span class="key">- - - threshold</span>')

    failure_lines = "".join(f'<br><span class="fail">{_esc(m.get("message"))}</span>' for m in latest.get("monitor_failures") or [])
    parts = [f'<section class="site" id="site-{_esc(site)}"><h2>{_esc(site)}</h2>',
             f'<p>Latest run <b>{_esc(latest.get("run_id"))}</b> ({_esc(latest.get("mode"))}, finished {_esc(latest.get("finished"))}): '
             f'<span class="badge exit-{_esc(code)}">exit {_esc(code)}</span> {_esc(EXIT_MEANINGS.get(code, "unknown"))}'
             f'{failure_lines}</p>',
             "<h3>Coverage per monitored field</h3>",
             line_chart(runs, [(_cov_label(s), c, v) for s, c, v in coverage], {_cov_label(k): v for k, v in thresholds.items()},
                        title=f"{site} coverage per field"),
             _legend([(_cov_label(s), c, v) for s, c, v in coverage], band_key),
             "<h3>Reviews per run</h3>", bar_chart(runs, reviews, stacked=False, title=f"{site} reviews per run"), _legend(reviews),
             "<h3>Failed pages and rejects per run</h3>", bar_chart(runs, failures, stacked=True, title=f"{site} failures per run"),
             _legend(failures)]
    # runs table, newest first
    rows = []
    for i in range(len(runs) - 1, -1, -1):
        r = runs[i]
        msgs = "; ".join(m.get("message", "") for m in r.get("monitor_failures") or [])
        rows.append(f'<tr class="{"failed" if r.get("exit_code") == 1 else ""}"><td>#{i + 1}</td><td class="nowrap"><code>{_esc(r.get("run_id"))}</code></td>'
                    f'<td class="nowrap">{_esc(str(r.get("finished") or "")[:16].replace("T", " "))}</td><td>{_esc(r.get("mode"))}</td><td class="num">{_esc(r.get("exit_code"))}</td>'
                    f'<td class="num">{seen[i]}</td><td class="num">{_esc(r.get("emitted", 0))}</td><td class="num">{_esc(r.get("unchanged", 0))}</td>'
                    f'<td class="num">{sum((r.get("failed_pages") or {}).values())}</td><td class="num">{_esc(r.get("rejects_total", 0))}</td>'
                    f'<td class="fail">{_esc(msgs)}</td></tr>')
    parts.append("<h3>Runs</h3><table><tr><th></th><th>run</th><th>finished</th><th>mode</th><th>exit</th><th>seen</th>"
                 "<th>emitted</th><th>unchanged</th><th>failed pages</th><th>rejects</th><th>monitor failures</th></tr>"
                 + "".join(rows) + "</table>")
    # all fields' coverage, latest vs previous run
    prev = runs[-2] if len(runs) > 1 else {}
    cov_rows = []
    for field, value in (latest.get("coverage") or {}).items():
        before = (prev.get("coverage") or {}).get(field)
        delta = "" if value is None or before is None else f"{(value - before) * 100:+.0f}"
        cov_rows.append(f'<tr><td>{_esc(_cov_label(field))}</td><td class="num">{"-" if value is None else f"{value:.0%}"}</td>'
                        f'<td class="num">{"-" if before is None else f"{before:.0%}"}</td><td class="num">{delta}</td></tr>')
    if cov_rows:
        parts.append("<h3>Coverage of every field (reviews read), latest run vs the one before</h3><table class=\"narrow\"><tr><th>field</th>"
                     "<th>latest</th><th>previous</th><th>change (points)</th></tr>" + "".join(cov_rows) + "</table>")
    # outputs of the latest run
    out_rows = []
    for o in latest.get("outputs") or []:
        manifest_path = Path(o.get("manifest") or "")
        status = "-"
        if o.get("manifest") and manifest_path.is_file():
            try:
                m = json.loads(manifest_path.read_text("utf-8"))
                status = f'{m.get("exit_status")} (exit {m.get("exit_code")})'
            except (OSError, ValueError):
                status = "manifest unreadable"
        elif o.get("manifest"):
            status = "manifest missing"
        out_rows.append(f'<tr><td><code>{_esc(o.get("file"))}</code></td><td class="num">{_esc(o.get("items"))}</td>'
                        f'<td><code>{_esc(o.get("sha256"))}</code></td><td><code>{_esc(manifest_path.name)}</code></td><td>{_esc(status)}</td></tr>')
    parts.append(f"<h3>Outputs of the latest run (exit {_esc(code)}: {_esc(EXIT_MEANINGS.get(code, 'unknown'))})</h3>")
    parts.append("<table><tr><th>file</th><th>records</th><th>sha256</th><th>manifest</th><th>exit status</th></tr>" + "".join(out_rows)
                 + "</table>" if out_rows else "<p>No output file.</p>")
    # rejects of the latest run
    top = read_rejects(latest.get("rejects_file"))
    if not top:
        top = [(k, v, []) for k, v in sorted((latest.get("rejects_by_reason") or {}).items(), key=lambda kv: -kv[1])]
    parts.append(f'<h3>Top reject reasons of the latest run ({_esc(latest.get("rejects_total", 0))} rejects'
                 + (f', <code>{_esc(latest.get("rejects_file"))}</code>' if latest.get("rejects_file") else "") + ")</h3>")
    if top:
        parts.append("<table><tr><th>reason</th><th>count</th><th>example URLs</th></tr>" + "".join(
            f'<tr><td>{_esc(reason)}</td><td class="num">{count}</td><td>{"<br>".join(f"<code>{_esc(u)}</code>" for u in urls) or "-"}</td></tr>'
            for reason, count, urls in top[:10]) + "</table>")
    else:
        parts.append("<p>No rejects.</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_report(history: Mapping[str, Sequence[Mapping[str, Any]]], sources: Sequence[str] = (), generated: str | None = None) -> str:
    """The whole HTML document for ``{site: [summary, ...] (oldest first)}``, credentials
    redacted (:func:`crawler.security.redact`: a ``redis://user:password@`` state URI, say)."""
    sections = [render_site(site, runs) for site, runs in history.items() if runs]
    return redact("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Crawl report</title>"
            f"<style>{_CSS}</style></head><body><h1>Crawl report</h1>"
            f'<p class="meta">Generated {_esc(generated or utc_now())} from {_esc(", ".join(sources) or "-")}; '
            f'{sum(len(v) for v in history.values())} run(s) of {len(sections)} site(s).</p>\n'
            + ("\n".join(sections) or "<p>No runs in this history.</p>") + "\n</body></html>\n")  # no credentials written


def write_report(path: Path, text: str) -> None:
    """Write *text* to *path* atomically (a reader never sees half a report); on an error
    nothing is left but what was there."""
    f = AtomicFile(Path(path), append=False)
    try:
        f.write(text.encode("utf-8"))
        f.close()
    except BaseException:
        f.discard()  # also when the rename failed: no temporary file left behind
        raise
