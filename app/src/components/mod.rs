pub mod badge;
pub mod charts;
pub mod duration;
pub mod feedback;
pub mod layout;
pub mod table;
pub mod time;
pub mod week;
