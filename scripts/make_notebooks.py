#!/usr/bin/env python
"""Write the three example notebooks in notebooks/ (reproducibly, without outputs).

    python scripts/make_notebooks.py [--out DIR]

* ``01_quickstart.ipynb``  -- Russia–Belarus vs Russia–Iran: scores, profiles, contributions, evidence;
* ``02_scenarios.ipynb``   -- the bundled Russia–Iran scenario file: shocks, projections, fan charts;
* ``03_real_data.ipynb``   -- dyad-years built from the real datasets (``../shared/data/real``) and a
  calibration check against ATOP; its data cells print a clear message and do nothing
  when the folder is absent.

The notebooks are committed without outputs; ``tests/test_notebooks.py`` executes them.
Edit this script, not the notebooks, and re-run it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402

#: where the notebooks are written (the repository's notebooks/; --out or tests change it)
OUT = Path(__file__).resolve().parent.parent / "notebooks"

KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# --------------------------------------------------------------------------- 01 quick start

QUICKSTART = [
    md("""
# Quick start: Russia–Belarus and Russia–Iran

The question that started this library (`seed/moscow-tehran-axis.txt`): after February 2022, is
Russia–Iran becoming an **alliance**, or is it a **partnership of convenience**? Belarus, which backed
Russia outright and is bound to it by a mutual-defence treaty, is the comparison.

This notebook scores both dyads from the bundled, cited observations, draws their profiles, shows
which indicators push each toward or away from alliance, and lists the evidence behind the numbers.
"""),
    code("""
%matplotlib inline
import pandas as pd

import alliance_index as ai
from alliance_index import plotting as aip
from alliance_index.index import compare

pd.set_option("display.width", 160)
obs = ai.load_panel()
print(f"{len(obs):,} observations, {obs['dyad'].nunique()} dyads, years {obs['year'].min()}-{obs['year'].max()}")
ai.list_dyads()
"""),
    md("""
## Scores side by side

`compare` scores the dyads in one year. The **index** (0–100) is cooperation discounted by discord,
`cooperation × (1 − discord/100)`; the domain columns `dom_<domain>_<side>` are on 0–100 too;
**coverage** is the share of the catalog's core indicators actually observed.
"""),
    code("""
DYADS = ["Russia-Belarus", "Russia-Iran"]
YEAR = 2023
cmp = compare(DYADS, year=YEAR)
cmp[["dyad", "year", "index", "cooperation", "discord", "hostility", "breadth", "coverage", "known_status"]].round(2)
"""),
    md("""
## p_de_jure and the verdict

The classifier gives the probability that a dyad with this profile is bound by a mutual-defence
treaty (`p_de_jure`), with an interval, and a verdict. When the classifier is not part of the
installed version the columns stay empty: nothing is filled in.
"""),
    code("""
scores = aip.scores_for(obs)
two = scores[scores["dyad"].isin(["BLR-RUS", "IRN-RUS"]) & (scores["year"] == YEAR)]
if two["p_de_jure"].notna().any():
    display(two[["dyad", "year", "p_de_jure", "p_de_jure_lo", "p_de_jure_hi", "verdict", "known_status"]].round(3))
else:
    print("p_de_jure and verdict: classification not available in this version.")
"""),
    md("""
## Which kind of discord?

Discord comes in two kinds. **Hostility** (incidents, protests, sanctions, disputes, opposing
sides) is what makes a `rivalry`: the rule reads `hostility >= 50` and above cooperation.
**Hedging** (neutrality in the partner's conflicts, no help when it is attacked, ties with its
rivals, recognition disputes, withheld arms) is the mark of `convenience`, which reads total
discord (`docs/verdicts.md`). `score()` reports the index's `hostility` under your modelling
choices; `discord_split` gives both parts with the classifier's simple aggregation.
"""),
    code("""
from alliance_index.models import discord_split

split = discord_split(obs)
split.loc[[("BLR-RUS", YEAR), ("IRN-RUS", YEAR)]].round(1)
"""),
    md("""
## Why the two p_de_jure differ

The commitment model is linear on the log-odds scale, so each dyad's point log-odds splits into one
term per feature: coefficient × standardised value (`explain_p_de_jure`, `docs/models.md` §5a). The
terms add up to `total`; `observed` is the share of the feature's indicators observed that year.
"""),
    code("""
from alliance_index.models import explain_p_de_jure

try:
    ex = explain_p_de_jure(obs[obs["dyad"].isin(["BLR-RUS", "IRN-RUS"])], year=YEAR)
    display(ex.pivot_table(index="term", columns="dyad", values="contribution", sort=False).round(2))
except FileNotFoundError as exc:  # no fitted classifier in this installation: say so, invent nothing
    print(f"explanation not available: {exc}")
"""),
    md("""
## Domain profile

Cooperation upwards, discord downwards (hatched), per domain. "n/o" marks a domain where nothing
was observed — missing is not zero.
"""),
    code("""
ax = aip.plot_domain_profile(DYADS, year=YEAR)
ax.figure
"""),
    code("""
ax = aip.plot_domain_profile(scores, year=YEAR, dyads=DYADS, kind="radar")
ax.figure
"""),
    md("""
## Over time

Watch for jumps (a new treaty, a war, a crisis) and for the gap between the two lines: in the bundled
data Russia–Iran's cooperation is discounted by discord (recognition disputes, neutrality in Iran's
conflicts, Russia's ties with Iran's rivals), Russia–Belarus's hardly at all.
"""),
    code("""
ax = aip.plot_timeseries(scores, DYADS)
ax.figure
"""),
    md("""
## 2026 so far: a year in progress

The bundled panel codes 2010–2025 in full. For these two dyads, and the other 16 of the flagship
comparison set that still exist, it also codes 2026 *to date*, and only with indicators that describe a state (treaties and agreements in force, bases, levels of
backing, yes/no facts such as help withheld when attacked): flows counted over a year (trade,
meetings, exercises, incidents) stay unobserved until the year is over. Such rows are hollow
points in the plot above; the classifier marks them provisional and warns (`docs/contract_additions.md`).
For Russia–Iran, 2026 holds the test the seed analysis asked about: Iran was struck from 28 February
and Russia sent no military help.
"""),
    code("""
import warnings

from alliance_index.models import classify, compare_p_de_jure
from alliance_index.observations import incomplete_years

print(f"{len(incomplete_years(obs))} dyad-years coded to date:", ", ".join(incomplete_years(obs)["dyad"]))
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the provisional and coverage warnings are printed in the table instead
        now = classify(obs[obs["dyad"].isin(["BLR-RUS", "IRN-RUS"])], year=2026)
        pair = compare_p_de_jure("Russia-Belarus", "Russia-Iran", 2026)
    display(now[["dyad", "year", "p_de_jure", "p_de_jure_lo", "p_de_jure_hi", "coverage", "verdict",
                 "verdict_reason"]].round(3))
    display(pair.round(3))
    ev26 = obs[(obs["dyad"] == "IRN-RUS") & (obs["year"] == 2026)]
    display(ev26[["indicator", "value", "confidence", "note"]])
except FileNotFoundError as exc:  # no fitted classifier in this installation: say so, invent nothing
    print(f"classification not available: {exc}")
"""),
    md("""
## What pushes each dyad toward or away from alliance

Each bar is one observed indicator's contribution in index points; the bars add up to the index
exactly (see `alliance_index.plotting.contributions` for the decomposition).
"""),
    code("""
ax = aip.plot_contributions("Russia-Iran", YEAR, obs)
ax.figure
"""),
    code("""
ax = aip.plot_contributions("Russia-Belarus", YEAR, obs)
ax.figure
"""),
    code("""
c = aip.contributions("Russia-Iran", YEAR, obs)
print(f"sum of contributions {c['contribution'].sum():.2f} = index {c.attrs['index']:.2f}")
c.sort_values("contribution")[["domain", "side", "value", "normalised", "weight", "contribution"]].round(3)
"""),
    md("""
## The evidence behind the numbers

Every value carries an evidence grade (`confirmed`, `reported`, `alleged`, `denied`) and a source.
"""),
    code("""
ev = obs[(obs["dyad"] == "IRN-RUS") & (obs["year"] == YEAR) & obs["value"].notna()]
ev[["indicator", "value", "confidence", "source"]].head(15)
"""),
    md("""
## How much do the modelling choices matter?

A small Monte Carlo over normalisation, aggregation and weights (see `alliance_index.uncertainty`):
where would each dyad rank among the bundled dyads under other reasonable choices?
"""),
    code("""
from alliance_index.uncertainty import Choice, ChoiceSpace, WeightPerturbation, monte_carlo

space = ChoiceSpace([
    Choice("normalisation", ["goalposts", "minmax"]),
    Choice("aggregation", ["arithmetic", "geometric"]),
    WeightPerturbation("weights", relative=0.5),
])
mc = monte_carlo(obs, space, n_draws=100, seed=1)
ax = aip.plot_rank_intervals(mc, year=YEAR)
ax.figure
"""),
    md("""
## Reading it

A dyad with substantial cooperation that discord discounts heavily, or that is concentrated in one or
two domains, has the "convenience" profile; broad cooperation with little discord is the alliance
profile. Compare the two dyads on the profile, the contributions and the rank intervals above. A shareable HTML version
of this comparison: `alliance-index report Russia-Iran Russia-Belarus --out report.html`.
"""),
]


# --------------------------------------------------------------------------- 02 scenarios

SCENARIOS = [
    md("""
# Scenarios: where could Russia–Iran go?

The bundled scenario file `data/scenarios/russia_iran.yaml` asks the seed's what-ifs: Su-35
deliveries and recognition of the annexations; deeper military integration; trade at $40bn;
Russia neutral again when Iran is struck. Each scenario shocks indicators on top of projected
paths; the simulation carries projection, evidence and classifier uncertainty into the index and
`p_de_jure`.
"""),
    code("""
%matplotlib inline
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import alliance_index as ai
from alliance_index import plotting as aip
from alliance_index._resources import data_dir
from alliance_index.errors import MethodError
from alliance_index.scenarios import Scenario

path = data_dir() / "scenarios" / "russia_iran.yaml"
spec = Scenario.from_yaml(path)
print(f"{spec.name}: dyad {spec.dyad}, observed to {spec.as_of}, projected to {spec.horizon}, "
      f"{spec.draws} draws, seed {spec.seed}")
pd.DataFrame([{"scenario": s.name, "shocks": len(s.shocks), "description": s.description} for s in spec.scenarios])
"""),
    code("""
shocks = pd.DataFrame([{"scenario": s.name, "year": k.year, "indicator": k.indicator, "op": k.op,
                        "value": k.value, "uncertainty": k.uncertainty}
                       for s in spec.scenarios for k in s.shocks])
shocks
"""),
    md("""
## The history the scenarios start from

Only observations up to `as_of` are used, so the baseline is an out-of-sample forecast.
"""),
    code("""
obs = ai.load_panel()
scores = aip.scores_for(obs)
hist = scores[(scores["dyad"] == spec.dyad) & (scores["year"] <= spec.as_of)]
ax = aip.plot_timeseries(hist, [spec.dyad])
ax.figure
"""),
    md("""
## How one indicator is projected

Each indicator follows its own projection (the `auto` rule picks hold or a linear trend by
out-of-sample error). Here: bilateral trade, with its simulated paths.
"""),
    code("""
from alliance_index.scenarios import project

cat = ai.catalog()
tr = obs[(obs["dyad"] == spec.dyad) & (obs["indicator"] == "trade_usd") & (obs["year"] <= spec.as_of)].dropna(subset=["value"])
row = cat.loc["trade_usd"]
pr = project(tr["year"], tr["value"], spec.horizon, kind=row["kind"], lo=row["range_min"], hi=row["range_max"],
             log1p=row["transform"] == "log1p", n_paths=500, seed=1)
fan = pd.DataFrame({"year": pr.years, "trade_usd_p5": np.percentile(pr.paths, 5, axis=0),
                    "trade_usd_p25": np.percentile(pr.paths, 25, axis=0),
                    "trade_usd_p50": np.percentile(pr.paths, 50, axis=0),
                    "trade_usd_p75": np.percentile(pr.paths, 75, axis=0),
                    "trade_usd_p95": np.percentile(pr.paths, 95, axis=0)})
fig = Figure(figsize=(8, 4.5), layout="constrained")
ax = fig.add_subplot()
for q, a in ((5, 0.15), (25, 0.3)):
    ax.fill_between(fan["year"], fan[f"trade_usd_p{q}"], fan[f"trade_usd_p{100 - q}"], color=aip.OKABE_ITO["blue"],
                    alpha=a, lw=0, label=f"{q}–{100 - q}th percentile")
ax.plot(fan["year"], fan["trade_usd_p50"], color=aip.OKABE_ITO["blue"], lw=2, label="median")
ax.plot(tr["year"], tr["value"], "o-", color="black", ms=3, label="observed")
ax.set_xlabel("year"); ax.set_ylabel("bilateral trade ($m, current)")
ax.set_title(f"trade_usd projection ({pr.method})"); ax.legend(fontsize="small")
fig
"""),
    md("""
## Run the scenarios

`p_de_jure` needs the classifier; when it is not part of the installed version, the cell says so
and simulates the index alone (`classifier=False`), so the index fans below are still real.
"""),
    code("""
try:
    res = spec.run(obs=obs, draws=500)
except MethodError as exc:
    print(f"p_de_jure trajectories: classification not available in this version ({exc})")
    print("simulating the index only")
    res = spec.run(obs=obs, draws=500, classifier=False)
table = res.table()
if table["p_de_jure"].isna().all():
    table = table[["scenario", "horizon", "index", "index_90"]]
table.round(3)
"""),
    code("""
names = spec.names
fig = Figure(figsize=(12, 3.2 * ((len(names) + 1) // 2)), layout="constrained")
axes = fig.subplots((len(names) + 1) // 2, 2, squeeze=False).ravel()
fan = res.fan()
for ax, name in zip(axes, names):
    aip.plot_scenario_fan(fan, name, ax=ax, history=hist)
for ax in axes[len(names):]:
    ax.set_visible(False)
fig
"""),
    code("""
if res.fan()["p_de_jure_p50"].notna().any():
    fig = Figure(figsize=(12, 3.2 * ((len(spec.names) + 1) // 2)), layout="constrained")
    axes = fig.subplots((len(spec.names) + 1) // 2, 2, squeeze=False).ravel()
    for ax, name in zip(axes, spec.names):
        aip.plot_scenario_fan(res.fan(), name, ax=ax, measure="p_de_jure")
    for ax in axes[len(spec.names):]:
        ax.set_visible(False)
    display(fig)
else:
    print("skipped: no p_de_jure trajectories (classification not available in this version)")
"""),
    md("""
## Reading it

Compare each scenario's horizon `p_de_jure` with the baseline's (first differences use common random
numbers, so the difference is sharper than the two intervals suggest). The same results go into a
shareable report: `alliance-index report Russia-Iran --scenario data/scenarios/russia_iran.yaml --out report.html`.
"""),
]


# --------------------------------------------------------------------------- 03 real data

SKIP = "if REAL is None:\n    print(SKIP_MSG)\nelse:\n"


def guarded(body: str):
    """A data cell that does nothing but print the reason when the real data are absent."""
    lines = body.strip("\n").splitlines()
    return code(SKIP + "\n".join(("    " + ln) if ln.strip() else "" for ln in lines))


REAL_DATA = [
    md("""
# Real data: dyad-years from ATOP, COW, UN votes and SIPRI, and calibration

This notebook builds dyad-years from the real research datasets (`../shared/data/real`, or the folder
named by `$ALLIANCE_INDEX_REAL_DATA`), scores them with the same composite index, calibrates the
library's historical model of ATOP alliance outcomes on the earlier years and checks it out of
sample: discrimination and how well calibrated its probabilities are.

When the folder is absent, every data cell prints why it is skipped and does nothing.
"""),
    code("""
%matplotlib inline
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import alliance_index as ai
from alliance_index import plotting as aip
from alliance_index._resources import real_data_dir

REAL = real_data_dir()
SKIP_MSG = ("skipped: real data folder not found (../shared/data/real or $ALLIANCE_INDEX_REAL_DATA); "
            "download the datasets listed in the README to run this cell.")
print(f"real data: {REAL}" if REAL is not None else SKIP_MSG)
"""),
    md("""
## Build politically relevant dyad-years, 1990–2014

`build_dyad_years` joins the sources, each with its missing-data rule (`dy.attrs["rules"]`).
Outside a source's years every value is NaN. Inside them, a dyad absent from ATOP, SIPRI or the
rivalry list (files that list only pacts, transfers or rivalries) is 0; a dyad absent from COW
trade is 0 only when both states' trade is covered that year (the default
`trade_absent="auto"`), else NaN; a dyad absent from a file that lists every dyad (IGOs, UN
votes, ideal points) is NaN. Politically relevant dyads: contiguous, or including a major power.
"""),
    guarded("""
from alliance_index import sources as S

S.set_data_dir(REAL)
dy = S.build_dyad_years(1990, 2014, sources=["atop", "trade", "igo", "unvotes", "idealpoints", "rivalries",
                                             "sipri", "contiguity", "majors"], relevant_only=True, rivalries="tss",
                        progress=False)
print(f"{len(dy):,} dyad-years x {dy.shape[1]} columns")
display(pd.Series(dy.attrs["coverage"], name="years").to_frame())
display(dy["atop_label"].value_counts().to_frame("dyad-years"))
"""),
    md("""
## Score them

The structural indicators become observations (contract §2) and go through the index. Alliance
portfolio similarity is left out: it is built from ATOP itself and would leak the label.
"""),
    guarded("""
from alliance_index.index import CompositeIndex

inds = ["trade_usd", "trade_dependence", "shared_igo_memberships", "unga_agreement",
        "unga_ideal_point_distance", "shared_rivals", "arms_transfers_tiv"]
robs = S.to_observations(dy, inds)
panel = ai.to_panel(robs, validate=False)
est = CompositeIndex().fit(panel)
rs = est.transform(panel).reset_index()
from alliance_index.countries import cow_to_iso3

a, b = cow_to_iso3(dy["ccode1"].to_numpy()), cow_to_iso3(dy["ccode2"].to_numpy())
key = pd.Series(dy["atop_label"].to_numpy(), index=pd.MultiIndex.from_arrays(
    [np.where(a < b, a + "-" + b, b + "-" + a), dy["year"].to_numpy()]))
rs["atop_label"] = key.reindex(pd.MultiIndex.from_frame(rs[["dyad", "year"]])).to_numpy()
rs = rs.dropna(subset=["index", "atop_label"])
print(f"{len(rs):,} scored dyad-years with an ATOP label")
display(rs.groupby("atop_label")[["index", "cooperation", "discord"]].median().round(1))
"""),
    md("""
## Calibrate: the library's historical model, trained on 1990–2004, tested on 2005–2014

`alliance_index.models.fit_historical` is the multinomial logit of ATOP's three outcomes (defence
pact / other formal pact / none) on structural features (statsmodels results: `params`, `bse`,
`conf_int()`, `summary()`). The leaky features (shared IGOs, alliance-portfolio similarity) are left
out. On the later years we report the defence-pact metrics (ROC AUC, PR AUC, Brier, expected
calibration error), the reliability diagram, and the hard question of the design notes: among dyads
with *some* formal pact, does the profile tell a defence pact from a consultation or
non-aggression pact?
"""),
    guarded("""
from alliance_index.models import fit_historical
from alliance_index.models.evaluation import evaluate_binary, reliability_table, roc_auc
from alliance_index.models.features import historical_features
from alliance_index.models.historical import p_defense_vs_other

X = historical_features(dy, spec="indicators", leaky=False)
y = dy["atop_label"].astype(object).to_numpy()
known = pd.notna(dy["atop_label"]).to_numpy()
train = known & (dy["year"] <= 2004).to_numpy()
test = known & (dy["year"] >= 2005).to_numpy()
hist = fit_historical(X[train], y[train], meta={"train_years": "1990-2004", "dyads": "politically relevant"})
P = hist.predict_proba(X[test])
y_def = (y[test] == "defense").astype(int)
display(pd.Series(evaluate_binary(y_def, P["defense"].to_numpy())).round(3).to_frame("defence pact, 2005-2014"))
formal = y[test] != "none"
print(f"ROC AUC defence vs other formal pact: {roc_auc(y_def[formal], p_defense_vs_other(P[formal])):.3f}")
display(hist.params.round(3).head(8))
"""),
    guarded("""
rel = reliability_table(y_def, P["defense"].to_numpy(), n_bins=10)
fig = Figure(figsize=(5.5, 5), layout="constrained")
ax = fig.add_subplot()
ax.plot([0, 1], [0, 1], ":", color="0.5", label="perfect calibration")
ax.plot(rel["mean_predicted"], rel["observed_rate"], "o-", color=aip.OKABE_ITO["blue"], label="historical model")
ax.set_xlabel("predicted probability of a defence pact"); ax.set_ylabel("observed share with a defence pact")
ax.set_title("Reliability, test years 2005–2014"); ax.legend(fontsize="small")
display(fig)
"""),
    md("""
## Russia–Belarus and Russia–Iran in the real data

The structural index alone (trade, IGOs, UN votes, rivals, arms) for the two dyads of the quick
start: structural data measure closeness, not commitment — which is why the library's curated
commitment and discord indicators matter.
"""),
    guarded("""
two = rs[rs["dyad"].isin(["BLR-RUS", "IRN-RUS"])]
ax = aip.plot_timeseries(two, ["Russia-Belarus", "Russia-Iran"], show_p=False)
ax.set_title("Structural index from real data (ATOP label not an input)")
display(ax.figure)
"""),
]


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells, metadata=KERNEL)
    nbformat.validate(nb)
    return nb


def main(argv=()) -> int:
    """Write the notebooks to :data:`OUT` (or ``--out``). ``argv``: the command-line arguments; the
    default ``()`` (a call from Python, e.g. the tests) takes none, so it never reads ``sys.argv``."""
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=_cli.writable_dir, default=None,
                    help=f"folder to write the notebooks to (default: {OUT})")
    a = ap.parse_args(list(argv))
    out = a.out if a.out is not None else OUT
    # build and validate all three before writing any
    nbs = {}
    for name, cells in (("01_quickstart.ipynb", QUICKSTART), ("02_scenarios.ipynb", SCENARIOS),
                        ("03_real_data.ipynb", REAL_DATA)):
        nb = build(cells)
        # stable cell ids so that re-running the script gives identical files
        for i, c in enumerate(nb.cells):
            c["id"] = f"{name[:2]}-{i:02d}"
        nbs[name] = nb
    try:
        for name, nb in nbs.items():
            _cli.atomic_write(out / name, lambda tmp, nb=nb: nbformat.write(nb, tmp))
            print(f"wrote {out / name} ({len(nb.cells)} cells)")
    except OSError as e:
        return _cli.fail(f"cannot write the notebooks to {out}: {e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
