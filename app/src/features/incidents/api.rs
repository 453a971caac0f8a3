use crate::codec::Json;
use crate::domain::ids::{IncidentId, OrgId};
use crate::domain::tickets::{
    Assignee, CustomerIncidentInput, IncidentPage, IncidentQuery, TicketChange, TicketDetail,
};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewTickets`; only incidents of rooms in the actor's reach.
#[server(endpoint = "list_incidents", input = Json, output = Json)]
pub async fn list_incidents(org: OrgId, query: IncidentQuery) -> Result<IncidentPage, AppError> {
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(tickets::list_incidents(&cx.db, &cx.actor, org, query.validate()?).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewTickets` on the incident's room.
#[server(endpoint = "get_ticket", input = Json, output = Json)]
pub async fn get_ticket(org: OrgId, id: IncidentId) -> Result<TicketDetail, AppError> {
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(tickets::get_ticket(&cx.db, &cx.actor, org, id).await?)
    })
    .await
}

/// # Authorization
/// `Action::UpdateTicket` on the incident's room; an assignee must be allowed the same.
#[server(endpoint = "change_ticket", input = Json, output = Json)]
pub async fn change_ticket(
    org: OrgId,
    id: IncidentId,
    change: TicketChange,
) -> Result<TicketDetail, AppError> {
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let detail =
            tickets::change_ticket(&cx.db, &cx.actor, org, id, change.validate()?, cx.now).await?;
        crate::server::changes::publish(org);
        Ok(detail)
    })
    .await
}

/// # Authorization
/// `Action::UpdateTicket` on the incident's room.
#[server(endpoint = "list_ticket_assignees", input = Json, output = Json)]
pub async fn list_ticket_assignees(
    org: OrgId,
    id: IncidentId,
    search: String,
) -> Result<Vec<Assignee>, AppError> {
    use crate::domain::validation::SearchTerm;
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let term = SearchTerm::parse(&search)?;
        Ok(tickets::assignees(&cx.db, &cx.actor, org, id, term, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::CreateCustomerIncident` on the room.
#[server(endpoint = "raise_incident", input = Json, output = Json)]
pub async fn raise_incident(
    org: OrgId,
    input: CustomerIncidentInput,
) -> Result<IncidentId, AppError> {
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let id =
            tickets::raise_customer_incident(&cx.db, &cx.actor, org, input.validate()?, cx.now)
                .await?;
        crate::server::changes::publish(org);
        Ok(id)
    })
    .await
}

/// The all-tickets view of partner mode: every customer's incidents the user may see tickets
/// of, in one list.
///
/// # Authorization
/// A user of an organisation that manages customers; each row within its relationship's scope
/// and the user's assignments there (`CustomerScopes::incidents_seen_by`).
#[server(endpoint = "list_all_tickets", input = Json, output = Json)]
pub async fn list_all_tickets(query: IncidentQuery) -> Result<IncidentPage, AppError> {
    use crate::server::service::tickets;
    crate::server::serve(async move {
        let cx = crate::server::request_cx().await?;
        Ok(tickets::list_all_tickets(&cx.db, &cx.actor, query.validate()?, cx.now).await?)
    })
    .await
}
