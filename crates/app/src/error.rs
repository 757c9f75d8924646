//! The application error: a kind (mapped once to an HTTP status at the edge), a stable code, and a
//! message in Chinese and English so the person who sees it can act on it.

use domain::DomainError;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Unprocessable,
    TooManyRequests,
    PayloadTooLarge,
    /// A body in a format the endpoint does not read (415).
    UnsupportedMediaType,
    Internal,
}

/// Boxed so that `Result<T, AppError>` stays one pointer wide on the hot (Ok) path.
#[derive(Debug, Clone)]
pub struct AppError(Box<ErrorBody>);

#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    /// The offending field, for 422 on input.
    pub field: Option<String>,
    /// Extra machine-readable detail (e.g. the allowed actions).
    pub details: Option<Value>,
}

impl std::ops::Deref for AppError {
    type Target = ErrorBody;
    fn deref(&self) -> &ErrorBody {
        &self.0
    }
}

impl AppError {
    pub fn new(
        kind: ErrorKind,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        AppError(Box::new(ErrorBody {
            kind,
            code,
            zh: zh.into(),
            en: en.into(),
            field: None,
            details: None,
        }))
    }
    pub fn field(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let field = field.into();
        let zh = format!("字段 {field}：{}", zh.into());
        let en = format!("field {field}: {}", en.into());
        let mut e = AppError::new(ErrorKind::Unprocessable, "invalid_field", zh, en);
        e.0.field = Some(field);
        e
    }
    pub fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }
    /// Names the offending field of an error that is not a 422 (e.g. a 403 for a field the
    /// caller may not set).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }
    pub fn unauthorized() -> Self {
        AppError::new(
            ErrorKind::Unauthorized,
            "unauthorized",
            "未登录或登录已失效，请重新登录",
            "not signed in or the session has expired; please sign in again",
        )
    }
    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::new(ErrorKind::Forbidden, "forbidden", zh, en)
    }
    pub fn not_found(what_zh: &str, what_en: &str) -> Self {
        AppError::new(
            ErrorKind::NotFound,
            "not_found",
            format!("{what_zh}不存在或无权查看"),
            format!("{what_en} not found or not visible to you"),
        )
    }
    /// 409 for a record other than a case (a risk alert, a mediation) changed by someone else:
    /// the caller sent an older version (`current` is the version now), or lost the race to write.
    pub fn stale_record(what_zh: &str, what_en: &str, current: Option<i64>) -> Self {
        let (zh, en) = match current {
            Some(v) => (
                format!("{what_zh}已被他人更新（当前版本 {v}），请刷新后重试"),
                format!(
                    "the {what_en} was changed by someone else (now version {v}); reload and retry"
                ),
            ),
            None => (
                format!("{what_zh}已被他人更新，请刷新后重试"),
                format!("the {what_en} was changed by someone else; reload and retry"),
            ),
        };
        AppError::new(ErrorKind::Conflict, "stale_version", zh, en)
            .with_details(serde_json::json!({ "current_version": current }))
    }
    pub fn stale_version(current: i64) -> Self {
        AppError::new(ErrorKind::Conflict, "stale_version", format!("工单已被他人更新（当前版本 {current}），请刷新后重试"), format!("the case was changed by someone else (current version {current}); reload and try again"))
            .with_details(serde_json::json!({ "current_version": current }))
    }
    /// 409 for a write that lost a race, naming the case that changed under the caller: the
    /// transition's own case, or (`main`) the main case of a 并单, changed at the same moment by
    /// another merge. `current` is the version of the caller's own case now (what a retry sends);
    /// `details.conflict` names the case that conflicted, with its version.
    pub fn stale_case(
        current: i64,
        number: &str,
        id: uuid::Uuid,
        version: i64,
        main: bool,
    ) -> Self {
        let (zh, en) = if main {
            (
                format!(
                    "主工单 {number} 同时被他人更新（其当前版本 {version}），本次并单未执行；本工单未变（版本 {current}），请重试"
                ),
                format!(
                    "the main case {number} was changed by someone else at the same time (its version is now {version}); nothing was merged and this case is unchanged (version {current}); try again"
                ),
            )
        } else {
            (
                format!("工单 {number} 已被他人更新（当前版本 {version}），请刷新后重试"),
                format!(
                    "case {number} was changed by someone else (current version {version}); reload and try again"
                ),
            )
        };
        AppError::new(ErrorKind::Conflict, "stale_version", zh, en).with_details(
            serde_json::json!({
                "current_version": current,
                "conflict": { "case_id": id, "number": number, "version": version, "main": main },
            }),
        )
    }
    pub fn internal(msg: impl std::fmt::Display) -> Self {
        tracing::error!(error = %msg, "internal error");
        AppError::new(
            ErrorKind::Internal,
            "internal",
            "服务器内部错误，请稍后重试",
            "internal server error; please try again later",
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.en)
    }
}

impl std::error::Error for AppError {}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::TransitionNotAllowed { action, status, allowed } => AppError::new(
                ErrorKind::Unprocessable,
                "transition_not_allowed",
                format!("工单状态为「{}」，不能执行「{}」；可执行：{}", status.label_zh(), action.label_zh(), allowed.iter().map(|a| a.label_zh()).collect::<Vec<_>>().join("、")),
                format!("action {action} is not allowed in status {status}; allowed: {}", allowed.iter().map(|a| a.code()).collect::<Vec<_>>().join(", ")),
            )
            .with_details(serde_json::json!({ "allowed": allowed.iter().map(|a| a.code()).collect::<Vec<_>>(), "status": status.code() })),
            DomainError::InvalidField { field, zh, en } => AppError::field(field, zh, en),
            DomainError::Rule { code, zh, en } => AppError::new(ErrorKind::Unprocessable, code, zh, en),
        }
    }
}

/// Storage failures. A unique-key violation is a conflict the caller may explain; anything else is
/// internal.
#[derive(Debug)]
pub enum StoreError {
    Conflict(String),
    Backend(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict(m) => write!(f, "conflict: {m}"),
            StoreError::Backend(m) => write!(f, "storage: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::internal(e)
    }
}
