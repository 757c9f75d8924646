//! Authentication: argon2 password hashes, server-side session tokens with expiry and logout, API
//! keys for integrations, and login throttling counted in the database so that it holds across
//! replicas.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::ports::{ApiKeyRecord, UserRecord};
use crate::scope::{Principal, PrincipalKind};
use crate::throttle::{Bucket, Client, DEVICE_TTL_MS, Refusal, address_key};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::Role;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// OWASP ASVS 2.1.1: at least 12 characters; 2.1.2: at least 64 allowed, more than 128 refused.
pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 128;
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

fn valid_username(username: &str) -> Result<&str, AppError> {
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
    Ok(username)
}

/// The password policy (OWASP ASVS 2.1), for every place a person sets a password: at least
/// [`MIN_PASSWORD_LEN`] and at most [`MAX_PASSWORD_LEN`] characters, not one of the ~100,000
/// most common passwords (in any letter case, nor one padded with digits and marks), not built
/// from the username. No rules about character classes (ASVS 2.1.9): length and rarity are what
/// make a password hard to guess. A refusal names `field` (e.g. `password`, or `new` for a change).
pub fn check_password(field: &str, password: &str, username: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(AppError::field(
            field,
            format!("至少 {MIN_PASSWORD_LEN} 个字符（现为 {n} 个）；可以用一句好记的话"),
            format!(
                "must be at least {MIN_PASSWORD_LEN} characters (has {n}); a memorable phrase works well"
            ),
        ));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(AppError::field(
            field,
            format!("不能超过 {MAX_PASSWORD_LEN} 个字符"),
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    let lower = password.to_lowercase();
    // A common word padded with digits and marks to reach the length ("sunshine!2026#") is
    // as weak as the word.
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(&lower)
        || (core.chars().count() >= 4 && passwords::analyzer::is_common_password(core))
        || password
            .chars()
            .collect::<std::collections::HashSet<_>>()
            .len()
            < 4
    {
        return Err(AppError::field(
            field,
            "是常见或过于简单的密码，容易被猜中，请换一个",
            "is a common or very simple password that is easy to guess; choose another",
        ));
    }
    let user = username.trim().to_lowercase();
    let reversed: String = user.chars().rev().collect();
    if user.chars().count() >= 3 && (lower.contains(&user) || lower.contains(&reversed)) {
        return Err(AppError::field(
            field,
            "不能包含用户名",
            "must not contain the username",
        ));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct LoginResult {
    pub token: String,
    pub expires_at: i64,
    pub user: UserRecord,
    /// A new device token for the browser's cookie (none when it sent a known one).
    pub device: Option<String>,
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
        client: None,
    }
}

impl App {
    /// Signs in. Failed attempts are counted per username and per client address (and, from a
    /// browser that signed in as this user before, per that browser instead): past a limit the
    /// attempt is refused (429) before the password is even checked. A username locked by
    /// someone else's guesses does not lock its owner out: the right password from a known
    /// browser (its device cookie) still passes. The result carries a new device token when a
    /// browser was not known yet.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &Client,
    ) -> Result<LoginResult, AppError> {
        let now = self.now();
        let username = username.trim();
        let limits = &self.settings.limits;
        let device_hash = client
            .device
            .as_deref()
            .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(token_hash);
        let known = match &device_hash {
            Some(h) => self
                .store
                .login_device(h, now - DEVICE_TTL_MS)
                .await?
                .is_some_and(|u| u == username),
            None => false,
        };
        let buckets = match (&device_hash, known) {
            (Some(h), true) => vec![Bucket::new("login.device", h, limits.login_per_device)],
            _ => vec![
                Bucket::new(
                    "login.user",
                    &username.to_lowercase(),
                    limits.login_per_username,
                ),
                Bucket::new(
                    "login.addr",
                    &address_key(client.addr),
                    limits.login_per_address,
                ),
            ],
        };
        let charge = self.ration(&buckets, Refusal::SignIn).await?;
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
            // The attempt stays counted.
            return Err(AppError::new(
                ErrorKind::Unauthorized,
                "bad_credentials",
                "用户名或密码错误",
                "wrong username or password",
            ));
        };
        // The right password: the username's (or the browser's) failures are forgotten; the
        // address keeps its other failures but not this attempt.
        self.refund(&charge, &[&buckets[0]]).await?;
        let device = if known || !client.browser {
            None
        } else {
            let d = random_secret()?;
            self.store
                .insert_login_device(&token_hash(&d), &user.username, now)
                .await?;
            Some(d)
        };
        let token = random_secret()?;
        let expires_at = now + self.settings.session_ttl_ms;
        self.store
            .insert_session(&token_hash(&token), user.id, now, expires_at)
            .await?;
        Ok(LoginResult {
            token,
            expires_at,
            user,
            device,
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
                client: None,
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
        let username = valid_username(username)?;
        check_password("password", password, username)?;
        self.insert_new_user(username, password, role, unit, display_name)
            .await
    }

    /// Creates an account the seed installs (the demo's shared password is set by the seed, not
    /// chosen by a person, and is not held to the password policy).
    pub async fn create_seeded_user(
        &self,
        username: &str,
        password: &str,
        role: &str,
        unit: &str,
        display_name: Option<&str>,
    ) -> Result<UserRecord, AppError> {
        self.insert_new_user(
            valid_username(username)?,
            password,
            role,
            unit,
            display_name,
        )
        .await
    }

    async fn insert_new_user(
        &self,
        username: &str,
        password: &str,
        role: &str,
        unit: &str,
        display_name: Option<&str>,
    ) -> Result<UserRecord, AppError> {
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
    fn password_policy() {
        let field = |u: &str, p: &str| {
            check_password("password", p, u)
                .err()
                .and_then(|e| e.field.clone())
        };
        assert_eq!(field("li", "correct horse battery"), None);
        assert_eq!(
            field("li", "长城长江黄河泰山华山衡山"),
            None,
            "12 Chinese characters"
        );
        for weak in [
            "short",
            "Demo@2026",
            "password1234",
            "PASSWORD1234",
            "1qaz2wsx3edc",
            "Sunshine!2026#",
            "aaaaaaaaaaaaaaa",
            "abababababababab",
            "wangwei-2026-wangwei",
            "iewgnaw-2026-xyz",
        ] {
            assert_eq!(field("wangwei", weak), Some("password".into()), "{weak}");
        }
        assert_eq!(
            field("li", &"x1".repeat(65)),
            Some("password".into()),
            "too long"
        );
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
