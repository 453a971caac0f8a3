use super::api::{get_settings, list_audit, UpdateSettings};
use crate::components::{ErrorNote, Pager, ResultNote};
use crate::domain::audit::{AuditQuery, CATEGORIES, RETENTION_DAYS};
use crate::domain::authz::Action;
use crate::domain::rooms::ServiceSettings;
use crate::domain::session::SessionView;
use chrono::{Days, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Customer mode *Settings > General*: the service settings, editable with *MMR settings:
/// Modify*.
#[component]
pub fn GeneralSettingsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let may_modify = session.may(Action::ModifySettings);
    let may_audit = session.may(Action::ViewAuditLog);
    let save = ServerAction::<UpdateSettings>::new();
    let settings = Resource::new(move || save.version().get(), move |_| get_settings(org));
    view! {
        <Title text="General settings · Rooms MTM"/>
        <h1>"General"</h1>
        <p class="lead">"Service settings of your organisation's rooms."</p>
        {may_audit.then(|| view! { <p><A href="/settings/audit-logs">"Audit logs"</A>": every change and refused attempt, with CSV export."</p> })}
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    Ok(s) => view! { <SettingsForm initial=s may_modify save/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn SettingsForm(
    initial: ServiceSettings,
    may_modify: bool,
    save: ServerAction<UpdateSettings>,
) -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let email = RwSignal::new(initial.notification_email);
    let start = RwSignal::new(initial.maintenance_start);
    let hours = RwSignal::new(initial.maintenance_hours.to_string());
    let offline = RwSignal::new(initial.offline_after_minutes.to_string());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.field() == Some(field))
                .to_string()
        }
    };
    view! {
        <form class="settings-form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(UpdateSettings { org, settings: ServiceSettings {
                notification_email: email.get_untracked(),
                maintenance_start: start.get_untracked(),
                // Unparsable numbers become 0, which the server refuses with a message.
                maintenance_hours: hours.get_untracked().trim().parse().unwrap_or(0),
                offline_after_minutes: offline.get_untracked().trim().parse().unwrap_or(0),
            }});
        }>
            <fieldset class="field" disabled=!may_modify>
                <legend>"Service settings"</legend>
                <div class="field">
                    <label for="settings-email">"Notification address"</label>
                    <input id="settings-email" type="email" aria-invalid=invalid("notification_email") prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <p class="hint">"Where alerts about your rooms are sent. Leave empty for none."</p>
                </div>
                <div class="field">
                    <label for="settings-start">"Maintenance window starts (UTC)"</label>
                    <input id="settings-start" type="time" aria-invalid=invalid("maintenance_start") prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="settings-hours">"Maintenance window length (hours)"</label>
                    <input id="settings-hours" type="number" min="1" max="12" aria-invalid=invalid("maintenance_hours") prop:value=move || hours.get() on:input=move |ev| hours.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="settings-offline">"Minutes without a heartbeat before a room counts as offline"</label>
                    <input id="settings-offline" type="number" min="2" max="1440" aria-invalid=invalid("offline_after_minutes") prop:value=move || offline.get() on:input=move |ev| offline.set(event_target_value(&ev))/>
                </div>
            </fieldset>
            <ErrorNote error/>
            <ResultNote value=save.value() success="Settings saved."/>
            {if may_modify {
                view! { <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{move || if save.pending().get() { "Saving…" } else { "Save settings" }}</button> }.into_any()
            } else {
                view! { <p class="muted">"You can view these settings; changing them needs the MMR settings: Modify permission."</p> }.into_any()
            }}
        </form>
    }
    .into_any()
}

/// *Settings > General > Audit logs*: the on-screen log with filters, and the CSV export.
#[component]
pub fn AuditLogsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let query = RwSignal::new(AuditQuery::default());
    let entries = Resource::new(move || query.get(), move |q| list_audit(org, q));
    let today = Utc::now().date_naive();
    let earliest = today
        .checked_sub_days(Days::new(RETENTION_DAYS))
        .unwrap_or(today);
    let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
    let date = |v: String| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
    view! {
        <Title text="Audit logs · Rooms MTM"/>
        <h1>"Audit logs"</h1>
        <p class="lead">{format!("Every change to your organisation's data, successful or refused, including partners' activity. Entries are kept for {RETENTION_DAYS} days.")}</p>
        <section class="key-panel" aria-labelledby="export-title">
            <h2 id="export-title">"Export as CSV"</h2>
            // A plain GET form: the browser downloads the streamed file itself.
            <form class="inline-form" method="get" action="/api/audit-log/export">
                <input type="hidden" name="org" value=org.to_string()/>
                <div class="field">
                    <label for="export-from">"Start date"</label>
                    <input id="export-from" name="from" type="date" required min=earliest.to_string() max=today.to_string() value=week_ago.to_string()/>
                </div>
                <div class="field">
                    <label for="export-to">"End date"</label>
                    <input id="export-to" name="to" type="date" required min=earliest.to_string() max=today.to_string() value=today.to_string()/>
                </div>
                <button type="submit" class="btn btn-primary">"Export"</button>
            </form>
            <p class="hint">{format!("Dates in UTC, within the last {RETENTION_DAYS} days.")}</p>
        </section>
        <form class="filters" role="search" aria-label="Filter the log" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" type="date" on:change=move |ev| query.update(|q| { q.from = date(event_target_value(&ev)); q.page = 0; })/>
            </div>
            <div class="field">
                <label for="audit-to">"To"</label>
                <input id="audit-to" type="date" on:change=move |ev| query.update(|q| { q.to = date(event_target_value(&ev)); q.page = 0; })/>
            </div>
            <div class="field">
                <label for="audit-category">"Category"</label>
                <select id="audit-category" on:change=move |ev| { let v = event_target_value(&ev); query.update(|q| { q.category = (!v.is_empty()).then_some(v); q.page = 0; }) }>
                    <option value="">"All"</option>
                    {CATEGORIES.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-result">"Result"</label>
                <select id="audit-result" on:change=move |ev| { let v = event_target_value(&ev); query.update(|q| { q.result_status = (!v.is_empty()).then_some(v); q.page = 0; }) }>
                    <option value="">"All"</option>
                    <option value="Successful">"Successful"</option>
                    <option value="Failed">"Failed"</option>
                </select>
            </div>
        </form>
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! {
                        <DoneBy others=page.other_orgs query/>
                        <p class="empty">"No entries match."</p>
                    }.into_any(),
                    Ok(page) => {
                        let pages = page.total.div_ceil(page.page_size).max(1);
                        let current = page.page;
                        view! {
                            <DoneBy others=page.other_orgs.clone() query/>
                            <p class="muted" role="status">{format!("{} entries", page.total)}</p>
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Time (UTC)"</th><th scope="col">"Category"</th><th scope="col">"Operation"</th>
                                    <th scope="col">"Object"</th><th scope="col">"Result"</th><th scope="col">"User"</th>
                                </tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{e.created_at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
                                            <td>{e.category.clone()}</td>
                                            <td>{e.operation.clone()}</td>
                                            <th scope="row">{e.object_name.clone()}</th>
                                            <td><span class=if e.result_status == "Failed" { "badge badge-unhealthy" } else { "badge badge-healthy" }>{e.result_status.clone()}</span></td>
                                            <td>
                                                {e.user_name.clone().unwrap_or_else(|| e.user_id.to_string())}
                                                {(e.user_tenant_id != e.tenant_id && !e.user_tenant_id.0.is_nil()).then(|| view! {
                                                    <span class="muted">{format!(" ({})", if e.user_org_name.is_empty() { e.user_tenant_id.to_string() } else { e.user_org_name.clone() })}</span>
                                                })}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=current pages label="Pages" on_page=Callback::new(move |p| query.update(|q| q.page = p))/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

/// "Done by": offered once the log names another organisation's users (a partner's), or while
/// the filter is on. Rendered with the page of entries it comes from.
#[component]
fn DoneBy(
    others: Vec<(crate::domain::ids::OrgId, String)>,
    query: RwSignal<AuditQuery>,
) -> impl IntoView {
    let shown = !others.is_empty() || query.with_untracked(|q| q.actor_org.is_some());
    shown.then(|| view! {
        <div class="field filters">
            <label for="audit-org">"Done by"</label>
            <select id="audit-org" on:change=move |ev| {
                let v = event_target_value(&ev);
                query.update(|q| { q.actor_org = v.parse().ok(); q.page = 0; })
            }>
                <option value="">"Anyone"</option>
                {others.into_iter().map(|(id, name)| {
                    let value = id.to_string();
                    let selected = query.with_untracked(|q| q.actor_org == Some(id));
                    view! { <option value=value selected=selected>{format!("Users of {name}")}</option> }
                }).collect_view()}
            </select>
        </div>
    })
}
