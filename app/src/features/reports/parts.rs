//! The three reports, each a chart drawn as SVG in the page (described to screen readers by its
//! caption and summary) followed by the same numbers as a table and a CSV download.

use crate::domain::health::Component;
use crate::domain::reports::{DayCount, HealthCount, Period, RoomAvailability};
use crate::domain::rooms::Health;
use crate::domain::time;
use leptos::prelude::*;
use std::collections::BTreeMap;

const WIDTH: f64 = 640.0;

fn health_colour(health: Health) -> &'static str {
    match health {
        Health::Healthy => "#1e6b34",
        Health::Warning => "#b07800",
        Health::Unhealthy => "#b3261e",
        Health::Offline => "#5b2a86",
        Health::Unknown => "#8a94a0",
    }
}

fn category_colour(category: Component) -> &'static str {
    match category {
        Component::Display => "#0b5cad",
        Component::Camera => "#b3261e",
        Component::Microphone => "#1e6b34",
        Component::Speaker => "#b07800",
        Component::Network => "#5b2a86",
        Component::SignIn => "#00707a",
        Component::Software => "#7a4a1e",
        Component::Offline => "#1b1f24",
        Component::Customer => "#8a94a0",
    }
}

#[component]
fn CsvLink(href: String, #[prop(into)] label: String) -> impl IntoView {
    view! { <a class="btn btn-small" href=href download="">{label}</a> }
}

/// How many rooms are in each health now: horizontal bars.
#[component]
pub fn HealthReport(counts: Vec<HealthCount>, csv: String) -> impl IntoView {
    let total: u64 = counts.iter().map(|c| c.rooms).sum();
    let most = counts.iter().map(|c| c.rooms).max().unwrap_or(0).max(1) as f64;
    let row_h = 30.0;
    let label_w = 110.0;
    let height = row_h * counts.len() as f64 + 10.0;
    let summary = counts
        .iter()
        .map(|c| format!("{} {}", c.rooms, c.health.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="report" aria-labelledby="report-health">
            <header class="report-header">
                <h2 id="report-health">"Health now"</h2>
                <CsvLink href=csv label="Download CSV"/>
            </header>
            <figure>
                <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="health-caption">
                    {counts.iter().enumerate().map(|(i, c)| {
                        let y = 5.0 + i as f64 * row_h;
                        let w = (WIDTH - label_w - 60.0) * c.rooms as f64 / most;
                        view! {
                            <g class="chart-point" data-value=c.rooms.to_string()>
                                <text x="0" y=y + 19.0 class="chart-label">{c.health.label()}</text>
                                <rect x=label_w y=y + 4.0 width=w.max(1.0) height=row_h - 10.0 fill=health_colour(c.health)></rect>
                                <text x=label_w + w + 6.0 y=y + 19.0 class="chart-value">{c.rooms.to_string()}</text>
                            </g>
                        }
                    }).collect_view()}
                </svg>
                <figcaption id="health-caption">{format!("{total} rooms: {summary}.")}</figcaption>
            </figure>
            <div class="table-scroll"><table class="table report-table">
                <caption class="visually-hidden">"Rooms by health"</caption>
                <thead><tr><th scope="col">"Health"</th><th scope="col" class="num">"Rooms"</th></tr></thead>
                <tbody>
                    {counts.iter().map(|c| view! {
                        <tr><th scope="row">{c.health.label()}</th><td class="num">{c.rooms.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">"All"</th><td class="num">{total.to_string()}</td></tr></tfoot>
            </table></div>
        </section>
    }
}

/// Incidents opened each day, stacked by category.
#[component]
pub fn IncidentsReport(period: Period, counts: Vec<DayCount>, csv: String) -> impl IntoView {
    let days: Vec<_> = period.each_day().collect();
    let mut by_day: BTreeMap<chrono::NaiveDate, BTreeMap<Component, u64>> = BTreeMap::new();
    for c in &counts {
        *by_day
            .entry(c.day)
            .or_default()
            .entry(c.category)
            .or_default() += c.incidents;
    }
    let categories: Vec<Component> = {
        let mut seen: Vec<Component> = counts.iter().map(|c| c.category).collect();
        seen.sort();
        seen.dedup();
        seen
    };
    let total: u64 = counts.iter().map(|c| c.incidents).sum();
    let most = by_day
        .values()
        .map(|m| m.values().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = 220.0;
    let plot_h = 170.0;
    let left = 40.0;
    let slot = (WIDTH - left) / days.len().max(1) as f64;
    let bar_w = (slot * 0.7).max(2.0);
    let label_every = (days.len() / 10).max(1);
    let chart = days.iter().enumerate().map(|(i, day)| {
        let x = left + i as f64 * slot + (slot - bar_w) / 2.0;
        let mut y = 10.0 + plot_h;
        let stack = by_day.get(day).cloned().unwrap_or_default();
        let day_total: u64 = stack.values().sum();
        let parts = stack.into_iter().map(|(category, n)| {
            let h = plot_h * n as f64 / most;
            y -= h;
            view! {
                <rect class="chart-point" data-value=n.to_string() x=x y=y width=bar_w height=h fill=category_colour(category)>
                    <title>{format!("{day}: {n} {}", category.label())}</title>
                </rect>
            }
        }).collect_view();
        let label = (i % label_every == 0).then(|| view! {
            <text x=x + bar_w / 2.0 y=height - 12.0 text-anchor="middle" class="chart-label">{time::day_and_month(*day)}</text>
        });
        view! { <g data-total=day_total.to_string()>{parts}{label}</g> }
    }).collect_view();
    view! {
        <section class="report" aria-labelledby="report-incidents">
            <header class="report-header">
                <h2 id="report-incidents">"Incidents over time"</h2>
                <CsvLink href=csv label="Download CSV"/>
            </header>
            <figure>
                <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="incidents-caption">
                    <line x1=left y1=10.0 + plot_h x2=WIDTH y2=10.0 + plot_h class="chart-axis"></line>
                    <text x="0" y="18" class="chart-label">{format!("{}", most as u64)}</text>
                    <text x="0" y=10.0 + plot_h class="chart-label">"0"</text>
                    {chart}
                </svg>
                <figcaption id="incidents-caption">{format!("{total} incidents opened in {} days, by category per day.", days.len())}</figcaption>
                <ul class="legend" aria-label="Categories">
                    {categories.iter().map(|c| view! {
                        <li><span class="legend-swatch" style=format!("background:{}", category_colour(*c))></span>{c.label()}</li>
                    }).collect_view()}
                </ul>
            </figure>
            {if total == 0 {
                view! { <p class="empty">"No incidents were opened in these days."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table report-table">
                            <caption class="visually-hidden">"Incidents opened per day and category"</caption>
                            <thead><tr>
                                <th scope="col">"Day"</th>
                                {categories.iter().map(|c| view! { <th scope="col" class="num">{c.label()}</th> }).collect_view()}
                                <th scope="col" class="num">"All"</th>
                            </tr></thead>
                            <tbody>
                                {days.iter().map(|day| {
                                    let stack = by_day.get(day).cloned().unwrap_or_default();
                                    let all: u64 = stack.values().sum();
                                    view! {
                                        <tr>
                                            <th scope="row">{day.to_string()}</th>
                                            {categories.iter().map(|c| view! { <td class="num">{stack.get(c).copied().unwrap_or(0).to_string()}</td> }).collect_view()}
                                            <td class="num">{all.to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The least available enrolled rooms, as bars of their availability.
#[component]
pub fn AvailabilityReport(
    enrolled: u64,
    average: u32,
    worst: Vec<RoomAvailability>,
    csv: String,
) -> impl IntoView {
    let row_h = 26.0;
    let label_w = 220.0;
    let height = row_h * worst.len() as f64 + 10.0;
    let average_text = format!("{}.{} %", average / 10, average % 10);
    view! {
        <section class="report" aria-labelledby="report-availability">
            <header class="report-header">
                <h2 id="report-availability">"Availability"</h2>
                <CsvLink href=csv label="Download CSV (every room)"/>
            </header>
            {if enrolled == 0 {
                view! { <p class="empty">"No enrolled rooms: availability is known once a room's device enrolls and reports."</p> }.into_any()
            } else {
                view! {
                    <figure>
                        <svg class="chart" viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="availability-caption">
                            {worst.iter().enumerate().map(|(i, r)| {
                                let y = 5.0 + i as f64 * row_h;
                                let w = (WIDTH - label_w - 70.0) * f64::from(r.permille) / 1000.0;
                                view! {
                                    <g class="chart-point" data-value=r.permille.to_string()>
                                        <text x="0" y=y + 17.0 class="chart-label">{r.name.clone()}</text>
                                        <rect x=label_w y=y + 4.0 width=w.max(1.0) height=row_h - 9.0 fill=if r.permille < 990 { "#b3261e" } else { "#1e6b34" }></rect>
                                        <text x=label_w + w + 6.0 y=y + 17.0 class="chart-value">{r.percent()}</text>
                                    </g>
                                }
                            }).collect_view()}
                        </svg>
                        <figcaption id="availability-caption">{format!("{enrolled} enrolled rooms, {average_text} available on average; the {} least available shown.", worst.len())}</figcaption>
                    </figure>
                    <div class="table-scroll"><table class="table report-table">
                        <caption class="visually-hidden">"Least available rooms"</caption>
                        <thead><tr><th scope="col">"Room"</th><th scope="col" class="num">"Offline (minutes)"</th><th scope="col" class="num">"Available"</th></tr></thead>
                        <tbody>
                            {worst.iter().map(|r| view! {
                                <tr><th scope="row">{r.name.clone()}</th><td class="num">{r.offline_minutes.to_string()}</td><td class="num">{r.percent()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}
