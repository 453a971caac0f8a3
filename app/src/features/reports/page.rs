use super::api::get_reports;
use super::parts::{AvailabilityReport, HealthReport, IncidentsReport};
use crate::components::ErrorNote;
use crate::domain::reports::Period;
use crate::domain::time;
use crate::tenant::use_tenant;
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// *Reports*: the period is in the address (`?from=2026-11-20&to=2026-11-26`); without one,
/// the server's last seven days.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let Some((tenant, _)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let params = use_query_map();
    let period = Memo::new(move |_| {
        params.with(|p| {
            let day = |k: &str| p.get(k).and_then(|v| time::parse_day(&v));
            day("from")
                .zip(day("to"))
                .map(|(from, to)| Period { from, to })
        })
    });
    let reports = Resource::new(move || period.get(), move |p| get_reports(org, p));
    // The period the numbers are of (the address's, or the server's default), kept when they
    // are drawn: the form reads it without reading the resource outside its `Transition`.
    let shown = RwSignal::new(None::<Period>);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let navigate = use_navigate();
    let base = tenant.href("/reports");
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = |s: RwSignal<String>, f: fn(&Period) -> NaiveDate| {
            let v = s.get_untracked();
            if v.is_empty() {
                shown
                    .get_untracked()
                    .map(|p| f(&p).to_string())
                    .unwrap_or_default()
            } else {
                v
            }
        };
        navigate(
            &format!(
                "{base}?from={}&to={}",
                typed(from, |p| p.from),
                typed(to, |p| p.to)
            ),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <Title text="Reports · Rooms MTM"/>
        <section class="page-main" aria-labelledby="page-title">
            <header class="page-header">
                <h1 id="page-title">"Reports"</h1>
            </header>
            <p class="lead">"The rooms you may see reports of: their health now, the incidents they had, and how much of the time they were online."</p>
            <form class="filters report-period" aria-label="Period" on:submit=show>
                <div class="field">
                    <label for="report-from">"From"</label>
                    <input id="report-from" type="date" required
                        prop:value=move || { let v = from.get(); if v.is_empty() { shown.get().map(|p| p.from.to_string()).unwrap_or_default() } else { v } }
                        on:change=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="report-to">"To"</label>
                    <input id="report-to" type="date" required
                        prop:value=move || { let v = to.get(); if v.is_empty() { shown.get().map(|p| p.to.to_string()).unwrap_or_default() } else { v } }
                        on:change=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="btn">"Show"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match reports.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(r) => {
                            shown.set(Some(r.period));
                            let csv = move |kind: &str| format!(
                                "/api/reports/export?org={org}&report={kind}&from={}&to={}",
                                r.period.from, r.period.to
                            );
                            view! {
                                <p class="muted" role="status">{format!("From {} to {} (UTC), {} days.", r.period.from, r.period.to, r.period.days())}</p>
                                <HealthReport counts=r.health.clone() csv=csv("health")/>
                                <IncidentsReport period=r.period counts=r.incidents.clone() csv=csv("incidents")/>
                                <AvailabilityReport enrolled=r.enrolled average=r.average_permille worst=r.worst.clone() csv=csv("availability")/>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}
