use super::api::{list_partners, InvitePartner};
use super::parts::{
    message_for, mode_of, parse_day, scope_summary, step_of, ChangeControlStep, FieldError,
    InvitationFields, PartnerPane, PartnerTable, RowLinks, ScopeChooser, TermsStep,
};
use crate::components::focus::focus_heading_on_step;
use crate::components::ErrorNote;
use crate::domain::authz::Action;
use crate::domain::partners::{ApprovalMode, ChangeCategory, MAX_INVITATION_DAYS};
use crate::domain::session::SessionView;
use crate::domain::validation::ValidationError;
use crate::error::AppError;
use chrono::Utc;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use strum::IntoEnumIterator;

const LIST: &str = "/settings/partners";

/// Customer mode *Settings > Partners*: the organisations that manage some of the rooms, with
/// their status, scope, change control and partner roles. The open relationship is in the URL
/// (`?partner=<id>`).
#[component]
pub fn PartnersPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    if !session.may(Action::ViewPartners) {
        return view! {
            <Title text="Partners · Rooms MTM"/>
            <h1>"Partners"</h1>
            <p class="empty">"Your role does not allow viewing partners. Global admins and Managed Service Administrators can."</p>
        }
        .into_any();
    }
    let may_manage = session.may(Action::ManagePartners);
    let changed = RwSignal::new(0usize);
    let partners = Resource::new(move || changed.get(), move |_| list_partners(org));
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("partner"));
    let notice = RwSignal::new(None::<String>);
    let links: RowLinks = StoredValue::new(Vec::new());
    let heading = NodeRef::<html::H1>::new();
    let navigate = StoredValue::new(use_navigate());
    let go_to_list = move || {
        navigate.with_value(|n| {
            n(
                LIST,
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        })
    };
    // Closing the pane gives focus back to the row it was opened from.
    let on_close = Callback::new(move |_| {
        let open = selected.get_untracked();
        go_to_list();
        let row = links.with_value(|l| {
            l.iter()
                .find(|(id, _)| open.as_deref() == Some(id.to_string().as_str()))
                .and_then(|(_, r)| r.get_untracked())
        });
        if let Some(link) = row {
            let _ = link.focus();
        }
    });
    let on_removed = Callback::new(move |message: String| {
        notice.set(Some(message));
        go_to_list();
        if let Some(h) = heading.get_untracked() {
            let _ = h.focus();
        }
    });
    Effect::new(move |_| {
        if selected.get().is_some() {
            notice.set(None);
        }
    });

    view! {
        <Title text="Partners · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title" tabindex="-1" node_ref=heading>"Partners"</h1>
                    <Show when=move || may_manage>
                        <A href="/settings/partners/new" attr:class="btn btn-primary">"Add partner"</A>
                    </Show>
                </header>
                <p class="lead">"A partner is another organisation, such as a managed service provider, whose people you let manage some of your meeting rooms. You choose the rooms and which changes need your approval; they sign in with their own organisation's accounts. Dates are in UTC."</p>
                {move || notice.get().map(|m| view! { <p class="note note-success" role="status">{m}</p> })}
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match partners.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! {
                                <div class="empty">
                                    <p>"You have no partners and no invitations waiting."</p>
                                    <p>{if may_manage {
                                        "To let a partner manage some of your rooms, choose Add partner and invite it by its domain name. It gets access once one of its administrators accepts."
                                    } else {
                                        "Global admins and Managed Service Administrators can invite a partner by its domain name."
                                    }}</p>
                                </div>
                            }
                            .into_any(),
                            Ok(rows) => view! { <PartnerTable rows selected links/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || selected.get().map(|raw_id| view! {
                <PartnerPane org raw_id partners may_manage changed on_close on_removed/>
            })}
        </div>
    }
    .into_any()
}

const STEPS: [&str; 6] = [
    "Partner",
    "Change control",
    "Rooms in scope",
    "End date",
    "Terms",
    "Review",
];
const REVIEW: usize = STEPS.len() - 1;

/// *Add partner*: Partner → Change control → Rooms in scope → End date → Terms → Review.
/// Every value stays while going back and forth and when sending fails; an error from the
/// server is shown at its field, on its step.
#[component]
pub fn NewPartnerPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    if !session.may(Action::ManagePartners) {
        return view! {
            <Title text="Add partner · Rooms MTM"/>
            <h1>"Add partner"</h1>
            <p class="empty">"Your role does not allow inviting partners. Global admins and Managed Service Administrators can."</p>
        }
        .into_any();
    }
    // A link from an expired invitation carries the partner's domain.
    let query = use_query_map();
    let fields = InvitationFields::new(query.read_untracked().get("domain").unwrap_or_default());
    let step = RwSignal::new(0usize);
    let field_error = RwSignal::new(None::<ValidationError>);
    let send_error = RwSignal::new(None::<AppError>);
    let invite = ServerAction::<InvitePartner>::new();
    let today = Utc::now().date_naive();
    let navigate = use_navigate();
    Effect::new(move |_| match invite.value().get() {
        Some(Ok(id)) => navigate(&format!("{LIST}?partner={id}"), Default::default()),
        Some(Err(AppError::Invalid(v))) if step_of(&v.field).is_some() => {
            if let Some(s) = step_of(&v.field) {
                step.set(s);
            }
            field_error.set(Some(v));
        }
        Some(Err(e)) => send_error.set(Some(e)),
        None => {}
    });
    let heading = NodeRef::<html::H2>::new();
    focus_heading_on_step(step, heading);
    // Shows a client-side error where it is fixed; true if there was one up to `upto`.
    let check = move |upto: usize| -> bool {
        match fields.draft().validate(today) {
            Err(e) => match step_of(&e.field) {
                Some(s) if s <= upto => {
                    step.set(s);
                    field_error.set(Some(e));
                    true
                }
                Some(_) => {
                    field_error.set(None);
                    false
                }
                None => {
                    send_error.set(Some(AppError::Invalid(e)));
                    true
                }
            },
            Ok(_) => {
                field_error.set(None);
                false
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send_error.set(None);
        let current = step.get_untracked();
        if check(current) {
            return;
        }
        if current < REVIEW {
            step.set(current + 1);
        } else if !invite.pending().get_untracked() {
            invite.dispatch(InvitePartner {
                org,
                draft: fields.draft(),
            });
        }
    };
    let back = move |_| {
        field_error.set(None);
        send_error.set(None);
        step.update(|s| *s = s.saturating_sub(1));
    };
    let clear = move |field: &'static str| {
        if field_error.with_untracked(|e| e.as_ref().is_some_and(|e| e.field == field)) {
            field_error.set(None);
        }
    };
    let domain_error = message_for(field_error, "partner_domain");
    let expiry_error = message_for(field_error, "expires_in_days");
    let admins_error = message_for(field_error, "invited_admins");
    let ends_error = message_for(field_error, "ends_on");
    let invalid = |error: Signal<Option<String>>| move || error.get().is_some().to_string();
    let change = move |to: usize, what: &'static str| {
        view! {
            <button type="button" class="link-button review-change" aria-label=format!("Change {what}") on:click=move |_| step.set(to)>"Change"</button>
        }
    };

    view! {
        <Title text="Add partner · Rooms MTM"/>
        <h1>"Add partner"</h1>
        <p class="lead">"Invite an organisation to manage some of your rooms. It gets access once one of its administrators accepts the invitation."</p>
        <ol class="wizard-steps" aria-label="Steps">
            {STEPS.iter().enumerate().map(|(i, s)| view! {
                <li aria-current=move || (step.get() == i).then_some("step") class=("done", move || step.get() > i)>{*s}</li>
            }).collect_view()}
        </ol>
        <form class="wizard" novalidate aria-labelledby="step-title" on:submit=on_submit>
            <h2 id="step-title" tabindex="-1" node_ref=heading>
                {move || format!("Step {} of {}: {}", step.get() + 1, STEPS.len(), STEPS[step.get()])}
            </h2>
            <Show when=move || step.get() == 0>
                <div class="field">
                    <label for="partner-domain">"Partner's domain"</label>
                    <input
                        id="partner-domain"
                        type="text"
                        inputmode="url"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        placeholder="northwind.example"
                        aria-invalid=invalid(domain_error)
                        aria-describedby="partner-domain-hint partner-domain-error"
                        prop:value=move || fields.domain.get()
                        on:input=move |ev| { fields.domain.set(event_target_value(&ev)); clear("partner_domain"); }
                    />
                    <p class="hint" id="partner-domain-hint">"A domain the partner's organisation signs in with, for example the part after @ in its people's e-mail addresses."</p>
                    <FieldError id="partner-domain-error" message=domain_error/>
                </div>
                <div class="field">
                    <label for="partner-expires">"Invitation expires after (days)"</label>
                    <input
                        id="partner-expires"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max=MAX_INVITATION_DAYS.to_string()
                        class="input-short"
                        aria-invalid=invalid(expiry_error)
                        aria-describedby="partner-expires-hint partner-expires-error"
                        prop:value=move || fields.expires_in_days.get()
                        on:input=move |ev| { fields.expires_in_days.set(event_target_value(&ev)); clear("expires_in_days"); }
                    />
                    <p class="hint" id="partner-expires-hint">{format!("1 to {MAX_INVITATION_DAYS} days. If nobody accepts by then, the invitation lapses and you can send a new one.")}</p>
                    <FieldError id="partner-expires-error" message=expiry_error/>
                </div>
                <div class="field">
                    <label for="partner-admins">"Invited admins (optional)"</label>
                    <textarea
                        id="partner-admins"
                        rows="4"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        placeholder="ann@northwind.example"
                        aria-invalid=invalid(admins_error)
                        aria-describedby="partner-admins-hint partner-admins-error"
                        prop:value=move || fields.admins.get()
                        on:input=move |ev| { fields.admins.set(event_target_value(&ev)); clear("invited_admins"); }
                    ></textarea>
                    <p class="hint" id="partner-admins-hint">"One e-mail address per line: users, not groups, on the partner's domain. They see the invitation and become the partner's Primary admins for you when it is accepted."</p>
                    <FieldError id="partner-admins-error" message=admins_error/>
                </div>
            </Show>
            <Show when=move || step.get() == 1>
                <ChangeControlStep approvals=fields.approvals/>
            </Show>
            <Show when=move || step.get() == 2>
                <p>"The partner works only on these rooms. Its own roles can narrow this further, never widen it."</p>
                <ScopeChooser
                    org
                    prefix="invite"
                    all_rooms=fields.all_rooms
                    rooms=fields.rooms
                    groups=fields.groups
                    error=message_for(field_error, "scope")
                    on_change=Callback::new(move |_| clear("scope"))
                />
            </Show>
            <Show when=move || step.get() == 3>
                <div class="field">
                    <label for="partner-ends">"End date (optional)"</label>
                    <input
                        id="partner-ends"
                        type="date"
                        min=today.to_string()
                        aria-invalid=invalid(ends_error)
                        aria-describedby="partner-ends-hint partner-ends-error"
                        prop:value=move || fields.ends_on.get()
                        on:input=move |ev| { fields.ends_on.set(event_target_value(&ev)); clear("ends_on"); }
                    />
                    <p class="hint" id="partner-ends-hint">"The last day of the partner's access (UTC); after it, access ends by itself. Leave empty to keep the partnership until you remove it. You can change it later."</p>
                    <FieldError id="partner-ends-error" message=ends_error/>
                    <Show when=move || !fields.ends_on.get().is_empty()>
                        <button type="button" class="btn btn-small btn-quiet" on:click=move |_| fields.ends_on.set(String::new())>"No end date"</button>
                    </Show>
                </div>
            </Show>
            <Show when=move || step.get() == 4>
                <TermsStep terms=fields.terms error=message_for(field_error, "terms")/>
            </Show>
            <Show when=move || step.get() == REVIEW>
                <p>"Check the invitation. Once sent, the partner's administrators see it in their Tenants list."</p>
                <dl class="facts partner-facts review">
                    <dt>"Partner's domain"</dt>
                    <dd>{move || fields.domain.get().trim().to_lowercase()} " " {change(0, "the partner's domain")}</dd>
                    <dt>"Invitation expires"</dt>
                    <dd>{move || format!("After {} days", fields.expires_in_days.get().trim())} " " {change(0, "the expiry")}</dd>
                    <dt>"Invited admins"</dt>
                    <dd>
                        {move || {
                            let admins = fields.admins.with(|a| a.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>());
                            if admins.is_empty() { "None: the partner chooses its Primary admins when it accepts".to_owned() } else { admins.join(", ") }
                        }}
                        " " {change(0, "the invited admins")}
                    </dd>
                    {ChangeCategory::iter().map(|c| view! {
                        <dt>{c.label()}</dt>
                        <dd>
                            {move || match fields.approvals.with(|a| mode_of(a, c)) {
                                ApprovalMode::Auto => "Auto: made at once",
                                ApprovalMode::Manual => "Manual: waits for your approval",
                            }}
                            " " {change(1, "change control")}
                        </dd>
                    }).collect_view()}
                    <dt>"Rooms in scope"</dt>
                    <dd>{move || fields.rooms.with(|r| fields.groups.with(|g| scope_summary(fields.all_rooms.get(), r, g)))} " " {change(2, "the rooms in scope")}</dd>
                    <dt>"End date"</dt>
                    <dd>{move || parse_day(&fields.ends_on.get()).map_or_else(|| "None: until you remove the partner".to_owned(), |d| d.to_string())} " " {change(3, "the end date")}</dd>
                    <dt>"Terms"</dt>
                    <dd>{move || if fields.terms.get() { "Agreed" } else { "Not agreed yet" }} " " {change(4, "the terms")}</dd>
                </dl>
            </Show>
            <ErrorNote error=send_error/>
            <div class="pane-actions wrap">
                <button type="button" class="btn" disabled=move || step.get() == 0 on:click=back>"Back"</button>
                <button type="submit" class="btn btn-primary" disabled=move || invite.pending().get()>
                    {move || match (step.get() == REVIEW, invite.pending().get()) {
                        (true, true) => "Sending…",
                        (true, false) => "Send invitation",
                        (false, _) => "Next",
                    }}
                </button>
                <A href=LIST attr:class="btn btn-quiet">"Cancel"</A>
            </div>
        </form>
    }
    .into_any()
}
