//! Rate limits (issue 19): how many attempts a client address, a case number, a phone, a username or
//! a browser may make in a fixed window, counted in the database so that every replica behind the
//! load balancer counts the same attempts (like the sessions), and refused with 429 and the seconds
//! until the window ends.
//!
//! An attempt is counted before it is tried (one atomic upsert per request), so a burst of parallel
//! requests cannot slip past a limit between a check and a count. A bucket found over its limit is
//! also remembered in this process until its window ends: further attempts are refused without a
//! database write, so a flood of refused requests does not queue on the database (on SQLite, every
//! write is an fsync on the one writer).
//!
//! Buckets are named by a kind and the SHA-256 of the key: the table holds no address, phone or
//! username in clear.

use crate::App;
use crate::error::{AppError, ErrorKind};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// At most `max` attempts per window of `window_ms` (windows start at multiples of `window_ms`
/// since the epoch, so every replica agrees on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_ms: i64,
}

impl Limit {
    pub const fn per_minutes(max: i64, minutes: i64) -> Limit {
        Limit {
            max,
            window_ms: minutes * 60_000,
        }
    }

    /// Parses `N/MINUTES` (e.g. `20/15`: 20 attempts per 15 minutes), for the command line.
    pub fn parse(s: &str) -> Option<Limit> {
        let (n, m) = s.trim().split_once('/')?;
        let (max, minutes) = (n.trim().parse().ok()?, m.trim().parse().ok()?);
        (max >= 1 && (1..=7 * 24 * 60).contains(&minutes)).then(|| Limit::per_minutes(max, minutes))
    }
}

/// The limits in force. The defaults leave room for people (a typo or three, a family sharing a
/// phone, a mobile carrier putting many users behind one address) and none for a script.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Failed sign-ins per username (a browser that signed in as the user before is exempt).
    pub login_per_username: Limit,
    /// Failed sign-ins per client address, whatever the usernames.
    pub login_per_address: Limit,
    /// Failed sign-ins per known browser (its own limit instead of the username's).
    pub login_per_device: Limit,
    /// Portal look-ups (track, rate) per client address.
    pub portal_lookup_per_address: Limit,
    /// Portal look-ups per case number: guessing the phone of one case.
    pub portal_lookup_per_number: Limit,
    /// Portal look-ups per phone: walking the case numbers with a known phone.
    pub portal_lookup_per_phone: Limit,
    /// Portal submissions per client address.
    pub portal_submit_per_address: Limit,
    /// Portal submissions per reporter phone.
    pub portal_submit_per_phone: Limit,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_username: Limit::per_minutes(5, 15),
            login_per_address: Limit::per_minutes(20, 15),
            login_per_device: Limit::per_minutes(10, 15),
            portal_lookup_per_address: Limit::per_minutes(60, 15),
            portal_lookup_per_number: Limit::per_minutes(20, 60),
            portal_lookup_per_phone: Limit::per_minutes(20, 60),
            portal_submit_per_address: Limit::per_minutes(20, 10),
            portal_submit_per_phone: Limit::per_minutes(5, 60),
        }
    }
}

impl Limits {
    /// The names operators set limits by (`--rate-limits NAME=N/MINUTES,…`).
    pub const NAMES: [&'static str; 8] = [
        "login-username",
        "login-address",
        "login-device",
        "portal-lookup-address",
        "portal-lookup-number",
        "portal-lookup-phone",
        "portal-submit-address",
        "portal-submit-phone",
    ];

    fn slot(&mut self, name: &str) -> Option<&mut Limit> {
        Some(match name {
            "login-username" => &mut self.login_per_username,
            "login-address" => &mut self.login_per_address,
            "login-device" => &mut self.login_per_device,
            "portal-lookup-address" => &mut self.portal_lookup_per_address,
            "portal-lookup-number" => &mut self.portal_lookup_per_number,
            "portal-lookup-phone" => &mut self.portal_lookup_per_phone,
            "portal-submit-address" => &mut self.portal_submit_per_address,
            "portal-submit-phone" => &mut self.portal_submit_per_phone,
            _ => return None,
        })
    }

    /// Applies `NAME=N/MINUTES`, several separated by commas.
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = item.split_once('=').ok_or_else(|| {
                format!("'{item}': write NAME=N/MINUTES, e.g. portal-lookup-number=20/60")
            })?;
            let limit = Limit::parse(value).ok_or_else(|| {
                format!("'{item}': the limit must be N/MINUTES with N ≥ 1 and 1–10080 minutes")
            })?;
            *self.slot(name.trim()).ok_or_else(|| {
                format!(
                    "'{name}' is not a rate limit; known: {}",
                    Limits::NAMES.join(", ")
                )
            })? = limit;
        }
        Ok(())
    }
}

/// Who is asking, as far as the edge can tell.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address: the peer, or the address a trusted proxy forwarded. `None` when the
    /// server was not told (such requests share one bucket).
    pub addr: Option<IpAddr>,
    /// The browser's device token (sign-in only), as sent in its cookie.
    pub device: Option<String>,
    /// Whether the request came from a browser (it sent `Sec-Fetch-*` headers): only browsers are
    /// given a device token, so that scripts signing in do not leave one behind each time.
    pub browser: bool,
}

/// The key of an address: IPv4 as it is, IPv6 by its /64 (one subscriber's whole network, which a
/// client can rotate through freely), IPv4-mapped IPv6 as the IPv4 address.
pub fn address_key(addr: Option<IpAddr>) -> String {
    match addr {
        None => "unknown".into(),
        Some(IpAddr::V4(a)) => a.to_string(),
        Some(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// One counter an attempt is charged to.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub name: String,
    pub limit: Limit,
}

impl Bucket {
    pub fn new(kind: &str, key: &str, limit: Limit) -> Bucket {
        let digest = Sha256::digest(key.as_bytes());
        Bucket {
            name: format!("{kind}:{}", hex::encode(&digest[..16])),
            limit,
        }
    }

    fn window_start(&self, now: i64) -> i64 {
        let w = self.limit.window_ms.max(1);
        now - now.rem_euclid(w)
    }
}

/// What a rationed attempt was charged, so that an attempt that turned out to be allowed (the
/// right password) can be taken back.
#[derive(Debug)]
pub struct Charge {
    charged: Vec<(String, i64)>,
}

/// The process's memory of buckets over their limit, and when the old windows were last purged.
#[derive(Default)]
pub struct Memory {
    blocked: Mutex<HashMap<String, i64>>,
    purged_at: AtomicI64,
}

/// The wording of a refusal.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    SignIn,
    Portal,
}

/// Counters of windows older than this are deleted (the longest default window is an hour).
const KEEP_WINDOWS_MS: i64 = 86_400_000;
const PURGE_EVERY_MS: i64 = 10 * 60_000;
/// How long a browser stays known after it signed in.
pub const DEVICE_TTL_MS: i64 = 90 * 86_400_000;

pub fn too_many(refusal: Refusal, retry_after_ms: i64) -> AppError {
    let secs = (retry_after_ms.max(1) + 999) / 1000;
    let minutes = (secs + 59) / 60;
    let (code, zh, en) = match refusal {
        Refusal::SignIn => (
            "too_many_attempts",
            format!("登录失败次数过多，请 {minutes} 分钟后再试"),
            format!("too many failed sign-in attempts; try again in {minutes} minutes"),
        ),
        Refusal::Portal => (
            "too_many_requests",
            format!("操作过于频繁，请 {minutes} 分钟后再试；急事请拨打服务热线"),
            format!(
                "too many requests; try again in {minutes} minutes, or call the service hotline if it is urgent"
            ),
        ),
    };
    AppError::new(ErrorKind::TooManyRequests, code, zh, en)
        .with_details(json!({ "retry_after": secs }))
}

impl App {
    /// Charges one attempt to every bucket, or refuses it (429) when one of them is over its
    /// limit. Buckets must be distinct.
    pub async fn ration(&self, buckets: &[Bucket], refusal: Refusal) -> Result<Charge, AppError> {
        let now = self.now();
        let mem = &self.throttle;
        if let Ok(blocked) = mem.blocked.lock() {
            let until = buckets
                .iter()
                .filter_map(|b| blocked.get(&b.name).copied())
                .filter(|&u| u > now)
                .max();
            if let Some(until) = until {
                return Err(too_many(refusal, until - now));
            }
        }
        self.purge_guards_now_and_then(now).await;
        let charged: Vec<(String, i64)> = buckets
            .iter()
            .map(|b| (b.name.clone(), b.window_start(now)))
            .collect();
        let counts: HashMap<String, i64> =
            self.store.rate_hit(&charged).await?.into_iter().collect();
        let mut until = None;
        for b in buckets {
            if counts.get(&b.name).copied().unwrap_or(0) > b.limit.max {
                let end = b.window_start(now) + b.limit.window_ms;
                until = until.max(Some(end));
                if let Ok(mut blocked) = mem.blocked.lock() {
                    if blocked.len() > 100_000 {
                        blocked.retain(|_, u| *u > now);
                    }
                    blocked.insert(b.name.clone(), end);
                }
            }
        }
        match until {
            Some(until) => Err(too_many(refusal, until - now)),
            None => Ok(Charge { charged }),
        }
    }

    /// Takes back an allowed attempt: `clear` buckets are forgotten (a username's failures after
    /// the right password), the others lose the one hit.
    pub async fn refund(&self, charge: &Charge, clear: &[&Bucket]) -> Result<(), AppError> {
        for (name, start) in &charge.charged {
            if clear.iter().any(|b| &b.name == name) {
                self.store.rate_clear(name).await?;
                if let Ok(mut blocked) = self.throttle.blocked.lock() {
                    blocked.remove(name);
                }
            } else {
                self.store.rate_unhit(name, *start).await?;
            }
        }
        Ok(())
    }

    /// Deletes long-past windows and expired device tokens, at most every ten minutes per process.
    async fn purge_guards_now_and_then(&self, now: i64) {
        let last = self.throttle.purged_at.load(Ordering::Relaxed);
        if now - last < PURGE_EVERY_MS
            || self
                .throttle
                .purged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(e) = self
            .store
            .purge_guards(now - KEEP_WINDOWS_MS, now - DEVICE_TTL_MS)
            .await
        {
            tracing::warn!(error = %e, "purging old rate-limit windows");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn limits_parse() {
        assert_eq!(Limit::parse("20/15"), Some(Limit::per_minutes(20, 15)));
        assert_eq!(Limit::parse(" 5 / 60 "), Some(Limit::per_minutes(5, 60)));
        for bad in ["", "20", "0/15", "5/0", "x/15", "5/99999"] {
            assert_eq!(Limit::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn limits_are_set_by_name() {
        let mut l = Limits::default();
        assert_eq!(
            l.apply("portal-lookup-number=3/60, login-address=50/15"),
            Ok(())
        );
        assert_eq!(l.portal_lookup_per_number, Limit::per_minutes(3, 60));
        assert_eq!(l.login_per_address, Limit::per_minutes(50, 15));
        assert!(l.apply("portal-lookup=3/60").is_err());
        assert!(l.apply("login-address").is_err());
        assert!(l.apply("login-address=0/15").is_err());
        let mut all = Limits::default();
        for n in Limits::NAMES {
            assert_eq!(all.apply(&format!("{n}=7/7")), Ok(()), "{n}");
        }
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_network() {
        let a: Ipv6Addr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(Ipv6Addr::LOCALHOST);
        let b: Ipv6Addr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(Ipv6Addr::LOCALHOST);
        let c: Ipv6Addr = "2001:db8:1:3::1".parse().unwrap_or(Ipv6Addr::LOCALHOST);
        let key = |a: Ipv6Addr| address_key(Some(IpAddr::V6(a)));
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
        let mapped = Ipv4Addr::new(10, 1, 2, 3).to_ipv6_mapped();
        assert_eq!(key(mapped), "10.1.2.3");
        assert_eq!(address_key(None), "unknown");
    }

    #[test]
    fn buckets_hide_their_keys_and_windows_align() {
        let b = Bucket::new(
            "portal.lookup.phone",
            "13955556666",
            Limit::per_minutes(20, 60),
        );
        assert!(b.name.starts_with("portal.lookup.phone:"));
        assert!(!b.name.contains("13955556666"));
        assert_eq!(b.window_start(3_600_000 * 5 + 17), 3_600_000 * 5);
        let e = too_many(Refusal::Portal, 61_000);
        assert_eq!(e.kind, ErrorKind::TooManyRequests);
        assert_eq!(
            e.details.as_ref().map(|d| d["retry_after"].clone()),
            Some(json!(61))
        );
        assert!(e.zh.contains("2 分钟"), "{}", e.zh);
    }
}
