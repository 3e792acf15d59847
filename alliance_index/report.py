"""A self-contained HTML report on dyads: ``alliance-index report DYAD... --out report.html``.

The report is one HTML file an analyst can send: scores, verdicts and
intervals, figures (embedded as base64 PNG), the evidence behind every
indicator value used (value, confidence grade, source) and, when a scenario
file is given, the scenario results. It has inline CSS only and no external
address at all (no scripts, fonts, stylesheets or images fetched), so it opens
in a browser without network access.

Pieces that another part of the library provides degrade with a visible
message instead of invented numbers: without the classifier the verdict and
``p_de_jure`` columns say "classification not available in this version";
without the scenario simulator the scenario section says so.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from .catalog import DOMAINS, SIDES
from .errors import DyadError, MethodError, ObservationsError

__all__ = ["build_report", "cmd_report", "REPORT_UNCERTAINTY_DRAWS"]

#: Monte Carlo draws of the modelling-choice analysis in the report (0 = leave it out).
REPORT_UNCERTAINTY_DRAWS = 200
_NA = "—"
_CLASSIFICATION_MISSING = "classification not available in this version"

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;
line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:2px solid #555;padding-bottom:.2em;
margin-top:2em}h3{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#eeeeee}td.num{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555;font-size:.9em}.note{background:#f4f4f4;border-left:4px solid #888;padding:.4em .8em;
margin:.8em 0;font-size:.9em}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{font-size:.85em;color:#444;margin-top:.3em}
.verdict{font-weight:bold}td.src{max-width:480px;font-size:.92em;word-break:break-word}
details summary{cursor:pointer;font-weight:bold;margin:.6em 0}
"""


# --------------------------------------------------------------------------- small helpers

def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(x: Any, digits: int = 1) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return _NA
    if not np.isfinite(f):
        return _NA
    return f"{f:,.{digits}f}"


def _fig_to_img(fig: Any, alt: str, caption: str | None = None, dpi: int = 100) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], num_cols: Sequence[int] = (),
           cls: dict[int, str] | None = None) -> str:
    """HTML table; cells are already-escaped strings."""
    cls = dict(cls or {})
    for j in num_cols:
        cls.setdefault(j, "num")
    th = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for r in rows:
        tds = "".join(f'<td class="{cls[j]}">{c}</td>' if j in cls else f"<td>{c}</td>" for j, c in enumerate(r))
        body.append(f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>'


def _has_classification(df: pd.DataFrame) -> bool:
    return "p_de_jure" in df.columns and df["p_de_jure"].notna().any()


# --------------------------------------------------------------------------- sections

def _summary_section(sel: pd.DataFrame, classified: bool) -> str:
    from .countries import name as cname

    rows = []
    for r in sel.itertuples(index=False):
        a, b = str(r.dyad).split("-")
        if classified and np.isfinite(float(getattr(r, "p_de_jure", np.nan))):
            p = _num(r.p_de_jure, 2)
            lo, hi = getattr(r, "p_de_jure_lo", np.nan), getattr(r, "p_de_jure_hi", np.nan)
            piv = f"{_num(lo, 2)} – {_num(hi, 2)}" if np.isfinite(float(lo)) and np.isfinite(float(hi)) else _NA
            verdict = _e(r.verdict) if isinstance(r.verdict, str) else _NA
        else:
            p, piv, verdict = _NA, _NA, _NA
        ks = r.known_status if isinstance(getattr(r, "known_status", None), str) else "unknown"
        rows.append([
            f"<b>{_e(r.dyad)}</b><br>{_e(cname(a))} – {_e(cname(b))}", _e(int(r.year)),
            _num(r.index), _num(r.cooperation), _num(r.discord), _num(getattr(r, "hostility", np.nan)),
            _num(r.breadth, 2), _num(r.coverage, 2),
            p, piv, f'<span class="verdict">{verdict}</span>', _e(ks),
        ])
    header = ["dyad", "year", "index (0–100)", "cooperation", "discord", "hostility", "breadth (0–1)",
              "coverage (0–1)", "p_de_jure", "p_de_jure interval", "verdict", "known status"]
    out = _table(header, rows, num_cols=(2, 3, 4, 5, 6, 7, 8, 9))
    if not classified:
        out += _note(f"p_de_jure, its interval and the verdict: {_CLASSIFICATION_MISSING}. "
                     "The index, cooperation, discord and domain scores are computed; nothing is filled in "
                     "for the missing columns.")
    return out


def _explain_section(obs: pd.DataFrame, dyads: list[str], year: int) -> str:
    """Each commitment-model feature's contribution to the log-odds of p_de_jure, dyads side by side."""
    import warnings

    from .errors import CoverageWarning
    from .models.classify import explain_p_de_jure

    cols = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        for d in dyads:
            sub = obs[obs["dyad"] == d]
            if not (sub["year"] == year).any():
                continue
            e = explain_p_de_jure(sub, year=year, seed=0).set_index("term")
            cols[d] = e
    if not cols:
        return _note(f"No dyad has observations in {year}: nothing to explain.")
    terms = list(next(iter(cols.values())).index)
    rows = []
    for t in terms:
        cells = []
        for e in cols.values():
            c = _num(e.loc[t, "contribution"], 2)
            if t not in ("const", "total"):
                c += f' <span class="meta">({_num(100 * e.loc[t, "observed"], 0)}% obs.)</span>'
            cells.append(c)
        label = "total (log-odds)" if t == "total" else t.replace("_", " ")
        rows.append([f"<b>{_e(label)}</b>" if t == "total" else _e(label), *cells])
    rows.append(["point probability", *[_num(e.loc["total", "value"], 2) for e in cols.values()]])
    return _table(["term", *cols], rows, num_cols=tuple(range(1, len(cols) + 1)))


def _domain_section(sel: pd.DataFrame) -> str:
    header = ["dyad"] + [f"{d} {s}" for d in DOMAINS for s in SIDES]
    rows = [[_e(r["dyad"])] + [_num(r[f"dom_{d}_{s}"]) for d in DOMAINS for s in SIDES]
            for _, r in sel.iterrows()]
    return (_table(header, rows, num_cols=range(1, len(header)))
            + '<p class="meta">Domain scores on 0–100; "—" = no indicator of that domain and side observed '
              "(not zero).</p>")


def _sources_section(obs: pd.DataFrame, dyads: list[str], year: int) -> str:
    from .catalog import catalog as _cat

    cat = _cat()
    sub = obs[(obs["dyad"].isin(dyads)) & (obs["year"].astype("int64") == year)].copy()
    sub = sub[sub["value"].notna()]
    if sub.empty:
        return _note(f"No observed indicator values for these dyads in {year}.")
    dom = sub["indicator"].map(cat["domain"])
    side = sub["indicator"].map(cat["side"])
    unit = sub["indicator"].map(cat["unit"]) if "unit" in cat.columns else pd.Series("", index=sub.index)
    sub = sub.assign(_domain=dom, _side=side, _unit=unit,
                     _o=sub["dyad"].map({d: i for i, d in enumerate(dyads)}),
                     _do=dom.map({d: i for i, d in enumerate(DOMAINS)}))
    sub = sub.sort_values(["_o", "_do", "_side", "indicator"])
    parts = []
    for d in dyads:
        g = sub[sub["dyad"] == d]
        rows = [[_e(r["dyad"]), _e(int(r["year"])), _e(r["indicator"]), _e(f"{r['_domain']} / {r['_side']}"),
                 _e(f"{r['value']:.6g}"), _e(r["_unit"] if isinstance(r["_unit"], str) else ""),
                 _e(r.get("confidence", "") or ""), _e(r.get("source", "") or ""), _e(r.get("note", "") or "")]
                for _, r in g.iterrows()]
        parts.append(f"<h3>{_e(d)}, {year}: {len(rows)} observed values</h3>")
        parts.append(_table(["dyad", "year", "indicator", "domain / side", "value", "unit", "confidence", "source",
                             "note"], rows, num_cols=(4,), cls={7: "src", 8: "src"}))
    return "".join(parts)


def _uncertainty_section(obs: pd.DataFrame, dyads: list[str], year: int, draws: int, seed: int) -> tuple[str, str]:
    """Index intervals and ranks over a declared space of modelling choices (Monte Carlo)."""
    from .plotting import plot_rank_intervals
    from .uncertainty import Choice, ChoiceSpace, WeightPerturbation, monte_carlo

    space = ChoiceSpace([
        Choice("normalisation", ["goalposts", "minmax", "rank"], probs=[0.5, 0.25, 0.25]),
        Choice("aggregation", ["arithmetic", "geometric"], probs=[0.5, 0.5]),
        Choice("evidence", [False, True]),
        Choice("discord_exponent", [1.0, 0.5, 2.0], probs=[0.5, 0.25, 0.25]),
        WeightPerturbation("weights", relative=0.5),
    ])
    # a choice that cannot vary on these data (e.g. evidence weighting when every value is confirmed)
    # simply contributes no spread; it is not an error in a report
    res = monte_carlo(obs, space, n_draws=draws, seed=seed, check_choices=False)
    summ = res.summary
    rows = []
    for d in dyads:
        if (d, year) not in summ.index:
            continue
        r = summ.loc[(d, year)]
        rows.append([_e(d), _num(r.get("index_baseline")), _num(r.get("index_p5")), _num(r.get("index_p50")),
                     _num(r.get("index_p95")), _num(r.get("rank_p5"), 0), _num(r.get("rank_p50"), 0),
                     _num(r.get("rank_p95"), 0)])
    n_units = int((summ.index.get_level_values("year") == year).sum())
    tbl = _table(["dyad", "index (default choices)", "index p5", "index p50", "index p95", f"rank p5 (of {n_units})",
                  "rank p50", "rank p95"], rows, num_cols=range(1, 8))
    txt = (f"<p>{draws} Monte Carlo draws (seed {seed}) over: normalisation (goalposts / min–max / rank), "
           "aggregation (arithmetic / geometric), evidence weighting (off / on), discord exponent (1 / 0.5 / 2) "
           "and indicator weights (±50%). Intervals are the 5th–95th percentiles over the draws; ranks are among "
           f"all {n_units} dyads in the data in {year} (1 = highest index).</p>")
    ax = plot_rank_intervals(res, year=year)
    fig = _fig_to_img(ax.figure, f"rank intervals {year}", "Rank of each dyad under the declared modelling choices "
                      "(bar: 5th–95th percentile, dot: median, cross: default choices).")
    return txt + tbl, fig


def _scenario_section(path: str, obs: pd.DataFrame, progress: Callable[[str], None],
                      scores: pd.DataFrame | None = None) -> str:
    from .scenarios import Scenario

    spec = Scenario.from_yaml(path)  # validation errors propagate: a bad file is the user's to fix
    head = (f"<p>Scenario file <code>{_e(Path(path).name)}</code>: dyad <b>{_e(spec.dyad)}</b>, observed up to "
            f"{_e(spec.as_of)}, projected to {_e(spec.horizon)}, {_e(spec.draws)} draws, seed {_e(spec.seed)}.</p>")
    desc = [[_e(s.name), _e(s.description),
             _e("; ".join(f"{k.year} {k.indicator} {k.op} {k.value:g}" for k in s.shocks) or "none")]
            for s in spec.scenarios]
    head += _table(["scenario", "description", "shocks"], desc)
    progress("scenario: simulating")
    note = ""
    try:
        res = spec.run(obs=obs)
    except MethodError as exc:  # no classifier in this version: simulate the index only
        res = spec.run(obs=obs, classifier=False)
        note = _note(f"p_de_jure trajectories: {_CLASSIFICATION_MISSING} ({exc}). The index trajectories below "
                     "are simulated without it.")
    hist = None
    if scores is not None:
        hist = scores[(scores["dyad"] == spec.dyad) & (scores["year"] <= spec.as_of)]
    return head + note + _scenario_results_html(res, hist)


def _scenario_results_html(res: Any, history: pd.DataFrame | None = None) -> str:
    """Horizon table and fan charts (index, p_de_jure) of a :class:`ScenarioSetResult`.

    ``history``: observed scores (``dyad``, ``year``, ``index``, ``p_de_jure``) drawn before the fans.
    """
    from .plotting import plot_scenario_fan

    parts = []
    for dy in res.dyads:
        t = res.table(dy)
        has_p = bool(t["p_de_jure"].notna().any())
        if not has_p:  # index only: horizon index and its difference from the baseline
            fd = {name: r.first_differences.iloc[-1] for name, r in res.results[dy].items()}
            t = t[["scenario", "horizon", "index", "index_90"]].copy()
            t["d_index"] = [fd[n]["d_index"] for n in t["scenario"]]
            t["d_index_90"] = [f"[{fd[n]['d_index_lo']:+.1f}, {fd[n]['d_index_hi']:+.1f}]" if n != t["scenario"].iloc[0]
                               else _NA for n in t["scenario"]]
        parts.append(f"<h3>{_e(dy)}: at the horizon ({_e(res.spec.horizon)})</h3>")
        rows = [[_e(v) if isinstance(v, (str, int, np.integer)) or v is None else _num(v, 3) for v in rec]
                for rec in t.itertuples(index=False)]
        parts.append(_table(list(t.columns), rows))
        parts.append('<p class="meta">Intervals are 90% (5th–95th percentile of the draws); d_ = scenario minus '
                     "baseline, draw by draw." + (" p_alliance: share of draws with the alliance verdict at the "
                     "horizon; p_alliance_by: in any year up to it." if has_p else "") + "</p>")
        fan = res.fan(dyad=dy)
        for name in pd.unique(fan["scenario"]):
            for measure in ("index", "p_de_jure"):
                col = f"{measure}_p50"
                if col in fan.columns and fan.loc[fan["scenario"] == name, col].notna().any():
                    h = None
                    if history is not None:
                        h = history[history["dyad"] == dy]
                        h = h if len(h) and h[measure].notna().any() else None
                    ax = plot_scenario_fan(fan, name, measure=measure, history=h)
                    parts.append(_fig_to_img(ax.figure, f"scenario {name} {measure}",
                                             f"{dy}, scenario '{name}': simulated {measure} (median, 25–75th and "
                                             "5–95th percentile bands)."))
    return "".join(parts)


# --------------------------------------------------------------------------- the report

def build_report(
    dyads: Sequence[str] | str,
    obs: pd.DataFrame | None = None,
    year: int | None = None,
    scenario: str | os.PathLike | None = None,
    *,
    uncertainty_draws: int = REPORT_UNCERTAINTY_DRAWS,
    seed: int = 2023,
    progress: Callable[[str], None] | None = None,
    data_label: str | None = None,
) -> str:
    """Build a self-contained HTML report on ``dyads``.

    Parameters
    ----------
    dyads : str or sequence of str
        Dyads, any spelling (contract §1).
    obs : DataFrame, optional
        Observations (contract §2); default the bundled curated panel.
    year : int, optional
        Year of the scores, verdicts and sources tables (default: the latest year in
        which every dyad has an index score). Time series cover every year.
    scenario : path, optional
        A scenario YAML file whose results are added.
    uncertainty_draws : int, default 200
        Monte Carlo draws over modelling choices for index and rank intervals
        (0 leaves the section out).
    seed : int, default 2023
        Seed of that Monte Carlo (same seed, same report).
    progress : callable, optional
        Called with a short message at each step (the command line shows a bar).
    data_label : str, optional
        What to call the data in the header (default: "bundled curated panel" or "user observations").

    Returns
    -------
    str
        The HTML document. Figures are ``<img src="data:image/png;base64,...">``;
        there is no external address.
    """
    from .countries import dyad_id
    from .observations import load_panel
    from .plotting import _pick_year, plot_contributions, plot_domain_profile, plot_timeseries, scores_for

    step = progress or (lambda msg: None)
    if isinstance(dyads, str):
        dyads = [dyads]
    want = [dyad_id(d) for d in dyads]
    if not want:
        raise DyadError("name at least one dyad, e.g. Russia-Iran.")
    if len(set(want)) < len(want):
        dup = [d for d in want if want.count(d) > 1][0]
        raise DyadError(f"dyad {dup} is given twice; list each dyad once.")
    bundled = obs is None
    obs = load_panel() if bundled else obs
    # cheap checks first, so a typo fails in a moment rather than after scoring
    have = set(obs.loc[obs["value"].notna(), "dyad"])
    missing = [d for d in want if d not in have]
    if missing:
        from .errors import suggest

        raise ObservationsError(f"no observations for dyad {missing[0]} in the data.{suggest(missing[0], sorted(have))} "
                                f"Dyads with data: {', '.join(sorted(have)[:25])}.")
    if year is not None:
        seen = obs.loc[obs["value"].notna() & obs["dyad"].isin(want), ["dyad", "year"]]
        for d in want:
            yrs = seen.loc[seen["dyad"] == d, "year"]
            if int(year) not in set(yrs.astype(int).tolist()):
                raise ObservationsError(f"dyad {d} has no observations in {int(year)} (years "
                                        f"{int(yrs.min())}–{int(yrs.max())}); choose another year.")
    if scenario is not None:
        from .scenarios import Scenario

        Scenario.from_yaml(scenario)  # a bad scenario file fails now, naming its line and field
    step("scoring")
    scores = scores_for(obs)  # no warnings: the notices above the scores carry the caveats of the rows shown
    y = _pick_year(scores, want, year)
    sel = scores[(scores["dyad"].isin(want)) & (scores["year"].astype("int64") == y)]
    sel = sel.assign(_o=sel["dyad"].map({d: i for i, d in enumerate(want)})).sort_values("_o").drop(columns="_o")
    classified = _has_classification(scores)

    from . import __version__

    label = data_label or ("bundled curated panel" if bundled else "user observations")
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>alliance_index report: {_e(', '.join(want))}</title>", f"<style>{_CSS}</style></head><body>",
        f"<h1>Alliance or convenience? {_e(' · '.join(want))}</h1>",
        f'<p class="meta">alliance_index {_e(__version__)} · data: {_e(label)} '
        f"({len(obs):,} observations, {obs['dyad'].nunique()} dyads) · scores for {y} · generated {now}</p>",
        "<p>The <b>index</b> (0–100) is cooperation discounted by discord: "
        "index = cooperation × (1 − discord/100). Cooperation and discord are weighted means of normalised "
        "indicators over four domains (military, economic, diplomatic, regional). <b>Breadth</b> (0–1) says how "
        "evenly cooperation spreads over the domains; <b>coverage</b> is the share of core indicators observed. "
        "<b>p_de_jure</b> is the calibrated probability that a dyad with this profile is bound by a mutual-defence "
        "treaty. <b>Hostility</b> is discord without the hedging indicators (neutrality in the partner's "
        "conflicts, no help when it is attacked, ties with its rivals, recognition disputes, withheld arms). "
        "Verdicts, first rule that holds: <i>rivalry</i> if hostility ≥ 50 and above cooperation; "
        "<i>alliance</i> if p_de_jure ≥ 0.5; <i>limited</i> if cooperation &lt; 25; <i>convenience</i> if discord ≥ 25; "
        "otherwise <i>alignment</i> (docs/verdicts.md).</p>",
        "<h2>Scores and verdicts</h2>", _provisional_note(sel), _caveat_note(sel), _summary_section(sel, classified),
        "<h3>Domain scores</h3>", _domain_section(sel),
    ]
    step("figures")
    figs = []
    ax = plot_domain_profile(scores, year=y, dyads=want)
    figs.append(_fig_to_img(ax.figure, f"domain profile {y}", f"Cooperation (up, solid) and discord (down, hatched) "
                            f"in each domain, {y}. 'n/o' = not observed."))
    ax = plot_timeseries(scores, want)
    figs.append(_fig_to_img(ax.figure, "index over time", "Alliance index over time"
                            + (" and p_de_jure (dashed, right axis) with its interval." if classified
                               else f" (p_de_jure: {_CLASSIFICATION_MISSING}).")))
    parts += ["<h2>Figures</h2>", *figs]
    parts.append("<h2>What pushes each dyad toward or away from alliance</h2>")
    parts.append("<p>Each bar is an observed indicator's contribution in index points; the bars add up to the "
                 "index. Cooperation indicators add their weighted normalised value; discord indicators take their "
                 "share of the discount discord applies to cooperation.</p>")
    for d in want:
        step(f"contributions {d}")
        ax = plot_contributions(d, y, obs)
        parts.append(_fig_to_img(ax.figure, f"contributions {d} {y}", f"{d}, {y}: contributions to the index."))
    if classified:
        step("explaining p_de_jure")
        parts.append("<h2>What drives p_de_jure</h2>")
        parts.append("<p>The commitment model is linear on the log-odds scale: each row is a feature's "
                     "contribution (its coefficient times its standardised value), and the rows add up to the "
                     "total, whose logistic is the point probability. p_de_jure in the table above also averages "
                     "over the coefficients' uncertainty, so it differs a little. In brackets: the share of the "
                     "feature's indicators observed in the year (the rest is imputed). docs/models.md §5a.</p>")
        parts.append(_explain_section(obs, want, y))
    if uncertainty_draws and int(uncertainty_draws) > 0:
        step("uncertainty over modelling choices")
        parts.append("<h2>Intervals under other modelling choices</h2>")
        try:
            txt, fig = _uncertainty_section(obs, want, y, int(uncertainty_draws), int(seed))
            parts += [txt, fig]
        except MethodError as exc:  # e.g. too little data for a choice to run; say so, invent nothing
            parts.append(_note(f"Intervals under other modelling choices could not be computed on these data: {exc}"))
    if scenario is not None:
        step("scenario")
        parts += ["<h2>Scenario results</h2>", _scenario_section(str(scenario), obs, step, scores)]
    step("sources")
    parts += ["<h2>Evidence: the source of each indicator value used</h2>",
              f"<p>Every observed value for {y} that entered the scores above, with its evidence grade "
              "(confirmed, reported, alleged, denied) and its source.</p>", _sources_section(obs, want, y)]
    parts.append('<p class="meta">Generated by alliance_index. This file is self-contained: no external '
                 "resources.</p></body></html>")
    return "\n".join(parts)


def _provisional_note(sel: pd.DataFrame) -> str:
    """A notice naming the shown dyad-years that are coded only to date ('' when none)."""
    if "provisional" not in sel.columns or not sel["provisional"].any():
        return ""
    rows = sel[sel["provisional"].astype(bool)]
    names = ", ".join(f"{d} {int(y)}" for d, y in zip(rows["dyad"], rows["year"]))
    return _note(f"Provisional: {names} coded only to date, a year still in progress. Only indicators that "
                 "describe a state (agreements, bases, levels, yes/no facts) are observed; flows counted over the "
                 "year (trade, meetings, exercises, incidents) are not, so read these scores and verdicts as "
                 "provisional. The time series draws such years as hollow points.")


def _caveat_note(sel: pd.DataFrame) -> str:
    """Notices naming the shown rivalries that rest on few hostility indicators and the shown
    dyad-years with low coverage ('' when none); the same rows as the command line's footer lines."""
    from .index.cli_handlers import _flags
    from .models.classify import MIN_COVERAGE
    from .models.verdict import FEW_HOSTILITY

    f = _flags(sel)
    out = ""
    if f["fragile"]:
        out += _note(f"Fragile: {'; '.join(f['fragile'])}. A rivalry resting on {FEW_HOSTILITY} or fewer observed "
                     "hostility indicators is fragile; observations of incidents, protests, sanctions or disputes "
                     "would firm it up.")
    if f["low_coverage"]:
        out += _note(f"Low coverage: {'; '.join(f['low_coverage'])}, below {MIN_COVERAGE:.0%}. The scores and "
                     "p_de_jure rest on few observations, and the p_de_jure interval is wide.")
    return out


def _progress_printer() -> tuple[Callable[[str], None], Callable[[], None]]:
    """A tqdm bar on standard error when it is a terminal; otherwise silent."""
    if not sys.stderr.isatty():
        return (lambda msg: None), (lambda: None)
    try:
        from tqdm import tqdm
    except ImportError:
        def say(msg: str) -> None:
            print(f"report: {msg}…", file=sys.stderr)

        return say, (lambda: None)
    bar = tqdm(total=None, desc="report", unit="step", file=sys.stderr, leave=False)

    def step(msg: str) -> None:
        bar.set_description_str(f"report: {msg}")
        bar.update(1)

    return step, bar.close


def cmd_report(args) -> str:
    """``alliance-index report DYAD... --out report.html [--year Y] [--scenario FILE.yaml] [--data FILE]...``

    Writes the HTML to a temporary file in the output folder, then renames it
    over ``--out`` (``os.replace``), so a failed run never leaves a half-written
    report. Returns one line naming the file.
    """
    from .cli import load_obs

    out = Path(args.out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(f"output folder '{folder}' does not exist; create it or choose another --out.")
    if out.is_dir():
        raise ValueError(f"--out '{out}' is a folder; give a file name such as {out / 'report.html'}.")
    data = getattr(args, "data", None)
    obs = load_obs(data)
    label = None if not data else "user observations: " + ", ".join(Path(f).name for f in data)
    step, done = _progress_printer()
    try:
        text = build_report(list(args.dyads), obs=None if not data else obs, year=args.year,
                            scenario=getattr(args, "scenario", None), progress=step, data_label=label)
    finally:
        done()
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if getattr(args, "format", "table") == "json":
        import json

        return json.dumps({"file": str(out), "dyads": [str(d) for d in args.dyads], "bytes": len(text.encode())})
    return f"wrote {out} ({len(text.encode()) // 1024} KB, {len(args.dyads)} dyad(s))"
