//! Every server function with well-formed arguments and the least role
//! that may call it: shared by the authorisation matrix and the token-leak
//! crawler.

use app::prefs::Theme;
use app::server_fns::alerts::{
    AddAlertEmail, AddAlertWebhook, AddMyAlert, ConfirmMyAlertAgain, ListAlerts, MyAlerts,
    RemoveAlert, RemoveMyAlert, SendAlertTest,
};
use app::server_fns::audit::{AuditEventCall, AuditPageCall};
use app::server_fns::auth::{ChangePassword, Login, Logout, Me};
use app::server_fns::chargers::{
    AddCharger, DeleteCharger, GetCharger, ListChargers, SetChargerToken, TestChargerConnection,
    UpdateCharger,
};
use app::server_fns::control::{
    ChargerHistory, ChargerLiveCall, ControlOutcomeCall, RefreshCharger, ResetTarget, SetTarget,
    TargetLimitsCall,
};
use app::server_fns::history::{ChargerChartCall, SiteChartCall};
use app::server_fns::mail_links::{FollowMailLink, MailLink};
use app::server_fns::overview::{BulkResult, BulkSetTarget, FleetOverview};
use app::server_fns::prefs::{SetLanguage, SetTheme};
use app::server_fns::schedules::{
    ChargerSchedules, CreateSchedule, DeleteSchedule, GetSchedule, SetScheduleEnabled,
    SitePlanCall, UpdateSchedule, UpdateSite,
};
use app::server_fns::sessions::{
    LatestSessionsCall, MonthPeakCall, SessionDetailCall, SessionPageCall, SiteReportCall,
};
use app::server_fns::sharing::{ChargerSharing, SetChargerPriority, SetSiteSharing, SiteSharing};
use app::server_fns::system::ServerInfoCall;
use app::server_fns::tokens::{CreateApiToken, ListApiTokens, RevokeApiToken, TakeNewApiToken};
use app::server_fns::users::{
    CreateUser, ListUsers, ResetUserPassword, SetUserDisabled, SetUserRole,
};
use evse_dashboard::types::LinkPurpose;
use evse_dashboard::types::{
    AuditAction, AuditFilter, ChargerInput, ChartRange, Language, Role, ScheduleInput,
};
use leptos::server_fn::ServerFn;
use serde::Serialize;

use crate::helpers::PASSWORD;

/// Names nothing: an id no test creates.
pub const NONE: i64 = 999_999;

#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Anyone, logged in or not.
    Public,
    /// This role or a higher one.
    AtLeast(Role),
}

/// A function's endpoint, its rule, and a well-formed body built from its
/// typed arguments.
pub fn rule<S: ServerFn + Serialize>(rule: Rule, args: S) -> (&'static str, Rule, String) {
    let endpoint = S::PATH.strip_prefix("/api/").unwrap_or(S::PATH);
    (endpoint, rule, serde_qs::to_string(&args).unwrap())
}

/// Every server function with well-formed arguments. Ids of chargers are
/// `charger`; every other id names nothing (999999), so a call changes no
/// user, schedule or site. [`NONE`] as `charger` makes every allowed call
/// a no-op; a real charger's id lets reads, sets, the connection test and
/// (last, before logging out) the deletion reach it.
pub fn calls(charger: i64) -> Vec<(&'static str, Rule, String)> {
    use Role::*;
    use Rule::*;
    let charger_input = ChargerInput {
        name: "X".into(),
        site: "S".into(),
        edge_device_id: "e".into(),
        evse_uuid: "u".into(),
        min_current: Some(20),
        max_current: Some(10),
        notes: None,
    };
    let login = Login {
        username: "matrix".into(),
        password: PASSWORD.into(),
        next: "/".into(),
    };
    let set = SetTarget {
        charger_id: charger,
        amps: "10".into(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    };
    let bulk = BulkSetTarget {
        charger_ids: vec![charger],
        amps: "10".into(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    };
    let audit = AuditPageCall {
        filter: AuditFilter {
            action: Some(AuditAction::Login),
            ..Default::default()
        },
        before: None,
    };
    let change_password = ChangePassword {
        current: "wrong".into(),
        new: "x".into(),
        confirm: "y".into(),
    };
    vec![
        rule(Public, ServerInfoCall {}),
        rule(Public, Me {}),
        rule(
            Public,
            SetTheme {
                theme: Theme::Dark,
                next: "/".into(),
            },
        ),
        rule(
            Public,
            SetLanguage {
                language: Language::Fr,
                next: "/".into(),
            },
        ),
        rule(Public, login),
        rule(AtLeast(Viewer), change_password),
        rule(AtLeast(Viewer), ListChargers {}),
        rule(AtLeast(Viewer), GetCharger { id: charger }),
        rule(
            AtLeast(Admin),
            AddCharger {
                input: charger_input.clone(),
                token: "t".into(),
            },
        ),
        rule(
            AtLeast(Admin),
            UpdateCharger {
                id: charger,
                input: charger_input,
            },
        ),
        rule(
            AtLeast(Admin),
            SetChargerToken {
                id: charger,
                token: "t".into(),
            },
        ),
        rule(AtLeast(Admin), TestChargerConnection { id: charger }),
        rule(AtLeast(Viewer), TargetLimitsCall {}),
        rule(AtLeast(Viewer), ChargerLiveCall { id: charger }),
        rule(AtLeast(Operator), RefreshCharger { id: charger }),
        rule(AtLeast(Viewer), ChargerHistory { id: charger }),
        rule(
            AtLeast(Viewer),
            ChargerChartCall {
                id: charger,
                range: ChartRange::Week,
            },
        ),
        rule(AtLeast(Viewer), SiteChartCall { id: NONE }),
        rule(
            AtLeast(Viewer),
            SessionPageCall {
                filter: Default::default(),
                before: None,
            },
        ),
        rule(
            AtLeast(Viewer),
            LatestSessionsCall {
                site: None,
                charger: Some(charger),
            },
        ),
        rule(AtLeast(Viewer), SessionDetailCall { id: NONE }),
        rule(
            AtLeast(Viewer),
            SiteReportCall {
                id: NONE,
                month: String::new(),
            },
        ),
        rule(AtLeast(Viewer), MonthPeakCall { id: NONE }),
        rule(AtLeast(Viewer), ControlOutcomeCall { audit_id: NONE }),
        rule(AtLeast(Operator), set),
        rule(
            AtLeast(Operator),
            ResetTarget {
                charger_id: charger,
                confirmed: None,
            },
        ),
        rule(AtLeast(Viewer), FleetOverview {}),
        rule(AtLeast(Operator), bulk),
        rule(
            AtLeast(Viewer),
            BulkResult {
                batch_id: "none".into(),
            },
        ),
        rule(AtLeast(Viewer), audit),
        rule(AtLeast(Viewer), AuditEventCall { id: NONE }),
        rule(AtLeast(Admin), ListUsers {}),
        rule(AtLeast(Admin), ListApiTokens {}),
        rule(AtLeast(Admin), ListAlerts {}),
        rule(
            AtLeast(Admin),
            AddAlertWebhook {
                url: "http://not-local.example.com/".into(),
                secret: "short".into(),
                events: Vec::new(),
            },
        ),
        rule(AtLeast(Admin), RemoveAlert { id: NONE }),
        rule(AtLeast(Admin), SendAlertTest { id: NONE }),
        rule(
            AtLeast(Admin),
            AddAlertEmail {
                address: "not an address".into(),
                language: Language::De,
                events: Vec::new(),
                sites: Vec::new(),
                quiet_from: String::new(),
                quiet_until: String::new(),
            },
        ),
        rule(AtLeast(Viewer), MyAlerts {}),
        rule(
            AtLeast(Viewer),
            AddMyAlert {
                address: "not an address".into(),
                events: Vec::new(),
                sites: Vec::new(),
                quiet_from: String::new(),
                quiet_until: String::new(),
            },
        ),
        rule(AtLeast(Viewer), RemoveMyAlert { id: NONE }),
        rule(AtLeast(Viewer), ConfirmMyAlertAgain { id: NONE }),
        // The link's token authorises these: a wrong one is "not found".
        rule(
            Public,
            MailLink {
                purpose: LinkPurpose::Confirm,
                id: NONE,
                token: "0".repeat(32),
            },
        ),
        rule(
            Public,
            FollowMailLink {
                purpose: LinkPurpose::Unsubscribe,
                id: NONE,
                token: "0".repeat(32),
            },
        ),
        rule(
            AtLeast(Admin),
            CreateApiToken {
                name: "bad name".into(),
                role: Viewer,
                expires_in_days: None,
            },
        ),
        rule(
            AtLeast(Admin),
            RevokeApiToken {
                name: "nobody".into(),
            },
        ),
        rule(
            AtLeast(Admin),
            TakeNewApiToken {
                handoff: "none".into(),
            },
        ),
        rule(
            AtLeast(Admin),
            CreateUser {
                username: "bad name".into(),
                password: "short".into(),
                role: Viewer,
            },
        ),
        rule(
            AtLeast(Admin),
            SetUserRole {
                id: NONE,
                role: Viewer,
            },
        ),
        rule(
            AtLeast(Admin),
            SetUserDisabled {
                id: NONE,
                disabled: true,
            },
        ),
        rule(
            AtLeast(Admin),
            ResetUserPassword {
                id: NONE,
                password: "x".into(),
            },
        ),
        rule(
            AtLeast(Viewer),
            ChargerSchedules {
                charger_id: charger,
            },
        ),
        rule(AtLeast(Viewer), SitePlanCall { site_id: NONE }),
        rule(AtLeast(Viewer), GetSchedule { id: NONE }),
        rule(
            AtLeast(Operator),
            CreateSchedule {
                charger_id: Some(charger),
                site_id: None,
                input: ScheduleInput::default(),
            },
        ),
        rule(
            AtLeast(Operator),
            UpdateSchedule {
                id: NONE,
                input: ScheduleInput::default(),
            },
        ),
        rule(
            AtLeast(Operator),
            SetScheduleEnabled {
                id: NONE,
                enabled: false,
            },
        ),
        rule(
            AtLeast(Operator),
            DeleteSchedule {
                id: NONE,
                confirmed: None,
            },
        ),
        rule(
            AtLeast(Admin),
            UpdateSite {
                id: NONE,
                time_zone: "UTC".into(),
                supply_limit: String::new(),
            },
        ),
        rule(AtLeast(Viewer), SiteSharing { site_id: NONE }),
        rule(
            AtLeast(Viewer),
            ChargerSharing {
                charger_id: charger,
            },
        ),
        rule(
            AtLeast(Admin),
            SetSiteSharing {
                site_id: NONE,
                sharing: None,
                minimum: String::new(),
            },
        ),
        rule(
            AtLeast(Admin),
            SetChargerPriority {
                charger_id: charger,
                priority: "normal".into(),
                site_id: NONE,
            },
        ),
        rule(AtLeast(Admin), DeleteCharger { id: charger }),
        rule(AtLeast(Viewer), Logout {}),
    ]
}
