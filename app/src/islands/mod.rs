//! The only code the browser runs. Each island refines a piece of a page
//! that already works as plain HTML: it takes its data as props (serialized
//! into the page) and never needs the page's resources or router.

pub mod bulk;
pub mod confirm;
pub mod dom;
pub mod duration;
pub mod hooks;
pub mod live;
pub mod target;
pub mod ticker;
