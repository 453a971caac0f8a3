//! Partner and customer mode from outside, as one table: every server function of both modes,
//! called by each kind of actor on each kind of place, must answer what the authorization rules
//! say (a refusal of what the actor may not see is "not found" and tells nothing; a refusal of
//! what they may see is "forbidden"), write one `Failed` audit entry for each refused change (in
//! the log of the organisation acted on when the actor has standing there, in their own
//! organisation's otherwise), and never answer with another organisation's or an out-of-scope
//! room's data. Then revoking a partner, and answering an invitation, end to end.

use super::*;
use app::error::AppError;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};

/// The demo organisations the table acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Org {
    Contoso,
    Fabrikam,
    Woodgrove,
    Northwind,
}

use Org::{Contoso as C, Fabrikam as F, Northwind as N, Woodgrove as W};

/// What in the organisation a row aims at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// A room or room group in the partner's scope (Contoso: the US rooms) and the Site Lead's.
    In,
    /// A room or room group outside it (Contoso: Germany). For `delete_room_group`, a group
    /// nobody's scope names.
    Out,
    /// The organisation as a whole: its settings, directory, groups, administrators, audit log,
    /// partners, its own roles.
    Wide,
    /// The partner roles of the organisation's relationship with Northwind (roles endpoints).
    PartnerRoles,
}
use Place::{In, Out, PartnerRoles as Roles, Wide};

/// One row: a server function (`endpoint`, or `endpoint:variant` for another body), where it
/// aims, and what each actor gets, in the order of [`ACTORS`]:
///
/// - `A` 200; `C` 409 (allowed, but the state says no);
/// - `F` 403 and one `Failed` entry; `f` 403 and none (a read);
/// - `N` 404 and one `Failed` entry; `n` 404 and none (a read, or nothing by that id);
/// - `a` 200 in a harness of its own (the change would spoil the other rows);
/// - `-` not run (the change would succeed and spoil the demo; `a` covers it elsewhere).
struct Row {
    case: &'static str,
    org: Org,
    place: Place,
    expect: &'static str,
}

impl Row {
    fn endpoint(&self) -> &'static str {
        self.case.split(':').next().unwrap()
    }
}

const fn r(case: &'static str, org: Org, place: Place, expect: &'static str) -> Row {
    Row {
        case,
        org,
        place,
        expect,
    }
}

/// Who calls: what kind of actor, who, their organisation, and the customers in which they hold
/// a partner role (standing: their refusals are written into those customers' logs).
struct ActorSpec {
    kind: &'static str,
    upn: &'static str,
    home: Org,
    partner_in: &'static [Org],
}

/// The demo has one partner organisation (Northwind), so "another partner's Primary admin" is
/// played by a plain user of another organisation (Paul of Fabrikam), a stranger to Contoso.
const ACTORS: [ActorSpec; 9] = [
    ActorSpec {
        kind: "customer Global admin (grace@contoso.com)",
        upn: "grace@contoso.com",
        home: C,
        partner_in: &[],
    },
    ActorSpec {
        kind: "customer MSA (ivan@contoso.com)",
        upn: "ivan@contoso.com",
        home: C,
        partner_in: &[],
    },
    ActorSpec {
        kind: "customer Site Lead, US rooms (sofia@contoso.com)",
        upn: "sofia@contoso.com",
        home: C,
        partner_in: &[],
    },
    ActorSpec {
        kind: "plain customer user (omar@contoso.com)",
        upn: "omar@contoso.com",
        home: C,
        partner_in: &[],
    },
    ActorSpec {
        kind: "partner Global admin, no partner role (ada@northwindmsp.com)",
        upn: "ada@northwindmsp.com",
        home: N,
        partner_in: &[],
    },
    ActorSpec {
        kind: "partner Tenant manager, no partner role (tess@northwindmsp.com)",
        upn: "tess@northwindmsp.com",
        home: N,
        partner_in: &[],
    },
    ActorSpec {
        kind: "Primary admin of Contoso and Fabrikam (pia@northwindmsp.com)",
        upn: "pia@northwindmsp.com",
        home: N,
        partner_in: &[C, F],
    },
    ActorSpec {
        kind: "Help desk member for Fabrikam only (hal@northwind-msp.eu)",
        upn: "hal@northwind-msp.eu",
        home: N,
        partner_in: &[F],
    },
    ActorSpec {
        kind: "stranger: plain user of Fabrikam (paul@fabrikam.com)",
        upn: "paul@fabrikam.com",
        home: F,
        partner_in: &[],
    },
];

/// Column of the Primary admin, who creates partner roles for the rows.
const PIA: usize = 6;

/// Server functions that change nothing: never a `Failed` entry.
fn is_read(endpoint: &str) -> bool {
    endpoint.starts_with("list_")
        || endpoint.starts_with("get_")
        || matches!(
            endpoint,
            "room_facets" | "search_directory" | "check_role_name"
        )
}

/// The table. Columns: Grace, Ivan, Sofia, Omar (Contoso), Ada, Tess, Pia, Hal (Northwind),
/// Paul (Fabrikam). Pia's Contoso relationship covers the US rooms with manual approval of room
/// changes (her allowed room changes there are held as change requests: still 200); her Fabrikam
/// one all rooms, automatic. Hal holds only the Help desk role (tickets) in Fabrikam.
fn table() -> Vec<Row> {
    vec![
        // ---- Contoso: rooms.
        r("list_rooms", C, Wide, "AAAfnnAnn"),
        r("room_facets", C, Wide, "AAAfnnAnn"),
        r("get_room", C, In, "AAAfnnAnn"),
        r("get_room", C, Out, "AAnfnnnnn"),
        r("create_room", C, In, "AAAFNNFNN"),
        r("create_room", C, Out, "AAFFNNFNN"),
        r("update_room", C, In, "AAAFNNANN"),
        r("update_room", C, Out, "AANFNNNNN"),
        r("unenroll_room", C, In, "AAAFNNFNN"),
        r("unenroll_room", C, Out, "AANFNNFNN"),
        r("delete_room", C, In, "AAAFNNFNN"),
        r("delete_room", C, Out, "AANFNNFNN"),
        r("set_room_ring", C, In, "AAAFNNANN"),
        r("set_room_ring", C, Out, "AANFNNNNN"),
        r("get_enrollment_key", C, Wide, "AAAfnnfnn"),
        r("reset_enrollment_key", C, Wide, "AAFFNNFNN"),
        // ---- Contoso: room groups and update rings.
        r("list_room_groups", C, Wide, "AAAfnnAnn"),
        r("get_room_group", C, In, "AAAnnnAnn"),
        r("get_room_group", C, Out, "AAnnnnnnn"),
        r("create_room_group", C, Wide, "AAFFNNFNN"),
        r("update_room_group", C, In, "AAAFNNFNN"),
        r("update_room_group", C, Out, "AANFNNFNN"),
        r("delete_room_group", C, In, "---FNNFNN"),
        r("delete_room_group", C, Out, "AANFNNFNN"),
        r("set_room_group_member", C, In, "AAAFNNFNN"),
        r("set_room_group_member", C, Out, "AANFNNFNN"),
        r("list_update_rings", C, Wide, "AAAfnnAnn"),
        r("create_update_ring", C, Wide, "AAFFNNFNN"),
        r("update_update_ring", C, Wide, "AAFFNNFNN"),
        r("delete_update_ring", C, Wide, "AAFFNNFNN"),
        // ---- Contoso: its own roles, and the partner role set (Pia's, by her standing).
        r("list_roles", C, Wide, "AAffnnAnn"),
        r("get_role", C, Wide, "AAffnnnnn"),
        r("get_role", C, Roles, "nnffnnAnn"),
        r("check_role_name", C, Wide, "AAffnnAnn"),
        r("create_role", C, Wide, "AAFFNNANN"),
        r("update_role", C, Wide, "AAFFNNnNN"),
        r("update_role", C, Roles, "nnFFNNANN"),
        r("delete_role", C, Wide, "AAFFNNnNN"),
        r("delete_role", C, Roles, "nnFFNNANN"),
        r("save_assignment", C, Wide, "AAFFNNnNN"),
        r("save_assignment", C, Roles, "nnFFNNANN"),
        r("delete_assignment", C, Wide, "AAFFNNnNN"),
        r("delete_assignment", C, Roles, "nnFFNNANN"),
        // ---- Contoso: directory, security groups, settings, audit log, administrators.
        r("search_directory", C, Wide, "AAAAnnfnn"),
        r("list_groups", C, Wide, "AAffnnfnn"),
        r("get_group", C, Wide, "AAffnnfnn"),
        r("create_group", C, Wide, "AAFFNNFNN"),
        r("rename_group", C, Wide, "AAFFNNFNN"),
        r("delete_group", C, Wide, "AAFFNNFNN"),
        r("add_group_member", C, Wide, "AAFFNNFNN"),
        r("remove_group_member", C, Wide, "AAFFNNFNN"),
        r("get_settings", C, Wide, "AAffnnfnn"),
        r("update_settings", C, Wide, "AAFFNNFNN"),
        r("list_audit", C, Wide, "AAffnnfnn"),
        r("list_org_roles", C, Wide, "AAffnnfnn"),
        r("list_org_roles:tenant-managers", C, Wide, "ffffnnfnn"),
        r("assign_org_role", C, Wide, "AFFFNNFNN"),
        r("assign_org_role:tenant-manager", C, Wide, "FFFFNNFNN"),
        r("remove_org_role", C, Wide, "AFFFNNFNN"),
        // ---- Contoso: its partners and their change requests.
        r("list_partners", C, Wide, "AAffnnfnn"),
        r("invite_partner", C, Wide, "CCFFNNFNN"),
        r("remove_partner", C, Wide, "aaFFNNFNN"),
        r("update_partner", C, Wide, "AAFFNNFNN"),
        r("delete_partner_role", C, Roles, "AAFFNNFNN"),
        r("list_change_requests", C, Wide, "AAffnnfnn"),
        r("decide_change_request", C, Wide, "AAFFNNFNN"),
        r("list_partner_change_requests", C, Wide, "nnnnnnAnn"),
        r("get_session:customer", C, Wide, "AAAAAAAAA"),
        r("get_customer_overview", C, Wide, "AAAAnnAnn"),
        // ---- Contoso: incidents and tickets (Sofia and Pia over the US rooms).
        r("list_incidents", C, Wide, "AAAfnnAnn"),
        r("get_ticket", C, In, "AAAfnnAnn"),
        r("get_ticket", C, Out, "AAnfnnnnn"),
        r("list_ticket_assignees", C, In, "AAAfnnAnn"),
        r("list_ticket_assignees", C, Out, "AAnfnnnnn"),
        r("change_ticket", C, In, "AAAFNNANN"),
        r("change_ticket", C, Out, "AANFNNNNN"),
        r("raise_incident", C, In, "AAAFNNANN"),
        r("raise_incident", C, Out, "AANFNNNNN"),
        r("get_reports", C, Wide, "AAAfnnAnn"),
        // ---- Partner mode on Contoso: its relationship is answered already.
        r("accept_invitation", C, Wide, "FFFFCCFFF"),
        r("deny_invitation", C, Wide, "FFFFCCFFF"),
        r("remove_customer", C, Wide, "NNNNNNaNN"),
        // ---- Fabrikam: Pia over all rooms (automatic approval), Hal tickets only, Paul at
        // home with nothing; Contoso's people and Northwind's staff are strangers.
        r("list_rooms", F, Wide, "nnnnnnAff"),
        r("room_facets", F, Wide, "nnnnnnAff"),
        r("get_room", F, In, "nnnnnnAff"),
        r("get_room", F, Out, "nnnnnnAff"),
        r("create_room", F, In, "NNNNNNFFF"),
        r("update_room", F, In, "NNNNNNAFF"),
        r("unenroll_room", F, In, "NNNNNNFFF"),
        r("delete_room", F, In, "NNNNNNFFF"),
        r("set_room_ring", F, In, "NNNNNNAFF"),
        r("get_enrollment_key", F, Wide, "nnnnnnfff"),
        r("reset_enrollment_key", F, Wide, "NNNNNNFFF"),
        r("list_room_groups", F, Wide, "nnnnnnAff"),
        r("get_room_group", F, In, "nnnnnnAnn"),
        r("create_room_group", F, Wide, "NNNNNNFFF"),
        r("update_room_group", F, In, "NNNNNNFFF"),
        r("delete_room_group", F, Out, "NNNNNNFFF"),
        r("set_room_group_member", F, In, "NNNNNNFFF"),
        r("list_update_rings", F, Wide, "nnnnnnAff"),
        r("create_update_ring", F, Wide, "NNNNNNFFF"),
        r("update_update_ring", F, Wide, "NNNNNNAFF"),
        r("delete_update_ring", F, Wide, "NNNNNNAFF"),
        r("list_roles", F, Wide, "nnnnnnAff"),
        r("get_role", F, Wide, "nnnnnnnff"),
        r("get_role", F, Roles, "nnnnnnAff"),
        r("check_role_name", F, Wide, "nnnnnnAff"),
        r("create_role", F, Wide, "NNNNNNAFF"),
        r("update_role", F, Wide, "NNNNNNnFF"),
        r("update_role", F, Roles, "NNNNNNAFF"),
        r("delete_role", F, Wide, "NNNNNNnFF"),
        r("delete_role", F, Roles, "NNNNNNAFF"),
        r("save_assignment", F, Wide, "NNNNNNnFF"),
        r("save_assignment", F, Roles, "NNNNNNAFF"),
        r("delete_assignment", F, Wide, "NNNNNNnFF"),
        r("delete_assignment", F, Roles, "NNNNNNAFF"),
        r("search_directory", F, Wide, "nnnnnnffA"),
        r("list_groups", F, Wide, "nnnnnnfff"),
        r("get_group", F, Wide, "nnnnnnfff"),
        r("create_group", F, Wide, "NNNNNNFFF"),
        r("rename_group", F, Wide, "NNNNNNFFF"),
        r("delete_group", F, Wide, "NNNNNNFFF"),
        r("add_group_member", F, Wide, "NNNNNNFFF"),
        r("remove_group_member", F, Wide, "NNNNNNFFF"),
        r("get_settings", F, Wide, "nnnnnnfff"),
        r("update_settings", F, Wide, "NNNNNNFFF"),
        r("list_audit", F, Wide, "nnnnnnfff"),
        r("list_org_roles", F, Wide, "nnnnnnfff"),
        r("assign_org_role", F, Wide, "NNNNNNFFF"),
        r("remove_org_role", F, Wide, "NNNNNNFFF"),
        r("list_partners", F, Wide, "nnnnnnfff"),
        r("invite_partner", F, Wide, "NNNNNNFFF"),
        r("remove_partner", F, Wide, "NNNNNNFFF"),
        r("update_partner", F, Wide, "NNNNNNFFF"),
        r("delete_partner_role", F, Roles, "NNNNNNFFF"),
        r("list_change_requests", F, Wide, "nnnnnnfff"),
        r("decide_change_request", F, Wide, "NNNNNNFFF"),
        r("list_partner_change_requests", F, Wide, "nnnnnnAfn"),
        r("get_session:customer", F, Wide, "AAAAAAAAA"),
        r("get_customer_overview", F, Wide, "nnnnnnAAA"),
        r("list_incidents", F, Wide, "nnnnnnAAf"),
        r("get_ticket", F, In, "nnnnnnAAf"),
        r("list_ticket_assignees", F, In, "nnnnnnAAf"),
        r("change_ticket", F, In, "NNNNNNAAF"),
        r("raise_incident", F, In, "NNNNNNAFF"),
        r("get_reports", F, Wide, "nnnnnnAff"),
        r("remove_customer", F, Wide, "NNNNNNaFN"),
        // ---- Woodgrove Bank: invited Northwind, not answered yet. Nobody here works on it.
        r("list_rooms", W, Wide, "nnnnnnnnn"),
        r("room_facets", W, Wide, "nnnnnnnnn"),
        r("get_room", W, In, "nnnnnnnnn"),
        r("create_room", W, In, "NNNNNNNNN"),
        r("update_room", W, In, "NNNNNNNNN"),
        r("unenroll_room", W, In, "NNNNNNNNN"),
        r("delete_room", W, In, "NNNNNNNNN"),
        r("set_room_ring", W, In, "NNNNNNNNN"),
        r("get_enrollment_key", W, Wide, "nnnnnnnnn"),
        r("reset_enrollment_key", W, Wide, "NNNNNNNNN"),
        r("list_room_groups", W, Wide, "nnnnnnnnn"),
        r("get_room_group", W, In, "nnnnnnnnn"),
        r("create_room_group", W, Wide, "NNNNNNNNN"),
        r("update_room_group", W, In, "NNNNNNNNN"),
        r("delete_room_group", W, Out, "NNNNNNNNN"),
        r("set_room_group_member", W, In, "NNNNNNNNN"),
        r("list_update_rings", W, Wide, "nnnnnnnnn"),
        r("create_update_ring", W, Wide, "NNNNNNNNN"),
        r("update_update_ring", W, Wide, "NNNNNNNNN"),
        r("delete_update_ring", W, Wide, "NNNNNNNNN"),
        r("list_roles", W, Wide, "nnnnnnnnn"),
        r("get_role", W, Wide, "nnnnnnnnn"),
        r("check_role_name", W, Wide, "nnnnnnnnn"),
        r("create_role", W, Wide, "NNNNNNNNN"),
        r("update_role", W, Wide, "NNNNNNNNN"),
        r("delete_role", W, Wide, "NNNNNNNNN"),
        r("save_assignment", W, Wide, "NNNNNNNNN"),
        r("delete_assignment", W, Wide, "NNNNNNNNN"),
        r("search_directory", W, Wide, "nnnnnnnnn"),
        r("list_groups", W, Wide, "nnnnnnnnn"),
        r("get_group", W, Wide, "nnnnnnnnn"),
        r("create_group", W, Wide, "NNNNNNNNN"),
        r("rename_group", W, Wide, "NNNNNNNNN"),
        r("delete_group", W, Wide, "NNNNNNNNN"),
        r("add_group_member", W, Wide, "NNNNNNNNN"),
        r("remove_group_member", W, Wide, "NNNNNNNNN"),
        r("get_settings", W, Wide, "nnnnnnnnn"),
        r("update_settings", W, Wide, "NNNNNNNNN"),
        r("list_audit", W, Wide, "nnnnnnnnn"),
        r("list_org_roles", W, Wide, "nnnnnnnnn"),
        r("assign_org_role", W, Wide, "NNNNNNNNN"),
        r("remove_org_role", W, Wide, "NNNNNNNNN"),
        r("list_partners", W, Wide, "nnnnnnnnn"),
        r("invite_partner", W, Wide, "NNNNNNNNN"),
        r("remove_partner", W, Wide, "NNNNNNNNN"),
        r("update_partner", W, Wide, "NNNNNNNNN"),
        r("delete_partner_role", W, Wide, "NNNNNNNNN"),
        r("list_change_requests", W, Wide, "nnnnnnnnn"),
        r("decide_change_request", W, Wide, "NNNNNNNNN"),
        r("list_partner_change_requests", W, Wide, "nnnnnnnnn"),
        r("get_session:customer", W, Wide, "AAAAAAAAA"),
        r("get_customer_overview", W, Wide, "nnnnnnnnn"),
        r("list_incidents", W, Wide, "nnnnnnnnn"),
        r("get_ticket", W, In, "nnnnnnnnn"),
        r("list_ticket_assignees", W, In, "nnnnnnnnn"),
        r("change_ticket", W, In, "NNNNNNNNN"),
        r("raise_incident", W, In, "NNNNNNNNN"),
        r("get_reports", W, Wide, "nnnnnnnnn"),
        // Answering needs a staff role of a partner organisation; the refusal is the actor's
        // own organisation's (the resource is their organisation).
        r("accept_invitation", W, Wide, "FFFFaaFFF"),
        r("deny_invitation", W, Wide, "FFFFaaFFF"),
        r("remove_customer", W, Wide, "NNNNNNNNN"),
        // ---- Northwind itself (partner mode's own pages): staff and members at home.
        r("list_tenants", N, Wide, "AAAAAAAAA"),
        r("get_session", N, Wide, "AAAAAAAAA"),
        r("get_overview", N, Wide, "AAAAAAAAA"),
        r("list_org_roles:tenant-managers", N, Wide, "nnnnAAffn"),
        r("assign_org_role:tenant-manager", N, Wide, "NNNNAFFFN"),
        r("list_org_roles", N, Wide, "nnnnAfffn"),
        r("list_audit", N, Wide, "nnnnAfffn"),
        r("list_rooms", N, Wide, "nnnnAfffn"),
        r("list_partners", N, Wide, "nnnnAfffn"),
        r("list_roles", N, Wide, "nnnnAfffn"),
        r("get_settings", N, Wide, "nnnnAfffn"),
        r("search_directory", N, Wide, "nnnnAAAAn"),
        r("list_groups", N, Wide, "nnnnAfffn"),
        r("create_group", N, Wide, "NNNNAFFFN"),
        r("list_incidents", N, Wide, "nnnnAfffn"),
        // Partner mode's all-tickets view: each row within its customer's scope and the
        // actor's roles there (Pia: Contoso's US rooms and Fabrikam; Hal: Fabrikam).
        r("list_all_tickets", N, Wide, "ffffAAAAf"),
    ]
}

/// The `endpoint = "..."` of every server function in `app/src/features/**/api.rs`.
fn declared_endpoints() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.file_name().is_some_and(|n| n == "api.rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                for part in source.split("endpoint = \"").skip(1) {
                    found.insert(part.split('"').next().unwrap().to_owned());
                }
            }
        }
    }
    let features = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/features");
    let mut found = BTreeSet::new();
    walk(&features, &mut found);
    found
}

#[test]
fn the_partner_table_covers_every_server_function_for_every_kind_of_actor() {
    let rows = table();
    let declared = declared_endpoints();
    assert!(declared.len() >= 50, "{declared:?}");
    let covered: BTreeSet<String> = rows.iter().map(|r| r.endpoint().to_owned()).collect();
    let missing: Vec<&String> = declared.difference(&covered).collect();
    let unknown: Vec<&String> = covered.difference(&declared).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "server functions without a row: {missing:?}; rows of no server function: {unknown:?}"
    );
    for row in &rows {
        assert_eq!(row.expect.len(), ACTORS.len(), "{}", row.case);
        for (col, letter) in row.expect.chars().enumerate() {
            assert!("AaCFfNn-".contains(letter), "{}: {letter}", row.case);
            // Reads never write to the log; refused changes always do.
            if is_read(row.endpoint()) {
                assert!(!"FNa".contains(letter), "{} col {col}", row.case);
            } else {
                assert_ne!(letter, 'f', "{} col {col}: a refused change", row.case);
            }
        }
    }
    // Every server function is tried by every kind of actor, and each on a customer.
    for endpoint in &declared {
        for (col, actor) in ACTORS.iter().enumerate() {
            assert!(
                rows.iter()
                    .any(|r| r.endpoint() == endpoint && r.expect.as_bytes()[col] != b'-'),
                "{endpoint} is never called by the {}",
                actor.kind
            );
        }
    }
    // Contoso's places: every customer-mode function on Contoso.
    for endpoint in &declared {
        let partner_mode = matches!(
            endpoint.as_str(),
            "list_tenants" | "get_session" | "list_all_tickets" | "get_overview"
        );
        assert!(
            partner_mode || rows.iter().any(|r| r.endpoint() == endpoint && r.org == C),
            "{endpoint} has no row on Contoso"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The demo as the rows need it.

struct Who {
    spec: &'static ActorSpec,
    cookie: String,
    id: UserId,
    /// Ids (rooms, organisations) that must never be in an answer to this actor.
    hidden_ids: HashSet<String>,
    /// Words (organisation names, sites out of scope) never in an answer to them, any case.
    hidden_words: Vec<&'static str>,
}

impl Who {
    fn standing(&self, org: Org) -> bool {
        self.spec.home == org || self.spec.partner_in.contains(&org)
    }
}

/// Something a row aims at, with the body that leaves it as it is when a change is allowed.
#[derive(Clone)]
struct Target {
    id: Value,
    input: Value,
}

struct OrgFx {
    id: OrgId,
    /// A Global admin's session, to make and look up targets.
    admin: String,
    admin_id: UserId,
    /// A plain user of the organisation, for group membership rows.
    member: UserId,
    query: &'static str,
    domain: &'static str,
    countries: [&'static str; 2],
    /// In scope, out of scope (empty for Northwind).
    rooms: Vec<Target>,
    /// A customer incident on each of `rooms`, raised by the Global admin.
    incidents: Vec<Value>,
    groups: Vec<Target>,
    ring: Option<Target>,
    security_group: Target,
    built_in_role: Value,
    own_role: Target,
    settings: Value,
    rel: Option<Rel>,
    /// Every room: (id, country).
    room_ids: Vec<(String, String)>,
}

/// The organisation's relationship with Northwind.
struct Rel {
    id: Value,
    scope: Value,
    ends_on: Value,
    /// The Primary admins role (a random id while the invitation is pending).
    primary_admins: Value,
    /// A custom partner role Pia made (accepted relationships only).
    partner_role: Option<Target>,
}

struct World {
    orgs: BTreeMap<Org, OrgFx>,
    who: Vec<Who>,
    fresh: AtomicU32,
}

impl World {
    fn org(&self, org: Org) -> &OrgFx {
        &self.orgs[&org]
    }

    fn fresh(&self, what: &str) -> String {
        format!("PTX {what} {}", self.fresh.fetch_add(1, Ordering::Relaxed))
    }

    fn pia(&self) -> &str {
        &self.who[PIA].cookie
    }
}

struct OrgSpec {
    org: Org,
    name: &'static str,
    admin: &'static str,
    member: &'static str,
    query: &'static str,
    domain: &'static str,
    countries: [&'static str; 2],
    groups: [&'static str; 2],
    security_group: &'static str,
}

const ORGS: [OrgSpec; 4] = [
    OrgSpec {
        org: C,
        name: "Contoso",
        admin: "grace@contoso.com",
        member: "omar@contoso.com",
        query: "gra",
        domain: "contoso.com",
        countries: ["US", "DE"],
        groups: ["All US rooms", "All Germany rooms"],
        security_group: "Facilities team",
    },
    OrgSpec {
        org: F,
        name: "Fabrikam",
        admin: "felix@fabrikam.com",
        member: "paul@fabrikam.com",
        query: "pau",
        domain: "fabrikam.com",
        countries: ["DE", "CH"],
        groups: ["All Germany rooms", "All Switzerland rooms"],
        security_group: "AV support",
    },
    OrgSpec {
        org: W,
        name: "Woodgrove Bank",
        admin: "sam@woodgrovebank.com",
        member: "devon@woodgrovebank.com",
        query: "sam",
        domain: "woodgrovebank.com",
        countries: ["US", "CA"],
        groups: ["All US rooms", "All Canada rooms"],
        security_group: "Branch IT",
    },
    OrgSpec {
        org: N,
        name: "Northwind Managed Services",
        admin: "ada@northwindmsp.com",
        member: "hal@northwind-msp.eu",
        query: "ada",
        domain: "northwindmsp.com",
        countries: ["", ""],
        groups: ["", ""],
        security_group: "Help desk engineers",
    },
];

fn room_body(name: &str, account: &str, country: &str) -> Value {
    json!({
        "display_name": name,
        "resource_account": account,
        "site": format!("PTX site {country}"),
        "city": "PTX city",
        "country": country,
        "platform": "Windows",
    })
}

fn assignment_of(member: UserId) -> Value {
    json!({
        "name": "PTX assignment",
        "description": "",
        "notify": false,
        "members": [{ "User": member }],
        "all_rooms": true,
        "rooms": [],
        "room_groups": [],
    })
}

fn role_draft(name: &str) -> Value {
    json!({ "name": name, "description": "", "permissions": ["RoomsView"] })
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

/// Every room of `org` as its Global admin lists them: (id, country).
async fn all_rooms(h: &Harness, admin: &str, org: OrgId) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for page in 0.. {
        let listed = h
            .ok(
                "/api/list_rooms",
                admin,
                json!({ "org": org, "query": { "search": "", "sort": "Name", "descending": false, "page": page } }),
            )
            .await;
        let rows = listed["rows"].as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        for room in rows {
            out.push((
                room["id"].as_str().unwrap().to_owned(),
                room["country"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

async fn org_fx(h: &Harness, spec: &OrgSpec) -> OrgFx {
    let id = h.org(spec.name).await;
    let admin = h.session_of(spec.admin).await;
    let admin_id = h.user_id(spec.admin).await;
    let mut rooms = Vec::new();
    let mut groups = Vec::new();
    let mut ring = None;
    if !spec.countries[0].is_empty() {
        for (which, country) in ["in", "out"].iter().zip(spec.countries) {
            let name = format!("PTX {} room {which}", spec.name);
            let input = room_body(&name, &format!("ptx-{which}@{}", spec.domain), country);
            let row = h
                .ok(
                    "/api/create_room",
                    &admin,
                    json!({ "org": id, "input": input }),
                )
                .await;
            rooms.push(Target {
                id: row["id"].clone(),
                input,
            });
        }
        let listed = h
            .ok("/api/list_room_groups", &admin, json!({ "org": id }))
            .await;
        for name in spec.groups {
            let g = named(&listed, name);
            let input = json!({
                "name": g["name"],
                "description": g["description"],
                "rule_country": g["rule"]["country"].as_str().unwrap_or(""),
                "rule_site": g["rule"]["site"].as_str().unwrap_or(""),
            });
            groups.push(Target {
                id: g["id"].clone(),
                input,
            });
        }
        let rings = h
            .ok("/api/list_update_rings", &admin, json!({ "org": id }))
            .await;
        let late = named(&rings, "Late");
        ring = Some(Target {
            id: late["id"].clone(),
            input: json!({ "name": "Late", "deferral_days": late["deferral_days"].to_string() }),
        });
    }
    let listed = h.ok("/api/list_groups", &admin, json!({ "org": id })).await;
    let security_group = Target {
        id: named(&listed, spec.security_group)["id"].clone(),
        input: json!(spec.security_group),
    };
    let roles = h.ok("/api/list_roles", &admin, json!({ "org": id })).await;
    let built_in_role = named(&roles, "Site Lead")["id"].clone();
    let draft = role_draft("PTX own role");
    let own_role = Target {
        id: h
            .ok(
                "/api/create_role",
                &admin,
                json!({ "org": id, "role": draft, "assignment": assignment_of(admin_id) }),
            )
            .await,
        input: draft,
    };
    let settings = h
        .ok("/api/get_settings", &admin, json!({ "org": id }))
        .await;
    let room_ids = if rooms.is_empty() {
        vec![]
    } else {
        all_rooms(h, &admin, id).await
    };
    let mut incidents = Vec::new();
    for room in &rooms {
        let input = json!({ "room": room.id, "title": "PTX projector", "severity": "Medium", "description": "Flickers." });
        incidents.push(
            h.ok(
                "/api/raise_incident",
                &admin,
                json!({ "org": id, "input": input }),
            )
            .await,
        );
    }
    OrgFx {
        incidents,
        id,
        admin,
        admin_id,
        member: h.user_id(spec.member).await,
        query: spec.query,
        domain: spec.domain,
        countries: spec.countries,
        rooms,
        groups,
        ring,
        security_group,
        built_in_role,
        own_role,
        settings,
        rel: None,
        room_ids,
    }
}

/// The customer's relationship with Northwind, as its Global admin lists it; for an accepted
/// one, a custom partner role made by Pia.
async fn relationship(h: &Harness, fx: &OrgFx, pia: &str) -> Rel {
    let listed = h
        .ok("/api/list_partners", &fx.admin, json!({ "org": fx.id }))
        .await;
    let p = &listed[0];
    let groups: Vec<Value> = p["scope_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].clone())
        .collect();
    let rooms: Vec<Value> = p["scope_rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].clone())
        .collect();
    let ends_on = match p["summary"]["ends_at"].as_str() {
        None => Value::Null,
        Some(end) => {
            let end: chrono::DateTime<chrono::Utc> = end.parse().unwrap();
            json!((end - chrono::Duration::days(1)).date_naive())
        }
    };
    let primary_admins = p["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["built_in"] == true)
        .map_or_else(|| json!(uuid::Uuid::new_v4()), |r| r["id"].clone());
    let accepted = p["summary"]["status"] != "Pending";
    let partner_role = if accepted {
        let draft = role_draft("PTX partner role");
        let pia_id = h.user_id("pia@northwindmsp.com").await;
        Some(Target {
            id: h
                .ok(
                    "/api/create_role",
                    pia,
                    json!({ "org": fx.id, "role": draft, "assignment": assignment_of(pia_id) }),
                )
                .await,
            input: draft,
        })
    } else {
        None
    };
    Rel {
        id: p["summary"]["id"].clone(),
        scope: json!({ "all_rooms": p["scope_all_rooms"], "rooms": rooms, "room_groups": groups }),
        ends_on,
        primary_admins,
        partner_role,
    }
}

async fn world(h: &Harness) -> World {
    let mut who = Vec::new();
    for spec in &ACTORS {
        who.push(Who {
            spec,
            cookie: h.session_of(spec.upn).await,
            id: h.user_id(spec.upn).await,
            hidden_ids: HashSet::new(),
            hidden_words: vec![],
        });
    }
    let mut orgs = BTreeMap::new();
    for spec in &ORGS {
        let mut fx = org_fx(h, spec).await;
        if matches!(spec.org, C | F | W) {
            fx.rel = Some(relationship(h, &fx, &who[PIA].cookie).await);
        }
        orgs.insert(spec.org, fx);
    }
    // What each actor may never be answered: rooms out of their reach, organisations they
    // have nothing to do with.
    let rooms_of = |org: Org, keep: &dyn Fn(&str) -> bool| -> Vec<String> {
        orgs[&org]
            .room_ids
            .iter()
            .filter(|(_, country)| keep(country))
            .map(|(id, _)| id.clone())
            .collect()
    };
    let contoso_all = rooms_of(C, &|_| true);
    let contoso_abroad = rooms_of(C, &|c| c != "US");
    let fabrikam_all = rooms_of(F, &|_| true);
    let woodgrove_all = rooms_of(W, &|_| true);
    let org_id = |org: Org| orgs[&org].id.to_string();
    let abroad_words = [
        "parkstadt",
        "paddington",
        "hitec",
        "munich",
        "london",
        "hyderabad",
    ];
    for (col, w) in who.iter_mut().enumerate() {
        let (ids, words): (Vec<&Vec<String>>, Vec<&str>) = match col {
            // Contoso's Global admin and MSA: all of Contoso, nothing of the others.
            0 | 1 => (
                vec![&fabrikam_all, &woodgrove_all],
                vec!["fabrikam", "woodgrove"],
            ),
            // The Site Lead: the US rooms only.
            2 => (
                vec![&contoso_abroad, &fabrikam_all, &woodgrove_all],
                [&["fabrikam", "woodgrove", "northwind"][..], &abroad_words].concat(),
            ),
            // A plain user: no rooms at all.
            3 => (
                vec![&contoso_all, &fabrikam_all, &woodgrove_all],
                vec!["fabrikam", "woodgrove", "northwind"],
            ),
            // Northwind's staff without a role: customers' metadata, none of their rooms.
            4 | 5 => (vec![&contoso_all, &fabrikam_all, &woodgrove_all], vec![]),
            // Pia: Contoso's US rooms and all of Fabrikam's; Woodgrove is only an invitation.
            6 => (
                vec![&contoso_abroad, &woodgrove_all],
                [&["woodgrove"][..], &abroad_words].concat(),
            ),
            // Hal: tickets over all of Fabrikam's rooms, which name their room (he manages no
            // room itself: the room rows refuse him); Contoso and Woodgrove are nothing to him.
            7 => (
                vec![&contoso_all, &woodgrove_all],
                vec!["contoso", "woodgrove"],
            ),
            // Paul: a plain Fabrikam user.
            _ => (
                vec![&contoso_all, &fabrikam_all, &woodgrove_all],
                vec!["contoso", "woodgrove", "northwind"],
            ),
        };
        w.hidden_ids = ids.into_iter().flatten().cloned().collect();
        w.hidden_words = words;
        let unrelated: &[Org] = match col {
            0..=3 => &[F, W],
            6 => &[W],
            7 | 8 => &[C, W],
            _ => &[],
        };
        w.hidden_ids.extend(unrelated.iter().map(|o| org_id(*o)));
    }
    World {
        orgs,
        who,
        fresh: AtomicU32::new(0),
    }
}

// ---------------------------------------------------------------------------------------------
// Targets made afresh for a row, by the organisation's Global admin (or Pia, for partner roles).

async fn fresh_room_group(h: &Harness, w: &World, org: Org) -> Value {
    let fx = w.org(org);
    h.ok(
        "/api/create_room_group",
        &fx.admin,
        json!({ "org": fx.id, "input": { "name": w.fresh("group"), "description": "", "rule_country": "", "rule_site": "" } }),
    )
    .await["id"]
        .clone()
}

async fn fresh_update_ring(h: &Harness, w: &World, org: Org) -> Value {
    let fx = w.org(org);
    h.ok(
        "/api/create_update_ring",
        &fx.admin,
        json!({ "org": fx.id, "input": { "name": w.fresh("ring"), "deferral_days": "3" } }),
    )
    .await["id"]
        .clone()
}

/// A new role with one assignment, made by the organisation's admin (or by Pia as a partner
/// role): (role, assignment).
async fn fresh_role(h: &Harness, w: &World, org: Org, partner: bool) -> (Value, Value) {
    let fx = w.org(org);
    let (cookie, member) = if partner {
        (w.pia(), w.who[PIA].id)
    } else {
        (fx.admin.as_str(), fx.admin_id)
    };
    let role = h
        .ok(
            "/api/create_role",
            cookie,
            json!({ "org": fx.id, "role": role_draft(&w.fresh("role")), "assignment": assignment_of(member) }),
        )
        .await;
    let detail = h
        .ok("/api/get_role", cookie, json!({ "org": fx.id, "id": role }))
        .await;
    (role, detail["assignments"][0]["id"].clone())
}

async fn fresh_security_group(h: &Harness, w: &World, org: Org, with_member: bool) -> Value {
    let fx = w.org(org);
    let group = h
        .ok(
            "/api/create_group",
            &fx.admin,
            json!({ "org": fx.id, "name": w.fresh("security group") }),
        )
        .await["id"]
        .clone();
    if with_member {
        h.ok(
            "/api/add_group_member",
            &fx.admin,
            json!({ "org": fx.id, "id": group, "user": fx.member }),
        )
        .await;
    }
    group
}

/// The ids of Contoso's change requests, as its Global admin lists them.
async fn change_requests(h: &Harness, fx: &OrgFx) -> Vec<Value> {
    let all = h
        .ok(
            "/api/list_change_requests",
            &fx.admin,
            json!({ "org": fx.id }),
        )
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect()
}

/// A pending change request of Pia's in Contoso (its room changes need approval).
async fn fresh_change_request(h: &Harness, w: &World) -> Value {
    let fx = w.org(C);
    let before = change_requests(h, fx).await;
    let room = &fx.rooms[0];
    h.ok(
        "/api/update_room",
        w.pia(),
        json!({ "org": fx.id, "id": room.id, "input": room.input }),
    )
    .await;
    change_requests(h, fx)
        .await
        .into_iter()
        .find(|id| !before.contains(id))
        .expect("Pia's change is held for approval")
}

/// An incident query without filters, first page.
fn every_incident() -> Value {
    json!({
        "status": null, "ticket": null, "severity": null, "category": null, "room": null,
        "text": "", "from": null, "to": null, "customer": null, "sort": "Newest", "page": "First"
    })
}

/// The body of `row` as `who` sends it.
async fn body(h: &Harness, w: &World, row: &Row, who: &Who) -> Value {
    let fx = w.org(row.org);
    let org = fx.id;
    let spot = usize::from(row.place == Out);
    let room = || fx.rooms[spot].clone();
    let group = || fx.groups[spot].clone();
    let rel = || fx.rel.as_ref().unwrap();
    let partner = row.place == Roles;
    match row.case {
        "list_rooms" => {
            json!({ "org": org, "query": { "search": "", "sort": "Name", "descending": false, "page": 0 } })
        }
        "room_facets"
        | "get_enrollment_key"
        | "reset_enrollment_key"
        | "list_room_groups"
        | "list_update_rings"
        | "list_roles"
        | "list_groups"
        | "get_settings"
        | "list_partners"
        | "list_change_requests" => json!({ "org": org }),
        "get_room" | "unenroll_room" => json!({ "org": org, "id": room().id }),
        "create_room" => {
            let name = w.fresh("new room");
            let account = format!("{}@{}", name.replace(' ', "-").to_lowercase(), fx.domain);
            json!({ "org": org, "input": room_body(&name, &account, fx.countries[spot]) })
        }
        "update_room" => json!({ "org": org, "id": room().id, "input": room().input }),
        // A room of its own for every call: an allowed one deletes it.
        "delete_room" => {
            let name = w.fresh("doomed room");
            let account = format!("{}@{}", name.replace(' ', "-").to_lowercase(), fx.domain);
            let made = h
                .ok(
                    "/api/create_room",
                    &fx.admin,
                    json!({ "org": org, "input": room_body(&name, &account, fx.countries[spot]) }),
                )
                .await;
            json!({ "org": org, "id": made["id"] })
        }
        "set_room_ring" => {
            json!({ "org": org, "id": room().id, "ring": fx.ring.as_ref().unwrap().id })
        }
        "get_room_group" => json!({ "org": org, "id": group().id }),
        "create_room_group" => {
            json!({ "org": org, "input": { "name": w.fresh("group"), "description": "", "rule_country": "", "rule_site": "" } })
        }
        "update_room_group" => json!({ "org": org, "id": group().id, "input": group().input }),
        "delete_room_group" => {
            let id = if row.place == In {
                group().id
            } else {
                fresh_room_group(h, w, row.org).await
            };
            json!({ "org": org, "id": id })
        }
        "set_room_group_member" => {
            json!({ "org": org, "id": group().id, "room": room().id, "member": true })
        }
        "create_update_ring" => {
            json!({ "org": org, "input": { "name": w.fresh("ring"), "deferral_days": "3" } })
        }
        "update_update_ring" => {
            let ring = fx.ring.as_ref().unwrap();
            json!({ "org": org, "id": ring.id, "input": ring.input })
        }
        "delete_update_ring" => json!({ "org": org, "id": fresh_update_ring(h, w, row.org).await }),
        "get_role" => {
            let id = if partner {
                rel().primary_admins.clone()
            } else {
                fx.built_in_role.clone()
            };
            json!({ "org": org, "id": id })
        }
        "check_role_name" => json!({ "org": org, "name": w.fresh("role") }),
        "create_role" => {
            json!({ "org": org, "role": role_draft(&w.fresh("role")), "assignment": assignment_of(who.id) })
        }
        "update_role" => {
            let role = if partner {
                rel().partner_role.clone().unwrap()
            } else {
                fx.own_role.clone()
            };
            json!({ "org": org, "id": role.id, "role": role.input })
        }
        "delete_role" => json!({ "org": org, "id": fresh_role(h, w, row.org, partner).await.0 }),
        "save_assignment" => {
            let role = if partner {
                rel().primary_admins.clone()
            } else {
                fx.own_role.id.clone()
            };
            json!({ "org": org, "role": role, "id": null, "assignment": assignment_of(who.id) })
        }
        "delete_assignment" => {
            json!({ "org": org, "id": fresh_role(h, w, row.org, partner).await.1 })
        }
        "search_directory" => json!({ "org": org, "query": fx.query, "users_only": false }),
        "get_group" => json!({ "org": org, "id": fx.security_group.id }),
        "create_group" => json!({ "org": org, "name": w.fresh("security group") }),
        "rename_group" => {
            json!({ "org": org, "id": fx.security_group.id, "name": fx.security_group.input })
        }
        "delete_group" => {
            json!({ "org": org, "id": fresh_security_group(h, w, row.org, false).await })
        }
        "add_group_member" => {
            let id = fresh_security_group(h, w, row.org, false).await;
            json!({ "org": org, "id": id, "user": fx.member })
        }
        "remove_group_member" => {
            let id = fresh_security_group(h, w, row.org, true).await;
            json!({ "org": org, "id": id, "user": fx.member })
        }
        "update_settings" => json!({ "org": org, "settings": fx.settings }),
        "list_audit" => json!({ "org": org, "query": { "page": 0 } }),
        "list_org_roles" => json!({ "org": org, "family": "Administrators" }),
        "list_org_roles:tenant-managers" => json!({ "org": org, "family": "TenantManagers" }),
        "assign_org_role" | "assign_org_role:tenant-manager" => {
            let role = if row.case.ends_with("tenant-manager") {
                "TenantManager"
            } else {
                "GlobalAdmin"
            };
            let group = fresh_security_group(h, w, row.org, false).await;
            json!({ "org": org, "role": role, "principal": { "Group": group } })
        }
        "remove_org_role" => {
            let group = fresh_security_group(h, w, row.org, false).await;
            let assigned = h
                .ok(
                    "/api/assign_org_role",
                    &fx.admin,
                    json!({ "org": org, "role": "GlobalAdmin", "principal": { "Group": group } }),
                )
                .await;
            json!({ "org": org, "family": "Administrators", "id": assigned["id"] })
        }
        "invite_partner" => json!({ "org": org, "draft": {
            "partner_domain": "northwindmsp.com",
            "expires_in_days": 14,
            "invited_admins": [],
            "approvals": [],
            "scope": { "all_rooms": true, "rooms": [], "room_groups": [] },
            "ends_on": null,
            "terms_accepted": true,
        } }),
        "remove_partner" => json!({ "org": org, "id": rel().id }),
        "update_partner" => {
            json!({ "org": org, "id": rel().id, "scope": rel().scope, "ends_on": rel().ends_on })
        }
        "delete_partner_role" => {
            let role = if rel().partner_role.is_some() {
                fresh_role(h, w, row.org, true).await.0
            } else {
                json!(uuid::Uuid::new_v4())
            };
            json!({ "org": org, "id": rel().id, "role": role })
        }
        "decide_change_request" => {
            let id = if row.org == C {
                fresh_change_request(h, w).await
            } else {
                json!(uuid::Uuid::new_v4())
            };
            json!({ "org": org, "id": id, "approve": false, "reason": "Not this week." })
        }
        "list_partner_change_requests" | "remove_customer" => json!({ "customer": org }),
        "list_tenants" => json!({ "page": 0 }),
        "get_session" | "get_session:customer" | "get_overview" => json!({}),
        "get_customer_overview" => json!({ "customer": org }),
        "list_incidents" => json!({ "org": org, "query": every_incident() }),
        "list_all_tickets" => json!({ "query": every_incident() }),
        "get_reports" => json!({ "org": org, "period": null }),
        "get_ticket" | "change_ticket" | "list_ticket_assignees" => {
            let id = fx
                .incidents
                .get(spot)
                .cloned()
                .unwrap_or_else(|| json!(uuid::Uuid::new_v4()));
            match row.case {
                "get_ticket" => json!({ "org": org, "id": id }),
                "change_ticket" => {
                    json!({ "org": org, "id": id, "change": { "Comment": "PTX comment" } })
                }
                _ => json!({ "org": org, "id": id, "search": fx.query }),
            }
        }
        "raise_incident" => {
            let input = json!({ "room": room().id, "title": w.fresh("incident"), "severity": "Low", "description": "Seen." });
            json!({ "org": org, "input": input })
        }
        "accept_invitation" => {
            json!({ "id": rel().id, "primary_admins": [{ "User": w.who[PIA].id }] })
        }
        "deny_invitation" => json!({ "id": rel().id }),
        other => panic!("no body for {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Running the rows.

/// `Failed` entries by `by`: in `org`, or anywhere.
async fn failed_in(h: &Harness, by: UserId, org: Option<OrgId>) -> u64 {
    let mut select = audit_log::Entity::find()
        .filter(audit_log::Column::ActorUserId.eq(by))
        .filter(audit_log::Column::ResultStatus.eq("Failed"));
    if let Some(org) = org {
        select = select.filter(audit_log::Column::OrgId.eq(org));
    }
    select.count(&h.db).await.unwrap()
}

/// `get_session` is the one server function with a form body (no arguments).
async fn call_session(h: &Harness, cookie: &str) -> (StatusCode, String) {
    call_session_for(h, cookie, None).await
}

/// `get_session` about `customer` (partner mode): with the user's partnership there.
async fn call_session_for(
    h: &Harness,
    cookie: &str,
    customer: Option<OrgId>,
) -> (StatusCode, String) {
    let body = customer.map_or(String::new(), |c| format!("customer={c}"));
    let request = Request::post("/api/get_session")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, h.origin())
        .header(header::COOKIE, format!("{}={cookie}", h.session_cookie()))
        .body(Body::from(body))
        .unwrap();
    let response = h.send(request).await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The uuids in `text`.
fn uuids(text: &str) -> HashSet<&str> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|t| t.len() == 36 && uuid::Uuid::parse_str(t).is_ok())
        .collect()
}

/// Whatever of `who`'s hidden ids and words `text` holds.
fn leaks(who: &Who, text: &str, check_ids: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found: Vec<String> = who
        .hidden_words
        .iter()
        .filter(|w| lower.contains(*w))
        .map(|w| (*w).to_owned())
        .collect();
    if check_ids {
        found.extend(
            uuids(text)
                .into_iter()
                .filter(|id| who.hidden_ids.contains(*id))
                .map(str::to_owned),
        );
    }
    found
}

/// What was seen, per kind of actor and status, for the summary.
type Seen = BTreeMap<&'static str, BTreeMap<u16, u32>>;

/// Runs one cell; a description of each way it differs from the table.
async fn run_cell(
    h: &Harness,
    w: &World,
    row: &Row,
    col: usize,
    letter: char,
    seen: &mut Seen,
) -> Vec<String> {
    let who = &w.who[col];
    let endpoint = row.endpoint();
    let place = format!(
        "{} on {:?} ({:?}) by {}",
        row.case, row.org, row.place, who.spec.kind
    );
    let body = body(h, w, row, who).await;
    // A refused change goes into the log of the organisation acted on if the actor has
    // standing there (for answering invitations: their own organisation), else their own.
    let target = match endpoint {
        "accept_invitation" | "deny_invitation" => who.spec.home,
        _ if who.standing(row.org) => row.org,
        _ => who.spec.home,
    };
    let target = w.org(target).id;
    let (total_before, there_before) = (
        failed_in(h, who.id, None).await,
        failed_in(h, who.id, Some(target)).await,
    );
    let (status, text) = if endpoint == "get_session" {
        let customer = (row.case == "get_session:customer").then(|| w.org(row.org).id);
        call_session_for(h, &who.cookie, customer).await
    } else {
        h.call(&format!("/api/{endpoint}"), Some(&who.cookie), body)
            .await
    };
    *seen
        .entry(who.spec.kind)
        .or_default()
        .entry(status.as_u16())
        .or_default() += 1;
    let mut wrong = Vec::new();
    let expected = match letter {
        'A' | 'a' => StatusCode::OK,
        'C' => StatusCode::CONFLICT,
        'F' | 'f' => StatusCode::FORBIDDEN,
        _ => StatusCode::NOT_FOUND,
    };
    if status != expected {
        wrong.push(format!("{place}: {status}, expected {expected}: {text}"));
    }
    // A refusal says why, or that there is nothing: no data.
    match status {
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
            let error: Result<AppError, _> = serde_json::from_str(&text);
            let typed = matches!(
                (status, &error),
                (StatusCode::FORBIDDEN, Ok(AppError::Forbidden(_)))
                    | (StatusCode::NOT_FOUND, Ok(AppError::NotFound))
            );
            if !typed {
                wrong.push(format!("{place}: refusal with a body of {text}"));
            }
        }
        _ => {
            // An audit log holds ids the actor's own people typed (their refused attempts),
            // and so does the overview's list of recent refusals; their words are checked.
            let found = leaks(
                who,
                &text,
                !matches!(endpoint, "list_audit" | "get_overview"),
            );
            if !found.is_empty() {
                wrong.push(format!("{place}: {status} answer shows {found:?}"));
            }
        }
    }
    let total = failed_in(h, who.id, None).await - total_before;
    let there = failed_in(h, who.id, Some(target)).await - there_before;
    let logged = if "FN".contains(letter) { 1 } else { 0 };
    if status == expected && (total != logged || there != logged) {
        wrong.push(format!(
            "{place}: {total} Failed entries ({there} in {:?}'s log), expected {logged}",
            if target == w.org(who.spec.home).id {
                "their own organisation"
            } else {
                "the organisation acted on"
            }
        ));
    }
    wrong
}

fn summary(seen: &Seen) -> String {
    let mut out = String::new();
    for (kind, statuses) in seen {
        out.push_str(&format!("{kind}: {statuses:?}\n"));
    }
    out
}

/// Runs the rows of `orgs` that share one harness.
async fn run_rows(orgs: &[Org]) {
    let h = harness().await;
    let w = world(&h).await;
    let rows: Vec<Row> = table()
        .into_iter()
        .filter(|r| orgs.contains(&r.org))
        .collect();
    let mut seen = Seen::new();
    let mut wrong = Vec::new();
    let mut cells = 0;
    for row in &rows {
        for (col, letter) in row.expect.chars().enumerate() {
            if "-a".contains(letter) {
                continue;
            }
            cells += 1;
            wrong.extend(run_cell(&h, &w, row, col, letter, &mut seen).await);
        }
    }
    println!(
        "{} rows, {cells} calls on {orgs:?}; statuses by actor:\n{}",
        rows.len(),
        summary(&seen)
    );
    assert!(wrong.is_empty(), "{} of {cells}: {wrong:#?}", wrong.len());
}

#[tokio::test]
async fn partner_and_customer_functions_on_contoso_answer_by_standing_and_scope() {
    run_rows(&[C]).await;
}

#[tokio::test]
async fn partner_and_customer_functions_on_fabrikam_answer_by_standing_and_scope() {
    run_rows(&[F]).await;
}

#[tokio::test]
async fn partner_and_customer_functions_on_woodgrove_and_northwind_answer_by_standing() {
    run_rows(&[W, N]).await;
}

/// The cells whose change would spoil the other rows (ending a relationship, answering the
/// invitation), each in a demo of its own.
#[tokio::test]
async fn relationship_ending_and_answering_cells_succeed_each_in_a_fresh_demo() {
    let mut seen = Seen::new();
    let mut wrong = Vec::new();
    let mut cells = 0;
    for row in table() {
        for (col, letter) in row.expect.chars().enumerate() {
            if letter != 'a' {
                continue;
            }
            cells += 1;
            let h = harness().await;
            let w = world(&h).await;
            wrong.extend(run_cell(&h, &w, &row, col, letter, &mut seen).await);
        }
    }
    println!("{cells} cells:\n{}", summary(&seen));
    assert!(cells >= 8);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ---------------------------------------------------------------------------------------------
// Revocation and answering invitations, step by step.

fn not_found(status: StatusCode, text: &str) -> bool {
    status == StatusCode::NOT_FOUND
        && matches!(
            serde_json::from_str::<AppError>(text),
            Ok(AppError::NotFound)
        )
}

#[tokio::test]
async fn a_removed_partner_is_refused_on_its_very_next_request() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let pia = h.session_of("pia@northwindmsp.com").await;
    let una = h.session_of("una@northwindmsp.com").await;
    let query = json!({ "search": "", "sort": "Name", "descending": false, "page": 0 });
    let list = json!({ "org": contoso, "query": query });

    let page = h.ok("/api/list_rooms", &pia, list.clone()).await;
    assert_eq!(page["total"], 192, "Pia sees Contoso's US rooms");
    let room = page["rows"][0]["id"].clone();
    let room_name = page["rows"][0]["display_name"].as_str().unwrap().to_owned();
    assert_eq!(page["rows"][0]["country"], "US");
    h.ok("/api/list_rooms", &una, list.clone()).await;
    let (status, session) = call_session(&h, &pia).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session.contains("Contoso"), "{session}");
    // The session about Contoso carries Pia's partnership there; her session at home none.
    let partnerships =
        |text: &str| serde_json::from_str::<Value>(text).unwrap()["actor"]["partnerships"].clone();
    let (_, about) = call_session_for(&h, &pia, Some(contoso)).await;
    assert_eq!(
        partnerships(&about)[0]["customer"],
        json!(contoso),
        "{about}"
    );
    assert_eq!(
        partnerships(&about)[0]["primary_admin"],
        json!(true),
        "{about}"
    );
    assert_eq!(partnerships(&session), json!([]), "{session}");

    let partners = h
        .ok("/api/list_partners", &grace, json!({ "org": contoso }))
        .await;
    let rel = partners[0]["summary"]["id"].clone();
    h.ok(
        "/api/remove_partner",
        &grace,
        json!({ "org": contoso, "id": rel }),
    )
    .await;

    // The very next request: nothing, and nothing said about it.
    for (path, body) in [
        ("/api/list_rooms", list.clone()),
        ("/api/get_room", json!({ "org": contoso, "id": room })),
        ("/api/room_facets", json!({ "org": contoso })),
        ("/api/list_room_groups", json!({ "org": contoso })),
        ("/api/list_roles", json!({ "org": contoso })),
        (
            "/api/list_partner_change_requests",
            json!({ "customer": contoso }),
        ),
    ] {
        for (who, cookie) in [("pia", &pia), ("una", &una)] {
            let (status, text) = h.call(path, Some(cookie), body.clone()).await;
            assert!(not_found(status, &text), "{path} by {who}: {status} {text}");
            assert!(!text.contains(&room_name) && !text.contains(room.as_str().unwrap()));
        }
    }
    let (_, about) = call_session_for(&h, &pia, Some(contoso)).await;
    assert_eq!(partnerships(&about), json!([]), "{about}");
    let (status, text) = call_session(&h, &pia).await;
    assert_eq!(status, StatusCode::OK);
    let customers = &serde_json::from_str::<Value>(&text).unwrap()["customers"];
    assert!(
        !customers.to_string().contains("Contoso") && customers.to_string().contains("Fabrikam"),
        "{customers}"
    );
    let tenants = h.ok("/api/list_tenants", &pia, json!({ "page": 0 })).await;
    assert!(!tenants.to_string().contains("Contoso"), "{tenants}");
    let grace_id = json!(h.user_id("grace@contoso.com").await);
    // Contoso has no partner left, and its log says who removed it.
    let partners = h
        .ok("/api/list_partners", &grace, json!({ "org": contoso }))
        .await;
    assert_eq!(partners, json!([]));
    let log = h
        .ok(
            "/api/list_audit",
            &grace,
            json!({ "org": contoso, "query": { "category": "Partner", "page": 0 } }),
        )
        .await;
    assert!(
        log["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["operation"] == "Delete"
                && r["result_status"] == "Successful"
                && r["user_id"] == grace_id),
        "{log}"
    );
}

async fn woodgrove_invitation(h: &Harness) -> (OrgId, Value) {
    let woodgrove = h.org("Woodgrove Bank").await;
    let sam = h.session_of("sam@woodgrovebank.com").await;
    let partners = h
        .ok("/api/list_partners", &sam, json!({ "org": woodgrove }))
        .await;
    assert_eq!(partners[0]["summary"]["status"], "Pending");
    (woodgrove, partners[0]["summary"]["id"].clone())
}

#[tokio::test]
async fn a_tenant_manager_accepts_an_invitation_once_and_others_are_refused() {
    let h = harness().await;
    let (woodgrove, rel) = woodgrove_invitation(&h).await;
    let northwind = h.org("Northwind Managed Services").await;
    let tess = h.session_of("tess@northwindmsp.com").await;
    let ada = h.session_of("ada@northwindmsp.com").await;
    let hal = h.session_of("hal@northwind-msp.eu").await;
    let pia = h.session_of("pia@northwindmsp.com").await;
    let hal_id = h.user_id("hal@northwind-msp.eu").await;
    let pia_id = h.user_id("pia@northwindmsp.com").await;
    let accept = json!({ "id": rel, "primary_admins": [{ "User": pia_id }] });

    // Without a staff role: forbidden, both ways, and logged in Northwind's log only.
    for (who, cookie, id) in [("hal", &hal, hal_id), ("pia", &pia, pia_id)] {
        for (path, body) in [
            ("/api/accept_invitation", accept.clone()),
            ("/api/deny_invitation", json!({ "id": rel })),
        ] {
            let before = h.failed_by(northwind, id).await;
            let (status, text) = h.call(path, Some(cookie), body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} by {who}: {text}");
            assert!(matches!(
                serde_json::from_str::<AppError>(&text),
                Ok(AppError::Forbidden(_))
            ));
            assert_eq!(
                h.failed_by(northwind, id).await,
                before + 1,
                "{path} by {who}"
            );
        }
        assert_eq!(h.failed_by(woodgrove, id).await, 0);
    }
    // Mistakes are told, and change nothing.
    let (status, text) = h
        .call(
            "/api/accept_invitation",
            Some(&tess),
            json!({ "id": rel, "primary_admins": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("primary admin"), "{text}");
    let grace_id = h.user_id("grace@contoso.com").await;
    let (status, text) = h
        .call(
            "/api/accept_invitation",
            Some(&tess),
            json!({ "id": rel, "primary_admins": [{ "User": grace_id }] }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a customer's user: {text}");
    let (status, _) = h
        .call(
            "/api/list_rooms",
            Some(&pia),
            json!({ "org": woodgrove, "query": { "search": "", "sort": "Name", "descending": false, "page": 0 } }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "still pending");

    // Tess accepts naming Pia: Pia works on Woodgrove at once.
    h.ok("/api/accept_invitation", &tess, accept.clone()).await;
    let page = h
        .ok(
            "/api/list_rooms",
            &pia,
            json!({ "org": woodgrove, "query": { "search": "", "sort": "Name", "descending": false, "page": 0 } }),
        )
        .await;
    assert_eq!(page["total"], 150, "all of Woodgrove's rooms");
    // A second answer, by anyone, in either direction: a conflict that says why.
    for (who, cookie, path, body) in [
        ("tess", &tess, "/api/accept_invitation", accept.clone()),
        ("ada", &ada, "/api/accept_invitation", accept.clone()),
        ("tess", &tess, "/api/deny_invitation", json!({ "id": rel })),
    ] {
        let (status, text) = h.call(path, Some(cookie), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path} by {who}: {text}");
        assert_eq!(
            serde_json::from_str::<AppError>(&text).ok(),
            Some(AppError::Conflict(
                "This invitation has already been answered or withdrawn.".into()
            )),
            "{text}"
        );
    }
    let sam = h.session_of("sam@woodgrovebank.com").await;
    let partners = h
        .ok("/api/list_partners", &sam, json!({ "org": woodgrove }))
        .await;
    assert_eq!(partners[0]["summary"]["status"], "Active", "{partners}");
    let primary = named(&partners[0]["roles"], "Primary admins");
    assert_eq!(primary["members"].as_array().unwrap().len(), 1, "{primary}");
    assert_eq!(primary["members"][0]["name"], "Pia Moreau");
}

#[tokio::test]
async fn a_denied_invitation_is_gone_and_two_answers_at_once_have_one_effect() {
    // Deny, then every further answer is a conflict.
    let h = harness().await;
    let (woodgrove, rel) = woodgrove_invitation(&h).await;
    let tess = h.session_of("tess@northwindmsp.com").await;
    let pia_id = h.user_id("pia@northwindmsp.com").await;
    let accept = json!({ "id": rel, "primary_admins": [{ "User": pia_id }] });
    h.ok("/api/deny_invitation", &tess, json!({ "id": rel }))
        .await;
    for (path, body) in [
        ("/api/deny_invitation", json!({ "id": rel })),
        ("/api/accept_invitation", accept.clone()),
    ] {
        let (status, text) = h.call(path, Some(&tess), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{path}: {text}");
        assert!(text.contains("already been answered"), "{text}");
    }
    let sam = h.session_of("sam@woodgrovebank.com").await;
    let partners = h
        .ok("/api/list_partners", &sam, json!({ "org": woodgrove }))
        .await;
    assert_eq!(partners, json!([]), "denying deletes the invitation");

    // Two staff members accept at the same moment: one wins, the other is told.
    let h = harness().await;
    let (_, rel) = woodgrove_invitation(&h).await;
    let tess = h.session_of("tess@northwindmsp.com").await;
    let ada = h.session_of("ada@northwindmsp.com").await;
    let pia_id = h.user_id("pia@northwindmsp.com").await;
    let accept = json!({ "id": rel, "primary_admins": [{ "User": pia_id }] });
    let (first, second) = tokio::join!(
        h.call("/api/accept_invitation", Some(&tess), accept.clone()),
        h.call("/api/accept_invitation", Some(&ada), accept.clone()),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{first:?} {second:?}"
    );
}

/// A partner role over one room gives its members nothing of the customer's other rooms, not
/// even through the partner's change requests (specification section 7: no access to rooms
/// outside the user's assignments, in any page).
#[tokio::test]
async fn a_partner_member_with_one_room_sees_no_change_request_about_another() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let pia = h.session_of("pia@northwindmsp.com").await;
    let hal = h.session_of("hal@northwind-msp.eu").await;
    let hal_id = h.user_id("hal@northwind-msp.eu").await;
    let page = h
        .ok(
            "/api/list_rooms",
            &pia,
            json!({ "org": contoso, "query": { "search": "", "sort": "Name", "descending": false, "page": 0 } }),
        )
        .await;
    let (mine, other) = (&page["rows"][0], &page["rows"][1]);
    // Hal: tickets of one US room of Contoso, made by Pia.
    h.ok(
        "/api/create_role",
        &pia,
        json!({
            "org": contoso,
            "role": { "name": "Tickets, one room", "description": "", "permissions": ["TicketsView"] },
            "assignment": {
                "name": "Hal", "description": "", "notify": false,
                "members": [{ "User": hal_id }],
                "all_rooms": false, "rooms": [mine["id"]], "room_groups": [],
            },
        }),
    )
    .await;
    // Pia asks to rename another room (Contoso approves room changes by hand).
    let renamed = format!("{} (renamed)", other["display_name"].as_str().unwrap());
    let input = json!({
        "display_name": renamed,
        "resource_account": other["resource_account"],
        "site": other["site"],
        "city": other["city"],
        "country": other["country"],
        "platform": other["platform"],
    });
    h.ok(
        "/api/update_room",
        &pia,
        json!({ "org": contoso, "id": other["id"], "input": input }),
    )
    .await;
    let asked = h
        .ok(
            "/api/list_partner_change_requests",
            &pia,
            json!({ "customer": contoso }),
        )
        .await;
    assert!(asked.to_string().contains(&renamed), "{asked}");

    let (status, text) = h
        .call(
            "/api/list_partner_change_requests",
            Some(&hal),
            json!({ "customer": contoso }),
        )
        .await;
    let other_name = other["display_name"].as_str().unwrap();
    assert!(
        !text.contains(other_name) && !text.contains(other["id"].as_str().unwrap()),
        "{status}: Hal holds one room's tickets, yet is shown a change to {other_name}: {text}"
    );
}
