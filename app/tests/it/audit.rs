//! The audit log (specification section 6): the on-screen list's filters and pages, the export's
//! keyset pages, retention and the CSV header.

use crate::common::*;
use app::domain::audit::{AuditQuery, ExportRange};
use app::domain::authz::{Actor, DenyReason};
use app::domain::ids::{AuditEntryId, OrgId};
use app::server::entity::audit_log;
use app::server::service::{audit, settings};
use app::server::ServiceError;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set};

const CATEGORIES: [&str; 3] = ["Room", "Role", "Settings"];

/// One entry, as a service would write it.
fn entry(
    org: OrgId,
    by: &Actor,
    category: &str,
    object: &str,
    result: &str,
    at: DateTime<Utc>,
) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: Set(AuditEntryId::new()),
        org_id: Set(org),
        category: Set(category.to_owned()),
        object_name: Set(object.to_owned()),
        operation: Set("Update".to_owned()),
        result_status: Set(result.to_owned()),
        actor_user_id: Set(by.user),
        actor_org_id: Set(by.org),
        created_at: Set(at),
        actor_name: Set(String::new()),
        actor_org_name: Set(String::new()),
        actor_upn: Set(String::new()),
    }
}

fn october(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap() + Duration::hours(hours)
}

fn day(d: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
}

/// Entry `i` of the October series: hour `i`, categories in turn, every fifth one failed.
fn result_of(i: usize) -> &'static str {
    if i.is_multiple_of(5) {
        "Failed"
    } else {
        "Successful"
    }
}

async fn seed_october(db: &DatabaseConnection, org: OrgId, by: &Actor, n: usize) {
    let rows: Vec<_> = (0..n)
        .map(|i| {
            entry(
                org,
                by,
                CATEGORIES[i % 3],
                &format!("obj-{i:03}"),
                result_of(i),
                october(i as i64),
            )
        })
        .collect();
    audit_log::Entity::insert_many(rows).exec(db).await.unwrap();
}

fn october_query() -> AuditQuery {
    AuditQuery {
        from: day("2026-10-01"),
        to: day("2026-10-31"),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_list_filters_by_category_result_and_dates_and_pages_newest_first() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let n = 130;
    seed_october(&db, contoso.id, &grace, n).await;
    seed_october(&db, fabrikam.id, &felix, 20).await;

    // Paging: 50, 50, 30, newest first, each entry once.
    let mut seen = Vec::new();
    for page in 0..4 {
        let got = audit::list(
            &db,
            &grace,
            contoso.id,
            AuditQuery {
                page,
                ..october_query()
            },
        )
        .await
        .unwrap();
        assert_eq!(got.total, n as u64);
        assert_eq!(got.page_size, 50);
        assert_eq!(
            got.rows.len(),
            [50, 50, 30, 0][page as usize],
            "page {page}"
        );
        seen.extend(got.rows);
    }
    let expected: Vec<String> = (0..n).rev().map(|i| format!("obj-{i:03}")).collect();
    assert_eq!(
        seen.iter()
            .map(|r| r.object_name.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(seen.iter().all(|r| r.tenant_id == contoso.id
        && r.user_id == grace.user
        && r.user_name.as_deref() == Some("Contoso Admin")));

    let count = |query: AuditQuery| {
        let (db, grace) = (&db, &grace);
        async move {
            audit::list(db, grace, contoso.id, query)
                .await
                .unwrap()
                .total
        }
    };
    let expect = |f: &dyn Fn(usize) -> bool| (0..n).filter(|i| f(*i)).count() as u64;
    assert_eq!(
        count(AuditQuery {
            category: Some("Room".into()),
            ..october_query()
        })
        .await,
        expect(&|i| i % 3 == 0)
    );
    assert_eq!(
        count(AuditQuery {
            result_status: Some("Failed".into()),
            ..october_query()
        })
        .await,
        expect(&|i| i % 5 == 0)
    );
    let both = audit::list(
        &db,
        &grace,
        contoso.id,
        AuditQuery {
            category: Some("Role".into()),
            result_status: Some("Failed".into()),
            ..october_query()
        },
    )
    .await
    .unwrap();
    assert_eq!(both.total, expect(&|i| i % 3 == 1 && i % 5 == 0));
    assert!(both
        .rows
        .iter()
        .all(|r| r.category == "Role" && r.result_status == "Failed"));
    // Dates are inclusive UTC days: 2 October is hours 24 to 47, not midnight of the 3rd.
    let second = audit::list(
        &db,
        &grace,
        contoso.id,
        AuditQuery {
            from: day("2026-10-02"),
            to: day("2026-10-02"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(second.total, 24);
    assert_eq!(second.rows.first().unwrap().object_name, "obj-047");
    assert_eq!(second.rows.last().unwrap().object_name, "obj-024");
    assert_eq!(
        count(AuditQuery {
            from: day("2026-10-05"),
            ..Default::default()
        })
        .await,
        // Hours 96 to 129, and whatever setting up the organisation wrote on 24 November.
        34 + audit::list(
            &db,
            &grace,
            contoso.id,
            AuditQuery {
                from: day("2026-11-01"),
                ..Default::default()
            }
        )
        .await
        .unwrap()
        .total
    );
    assert_eq!(
        count(AuditQuery {
            to: day("2026-09-30"),
            ..Default::default()
        })
        .await,
        0
    );
    // Empty filters match everything, as the form sends them.
    assert_eq!(
        count(AuditQuery {
            category: Some(String::new()),
            result_status: Some(String::new()),
            ..october_query()
        })
        .await,
        n as u64
    );
}

#[tokio::test]
async fn only_administrators_of_the_organisation_read_its_log() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let lena = user(&db, &contoso, "lena@contoso.co.uk", "Lena Fischer").await;
    let lena = actor(&db, &contoso, lena).await;
    seed_october(&db, contoso.id, &grace, 5).await;
    assert!(matches!(
        audit::list(&db, &lena, contoso.id, october_query()).await,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));
    assert!(matches!(
        audit::list(&db, &felix, contoso.id, october_query()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        audit::authorize_export(&lena, contoso.id),
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        audit::authorize_export(&felix, contoso.id),
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        audit::list(&db, &felix, fabrikam.id, october_query())
            .await
            .unwrap()
            .total,
        0
    );
}

/// Reads a whole export the way the download route does: page after page from the cursor.
async fn export_all(
    db: &DatabaseConnection,
    admin: &Actor,
    org: OrgId,
    range: ExportRange,
    filters: &AuditQuery,
    limit: u64,
) -> (Vec<String>, usize) {
    let scope = audit::authorize_export(admin, org).unwrap();
    let mut cursor = None;
    let mut lines = Vec::new();
    let mut pages = 0;
    loop {
        let (csv, next) = audit::export_page(db, &scope, range, filters, cursor, limit)
            .await
            .unwrap();
        if csv.is_empty() {
            assert_eq!(next, None);
            break;
        }
        pages += 1;
        assert!(
            pages <= 10_000,
            "the export never ends: the cursor does not advance"
        );
        assert!(csv.ends_with("\r\n"));
        let page: Vec<String> = csv.split_terminator("\r\n").map(str::to_owned).collect();
        assert!(page.len() as u64 <= limit);
        lines.extend(page);
        cursor = next;
    }
    (lines, pages)
}

#[tokio::test]
async fn export_pages_return_every_entry_once_oldest_first_even_with_equal_times() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    // 47 entries, four to a minute: page boundaries fall inside groups of equal times.
    let base = Utc.with_ymd_and_hms(2026, 11, 10, 8, 0, 0).unwrap();
    let mut rows = Vec::new();
    let mut expected = Vec::new();
    for i in 0..47 {
        let at = base + Duration::minutes(i / 4);
        let id = AuditEntryId::new();
        let mut model = entry(
            contoso.id,
            &grace,
            CATEGORIES[(i % 3) as usize],
            &format!("e{i:02}"),
            result_of(i as usize),
            at,
        );
        model.id = Set(id);
        expected.push((at, id, format!("e{i:02}")));
        rows.push(model);
    }
    audit_log::Entity::insert_many(rows)
        .exec(&db)
        .await
        .unwrap();
    // Outside the range, and another organisation's entries in it.
    audit_log::Entity::insert_many([
        entry(
            contoso.id,
            &grace,
            "Room",
            "too early",
            "Successful",
            base - Duration::days(2),
        ),
        entry(fabrikam.id, &felix, "Room", "theirs", "Successful", base),
    ])
    .exec(&db)
    .await
    .unwrap();
    expected.sort_by_key(|(at, id, _)| (*at, *id));

    let range = ExportRange::parse("2026-11-09", "2026-11-20", now()).unwrap();
    let (lines, pages) =
        export_all(&db, &grace, contoso.id, range, &AuditQuery::default(), 10).await;
    assert_eq!(pages, 5, "47 entries in pages of 10");
    let names: Vec<&str> = lines.iter().map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(
        names,
        expected
            .iter()
            .map(|(_, _, n)| n.as_str())
            .collect::<Vec<_>>()
    );
    // Each line: the eight columns, in the header's order.
    let first = lines[0].split(',').collect::<Vec<_>>();
    assert_eq!(first.len(), 8, "{}", lines[0]);
    let (at, _, name) = &expected[0];
    let i: usize = name[1..].parse().unwrap();
    let cells = [
        CATEGORIES[i % 3].to_owned(),
        name.clone(),
        "Update".to_owned(),
        result_of(i).to_owned(),
        contoso.id.to_string(),
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        grace.user.to_string(),
        contoso.id.to_string(),
    ];
    assert_eq!(first, cells);
    assert_eq!(first[5], "2026-11-10T08:00:00.000Z");

    // Page sizes that divide evenly, and one page for everything.
    for limit in [1, 4, 47, 1000] {
        let (again, _) = export_all(
            &db,
            &grace,
            contoso.id,
            range,
            &AuditQuery::default(),
            limit,
        )
        .await;
        assert_eq!(again, lines, "limit {limit}");
    }
    // A range with nothing in it is just empty.
    let empty = ExportRange::parse("2026-11-20", "2026-11-23", now()).unwrap();
    let (none, pages) =
        export_all(&db, &grace, contoso.id, empty, &AuditQuery::default(), 10).await;
    assert!(none.is_empty() && pages == 0);
}

#[tokio::test]
async fn exported_cells_are_quoted_and_formulas_defused() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let at = Utc.with_ymd_and_hms(2026, 11, 10, 8, 0, 0).unwrap();
    audit_log::Entity::insert_many([
        entry(contoso.id, &grace, "Room", "Harbour, 1", "Successful", at),
        entry(
            contoso.id,
            &grace,
            "Room",
            "=HYPERLINK(\"x\")",
            "Successful",
            at + Duration::seconds(1),
        ),
    ])
    .exec(&db)
    .await
    .unwrap();
    let range = ExportRange::parse("2026-11-10", "2026-11-10", now()).unwrap();
    let (lines, _) = export_all(&db, &grace, contoso.id, range, &AuditQuery::default(), 10).await;
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("Room,\"Harbour, 1\",Update,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("Room,\"'=HYPERLINK(\"\"x\"\")\",Update,"),
        "{}",
        lines[1]
    );
}

#[tokio::test]
async fn entries_older_than_180_days_are_purged_in_every_organisation() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let now = now();
    let ages = [
        ("ancient", Duration::days(400)),
        ("just expired", Duration::days(180) + Duration::minutes(1)),
        ("just kept", Duration::days(180) - Duration::minutes(1)),
        ("recent", Duration::days(1)),
    ];
    for (org, by) in [(contoso.id, &grace), (fabrikam.id, &felix)] {
        audit_log::Entity::insert_many(
            ages.iter()
                .map(|(name, age)| entry(org, by, "Room", name, "Successful", now - *age)),
        )
        .exec(&db)
        .await
        .unwrap();
    }
    let before = audit_log::Entity::find().count(&db).await.unwrap();

    assert_eq!(audit::purge_expired(&db, now).await.unwrap(), 4);
    assert_eq!(
        audit_log::Entity::find().count(&db).await.unwrap(),
        before - 4
    );
    for org in [contoso.id, fabrikam.id] {
        let mut left: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::OrgId.eq(org))
            .filter(audit_log::Column::Category.eq("Room"))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.object_name)
            .collect();
        left.sort();
        assert_eq!(left, ["just kept", "recent"]);
    }
    // Nothing more to purge until time moves on.
    assert_eq!(audit::purge_expired(&db, now).await.unwrap(), 0);
    assert_eq!(
        audit::purge_expired(&db, now + Duration::minutes(2))
            .await
            .unwrap(),
        2
    );
}

#[test]
fn the_csv_header_is_exactly_the_eight_columns_of_the_specification() {
    assert_eq!(
        audit::csv_header(),
        "activity.category,activity.objectName,activity.operation,activity.resultStatus,\
         activity.tenantId,creationTime,user.userId,user.userTenantId\r\n"
    );
}

#[test]
fn export_ranges_are_refused_outside_the_retention_period() {
    let now = now();
    assert!(ExportRange::parse("2026-05-28", "2026-11-24", now).is_ok());
    let err = ExportRange::parse("2026-05-27", "2026-11-24", now).unwrap_err();
    assert_eq!(err.field, "from");
    assert!(err.message.contains("180"), "{}", err.message);
    assert_eq!(
        ExportRange::parse("2026-11-01", "2026-11-25", now)
            .unwrap_err()
            .field,
        "to"
    );
}

/// Issue 8, finding 8: a user of one organisation cannot write into another's log by being
/// refused there. Their refusal is kept in their own organisation's log.
#[tokio::test]
async fn a_stranger_cannot_write_into_another_organisations_log() {
    use app::domain::validation::GroupName;
    use app::server::service::groups;
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let notice = "SECURITY NOTICE: your tenant is suspended, call 555-0100";
    let before = audit_rows(&db, &felix, fabrikam.id, "User", "Failed").await;
    let refused = groups::create_group(
        &db,
        &grace,
        fabrikam.id,
        GroupName::parse(notice).unwrap(),
        now(),
    )
    .await;
    assert!(matches!(refused, Err(ServiceError::NotFound)));
    let after = audit_rows(&db, &felix, fabrikam.id, "User", "Failed").await;
    assert_eq!(
        after.len(),
        before.len(),
        "nothing written into Fabrikam's log"
    );
    let own = audit_rows(&db, &grace, contoso.id, "User", "Failed").await;
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[0].user_id, grace.user);
    assert_eq!(
        own[0].object_name,
        format!("{notice} (aimed at organisation {})", fabrikam.id)
    );
}

/// Issue 8, finding 7: a page number from the browser cannot overflow the offset.
#[tokio::test]
async fn an_absurd_page_is_a_clear_error() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let refused = audit::list(
        &db,
        &grace,
        contoso.id,
        AuditQuery {
            page: u64::MAX,
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.field == "page"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_log_is_searched_by_user_upn_organisation_or_object_and_the_export_keeps_the_filters() {
    let db = db().await;
    let (contoso, grace) = org_with_admin(&db, "Contoso", "contoso.com").await;
    // An entry a service writes keeps who acted: name, UPN and organisation.
    let settings = settings::get_settings(&db, &grace, contoso.id, now())
        .await
        .unwrap();
    settings::update_settings(&db, &grace, contoso.id, settings.validate().unwrap(), now())
        .await
        .unwrap();
    let written = audit::list(&db, &grace, contoso.id, AuditQuery::default())
        .await
        .unwrap();
    assert!(
        written.rows.iter().any(|r| r.category == "Settings"
            && r.user_name.as_deref() == Some("Contoso Admin")
            && r.user_upn == "admin@contoso.com"
            && r.user_org_name == "Contoso"),
        "{:?}",
        written.rows
    );

    // A partner's user, by their snapshot; object names with LIKE's wildcards in them.
    let at = now() - Duration::hours(1);
    let partner = |object: &str, result: &str| {
        let mut e = entry(contoso.id, &grace, "Room", object, result, at);
        e.actor_name = Set("Pia Partner".into());
        e.actor_upn = Set("pia@northwind.example".into());
        e.actor_org_name = Set("Northwind Traders".into());
        e
    };
    audit_log::Entity::insert_many([
        partner("Lobby_1", "Successful"),
        partner("Lobby 2", "Failed"),
        entry(
            contoso.id,
            &grace,
            "Room",
            "Boardroom 100%",
            "Successful",
            at,
        ),
    ])
    .exec(&db)
    .await
    .unwrap();
    for (text, expected) in [
        ("PIA@north", 2),
        ("northwind tr", 2),
        ("pia partner", 2),
        ("admin@contoso", 1),
        ("lobby", 2),
        // Typed `_` and `%` are characters, not wildcards.
        ("lobby_", 1),
        ("100%", 1),
        ("  lobby 2 ", 1),
        ("nobody", 0),
    ] {
        let query = AuditQuery {
            text: text.into(),
            ..Default::default()
        };
        let found = audit::list(&db, &grace, contoso.id, query).await.unwrap();
        assert_eq!(found.total, expected, "{text:?}: {:?}", found.rows);
    }

    // The export keeps the filters the list shows.
    let today = now().date_naive();
    let range = ExportRange::parse(
        &(today - Duration::days(1)).to_string(),
        &today.to_string(),
        now(),
    )
    .unwrap();
    let filters = AuditQuery {
        text: "northwind".into(),
        result_status: Some("Failed".into()),
        ..Default::default()
    };
    let (lines, _) = export_all(&db, &grace, contoso.id, range, &filters, 10).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("Room,Lobby 2,Update,Failed,"),
        "{lines:?}"
    );
    let everything = export_all(&db, &grace, contoso.id, range, &AuditQuery::default(), 10).await;
    assert_eq!(everything.0.len(), 4);
}
