pub mod badge;
pub mod feedback;
pub mod layout;
pub mod time;
