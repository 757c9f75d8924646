//! The pure core of onewindow: the words of the domain (natures, urgencies, roles…), the case
//! state machine, the default time-limit policy and the domain error.
//!
//! No IO and no async here: everything is a function of its arguments, so the lifecycle can be
//! tested exhaustively and reused by every outer layer (use cases, storage, HTTP).

pub mod case;
pub mod enums;
pub mod error;
pub mod machine;
pub mod policy;
pub mod tally;

pub use case::*;
pub use enums::*;
pub use error::DomainError;
