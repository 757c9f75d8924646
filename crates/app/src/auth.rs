//! Authentication: argon2 password hashes, server-side session tokens with expiry and logout, API
//! keys for integrations, and login throttling counted in the database so that it holds across
//! replicas.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::ports::{ApiKeyRecord, UserRecord};
use crate::scope::{Principal, PrincipalKind};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::Role;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const MIN_PASSWORD_LEN: usize = 8;
/// Prefix of API keys, so that a leaked key is recognisable in logs and scanners.
pub const API_KEY_PREFIX: &str = "owk_";

pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Whether a password may be set (its `field` named in the refusal): long enough, and not the
/// username.
pub fn check_password(field: &str, password: &str, username: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::field(
            field,
            format!("至少 {MIN_PASSWORD_LEN} 个字符"),
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(AppError::field(
            field,
            "不能包含用户名",
            "must not contain the username",
        ));
    }
    Ok(())
}

/// A random 256-bit secret, hex encoded.
pub fn random_secret() -> Result<String, AppError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(AppError::internal)?;
    Ok(hex::encode(buf))
}

/// Tokens and keys are stored only as their SHA-256: a database leak does not leak sessions.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct LoginResult {
    pub token: String,
    pub expires_at: i64,
    pub user: UserRecord,
}

fn principal_of(u: &UserRecord) -> Principal {
    Principal {
        id: u.id,
        username: u.username.clone(),
        name: u.display_name.clone(),
        role: u.role,
        unit: Some(u.unit.clone()),
        kind: PrincipalKind::User,
        must_change_password: u.must_change_password,
    }
}

impl App {
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginResult, AppError> {
        let now = self.now();
        let username = username.trim();
        let since = now - self.settings.login_window_ms;
        if self.store.login_failures_since(username, since).await?
            >= self.settings.login_max_failures
        {
            let minutes = self.settings.login_window_ms / 60_000;
            return Err(AppError::new(
                ErrorKind::TooManyRequests,
                "too_many_attempts",
                format!("登录失败次数过多，请 {minutes} 分钟后再试"),
                format!("too many failed sign-in attempts; try again in {minutes} minutes"),
            ));
        }
        let user = self.store.user_by_username(username).await?;
        let ok = match &user {
            Some(u) => !u.disabled && verify_password(password, &u.password_hash),
            None => {
                // Spend the same effort for unknown users so timing does not reveal who exists.
                let _ = verify_password(
                    password,
                    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3f8lQ0hK2l3I0zLwJgyvUo3QJcUAGd3O2k0ZkE0vNbs",
                );
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            self.store.record_login_failure(username, now).await?;
            return Err(AppError::new(
                ErrorKind::Unauthorized,
                "bad_credentials",
                "用户名或密码错误",
                "wrong username or password",
            ));
        };
        self.store.clear_login_failures(username).await?;
        let token = random_secret()?;
        let expires_at = now + self.settings.session_ttl_ms;
        self.store
            .insert_session(&token_hash(&token), user.id, now, expires_at)
            .await?;
        Ok(LoginResult {
            token,
            expires_at,
            user,
        })
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        let hash = token_hash(token);
        self.store.delete_session(&hash).await?;
        if let Ok(mut cache) = self.credentials_cache.lock() {
            cache.remove(&hash);
        }
        Ok(())
    }

    /// Resolves a bearer credential: a session token, or an API key (`owk_…`). A credential
    /// checked in the last `Settings::auth_cache_ms` is not looked up again: every request carries
    /// one, and the two lookups cost more than most requests' own work. Logging out here drops it
    /// at once; a logout through another replica is seen within that interval.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        let hash = token_hash(bearer);
        let now = self.now();
        let max_age = self.settings.auth_cache_ms;
        if max_age > 0
            && let Some(p) = self.credentials_cache.lock().ok().and_then(|c| {
                c.get(&hash)
                    .filter(|(at, _)| now >= *at && now - at < max_age)
                    .map(|(_, p)| p.clone())
            })
        {
            return Ok(p);
        }
        let p = self.authenticate_uncached(bearer, &hash).await?;
        if max_age > 0
            && let Ok(mut cache) = self.credentials_cache.lock()
        {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (now, p.clone()));
        }
        Ok(p)
    }

    async fn authenticate_uncached(&self, bearer: &str, hash: &str) -> Result<Principal, AppError> {
        let hash = hash.to_string();
        if bearer.starts_with(API_KEY_PREFIX) {
            let key = self
                .store
                .api_key_by_hash(&hash)
                .await?
                .filter(|k| !k.revoked)
                .ok_or_else(AppError::unauthorized)?;
            return Ok(Principal {
                id: key.id,
                username: format!("api:{}", key.name),
                name: key.name,
                role: Role::Citizen,
                unit: None,
                kind: PrincipalKind::ApiKey,
                must_change_password: false,
            });
        }
        let user_id = self
            .store
            .session_user(&hash, self.now())
            .await?
            .ok_or_else(AppError::unauthorized)?;
        let user = self
            .store
            .user_by_id(user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(AppError::unauthorized)?;
        Ok(principal_of(&user))
    }

    pub async fn user_record(&self, id: Uuid) -> Result<UserRecord, AppError> {
        self.store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("用户", "user"))
    }

    /// Creates a user (operators' CLI and admins).
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: &str,
        unit: &str,
        display_name: Option<&str>,
    ) -> Result<UserRecord, AppError> {
        let username = username.trim();
        if username.is_empty()
            || username.chars().count() > 64
            || username.chars().any(char::is_whitespace)
        {
            return Err(AppError::field(
                "username",
                "须为 1–64 个字符且不含空格",
                "must be 1–64 characters without spaces",
            ));
        }
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(AppError::field(
                "password",
                format!("至少 {MIN_PASSWORD_LEN} 个字符"),
                format!("must be at least {MIN_PASSWORD_LEN} characters"),
            ));
        }
        let role = Role::parse(role).ok_or_else(|| {
            AppError::field(
                "role",
                format!("可选：{}", Role::codes()),
                format!("must be one of {}", Role::codes()),
            )
        })?;
        let tree = self.org.reload().await?;
        if tree.get(unit).is_none() {
            return Err(AppError::field(
                "unit",
                format!("单位 {unit} 不存在"),
                format!("unknown unit {unit}"),
            ));
        }
        let user = UserRecord {
            id: Uuid::now_v7(),
            username: username.to_string(),
            display_name: display_name.unwrap_or(username).to_string(),
            role,
            unit: unit.to_string(),
            password_hash: hash_password(password)?,
            disabled: false,
            must_change_password: false,
            created_at: self.now(),
        };
        self.store.insert_user(&user).await.map_err(|e| match e {
            crate::error::StoreError::Conflict(_) => AppError::new(
                ErrorKind::Conflict,
                "username_taken",
                format!("用户名 {username} 已存在"),
                format!("username {username} is already taken"),
            ),
            other => other.into(),
        })?;
        self.users_cache.invalidate();
        Ok(user)
    }

    /// Creates an API key and returns it; only its hash is kept.
    pub async fn create_api_key(&self, name: &str) -> Result<String, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::field(
                "name",
                "须为 1–100 个字符",
                "must be 1–100 characters",
            ));
        }
        let key = format!("{API_KEY_PREFIX}{}", random_secret()?);
        let rec = ApiKeyRecord {
            id: Uuid::now_v7(),
            name: name.to_string(),
            key_hash: token_hash(&key),
            created_at: self.now(),
            revoked: false,
        };
        self.store.insert_api_key(&rec).await?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = random_secret().unwrap_or_default();
        let b = random_secret().unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash("x").len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
