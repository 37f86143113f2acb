"""``report.html``: the run as one self-contained, interactive page that opens offline.

No chart library and nothing fetched at view time: the data is inlined as JSON and a small
hand-written script draws SVG (price with a marker per fill, equity against buy-and-hold,
drawdown) on one shared time axis. Wheel to zoom, drag to pan, double-click to reset;
hover a marker to see its fill and order.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .report import Report, fill_markets, iso_utc
from .runner import BacktestResult

__all__ = ["MAX_POINTS", "render_html", "write_html"]

#: Curve points kept for drawing (a longer curve keeps each bucket's extremes).
MAX_POINTS = 4000


def _thin(points: list[list[float]]) -> list[list[float]]:
    """At most about MAX_POINTS points: each bucket keeps its first, lowest and highest equity."""
    if len(points) <= MAX_POINTS:
        return points
    size = -(-len(points) // (MAX_POINTS // 3))
    out: list[list[float]] = []
    for k in range(0, len(points), size):
        bucket = points[k : k + size]
        keep = {0: bucket[0], 1: min(bucket, key=lambda p: p[1]), 2: max(bucket, key=lambda p: p[1])}
        out.extend(sorted({id(p): p for p in keep.values()}.values(), key=lambda p: p[0]))
    if out[-1] is not points[-1]:
        out.append(points[-1])
    return out


def _payload(result: BacktestResult, params: Mapping[str, object]) -> dict[str, Any]:
    report: Report = result.report
    order_venues = result.order_venues or [report.venue] * len(result.orders)
    orders = {(venue, o.id): o for venue, o in zip(order_venues, result.orders, strict=True)}
    curve = [[p.timestamp, float(p.equity), *map(float, p.prices or (p.price,))] for p in report.equity_curve]
    markets = [{"label": row.label, "quote": row.quote} for row in report.symbol_rows()]
    fills = []
    where = fill_markets(report, result.fills, result.fill_venues)
    for i, (f, market) in enumerate(zip(result.fills, where, strict=True)):
        order = orders.get((result.venue_of_fill(i), f.order_id))
        fills.append({
            "m": market, "t": f.timestamp, "side": f.side.value, "price": str(f.price), "size": str(f.size),
            "funds": str(f.funds), "fee": f"{f.fee} {f.fee_currency}", "liquidity": f.liquidity.value,
            "order": f.order_id, "time": iso_utc(f.timestamp),
            "order_desc": "" if order is None else (
                f"{order.type.value} {order.side.value}"
                + (f" size {order.size}" if order.size is not None else "")
                + (f" funds {order.funds}" if order.funds is not None else "")
                + (f" @ {order.price}" if order.price is not None else "")
                + f" ({order.status.value}: {order.filled_size} dealt)"
            ),
        })  # fmt: skip
    def money(value: Any) -> str:
        return f"{report.amount(value, report.quote)} {report.quote}"

    figures = [
        ("period (UTC)", f"{iso_utc(report.start)} .. {iso_utc(report.end)}"),
        ("orders / fills", f"{report.orders} / {report.fills}"),
        ("initial equity", money(report.initial_equity)),
        ("final equity", money(report.final_equity)),
        ("return", f"{report.total_return:+.4%}"),
        ("buy and hold", f"{report.buy_and_hold_return:+.4%}"),
        ("max drawdown", f"{report.max_drawdown:.4%}"),
        ("Sharpe (annualised)", f"{report.sharpe:.3f}"),
        ("exposure", f"{report.exposure:.2%}"),
        ("win rate", "n/a" if report.win_rate is None else f"{report.win_rate:.2%} of {report.round_trips}"),
    ]
    per_symbol = [{
        "symbol": row.label, "gross": f"{report.amount(row.gross, row.quote)} {row.quote}",
        "fees": f"{report.amount(row.fees, row.quote)} {row.quote}",
        "net": f"{report.amount(row.net, row.quote)} {row.quote}", "fills": row.fills,
    } for row in report.symbol_rows()]  # fmt: skip
    return {
        "symbol": ", ".join(report.symbols),
        "quote": report.quote,
        "initial": float(report.initial_equity),
        "curve": _thin(curve),
        "markets": markets,
        "fills": fills,
        "figures": figures,
        "params": {str(k): str(v) for k, v in params.items()},
        "per_symbol": per_symbol,
    }


def render_html(result: BacktestResult, params: Mapping[str, object] | None = None) -> str:
    data = json.dumps(_payload(result, params or {}), separators=(",", ":")).replace("</", "<\\/")
    title = html.escape(', '.join(result.report.symbols) + ' backtest')
    return _PAGE.replace("__TITLE__", title).replace("__DATA__", data)


def write_html(path: Path, result: BacktestResult, params: Mapping[str, object] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(result, params), encoding="utf-8")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#1f2328;background:#fff}
h1{font-size:18px;margin:0 0 8px} h2{font-size:14px;margin:16px 0 4px}
.grid{display:flex;flex-wrap:wrap;gap:24px} table{border-collapse:collapse}
td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top} th{color:#57606a;font-weight:500}
svg{display:block;background:#fff;user-select:none;cursor:grab}
.axis{stroke:#d0d7de} .label{fill:#57606a;font-size:11px}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #8c959f;padding:6px 8px;
border-radius:4px;box-shadow:0 2px 6px #0002;display:none;white-space:pre;font:12px monospace}
.hint{color:#57606a;font-size:12px} button{font:inherit}
</style></head><body>
<h1 id="title"></h1>
<div class="hint">Wheel to zoom, drag to pan, double-click or <button id="reset">reset</button>.
Hover a marker for its fill and order.</div>
<div id="charts"></div>
<div class="grid">
<div><h2>Figures</h2><table id="figures"></table></div>
<div><h2>PnL per symbol</h2><table id="per-symbol"></table></div>
<div><h2>Parameters</h2><table id="params"></table></div>
</div>
<div id="tip"></div>
<script type="application/json" id="data">__DATA__</script>
<script>
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const W = Math.max(600, Math.min(1200, window.innerWidth - 40)), L = 70, R = 12;
  const curve = D.curve, fills = D.fills;
  fills.forEach((f, i) => { f.i = i; });
  const t0 = curve[0][0], t1 = Math.max(curve[curve.length - 1][0], t0 + 1);
  let view = [t0, t1];
  const first = curve[0][2] || 1;
  let peak = -Infinity;
  const rows = curve.map(p => {
    peak = Math.max(peak, p[1]);
    const row = {t: p[0], eq: p[1], hold: D.initial * p[2] / first,
                 dd: peak > 0 ? (p[1] - peak) / peak * 100 : 0};
    D.markets.forEach((m, k) => { row["px" + k] = p[2 + k]; });
    return row;
  });
  document.getElementById("title").textContent = D.symbol + " backtest";
  const fillTable = (id, pairs) => {
    const table = document.getElementById(id);
    for (const [k, v] of pairs) {
      const tr = table.insertRow(); const th = document.createElement("th");
      th.textContent = k; tr.appendChild(th); tr.insertCell().textContent = v;
    }
  };
  fillTable("figures", D.figures);
  fillTable("params", Object.entries(D.params).length ? Object.entries(D.params) : [["(none)", ""]]);
  const ps = document.getElementById("per-symbol");
  const head = ps.insertRow();
  for (const h of ["symbol", "gross PnL", "fees", "net PnL", "fills"]) {
    const th = document.createElement("th"); th.textContent = h; head.appendChild(th);
  }
  for (const s of D.per_symbol) {
    const tr = ps.insertRow();
    for (const v of [s.symbol, s.gross, s.fees, s.net, s.fills]) tr.insertCell().textContent = v;
  }
  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  };
  const tip = document.getElementById("tip");
  // beside the pointer, on whichever side keeps it clear of the window's edges and scroll bar
  const place = (cx, cy) => {
    const w = tip.offsetWidth, h = tip.offsetHeight, page = document.documentElement;
    const left = cx + 12 + w <= page.clientWidth ? cx + 12 : cx - 12 - w;
    const top = cy + 12 + h <= page.clientHeight ? cy + 12 : cy - 12 - h;
    tip.style.left = Math.max(0, left) + "px"; tip.style.top = Math.max(0, top) + "px";
  };
  const fmtTime = t => new Date(t).toISOString().replace(".000Z", "Z");
  // as fine as the spacing of the ticks needs, so that zoomed in they still differ
  const tick = (t, step) => {
    const iso = new Date(t).toISOString().replace("T", " ");
    return step >= 60000 ? iso.slice(0, 16) : step >= 1000 ? iso.slice(0, 19) : iso.slice(11, 23);
  };
  const several = D.markets.length > 1;
  const charts = D.markets.map((m, k) => ({
    title: (several ? m.label + ": " : "") + "price (" + m.quote + ") and fills", h: several ? 200 : 260,
    series: [["px" + k, "#57606a"]], market: k}));
  charts.push(
    {title: "equity (" + D.quote + ") against buy and hold", h: 220,
     series: [["eq", "#1f6feb"], ["hold", "#8c959f"]]},
    {title: "drawdown %", h: 120, series: [["dd", "#d1242f"]]});
  const root = document.getElementById("charts");
  charts.forEach((c, k) => {
    c.svg = el("svg", {width: W, height: c.h, "class": "chart"}, root);
    c.svg.dataset.title = c.title;
    c.clip = "clip" + k;
    c.fills = c.market === undefined ? [] : fills.filter(f => f.m === c.market);
  });
  function visible() {
    let lo = 0, hi = rows.length;
    while (lo < hi && rows[lo].t < view[0]) lo++;
    while (hi > lo && rows[hi - 1].t > view[1]) hi--;
    return rows.slice(Math.max(lo - 1, 0), Math.min(hi + 1, rows.length));
  }
  function draw() {
    const seen = visible();
    const x = t => L + (t - view[0]) / (view[1] - view[0]) * (W - L - R);
    for (const c of charts) {
      const svg = c.svg;
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      let lo = Infinity, hi = -Infinity;
      for (const r of seen) for (const [k] of c.series) { lo = Math.min(lo, r[k]); hi = Math.max(hi, r[k]); }
      for (const f of c.fills) if (f.t >= view[0] && f.t <= view[1]) {
        lo = Math.min(lo, +f.price); hi = Math.max(hi, +f.price);
      }
      if (!(hi > lo)) { hi = lo + 1; lo -= 1; }
      const pad = (hi - lo) * 0.05, top = 18, bottom = c.h - 18;
      const y = v => bottom - (v - (lo - pad)) / (hi - lo + 2 * pad) * (bottom - top);
      el("text", {x: L, y: 12, "class": "label"}, svg).textContent = c.title;
      el("line", {x1: L, x2: W - R, y1: bottom, y2: bottom, "class": "axis"}, svg);
      for (let k = 0; k <= 4; k++) {
        const v = lo - pad + (hi - lo + 2 * pad) * k / 4;
        el("text", {x: 4, y: y(v) + 4, "class": "label"}, svg).textContent = v.toPrecision(6);
      }
      const step = (view[1] - view[0]) / 4;
      for (let k = 0; k <= 4; k++) {
        const t = view[0] + step * k;
        const label = el("text", {x: x(t) - (k === 4 ? 120 : k ? 60 : 0), y: c.h - 4, "class": "label"}, svg);
        label.textContent = tick(t, step);
      }
      const clip = c.clip;
      const cp = el("clipPath", {id: clip}, el("defs", {}, svg));
      el("rect", {x: L, y: 0, width: W - L - R, height: c.h}, cp);
      for (const [k, color] of c.series) {
        const d = seen.map((r, i) => (i ? "L" : "M") + x(r.t).toFixed(1) + " " + y(r[k]).toFixed(1)).join("");
        el("path", {d: d, fill: "none", stroke: color, "stroke-width": 1.3, "clip-path": "url(#" + clip + ")",
                    "stroke-dasharray": k === "hold" ? "4 3" : ""}, svg);
      }
      {
        c.fills.forEach(f => {
          if (f.t < view[0] || f.t > view[1]) return;
          const cx = x(f.t), cy = y(+f.price), buy = f.side === "buy";
          const d = buy ? `M${cx} ${cy - 1}l-5 9h10z` : `M${cx} ${cy + 1}l-5 -9h10z`;
          const m = el("path", {d: d, fill: buy ? "#1a7f37" : "#cf222e", "class": "trade-marker",
                                stroke: "#fff", "stroke-width": 0.5, "data-fill": f.i}, svg);
          m.addEventListener("mouseenter", ev => {
            tip.textContent = `${f.side} ${f.size} @ ${f.price} (${f.liquidity})\\n${f.time}\\n` +
              `funds ${f.funds}, fee ${f.fee}\\norder ${f.order}\\n${f.order_desc}`;
            tip.style.display = "block";
            place(ev.clientX, ev.clientY);
          });
          m.addEventListener("mouseleave", () => { tip.style.display = "none"; });
        });
      }
    }
    // what is on show (time range, markers), readable from outside the page
    document.body.dataset.view = view[0] + " " + view[1];
    document.body.dataset.markers = String(document.querySelectorAll(".trade-marker").length);
  }
  let drag = null;
  for (const c of charts) {
    c.svg.addEventListener("wheel", ev => {
      ev.preventDefault();
      const at = view[0] + (ev.offsetX - L) / (W - L - R) * (view[1] - view[0]);
      const k = ev.deltaY > 0 ? 1.25 : 0.8;
      const span = Math.max((view[1] - view[0]) * k, 1000);
      const a = Math.max(t0, at - (at - view[0]) * span / (view[1] - view[0]));
      view = [a, Math.min(t1, a + span)];
      draw();
    }, {passive: false});
    c.svg.addEventListener("mousedown", ev => { drag = {x: ev.clientX, view: view.slice()}; });
    c.svg.addEventListener("dblclick", () => { view = [t0, t1]; draw(); });
  }
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", ev => {
    if (!drag) return;
    const dt = (ev.clientX - drag.x) / (W - L - R) * (drag.view[1] - drag.view[0]);
    const span = drag.view[1] - drag.view[0];
    const a = Math.min(Math.max(t0, drag.view[0] - dt), t1 - span);
    view = [a, a + span];
    draw();
  });
  document.getElementById("reset").addEventListener("click", () => { view = [t0, t1]; draw(); });
  draw();
  document.body.dataset.ready = "1";
})();
</script></body></html>
"""
