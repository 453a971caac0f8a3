use super::parts::OrgRolesPanel;
use crate::domain::directory::RoleFamily;
use crate::domain::session::SessionView;
use leptos::prelude::*;
use leptos_meta::Title;

/// Customer mode *Settings > Administrators*.
#[component]
pub fn AdministratorsPage() -> impl IntoView {
    let session = use_context::<SessionView>();
    view! {
        <Title text="Administrators · Rooms MTM"/>
        {session.map(|s| {
            let intro = format!(
                "Global admins and Managed Service Administrators have full access to {}'s rooms and settings. Only a Global admin can change who holds these roles, and {} always keeps at least one Global admin.",
                s.org_name, s.org_name
            );
            view! {
                <OrgRolesPanel session=s family=RoleFamily::Administrators title="Administrators" intro add_label="Assign administrators"/>
            }
        })}
    }
    .into_any()
}

/// Partner mode *Tenant managers*.
#[component]
pub fn TenantManagersPage() -> impl IntoView {
    let session = use_context::<SessionView>();
    view! {
        <Title text="Tenant managers · Rooms MTM"/>
        {session.map(|s| {
            let intro = "Tenant managers see customers' invitations, accept them and name Primary admins. They see a customer's name, domain, status and number of rooms in scope, not its rooms, until they are given a role for that customer.".to_owned();
            view! {
                <OrgRolesPanel session=s family=RoleFamily::TenantManagers title="Tenant managers" intro add_label="Add tenant managers"/>
            }
        })}
    }
    .into_any()
}
