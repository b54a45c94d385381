//! Charts drawn on the server as SVG: no script, readable by screen readers through
//! their title and a table of the same figures beside them.

use maud::{Markup, html};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// A line of values (0 to `max`) over labelled steps, gaps where a value is missing, with
/// an optional dashed threshold line.
pub(crate) fn line_chart(
    title: &str,
    points: &[(String, Option<f64>)],
    max: f64,
    threshold: Option<f64>,
    percent: bool,
) -> Markup {
    let n = points.len().max(2) as f64;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let x = |i: usize| LEFT + (WIDTH - LEFT - 10.0) * i as f64 / (n - 1.0);
    let y = |v: f64| TOP + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    let label = |v: f64| {
        if percent {
            format!("{:.0} %", v * 100.0)
        } else if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    // Runs of consecutive values become one polyline each.
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => runs
                .last_mut()
                .unwrap_or(&mut Vec::new())
                .push((x(i), y(*v))),
            None => runs.push(Vec::new()),
        }
    }
    let path = |run: &Vec<(f64, f64)>| {
        run.iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let every = (points.len() / 6).max(1);
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) preserveAspectRatio="xMidYMid meet" {
            title { (title) }
            @for tick in [0.0, 0.5, 1.0] {
                line.grid x1=(LEFT) x2=(WIDTH - 10.0) y1=(y(max * tick)) y2=(y(max * tick)) {}
                text.axis x=(LEFT - 4.0) y=(y(max * tick) + 4.0) text-anchor="end" { (label(max * tick)) }
            }
            @if let Some(t) = threshold {
                line.threshold x1=(LEFT) x2=(WIDTH - 10.0) y1=(y(t)) y2=(y(t)) {}
            }
            @for run in &runs {
                @if run.len() > 1 { polyline.series points=(path(run)) {} }
                @for (a, b) in run { circle.point cx=(format!("{a:.1}")) cy=(format!("{b:.1}")) r="2.5" {} }
            }
            @for (i, (l, _)) in points.iter().enumerate() {
                @if i % every == 0 || i + 1 == points.len() {
                    text.axis x=(format!("{:.1}", x(i))) y=(HEIGHT - 6.0) text-anchor="middle" { (l) }
                }
            }
        }
    }
}

/// Bars of counts over labelled groups.
pub(crate) fn bar_chart(title: &str, bars: &[(String, f64)], percent: bool) -> Markup {
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1e-9);
    let n = bars.len().max(1) as f64;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT - 10.0) / n;
    let shown = |v: f64| {
        if percent {
            format!("{:.0} %", v * 100.0)
        } else if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) preserveAspectRatio="xMidYMid meet" {
            title { (title) }
            line.grid x1=(LEFT) x2=(WIDTH - 10.0) y1=(TOP + plot_h) y2=(TOP + plot_h) {}
            @for (i, (l, v)) in bars.iter().enumerate() {
                @let h = plot_h * v / max;
                @let bx = LEFT + slot * i as f64 + slot * 0.15;
                rect.bar x=(format!("{bx:.1}")) y=(format!("{:.1}", TOP + plot_h - h)) width=(format!("{:.1}", slot * 0.7)) height=(format!("{h:.1}")) {}
                text.axis x=(format!("{:.1}", bx + slot * 0.35)) y=(format!("{:.1}", TOP + plot_h - h - 3.0)) text-anchor="middle" { (shown(*v)) }
                text.axis x=(format!("{:.1}", bx + slot * 0.35)) y=(HEIGHT - 6.0) text-anchor="middle" { (l) }
            }
        }
    }
}
