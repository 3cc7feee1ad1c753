//! Domain rules and the newtypes that carry checked values. Nothing here knows about chat
//! channels or the database.

pub mod person_name;
pub mod phone;
pub mod text;

pub use person_name::{NameError, PersonName};
pub use phone::{PhoneError, PhoneNumber};
