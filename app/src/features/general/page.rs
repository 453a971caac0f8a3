use super::api::{get_settings, list_audit, UpdateSettings};
use crate::components::{
    field_error_id, plural, ErrorNote, FieldError, Pager, ResultNote, SearchBox,
};
use crate::domain::audit::{
    self as audit, AuditEntryView, AuditQuery, CATEGORIES, RESULTS, RETENTION_DAYS,
};
use crate::domain::authz::Action;
use crate::domain::rooms::ServiceSettings;
use crate::domain::session::SessionView;
use crate::domain::time;
use crate::error::AppError;
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

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

/// *Settings > General > Audit logs*: the log with its filters, all in the address, and the
/// CSV export of what the filters show.
#[component]
pub fn AuditLogsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| AuditQuery::from_params(|k| p.get(k))));
    let navigate = use_navigate();
    let go = Callback::new(move |q: AuditQuery| {
        navigate(
            &format!("/settings/audit-logs{}", q.to_search()),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    // Any change of filter starts again from the first page.
    let set = move |f: &dyn Fn(&mut AuditQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        q.page = 0;
        go.run(q);
    };
    // Dates in the wrong order are said once, by the end date; the list waits for a range.
    let invalid = Memo::new(move |_| query.get().validate().err());
    let entries = Resource::new(
        move || query.get(),
        move |q| async move {
            match q.clone().validate() {
                Ok(_) => list_audit(org, q).await.map(Some),
                Err(_) => Ok(None),
            }
        },
    );
    let range_error: Signal<Option<AppError>> =
        Signal::derive(move || invalid.get().map(AppError::Invalid));
    let export = Memo::new(move |_| query.with(|q| q.export_href(org, Utc::now())));
    let today = Utc::now().date_naive();
    let earliest = audit::earliest(today);
    let date = |v: String| time::parse_day(&v);
    let select_value = |v: String| (!v.is_empty()).then_some(v);
    view! {
        <Title text="Audit logs · Rooms MTM"/>
        <h1>"Audit logs"</h1>
        <p class="lead">{format!("Every change to your organisation's data, successful or refused, including partners' activity. Entries are kept for {RETENTION_DAYS} days.")}</p>
        <form class="filters" role="search" aria-label="Filter the log" on:submit=|ev| ev.prevent_default()>
            <SearchBox id="audit-text" label="Search" placeholder="User, UPN, organisation or object"
                value=Signal::derive(move || query.with(|q| q.text.clone()))
                on_search=Callback::new(move |v: String| set(&|q| q.text = v.clone()))/>
            <div class="field">
                <label for="audit-from">"From"</label>
                <input id="audit-from" type="date" min=earliest.to_string() max=today.to_string()
                    prop:value=move || query.with(|q| q.from.map(|d| d.to_string()).unwrap_or_default())
                    on:change=move |ev| { let v = date(event_target_value(&ev)); set(&|q| q.from = v); }/>
            </div>
            <div class="field">
                <label for="audit-to">"To"</label>
                <input id="audit-to" type="date" min=earliest.to_string() max=today.to_string()
                    prop:value=move || query.with(|q| q.to.map(|d| d.to_string()).unwrap_or_default())
                    aria-invalid=move || range_error.with(|e| e.is_some()).then_some("true")
                    aria-describedby=move || range_error.with(|e| e.is_some()).then(|| field_error_id("audit-to"))
                    on:change=move |ev| { let v = date(event_target_value(&ev)); set(&|q| q.to = v); }/>
                <FieldError id="audit-to" key="to" error=range_error/>
            </div>
            <div class="field">
                <label for="audit-category">"Category"</label>
                <select id="audit-category" on:change=move |ev| { let v = select_value(event_target_value(&ev)); set(&|q| q.category = v.clone()); }>
                    <option value="">"All"</option>
                    {CATEGORIES.iter().map(|c| view! {
                        <option value=*c selected=move || query.with(|q| q.category.as_deref() == Some(*c))>{*c}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-result">"Result"</label>
                <select id="audit-result" on:change=move |ev| { let v = select_value(event_target_value(&ev)); set(&|q| q.result_status = v.clone()); }>
                    <option value="">"All"</option>
                    {RESULTS.iter().map(|r| view! {
                        <option value=*r selected=move || query.with(|q| q.result_status.as_deref() == Some(*r))>{*r}</option>
                    }).collect_view()}
                </select>
            </div>
        </form>
        <div class="export-bar">
            {move || match export.get() {
                Ok(href) => view! {
                    // A plain link: the browser downloads the streamed file itself.
                    <a class="btn" href=href download="">"Export as CSV"</a>
                    <span class="hint">"The entries these filters show, as CSV (dates in UTC; without dates, the last " {RETENTION_DAYS} " days)."</span>
                }.into_any(),
                Err(e) => view! {
                    <button type="button" class="btn" disabled aria-describedby="export-why">"Export as CSV"</button>
                    <span id="export-why" class="field-error">
                        {if e.field == "to" && invalid.with(|i| i.is_some()) { "Fix the dates to export.".to_owned() } else { e.message.clone() }}
                    </span>
                }.into_any(),
            }}
        </div>
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Ok(Some(page)) if page.rows.is_empty() => view! {
                        <DoneBy others=page.other_orgs query set/>
                        <p class="empty">"No entries match."</p>
                    }.into_any(),
                    Ok(Some(page)) => {
                        let pages = page.total.div_ceil(page.page_size).max(1);
                        let current = page.page;
                        view! {
                            <DoneBy others=page.other_orgs.clone() query set/>
                            <p class="muted" role="status">{plural(page.total, "entry", "entries")}</p>
                            <div class="table-scroll">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Time (UTC)"</th><th scope="col">"Category"</th><th scope="col">"Operation"</th>
                                    <th scope="col">"Object"</th><th scope="col">"Result"</th><th scope="col">"User"</th>
                                </tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{time::second(e.created_at)}</td>
                                            <td>{e.category.clone()}</td>
                                            <td>{e.operation.clone()}</td>
                                            <th scope="row">{e.object_name.clone()}</th>
                                            <td><span class=if e.result_status == "Failed" { "badge badge-unhealthy" } else { "badge badge-healthy" }>{e.result_status.clone()}</span></td>
                                            <td><AuditUser entry=e/></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <Pager page=current pages label="Pages" on_page=Callback::new(move |p| {
                                let mut q = query.get_untracked();
                                q.page = p;
                                go.run(q);
                            })/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Who acted: their name, then their UPN and organisation, as they were when they acted.
#[component]
fn AuditUser(entry: AuditEntryView) -> impl IntoView {
    let name = entry
        .user_name
        .clone()
        .unwrap_or_else(|| entry.user_id.to_string());
    let org = if entry.user_org_name.is_empty() && !entry.user_tenant_id.0.is_nil() {
        entry.user_tenant_id.to_string()
    } else {
        entry.user_org_name.clone()
    };
    let detail: Vec<String> = [entry.user_upn, org]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    view! {
        <span class="who">{name}</span>
        {(!detail.is_empty()).then(|| view! { " "<span class="muted who-detail">{detail.join(" · ")}</span> })}
    }
}

/// "Done by": offered once the log names another organisation's users (a partner's), or while
/// the filter is on. Rendered with the page of entries it comes from.
#[component]
fn DoneBy(
    others: Vec<(crate::domain::ids::OrgId, String)>,
    query: Memo<AuditQuery>,
    set: impl Fn(&dyn Fn(&mut AuditQuery)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let shown = !others.is_empty() || query.with_untracked(|q| q.actor_org.is_some());
    shown.then(|| view! {
        <div class="field filters">
            <label for="audit-org">"Done by"</label>
            <select id="audit-org" on:change=move |ev| {
                let v = event_target_value(&ev).parse().ok();
                set(&|q| q.actor_org = v);
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
