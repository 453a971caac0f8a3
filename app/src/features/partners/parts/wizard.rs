//! The state and the steps of *Add partner* that are more than a field or two.

use super::{mode_of, parse_day, scope_choice, FieldError};
use crate::domain::ids::{RoomGroupId, RoomId};
use crate::domain::partners::{ApprovalMode, ChangeCategory, InvitationDraft};
use leptos::prelude::*;
use strum::IntoEnumIterator;

/// Everything *Add partner* holds, as signals, so going back and forth and a failed send keep it.
#[derive(Clone, Copy)]
pub struct InvitationFields {
    pub domain: RwSignal<String>,
    pub expires_in_days: RwSignal<String>,
    /// One UPN a line.
    pub admins: RwSignal<String>,
    pub approvals: RwSignal<Vec<(ChangeCategory, ApprovalMode)>>,
    pub all_rooms: RwSignal<Option<bool>>,
    pub rooms: RwSignal<Vec<(RoomId, String)>>,
    pub groups: RwSignal<Vec<(RoomGroupId, String)>>,
    pub ends_on: RwSignal<String>,
    pub terms: RwSignal<bool>,
}

impl InvitationFields {
    pub const DEFAULT_EXPIRY_DAYS: u32 = 14;

    pub fn new(domain: String) -> Self {
        Self {
            domain: RwSignal::new(domain),
            expires_in_days: RwSignal::new(Self::DEFAULT_EXPIRY_DAYS.to_string()),
            admins: RwSignal::new(String::new()),
            approvals: RwSignal::new(
                ChangeCategory::iter()
                    .map(|c| (c, ApprovalMode::Auto))
                    .collect(),
            ),
            all_rooms: RwSignal::new(None),
            rooms: RwSignal::new(vec![]),
            groups: RwSignal::new(vec![]),
            ends_on: RwSignal::new(String::new()),
            terms: RwSignal::new(false),
        }
    }

    pub fn admin_list(&self) -> Vec<String> {
        self.admins
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn draft(&self) -> InvitationDraft {
        InvitationDraft {
            partner_domain: self.domain.get_untracked(),
            // Anything but a whole number becomes 0, which `validate` refuses with a message.
            expires_in_days: self
                .expires_in_days
                .get_untracked()
                .trim()
                .parse()
                .unwrap_or(0),
            invited_admins: self.admin_list(),
            approvals: self.approvals.get_untracked(),
            scope: scope_choice(
                self.all_rooms.get_untracked(),
                &self.rooms.get_untracked(),
                &self.groups.get_untracked(),
            ),
            ends_on: parse_day(&self.ends_on.get_untracked()),
            terms_accepted: self.terms.get_untracked(),
        }
    }
}

/// The wizard step that asks for `field`, so an error can be shown where it is fixed.
pub fn step_of(field: &str) -> Option<usize> {
    match field {
        "partner_domain" | "expires_in_days" | "invited_admins" => Some(0),
        "approvals" => Some(1),
        "scope" => Some(2),
        "ends_on" => Some(3),
        "terms" => Some(4),
        _ => None,
    }
}

/// Step 2 of *Add partner*: Auto or Manual for every change category.
#[component]
pub fn ChangeControlStep(
    approvals: RwSignal<Vec<(ChangeCategory, ApprovalMode)>>,
) -> impl IntoView {
    view! {
        <p>"For each kind of change, choose whether the partner's change is made at once (Auto), or becomes a request that you approve or reject before anything changes (Manual)."</p>
        {ChangeCategory::iter().map(|c| {
            let name = format!("approval-{c:?}");
            let desc_id = format!("approval-{c:?}-description");
            let choice = move |mode: ApprovalMode, text: &'static str| {
                let id = format!("approval-{c:?}-{mode:?}");
                view! {
                    <div class="check">
                        <input type="radio" name=name.clone() id=id.clone()
                            prop:checked=move || approvals.with(|a| mode_of(a, c) == mode)
                            on:change=move |_| approvals.update(|a| { a.retain(|(x, _)| *x != c); a.push((c, mode)); })/>
                        <label for=id>{text}</label>
                    </div>
                }
            };
            let described_by = desc_id.clone();
            view! {
                <fieldset class="field approval" aria-describedby=described_by>
                    <legend>{c.label()}</legend>
                    <p class="hint" id=desc_id>{c.description()}</p>
                    {choice(ApprovalMode::Auto, "Auto: the partner's change is made at once")}
                    {choice(ApprovalMode::Manual, "Manual: the change waits for your approval")}
                </fieldset>
            }
        }).collect_view()}
    }
    .into_any()
}

/// Step 5 of *Add partner*: the terms and the sign-in note.
#[component]
pub fn TermsStep(terms: RwSignal<bool>, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="terms" id="partner-terms-text" tabindex="0" role="region" aria-label="Terms of the partnership">
            <p>"By inviting this partner, you agree that:"</p>
            <ul>
                <li>"The partner's people may work on the rooms in scope with the permissions of the partner roles they hold. The partner decides who holds them, up to the permissions of its Primary admins."</li>
                <li>"Changes you set to Manual wait for your approval; the others take effect at once."</li>
                <li>"The partner works on your data in place: nothing is copied into the partner's organisation. Every change its people make, and every refused attempt, is in your audit log with their name and organisation."</li>
                <li>"You see the partner's roles and their members, and you can delete any of them, change the rooms in scope or remove the partner at any time. Removing the partner ends its access at once."</li>
                <li>"If you set an end date, the partner's access ends by itself after that day."</li>
            </ul>
            <p class="note note-info">"The partner's users sign in with their own organisation's identity provider; your organisation's sign-in policies (for example multi-factor authentication) do not apply to them."</p>
        </div>
        <div class="check">
            <input
                type="checkbox"
                id="partner-terms"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby="partner-terms-error"
                prop:checked=move || terms.get()
                on:change=move |ev| terms.set(event_target_checked(&ev))
            />
            <label for="partner-terms">"I have read the terms and agree to them"</label>
        </div>
        <FieldError id="partner-terms-error" message=error/>
    }
    .into_any()
}
