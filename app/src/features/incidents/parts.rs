use super::api::{get_ticket, list_ticket_assignees, ChangeTicket, RaiseIncident};
use crate::components::{ErrorNote, PaneHeader, RoomPicker};
use crate::domain::health::{Component, IncidentStatus, Severity};
use crate::domain::ids::{IncidentId, OrgId};
use crate::domain::rooms::RoomRow;
use crate::domain::session::SessionView;
use crate::domain::tickets::{
    categories, Cursor, CustomerIncidentInput, IncidentPage, IncidentQuery, IncidentRow,
    IncidentSort, PageFrom, Priority, TicketChange, TicketDetail, TicketStatus,
};
use crate::domain::time;
use crate::error::AppError;
use leptos::prelude::*;
use strum::IntoEnumIterator;

/// A counter that moves whenever incidents change in `org` (or, with `None`, in any customer
/// the user works on): the server's event stream `/api/events`, read in the browser. Lists and
/// panes that depend on it refetch through their server functions, which decide again what
/// the user may see; the stream itself carries no data.
pub fn use_live_incidents(org: Option<OrgId>) -> RwSignal<u64> {
    let live = RwSignal::new(0u64);
    #[cfg(feature = "hydrate")]
    {
        use futures_util::StreamExt;
        use gloo_net::eventsource::futures::EventSource;
        let url = match org {
            Some(org) => format!("/api/events?org={org}"),
            None => "/api/events".to_owned(),
        };
        if let Ok(mut source) = EventSource::new(&url) {
            if let Ok(mut changes) = source.subscribe("incidents") {
                leptos::task::spawn_local(async move {
                    // Errors are the browser reconnecting; the stream ends when the page
                    // drops the source.
                    while let Some(event) = changes.next().await {
                        if event.is_ok() {
                            live.try_update(|n| *n += 1);
                        }
                    }
                });
                // Closed when the page goes away.
                let kept = StoredValue::new_local(Some(source));
                on_cleanup(move || kept.update_value(|s| drop(s.take())));
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = org;
    live
}

fn severity_badge(severity: Severity) -> impl IntoView {
    view! { <span class=format!("badge badge-sev-{}", severity.key())>{severity.label()}</span> }
}

/// The filters and sort of the Incidents page (and of the all-tickets view, which adds the
/// customer). Each change starts from the first page; the text and dates apply on change.
#[component]
pub fn IncidentFilters(
    query: Memo<IncidentQuery>,
    go: Callback<(IncidentQuery, Option<IncidentId>)>,
    /// The customers the all-tickets view offers, by id and name.
    customers: Option<Signal<Vec<(OrgId, String)>>>,
) -> impl IntoView {
    let set = move |f: &dyn Fn(&mut IncidentQuery)| {
        let mut q = query.get_untracked().restarted();
        f(&mut q);
        go.run((q, None));
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       options: Vec<(&'static str, &'static str)>,
                       current: Signal<String>,
                       apply: fn(&mut IncidentQuery, &str)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set(&|q| apply(q, &v));
                }>
                    {options.into_iter().map(|(key, text)| {
                        let key_owned = key.to_owned();
                        view! { <option value=key selected=move || current.get() == key_owned>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let all = |mut rest: Vec<(&'static str, &'static str)>| {
        rest.insert(0, ("", "All"));
        rest
    };
    let date = move |id: &'static str,
                     label: &'static str,
                     get: fn(&IncidentQuery) -> String,
                     apply: fn(&mut IncidentQuery, &str)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="date" prop:value=move || query.with(get)
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|q| apply(q, &v)); }/>
            </div>
        }
    };
    view! {
        <form class="filters" role="search" aria-label="Filter incidents" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="incident-text">"Search"</label>
                <input id="incident-text" type="search" placeholder="Title or room"
                    prop:value=move || query.with(|q| q.text.clone())
                    on:change=move |ev| { let v = event_target_value(&ev); set(&|q| q.text = v.clone()); }/>
            </div>
            {customers.map(|customers| view! {
                <div class="field">
                    <label for="incident-customer">"Customer"</label>
                    <select id="incident-customer" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(&|q| q.customer = v.parse::<uuid::Uuid>().ok().map(OrgId));
                    }>
                        <option value="">"All customers"</option>
                        {move || customers.get().into_iter().map(|(id, name)| {
                            let chosen = move || query.with(|q| q.customer == Some(id));
                            view! { <option value=id.to_string() selected=chosen>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            {select("incident-status", "Incident", all(IncidentStatus::iter().map(|s| (s.key(), s.label())).collect()),
                Signal::derive(move || query.with(|q| q.status.map(|s| s.key().to_owned()).unwrap_or_default())),
                |q, v| q.status = IncidentStatus::from_key(v))}
            {select("incident-ticket", "Ticket", all(TicketStatus::iter().map(|s| (s.key(), s.label())).collect()),
                Signal::derive(move || query.with(|q| q.ticket.map(|s| s.key().to_owned()).unwrap_or_default())),
                |q, v| q.ticket = TicketStatus::from_key(v))}
            {select("incident-severity", "Severity", all(Severity::iter().map(|s| (s.key(), s.label())).collect()),
                Signal::derive(move || query.with(|q| q.severity.map(|s| s.key().to_owned()).unwrap_or_default())),
                |q, v| q.severity = Severity::from_key(v))}
            {select("incident-category", "Category", all(categories().map(|c| (c.key(), c.label())).collect()),
                Signal::derive(move || query.with(|q| q.category.map(|s| s.key().to_owned()).unwrap_or_default())),
                |q, v| q.category = Component::from_key(v))}
            {date("incident-from", "Opened from", |q| q.from.map(|d| d.to_string()).unwrap_or_default(),
                |q, v| q.from = time::parse_day(v))}
            {date("incident-to", "Opened until", |q| q.to.map(|d| d.to_string()).unwrap_or_default(),
                |q, v| q.to = time::parse_day(v))}
            {select("incident-sort", "Sort by", IncidentSort::iter().map(|s| (s.key(), s.label())).collect(),
                Signal::derive(move || query.with(|q| q.sort.key().to_owned())),
                |q, v| q.sort = IncidentSort::from_key(v).unwrap_or(IncidentSort::Newest))}
        </form>
        {move || query.with(|q| q.room).map(|_| view! {
            <p class="filter-chip">
                "Showing one room. "
                <button type="button" class="link-button" on:click=move |_| set(&|q| q.room = None)>"Show all rooms"</button>
            </p>
        })}
    }
}

/// The list of incidents with keyset paging (newer, older).
#[component]
pub fn IncidentTable(
    page: IncidentPage,
    query: Memo<IncidentQuery>,
    opened: Memo<Option<IncidentId>>,
    go: Callback<(IncidentQuery, Option<IncidentId>)>,
) -> impl IntoView {
    let aggregate = page.rows.iter().any(|r| r.customer.is_some());
    let to_page = move |cursor: Option<String>, after: bool| {
        cursor.and_then(|c| Cursor::decode(&c).ok()).map(|c| {
            let mut q = query.get_untracked();
            q.page = if after {
                PageFrom::After(c)
            } else {
                PageFrom::Before(c)
            };
            q
        })
    };
    let previous = to_page(page.previous.clone(), false);
    let next = to_page(page.next.clone(), true);
    let rows = page.rows;
    view! {
        <div class="table-scroll">
            <table class="table">
                <thead>
                    <tr>
                        {aggregate.then(|| view! { <th scope="col">"Customer"</th> })}
                        <th scope="col">"Incident"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Room"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Ticket"</th>
                        <th scope="col">"Priority"</th>
                        <th scope="col">"Assignee"</th>
                        <th scope="col">"Opened"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| incident_row(r, query, opened, go)).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            <button type="button" class="btn btn-small" disabled=previous.is_none()
                on:click={let previous = previous.clone(); move |_| if let Some(q) = previous.clone() { go.run((q, None)) }}>"Newer"</button>
            <button type="button" class="btn btn-small" disabled=next.is_none()
                on:click={let next = next.clone(); move |_| if let Some(q) = next.clone() { go.run((q, None)) }}>"Older"</button>
        </nav>
    }
}

fn incident_row(
    r: IncidentRow,
    query: Memo<IncidentQuery>,
    opened: Memo<Option<IncidentId>>,
    go: Callback<(IncidentQuery, Option<IncidentId>)>,
) -> impl IntoView {
    let id = r.id;
    let room = r.room;
    let selected = move || opened.get() == Some(id);
    view! {
        <tr class:selected=selected>
            {r.customer.map(|(_, name)| view! { <td>{name}</td> })}
            <th scope="row">
                <button type="button" class="link-button" aria-expanded=move || selected().to_string()
                    on:click=move |_| go.run((query.get_untracked(), Some(id)))>
                    {r.title.clone()}
                </button>
            </th>
            <td>{severity_badge(r.severity)}</td>
            <td>
                <button type="button" class="link-button" title="Only this room's incidents"
                    on:click=move |_| { let mut q = query.get_untracked().restarted(); q.room = Some(room); go.run((q, None)); }>
                    {r.room_name.clone()}
                </button>
            </td>
            <td>{r.category.label()}</td>
            <td><span class=format!("badge badge-incident-{}", r.status.key())>{r.status.label()}</span></td>
            <td>{r.ticket.label()}</td>
            <td>{r.priority.label()}</td>
            <td>{r.assignee.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{time::moment(r.opened_at)}</td>
        </tr>
    }
}

/// One incident's ticket: what happened, who works on it, its timeline, and (for those who may
/// update it) status, priority, assignee and comments.
#[component]
pub fn TicketPane(
    org: OrgId,
    id: IncidentId,
    live: RwSignal<u64>,
    /// Moved after each change, so the list shows it.
    changed: RwSignal<u64>,
    on_close: Callback<()>,
) -> impl IntoView {
    let change = ServerAction::<ChangeTicket>::new();
    let ticket = Resource::new(
        move || (live.get(), change.version().get()),
        move |_| get_ticket(org, id),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    // The comment being typed outlives the body, which is drawn again after every change and
    // every live update; it is cleared only once it is saved, and a refused one stays as typed.
    let comment = RwSignal::new(String::new());
    let comment_sent = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(result) = change.value().get() {
            if comment_sent.get_untracked() {
                comment_sent.set(false);
                if result.is_ok() {
                    comment.set(String::new());
                }
            }
        }
    });
    let title = RwSignal::new("Incident".to_owned());
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title on_close/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match ticket.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(detail) => {
                            title.set(detail.row.title.clone());
                            view! { <TicketBody org detail change comment comment_sent/> }.into_any()
                        }
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn TicketBody(
    org: OrgId,
    detail: TicketDetail,
    change: ServerAction<ChangeTicket>,
    comment: RwSignal<String>,
    comment_sent: RwSignal<bool>,
) -> impl IntoView {
    let r = detail.row.clone();
    let id = r.id;
    let send = move |c: TicketChange| {
        change.dispatch(ChangeTicket { org, id, change: c });
    };
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let me = use_context::<SessionView>().map(|s| (s.actor.user, s.actor.org));
    let assigned_to_me = me.is_some() && detail.assignee == me;
    view! {
        <dl class="facts">
            <dt>"Room"</dt><dd>{r.room_name.clone()}</dd>
            <dt>"Category"</dt><dd>{r.category.label()}</dd>
            <dt>"Severity"</dt><dd>{severity_badge(r.severity)}</dd>
            <dt>"Incident"</dt><dd>{r.status.label()}</dd>
            <dt>"Opened"</dt><dd>{time::moment(r.opened_at)}</dd>
            {r.resolved_at.map(|t| view! { <dt>"Resolved"</dt><dd>{time::moment(t)}</dd> })}
            <dt>"Assignee"</dt><dd>{r.assignee.clone().unwrap_or_else(|| "Nobody yet".into())}</dd>
        </dl>
        <ErrorNote error/>
        {detail.may_update.then(|| view! {
            <div class="ticket-controls">
                <div class="field">
                    <label for="ticket-status">"Ticket status"</label>
                    <select id="ticket-status" disabled=move || change.pending().get() on:change=move |ev| {
                        if let Some(s) = TicketStatus::from_key(&event_target_value(&ev)) { send(TicketChange::Status(s)); }
                    }>
                        {TicketStatus::iter().map(|s| view! { <option value=s.key() selected={s == r.ticket}>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="ticket-priority">"Priority"</label>
                    <select id="ticket-priority" disabled=move || change.pending().get() on:change=move |ev| {
                        if let Some(p) = Priority::from_key(&event_target_value(&ev)) { send(TicketChange::Priority(p)); }
                    }>
                        {Priority::iter().map(|p| view! { <option value=p.key() selected={p == r.priority}>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
                <AssigneeField org id me assigned_to_me has_assignee=detail.assignee.is_some() send=Callback::new(send)/>
            </div>
        })}
        <h3 class="pane-subtitle">"Timeline"</h3>
        <ol class="timeline">
            {detail.timeline.into_iter().map(|e| view! {
                <li class=format!("timeline-{}", e.kind.key())>
                    <p class="timeline-meta">
                        <strong>{e.author.clone()}</strong>
                        {(!e.author_org.is_empty()).then(|| format!(" ({})", e.author_org))}
                        " · " {e.kind.label()} " · " <time datetime=e.at.to_rfc3339()>{time::moment(e.at)}</time>
                    </p>
                    <p class="timeline-body">{e.body.clone()}</p>
                </li>
            }).collect_view()}
        </ol>
        {detail.may_update.then(|| view! {
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                comment_sent.set(true);
                send(TicketChange::Comment(comment.get_untracked()));
            }>
                <div class="field">
                    <label for="ticket-comment">"Comment"</label>
                    <textarea id="ticket-comment" rows="3" prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Saving…" } else { "Add comment" }}
                </button>
            </form>
        })}
    }
}

/// Assign to me, to someone found by name (who may update the ticket), or to nobody.
#[component]
fn AssigneeField(
    org: OrgId,
    id: IncidentId,
    me: Option<(crate::domain::ids::UserId, OrgId)>,
    assigned_to_me: bool,
    has_assignee: bool,
    send: Callback<TicketChange>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let found = Resource::new(
        move || search.get(),
        move |s| async move {
            if s.trim().is_empty() {
                Ok(vec![])
            } else {
                list_ticket_assignees(org, id, s).await
            }
        },
    );
    view! {
        <div class="field assignee-field">
            <span class="label">"Assignee"</span>
            <div class="button-row">
                {(!assigned_to_me).then(|| me.map(|me| view! {
                    <button type="button" class="btn btn-small" on:click=move |_| send.run(TicketChange::Assign(Some(me)))>"Assign to me"</button>
                }))}
                {has_assignee.then(|| view! {
                    <button type="button" class="btn btn-small" on:click=move |_| send.run(TicketChange::Assign(None))>"Unassign"</button>
                })}
            </div>
            <label for="ticket-assignee-search">"Assign to someone else"</label>
            <input id="ticket-assignee-search" type="search" autocomplete="off" placeholder="Name or e-mail"
                aria-controls="ticket-assignee-results"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(people) if people.is_empty() && !search.get_untracked().trim().is_empty() => view! {
                            <p class="muted" role="status">"Nobody who may update this ticket matches."</p>
                        }.into_any(),
                        // Kept, empty, for the search box's `aria-controls`.
                        Ok(people) if people.is_empty() => view! {
                            <ul class="picker-results" id="ticket-assignee-results" aria-label="People who may update this ticket"></ul>
                        }.into_any(),
                        Ok(people) => view! {
                            <ul class="picker-results" id="ticket-assignee-results" aria-label="People who may update this ticket">
                                {people.into_iter().map(|p| {
                                    let who = (p.user, p.org);
                                    view! {
                                        <li>
                                            <button type="button" class="picker-option" on:click=move |_| { search.set(String::new()); send.run(TicketChange::Assign(Some(who))); }>
                                                <span class="picker-name">{p.name.clone()}</span>
                                                <span class="picker-detail">{format!("{} · {}", p.upn, p.org_name)}</span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// *Raise incident*: a person reports a problem with a room.
#[component]
pub fn RaisePane(
    org: OrgId,
    raise: ServerAction<RaiseIncident>,
    on_close: Callback<()>,
) -> impl IntoView {
    let room = RwSignal::new(None::<RoomRow>);
    let title = RwSignal::new(String::new());
    let severity = RwSignal::new(Severity::Medium);
    let description = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || {
        local_error
            .get()
            .or_else(|| raise.value().get().and_then(Result::err))
    });
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title="Raise incident" on_close/>
            <p class="muted">"Report a problem the room's devices do not: it gets a ticket like any incident."</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                let Some(chosen) = room.get_untracked() else {
                    local_error.set(Some(AppError::Invalid(crate::domain::validation::ValidationError::new("room", "Choose the room first."))));
                    return;
                };
                local_error.set(None);
                raise.dispatch(RaiseIncident { org, input: CustomerIncidentInput {
                    room: chosen.id,
                    title: title.get_untracked(),
                    severity: severity.get_untracked(),
                    description: description.get_untracked(),
                }});
            }>
                <RoomPicker org selected=room label="Room" id="raise-room"/>
                {move || room.get().map(|r| view! { <p class="muted">{format!("Room: {}", r.display_name)}</p> })}
                <div class="field">
                    <label for="raise-title">"Title"</label>
                    <input id="raise-title" type="text" maxlength="200" prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="raise-severity">"Severity"</label>
                    <select id="raise-severity" on:change=move |ev| {
                        if let Some(s) = Severity::from_key(&event_target_value(&ev)) { severity.set(s); }
                    }>
                        {Severity::iter().map(|s| view! { <option value=s.key() selected={s == Severity::Medium}>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="raise-description">"What happened"</label>
                    <textarea id="raise-description" rows="4" prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
                <ErrorNote error/>
                <button type="submit" class="btn btn-primary" disabled=move || raise.pending().get()>
                    {move || if raise.pending().get() { "Raising…" } else { "Raise incident" }}
                </button>
            </form>
        </aside>
    }
}
