//! The site page's "Sharing the supply" card (#40): per charger its
//! priority, what it drew per phase, what the manager gave it and why;
//! for admins the settings and each charger's priority, as plain forms.

use evse_dashboard::sharing::allocate::Share;
use evse_dashboard::vocabulary::Priority;
use leptos::prelude::*;
use strum::IntoEnumIterator;

use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::history_chart::SharedPhases;
use crate::components::table::Table;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::sharing::{
    SetChargerPriority, SetSiteSharing, SharingRow, SharingView, charger_sharing, site_sharing,
};
use crate::words::{SiteFacts, decimal, priority_label, share_sentence};

#[component]
pub fn SharingCard(site_id: i64, is_admin: Signal<bool>) -> impl IntoView {
    let l = locale();
    let view_of = Resource::new(|| (), move |_| site_sharing(site_id));
    view! {
        <Card id="sharing-heading" heading=td_string!(l, sharing_heading) testid="sharing">
            <Loaded>
                {move || Suspend::new(async move {
                    view_of.await.map(|v| view! { <SharingBody v is_admin /> }.into_any())
                })}
            </Loaded>
        </Card>
    }
}

#[component]
fn SharingBody(v: SharingView, is_admin: Signal<bool>) -> impl IntoView {
    let l = locale();
    let facts = facts_of(&v);
    let state = if v.site.sharing {
        td_string!(l, sharing_on)
    } else {
        td_string!(l, sharing_off)
    };
    let none_yet = v.site.sharing && v.rows.iter().all(|r| r.share.is_none());
    let site = v.site.clone();
    let rows = v.rows.clone();
    let day = v.day.clone().map(|day| {
        view! {
            <h3>{td_string!(l, sharing_day_heading)}</h3>
            <SharedPhases day caption_id="shared-phases-caption".to_owned() />
        }
    });
    view! {
        <p>{state}</p>
        {none_yet.then(|| view! { <p class="muted small">{td_string!(l, sharing_none_yet)}</p> })}
        <ShareTable rows site_id=site.id facts is_admin />
        {day}
        <Transition fallback=|| ()>
            {move || is_admin.get().then(|| view! {
                <SharingSettings site_id=site.id sharing=site.sharing minimum=site.share_minimum />
            })}
        </Transition>
    }
}

/// What the share sentences say of the site: its limit, and the amperes
/// held for chargers with no car.
fn facts_of(v: &SharingView) -> SiteFacts {
    let (held, free) = v.reserved();
    SiteFacts {
        limit: v.site.supply_limit.unwrap_or(0),
        held,
        free,
    }
}

/// A share table cell's `data-live` name (#41): `share12-allocated`.
fn share_key(charger_id: i64, column: &str) -> String {
    format!("share{charger_id}-{column}")
}

/// What the share table's cells that follow each round show, by their
/// live name: what each charger drew, what it was given, and why.
pub fn live_cells(l: Locale, v: &SharingView) -> Vec<(String, String)> {
    let facts = facts_of(v);
    v.rows
        .iter()
        .flat_map(|r| {
            let why = r
                .share
                .as_ref()
                .map(|s| share_sentence(l, s, facts))
                .unwrap_or_default();
            [
                (
                    share_key(r.charger_id, "measured"),
                    measured_text(l, r.measured),
                ),
                (
                    share_key(r.charger_id, "allocated"),
                    allocated_text(r.share.as_ref()),
                ),
                (share_key(r.charger_id, "why"), why),
            ]
        })
        .collect()
}

fn measured_text(l: Locale, measured: Option<[f64; 3]>) -> String {
    match measured {
        Some(phases) => phases
            .iter()
            .map(|a| decimal(l, *a, 1))
            .collect::<Vec<_>>()
            .join(" / "),
        None => td_string!(l, not_read).to_owned(),
    }
}

fn allocated_text(share: Option<&Share>) -> String {
    share
        .and_then(|s| s.amps)
        .map_or_else(|| "–".to_owned(), |a| format!("{a} A"))
}

#[component]
fn ShareTable(
    rows: Vec<SharingRow>,
    site_id: i64,
    facts: SiteFacts,
    is_admin: Signal<bool>,
) -> impl IntoView {
    let l = locale();
    let columns = [
        td_string!(l, col_charger),
        td_string!(l, col_priority),
        td_string!(l, col_measured_phases),
        td_string!(l, col_allocated),
        td_string!(l, col_why),
    ];
    let [c_charger, c_priority, c_measured, c_allocated, c_why] = columns;
    let body = rows
        .into_iter()
        .map(|r| {
            let why = r
                .share
                .as_ref()
                .map(|s| share_sentence(l, s, facts))
                .unwrap_or_default();
            let (id, priority, name) = (r.charger_id, r.priority, r.name.clone());
            view! {
                <tr data-charger=r.name.clone()>
                    <td data-label=c_charger><a href=format!("/chargers/{id}")>{r.name.clone()}</a></td>
                    <td data-label=c_priority>
                        {move || if is_admin.get() {
                            view! { <PriorityForm charger_id=id site_id priority name=name.clone() /> }.into_any()
                        } else {
                            priority_label(l, priority).into_any()
                        }}
                    </td>
                    <td data-label=c_measured data-live=share_key(id, "measured")>{measured_text(l, r.measured)}</td>
                    <td data-label=c_allocated data-live=share_key(id, "allocated")>{allocated_text(r.share.as_ref())}</td>
                    <td data-label=c_why data-live=share_key(id, "why")>{why}</td>
                </tr>
            }
        })
        .collect_view();
    view! { <Table columns=columns class="cards" testid="sharing-table">{body}</Table> }
}

#[component]
fn PriorityForm(charger_id: i64, site_id: i64, priority: Priority, name: String) -> impl IntoView {
    let l = locale();
    let set = ServerAction::<SetChargerPriority>::new();
    let label_id = format!("priority-{charger_id}");
    view! {
        <ActionForm action=set attr:class="inline">
            <input type="hidden" name="charger_id" value=charger_id />
            <input type="hidden" name="site_id" value=site_id />
            <label class="visually-hidden" for=label_id.clone()>
                {format!("{} – {name}", td_string!(l, col_priority))}
            </label>
            <select id=label_id name="priority">
                {Priority::iter().map(|p| {
                    let value: &'static str = p.into();
                    view! { <option value=value selected=p == priority>{priority_label(l, p)}</option> }
                }).collect_view()}
            </select>
            <button type="submit" class="secondary">{td_string!(l, save_priority)}</button>
        </ActionForm>
        <div aria-live="polite">{action_error(set)}</div>
    }
}

#[component]
fn SharingSettings(site_id: i64, sharing: bool, minimum: u32) -> impl IntoView {
    let l = locale();
    let save = ServerAction::<SetSiteSharing>::new();
    view! {
        <div aria-live="polite">{action_error(save)}</div>
        <ActionForm action=save attr:class="grid-form" attr:data-testid="sharing-settings">
            <input type="hidden" name="site_id" value=site_id />
            <label class="check">
                <input type="checkbox" name="sharing" value="on" checked=sharing />
                {td_string!(l, label_share)}
            </label>
            <label>
                {td_string!(l, label_share_minimum)}
                <input type="number" name="minimum" min="0" max="32" value=minimum.to_string() />
            </label>
            <button type="submit">{td_string!(l, save_sharing)}</button>
        </ActionForm>
    }
}

/// On the charger page of a shared site: "You asked 16 A; the site shares
/// 10 A to this charger now." Nothing for a site that is not shared.
#[component]
pub fn SharedLine(charger_id: i64) -> impl IntoView {
    let l = locale();
    let share = Resource::new(|| (), move |_| charger_sharing(charger_id));
    view! {
        <Transition fallback=|| ()>
            {move || share.get().and_then(Result::ok).flatten().map(|s| {
                let text = match (s.asked, s.shared) {
                    (Some(asked), Some(shared)) => {
                        td_string!(l, shared_asked, asked = asked, shared = shared).to_string()
                    }
                    (None, Some(shared)) => td_string!(l, shared_now, shared = shared).to_string(),
                    (_, None) => td_string!(l, shared_nothing).to_owned(),
                };
                view! { <p data-testid="shared-line">{text}</p> }
            })}
        </Transition>
    }
}
