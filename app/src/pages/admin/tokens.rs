//! API tokens: the list (never a token), revoke, create. A token just
//! created is shown once, above the list, from the server's memory.

use evse_dashboard::types::{ApiToken, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, Role, TokenState};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use strum::IntoEnumIterator;

use crate::components::feedback::{Card, Loaded, action_error};
use crate::components::table::Table;
use crate::components::time::LocalTime;
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::tokens::{
    CreateApiToken, RevokeApiToken, list_api_tokens, take_new_api_token,
};
use crate::words::role_label;

fn columns(l: Locale) -> [&'static str; 6] {
    [
        td_string!(l, name),
        td_string!(l, role),
        td_string!(l, col_created),
        td_string!(l, col_expires),
        td_string!(l, col_last_used),
        td_string!(l, col_status),
    ]
}

/// A token just made, as the page after a plain form post shows it: read
/// once per request, where the page starts (a component inside the
/// user's `Transition` may be built twice, and would take it twice).
pub type NewTokenShown = Resource<Option<Option<evse_dashboard::types::SecretText>>>;

pub fn new_token() -> NewTokenShown {
    let query = use_query_map();
    let handoff = move || query.read().get("new_token");
    Resource::new(handoff, |handoff| async move {
        match handoff {
            Some(id) => Some(take_new_api_token(id).await.ok().flatten()),
            None => None,
        }
    })
}

#[component]
pub fn TokenAdmin(new_token: NewTokenShown) -> impl IntoView {
    let l = locale();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(|| (), |_| list_api_tokens());
    view! {
        <Card id="tokens-heading" heading=td_string!(l, tokens_heading) testid="api-tokens">
            <p>
                {td_string!(l, tokens_intro)} " "
                <a href="/api/v1/docs">{td_string!(l, api_reference)}</a>
            </p>
            <NewToken token=new_token />
            {action_error(revoke)}
            <Loaded waiting=td_string!(l, loading_tokens)>
                {move || Suspend::new(async move {
                    tokens.await.map(|list| {
                        if list.is_empty() {
                            view! { <p>{td_string!(l, no_tokens)}</p> }.into_any()
                        } else {
                            view! {
                                <Table columns=columns(l) class="cards" testid="token-table">
                                    {list.into_iter().map(|token| view! { <TokenRow token /> }).collect_view()}
                                </Table>
                            }
                                .into_any()
                        }
                    })
                })}
            </Loaded>

            <h3>{td_string!(l, create_token_heading)}</h3>
            {action_error(create)}
            <ActionForm action=create attr:class="grid-form" attr:data-testid="create-token">
                <label>
                    {td_string!(l, name)}
                    <input name="name" autocomplete="off" required maxlength=MAX_TOKEN_NAME_CHARS pattern="[A-Za-z0-9._\\-]+" />
                </label>
                <label>
                    {td_string!(l, role)}
                    <select name="role">
                        {Role::iter()
                            .map(|r| view! { <option value=r.as_str() selected=r == Role::Operator>{role_label(l, r)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {td_string!(l, token_expires_in_days)}
                    <input name="expires_in_days" type="number" min="1" max=MAX_TOKEN_DAYS inputmode="numeric" />
                </label>
                <button type="submit">{td_string!(l, create_token)}</button>
            </ActionForm>
        </Card>
    }
}

/// The token a plain form post just created, once (`?new_token=`).
#[component]
fn NewToken(token: NewTokenShown) -> impl IntoView {
    let l = locale();
    view! {
        <Transition fallback=|| ()>
            {move || token.get().flatten().map(|shown| match shown {
                Some(secret) => view! {
                    <div class="banner ok" role="status" data-testid="new-token">
                        <label>
                            <strong>{td_string!(l, new_token_heading)}</strong>
                            <input class="token-once" readonly value=secret.into_inner() autocomplete="off" spellcheck="false" />
                        </label>
                        <p>{td_string!(l, new_token_note)}</p>
                    </div>
                }
                    .into_any(),
                None => view! {
                    <p class="banner info" role="status">{td_string!(l, new_token_gone)}</p>
                }
                    .into_any(),
            })}
        </Transition>
    }
}

#[component]
fn TokenRow(token: ApiToken) -> impl IntoView {
    let l = locale();
    let [name, role, created, expires, last_used, status] = columns(l);
    let state = token.state(chrono::Utc::now());
    let state_label = match state {
        TokenState::Active => td_string!(l, token_active),
        TokenState::Expired => td_string!(l, token_expired),
        TokenState::Revoked => td_string!(l, token_revoked),
    };
    let whose = format!(" {}", token.name);
    let by = td_string!(l, created_by, who = token.created_by.as_str()).to_string();
    let when = |at: Option<chrono::DateTime<chrono::Utc>>| match at {
        Some(at) => view! { <LocalTime at /> }.into_any(),
        None => td_string!(l, never).into_any(),
    };
    view! {
        <tr data-token=token.id>
            <td data-label=name><code>{token.name.clone()}</code></td>
            <td data-label=role>{role_label(l, token.role)}</td>
            <td data-label=created><LocalTime at=token.created_at /> " " {by}</td>
            <td data-label=expires>{when(token.expires_at)}</td>
            <td data-label=last_used>{when(token.last_used_at)}</td>
            <td data-label=status>
                {state_label}
                {(state == TokenState::Active).then(|| view! {
                    " "
                    <ActionForm action={ServerAction::<RevokeApiToken>::new()} attr:class="inline">
                        <input type="hidden" name="name" value=token.name.clone() />
                        <button type="submit" class="danger">
                            {td_string!(l, revoke)} <span class="visually-hidden">{whose}</span>
                        </button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
