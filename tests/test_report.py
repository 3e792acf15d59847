"""The HTML report: self-contained, complete, written atomically; opens in headless Chromium."""
from __future__ import annotations

import base64
import html
import io
import re
import shutil
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import has_classifier  # noqa: E402

import alliance_index as ai  # noqa: E402
from alliance_index.cli import main  # noqa: E402
from alliance_index.errors import ObservationsError, UnknownCountryError  # noqa: E402
from alliance_index.plotting import OKABE_ITO  # noqa: E402
from alliance_index.report import build_report  # noqa: E402

DYADS = ["Russia-Iran", "Russia-Belarus"]
IMG_RE = re.compile(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


_has_classifier = has_classifier


@pytest.fixture(scope="module")
def obs():
    return ai.load_panel()


@pytest.fixture(scope="module")
def report(obs):
    return build_report(DYADS, obs=obs, year=2023, uncertainty_draws=24)


class _TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One run of `alliance-index report` with standard error looking like a terminal."""
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "report.html"
    err, stdout = _TTY(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stderr", err)
        mp.setattr(sys, "stdout", stdout)
        rc = main(["report", *DYADS, "--out", str(out), "--year", "2023"])
    return rc, out, stdout.getvalue(), err.getvalue()


def assert_self_contained(text: str) -> None:
    low = text.lower()
    # nothing is fetched: no external src/href/url(), no scripts, stylesheets or frames
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:|//|ftp:|file:)', low)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:|//)", low)
    assert "@import" not in low
    for tag in ("<script", "<link", "<iframe", "<object", "<embed"):
        assert tag not in low, tag
    srcs = re.findall(r'src\s*=\s*"([^"]*)"', text)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def test_report_is_self_contained_with_figures(report):
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert_self_contained(report)
    imgs = IMG_RE.findall(report)
    # domain profile, time series, two contribution charts, rank intervals
    assert len(imgs) == 5
    for b in imgs:
        assert base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_has_scores_and_dyads(report, obs):
    from alliance_index.index import score

    assert "IRN-RUS" in report and "BLR-RUS" in report
    assert "Iran – Russia" in report and "Belarus – Russia" in report
    s = score(obs, year=2023, dyads=["IRN-RUS", "BLR-RUS"])
    for r in s.itertuples():
        assert f"{r.index:,.1f}" in report
        assert f"{r.cooperation:,.1f}" in report
        assert f"{r.hostility:,.1f}" in report  # the verdict's rivalry rule reads it, so it is shown
    assert "<th>hostility</th>" in report or ">hostility<" in report
    # known status from the status table
    assert "defense" in report
    if _has_classifier():
        assert "not available in this version" not in report
    else:
        assert "classification not available in this version" in report


def test_report_lists_the_source_of_each_value(report, obs):
    sub = obs[obs["dyad"].isin(["IRN-RUS", "BLR-RUS"]) & (obs["year"] == 2023) & obs["value"].notna()]
    assert len(sub) > 20
    body = report.split("Evidence: the source of each indicator value used", 1)[1]
    for src in sub["source"].dropna().unique():
        assert html.escape(src, quote=True) in body, src[:60]
    # one row per observed value (header row excluded)
    tables = re.findall(r"<table>.*?</table>", body, flags=re.S)
    n_rows = sum(t.count("<tr>") - 1 for t in tables)
    assert n_rows == len(sub)
    for d in ("IRN-RUS", "BLR-RUS"):
        k = int((sub["dyad"] == d).sum())
        assert f"{d}, 2023: {k} observed values" in body


def test_report_escapes_user_text(obs):
    evil = obs[(obs["dyad"] == "IRN-RUS") & (obs["year"] == 2023)].copy()
    evil.loc[evil.index[0], "source"] = '<script>alert(1)</script> <img src="http://x.example/a.png">'
    text = build_report(["Russia-Iran"], obs=evil, uncertainty_draws=0)
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert_self_contained(text)


def test_report_errors(obs):
    with pytest.raises(UnknownCountryError, match="Rusia"):
        build_report(["Rusia-Iran"], obs=obs)
    with pytest.raises(ObservationsError, match="USA-VEN"):
        build_report(["USA-Venezuela"], obs=obs)
    with pytest.raises(ObservationsError, match="1990"):
        build_report(DYADS, obs=obs, year=1990)
    with pytest.raises(ValueError, match="twice"):
        build_report(["Russia-Iran", "IRN-RUS"], obs=obs)


def test_cli_report(cli_run):
    rc, out, stdout, stderr = cli_run
    assert rc == 0, stderr
    assert str(out) in stdout and stdout.count("\n") == 1
    text = out.read_text(encoding="utf-8")
    assert_self_contained(text)
    assert "IRN-RUS" in text and "BLR-RUS" in text
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]  # no temporary left behind
    assert (out.stat().st_mode & 0o777) == 0o644


def test_cli_report_shows_progress_on_a_terminal(cli_run):
    rc, out, stdout, stderr = cli_run
    for step in ("report: scoring", "report: figures", "report: sources"):
        assert step in stderr


def test_cli_report_errors_write_nothing(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "Rusia-Iran", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Rusia" in err
    assert main(["report", "Russia-Iran", "--out", str(tmp_path / "nope" / "r.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["report", "Russia-Iran", "--out", str(out), "--year", "1990"]) == 2
    capsys.readouterr()
    assert list(tmp_path.iterdir()) == []
    # an existing report is not clobbered by a failed run
    out.write_text("old", encoding="utf-8")
    assert main(["report", "Rusia-Iran", "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_cli_help_has_example(capsys):
    assert main(["report", "--help"]) == 0
    assert "example" in capsys.readouterr().out.lower()


def test_cli_report_with_user_data(tmp_path, capsys, obs):
    f = tmp_path / "mine.csv"
    ai.write_observations(obs[obs["dyad"] == "IRN-RUS"], f)
    out = tmp_path / "mine.html"
    rc = main(["report", "Iran-Russia", "--out", str(out), "--data", str(f)])
    assert rc == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "user observations: mine.csv" in text
    assert "1 dyads" in text
    assert main(["report", "Russia-Belarus", "--out", str(out), "--data", str(f)]) == 2
    assert "BLR-RUS" in capsys.readouterr().err


SCENARIO_YAML = """\
name: test scenario
dyad: Russia-Iran
as_of: 2023
horizon: 2026
draws: 60
seed: 7
scenarios:
  - name: trade_up
    description: trade doubles
    shocks:
      - {year: 2025, indicator: trade_usd, op: scale, value: 2.0}
"""


def test_report_with_scenario(tmp_path, obs):
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIO_YAML, encoding="utf-8")
    text = build_report(["Russia-Iran"], obs=obs, scenario=f, uncertainty_draws=0)
    assert_self_contained(text)
    sec = text.split("<h2>Scenario results</h2>", 1)[1]
    assert "trade_up" in sec and "baseline" in sec and "s.yaml" in sec
    if _has_classifier():
        # fans of index and p_de_jure for baseline and trade_up
        assert len(IMG_RE.findall(sec)) == 4
        assert "p_de_jure_90" in sec
    else:  # index trajectories only, and the report says why
        assert "classification not available in this version" in sec
        assert len(IMG_RE.findall(sec)) == 2
        assert "d_index_90" in sec and "p_de_jure_90" not in sec
    assert ">2026<" in sec  # the horizon is printed as a year


def test_report_bad_scenario_file(tmp_path, obs):
    from alliance_index.errors import ScenarioError

    f = tmp_path / "bad.yaml"
    f.write_text("dyad: Russia-Iran\nas_of: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="bad.yaml"):
        build_report(["Russia-Iran"], obs=obs, scenario=f, uncertainty_draws=0)


# --------------------------------------------------------------------------- headless browser

def _near(img: np.ndarray, hexcol: str, tol: float = 0.06) -> int:
    rgb = np.array([int(hexcol[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return int((np.abs(img[..., :3] - rgb) < tol).all(axis=-1).sum())


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian package chromium is not installed")
def test_report_screenshot_in_headless_chromium(tmp_path, cli_run):
    import matplotlib.image as mpimg

    rc, out, _, _ = cli_run
    assert rc == 0
    png = tmp_path / "shot.png"
    cmd = [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1200,2000",
           out.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert png.is_file(), proc.stderr[-2000:]
    img = mpimg.imread(png)
    assert img.shape[0] >= 1500 and img.shape[1] >= 1000
    assert float(img[..., :3].var()) > 0.0
    # the page's CSS is grey: blue and orange pixels come from the figures (the two dyads' colours)
    assert _near(img, OKABE_ITO["blue"]) > 2000
    assert _near(img, OKABE_ITO["orange"]) > 2000


class _LogisticOnIndex:
    """Test double of the simulator's classifier protocol (not a model): p = logistic((index - 50) / 10 + e)."""

    def draw_parameters(self, n_draws, rng):
        return rng.normal(0.0, 0.1, size=(n_draws, 1))

    def p_de_jure(self, features, params, draw_ids):
        z = (features["index"].to_numpy(dtype=float) - 50.0) / 10.0 + params[draw_ids, 0]
        return 1.0 / (1.0 + np.exp(-z))


def test_scenario_results_html(tmp_path):
    """The scenario part of the report on a real run (classifier replaced by a test double)."""
    from alliance_index.report import _scenario_results_html
    from alliance_index.scenarios import Scenario

    f = tmp_path / "s.yaml"
    f.write_text(SCENARIO_YAML, encoding="utf-8")
    res = Scenario.from_yaml(f).run(classifier=_LogisticOnIndex())
    part = _scenario_results_html(res)
    assert_self_contained(part)
    assert len(IMG_RE.findall(part)) == 4  # index and p_de_jure fans for baseline and trade_up
    assert "trade_up" in part and "p_de_jure_90" in part and "IRN-RUS" in part
    t = res.table()
    assert part.count("<tr>") == len(t) + 1


def test_report_on_all_confirmed_single_dyad_data(obs):
    """Evidence weighting cannot vary when every value is confirmed: the report still builds its intervals."""
    one = obs[obs["dyad"] == "BLR-RUS"].copy()
    one["confidence"] = "confirmed"
    text = build_report(["Belarus-Russia"], obs=one, uncertainty_draws=20)
    assert "Intervals under other modelling choices" in text
    assert "could not be computed" not in text
    assert len(IMG_RE.findall(text)) == 4  # profile, time series, contributions, rank intervals


def test_report_explains_p_de_jure(report, obs):
    if not _has_classifier():
        assert "What drives p_de_jure" not in report
        return
    from alliance_index.models import explain_p_de_jure

    i = report.index("What drives p_de_jure")
    section = report[i:report.index("<h2>", i + 10)]
    import warnings

    from alliance_index.errors import CoverageWarning
    for d in ("IRN-RUS", "BLR-RUS"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)  # bloc_memberships_shared is not a model input
            e = explain_p_de_jure(obs[obs["dyad"] == d], year=2023, seed=0).set_index("term")
        assert f"{e.loc['total', 'contribution']:,.2f}" in section  # the log-odds the rows add up to
        assert f"{e.loc['military_cooperation', 'contribution']:,.2f}" in section
    assert "military cooperation" in section and "% obs.)" in section


def test_report_marks_a_year_coded_to_date(obs):
    """The bundled 2026 rows of the flagship pair are a year in progress: the report says so; 2025 does not."""
    from alliance_index.observations import PANEL_COMPLETE_THROUGH as LAST

    pair = obs[obs["dyad"].isin(["BLR-RUS", "IRN-RUS"])]
    text = build_report(DYADS, obs=pair, uncertainty_draws=0)  # default year: the latest, 2026
    assert f"scores for {LAST + 1}" in text
    assert f"Provisional: IRN-RUS {LAST + 1}, BLR-RUS {LAST + 1} coded only to date" in html.unescape(text)
    text = build_report(DYADS, obs=pair, year=LAST, uncertainty_draws=0)
    assert "Provisional:" not in html.unescape(text)
