//! Charging sessions (#42): detected from each sampling round's samples
//! by the lease holder (`detect`, pure), kept in `charging_sessions`
//! (`store`, its one owner), and a site's monthly report (`month` on the
//! site's clock, `report` from the 15-minute buckets); `reads` is what
//! pages, `/api/v1`, the exports and the CLI ask of them.

pub mod csv;
pub mod detect;
pub mod month;
pub mod peak_days;
pub mod reads;
pub mod report;
pub mod store;

pub use reads::ReportError;
pub use store::Sessions;
