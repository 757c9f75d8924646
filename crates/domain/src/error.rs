//! The domain error: what went wrong in terms a person can act on. Mapped once to HTTP at the edge.

use crate::{Action, Status};

#[derive(Debug, Clone, PartialEq)]
pub enum DomainError {
    /// The action is not allowed from the case's current status.
    TransitionNotAllowed {
        action: Action,
        status: Status,
        allowed: Vec<Action>,
    },
    /// A field is missing or has an unacceptable value.
    InvalidField {
        field: &'static str,
        zh: String,
        en: String,
    },
    /// The action is allowed in principle but a business rule forbids it now.
    Rule {
        code: &'static str,
        zh: String,
        en: String,
    },
}

impl DomainError {
    pub fn field(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::InvalidField {
            field,
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn rule(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Rule {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainError::TransitionNotAllowed { action, status, .. } => {
                write!(f, "action {action} is not allowed in status {status}")
            }
            DomainError::InvalidField { field, en, .. } => write!(f, "{field}: {en}"),
            DomainError::Rule { en, .. } => f.write_str(en),
        }
    }
}

impl std::error::Error for DomainError {}
