//! Why a charger got what it got when its site's supply is shared (#40):
//! one sentence per allocation, from the typed reason.

use evse_dashboard::sharing::allocate::{Share, Why};
use evse_dashboard::vocabulary::Priority;

use crate::i18n::td_string;
use crate::language::Locale;

pub fn priority_label(l: Locale, priority: Priority) -> &'static str {
    match priority {
        Priority::High => td_string!(l, priority_high),
        Priority::Normal => td_string!(l, priority_normal),
        Priority::Low => td_string!(l, priority_low),
    }
}

/// The site-wide facts a "shared" sentence names.
#[derive(Debug, Clone, Copy)]
pub struct SiteFacts {
    pub limit: u32,
    pub held: u32,
    pub free: u32,
}

/// "10 A: 100 A on L1 shared by 9 cars, 12 A held for 2 free chargers".
pub fn share_sentence(l: Locale, share: &Share, site: SiteFacts) -> String {
    let amps = share.amps.unwrap_or(0);
    let most = share.counted.iter().copied().max().unwrap_or(0);
    match share.why {
        Why::Reserve => td_string!(l, why_reserve, amps = amps).to_string(),
        Why::CountedAtMost => td_string!(l, why_counted_at_most, amps = most).to_string(),
        Why::NotFollowing => td_string!(l, why_not_following, amps = most).to_string(),
        Why::Shared { phase, cars } => td_string!(
            l,
            why_shared,
            amps = amps,
            limit = site.limit,
            phase = phase + 1,
            cars = cars,
            held = site.held,
            free = site.free
        )
        .to_string(),
        Why::Taking => td_string!(l, why_taking, amps = amps).to_string(),
        Why::Bounded => td_string!(l, why_bounded, amps = amps).to_string(),
        Why::Maximum => td_string!(l, why_maximum, amps = amps).to_string(),
        Why::Minimum => td_string!(l, why_minimum, amps = amps).to_string(),
        Why::Paused => td_string!(l, why_paused).to_owned(),
        Why::Unserved => td_string!(l, why_unserved, amps = amps).to_string(),
    }
}
