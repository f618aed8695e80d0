//! The page behind a link mailed to a subscribed address (#37): it says
//! what the link does and does it only when the button is pressed (a
//! mail scanner that fetches every link must not confirm or unsubscribe
//! anyone). Works signed out and without JavaScript.

use evse_dashboard::types::{LinkPurpose, MailLinkView};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::feedback::{Card, Loaded, action_error};
use crate::i18n::td_string;
use crate::language::{Locale, locale};
use crate::server_fns::mail_links::{FollowMailLink, mail_link};

fn purpose_of(text: &str) -> Option<LinkPurpose> {
    match text {
        "confirm" => Some(LinkPurpose::Confirm),
        "unsubscribe" => Some(LinkPurpose::Unsubscribe),
        _ => None,
    }
}

fn state_sentence(l: Locale, view: &MailLinkView, done: bool) -> Option<String> {
    let receiver = view.receiver.as_str();
    match view.purpose {
        _ if view.ended => Some(td_string!(l, link_ended, receiver = receiver).to_string()),
        LinkPurpose::Confirm if view.confirmed => Some(if done {
            td_string!(l, link_confirmed_now, receiver = receiver).to_string()
        } else {
            td_string!(l, link_confirmed_before, receiver = receiver).to_string()
        }),
        _ => None,
    }
}

#[component]
pub fn MailLinkPage() -> impl IntoView {
    let l = locale();
    let params = use_params_map();
    let query = use_query_map();
    let follow = ServerAction::<FollowMailLink>::new();
    let asked = move || {
        let p = params.read();
        (
            p.get("purpose").and_then(|t| purpose_of(&t)),
            p.get("id").and_then(|t| t.parse::<i64>().ok()),
            p.get("token").unwrap_or_default(),
        )
    };
    let link = Resource::new(asked, |(purpose, id, token)| async move {
        match (purpose, id) {
            (Some(purpose), Some(id)) => mail_link(purpose, id, token).await,
            _ => Err(crate::error::AppError::NotFound(
                evse_dashboard::types::Missing::AlertSubscription(id.unwrap_or_default()),
            )),
        }
    });
    let done = move || query.read().get("done").is_some();
    view! {
        <div class="narrow">
            <Card id="mail-link-heading" heading=td_string!(l, link_heading)>
                {action_error(follow)}
                <Loaded waiting=td_string!(l, loading_alerts)>
                    {move || Suspend::new(async move {
                        link.await.map(|view| {
                            let (purpose, id, token) = asked();
                            let purpose_text: &'static str = view.purpose.into();
                            let said = state_sentence(l, &view, done());
                            let receiver = view.receiver.clone();
                            match said {
                                Some(sentence) => view! { <p role="status">{sentence}</p> }.into_any(),
                                None => {
                                    let (question, button) = match purpose {
                                        Some(LinkPurpose::Confirm) => (
                                            td_string!(l, link_confirm_question, receiver = receiver).to_string(),
                                            td_string!(l, link_confirm_button),
                                        ),
                                        _ => (
                                            td_string!(l, link_unsubscribe_question, receiver = receiver).to_string(),
                                            td_string!(l, link_unsubscribe_button),
                                        ),
                                    };
                                    view! {
                                        <p>{question}</p>
                                        <ActionForm action=follow>
                                            <input type="hidden" name="purpose" value=purpose_text />
                                            <input type="hidden" name="id" value=id.unwrap_or_default() />
                                            <input type="hidden" name="token" value=token />
                                            <button type="submit">{button}</button>
                                        </ActionForm>
                                    }
                                    .into_any()
                                }
                            }
                        })
                    })}
                </Loaded>
            </Card>
        </div>
    }
}
