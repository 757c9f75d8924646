//! The edge's guards (issue 19): who the client is behind a proxy, the device cookie of sign-in,
//! and the security headers every answer carries.
//!
//! **Client address.** The peer address of the TCP connection, unless the peer is one of the
//! operator's trusted proxies (`--trusted-proxies`): then `X-Forwarded-For` is read from the right,
//! skipping trusted proxies, and the first address that is not one is the client. With no trusted
//! proxy configured the header is ignored, so a client cannot name itself.
//!
//! **Headers.** The UI's pages get a strict Content-Security-Policy (scripts, styles, fonts and
//! connections only from this origin; no inline script, no eval, no framing); every other answer
//! gets `default-src 'none'` (JSON is never a page). All answers carry `nosniff`,
//! `Referrer-Policy: no-referrer` (the portal's URL holds a case number) and `X-Frame-Options`;
//! API answers `Cache-Control: no-store` (they hold personal data and are per user). An answer to a
//! request that reached a trusted proxy over HTTPS (`X-Forwarded-Proto: https` from a peer in
//! `--trusted-proxies`) also carries `Strict-Transport-Security` (one year), so browsers never
//! again send the session over plain HTTP; a server reached over plain HTTP (the demo, a test)
//! does not, since HSTS over HTTP is meaningless and would lock out a plain-HTTP deployment.

use app::throttle::Client;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The pages of the UI: everything from this origin only. `data:` images and fonts are what
/// Element Plus and Vite inline; `blob:` images are ECharts' saved pictures and downloads. Style
/// *attributes* are allowed (ECharts writes its tooltips as HTML with `style="…"`); style
/// *elements* and stylesheets only from this origin, so injected CSS cannot select and leak text.
pub const UI_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";
/// Everything that is not a page (JSON, XML, files): nothing may run or load, nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The name of the sign-in device cookie.
pub const DEVICE_COOKIE: &str = "ow_device";

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and CIDR ranges separated by commas or spaces (`10.0.0.0/8, 127.0.0.1`).
    pub fn parse(spec: &str) -> Result<TrustedProxies, String> {
        spec.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("'{s}' is not an IP address or CIDR range (e.g. 10.0.0.0/8)")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address, from the peer and the forwarded chain (see the module's doc).
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut addr = peer?.to_canonical();
        if !self.trusts(addr) {
            return Some(addr);
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Garbage: the last address a trusted proxy vouched for is as far as we can see.
                return Some(addr);
            };
            addr = ip;
            if !self.trusts(ip) {
                return Some(ip);
            }
        }
        Some(addr)
    }
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// The guards' settings, handed to the extractors as a request extension.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    pub trusted_proxies: TrustedProxies,
}

/// The client's address: the peer, or the forwarded chain's first hop not among the trusted
/// proxies (see the module's doc).
pub fn client_addr(parts: &Parts) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match parts.extensions.get::<Arc<Edge>>() {
        Some(edge) => edge.trusted_proxies.client(peer, &parts.headers),
        None => peer.map(|p| p.to_canonical()),
    }
}

/// The client as the use cases see it: its address and, when it sent one, its device cookie.
pub struct ClientInfo(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo(Client {
            addr: client_addr(parts),
            device: cookie(&parts.headers, DEVICE_COOKIE),
            browser: parts.headers.contains_key("sec-fetch-site")
                || parts.headers.contains_key("sec-fetch-mode"),
        }))
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The device cookie: sent back only to the sign-in endpoint, never readable by scripts.
pub fn device_cookie(token: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={token}; Path=/api/v1/auth/login; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
        app::throttle::DEVICE_TTL_MS / 1000
    ))
    .ok()
}

fn set_default(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}

/// Adds the security headers to every answer (a handler that set one keeps its own).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let api = {
        let p = req.uri().path();
        p.starts_with("/api/") || p.starts_with("/open311/")
    };
    let https = over_https(&req);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let page = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    set_default(
        h,
        header::CONTENT_SECURITY_POLICY,
        if page { UI_CSP } else { API_CSP },
    );
    set_default(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(h, header::REFERRER_POLICY, "no-referrer");
    set_default(h, header::X_FRAME_OPTIONS, "DENY");
    if page {
        set_default(
            h,
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
    }
    if api {
        set_default(h, header::CACHE_CONTROL, "no-store");
    }
    if https {
        set_default(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

/// The request reached a trusted proxy over HTTPS (the proxy said so, and it is one we trust).
fn over_https(req: &Request) -> bool {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let trusted = match (req.extensions().get::<Arc<Edge>>(), peer) {
        (Some(edge), Some(peer)) => edge.trusted_proxies.trusts(peer),
        _ => false,
    };
    trusted
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert("x-forwarded-for", v);
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let lb = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap_or_default();
        let h = xff("6.6.6.6, 203.0.113.9");
        // Nobody trusted: the header is ignored.
        assert_eq!(none.client(ip("10.0.0.5"), &h), ip("10.0.0.5"));
        // A client talking to us directly cannot name itself.
        assert_eq!(lb.client(ip("198.51.100.7"), &h), ip("198.51.100.7"));
        // Through the balancer: the right-most address the balancer saw, not what the client wrote.
        assert_eq!(lb.client(ip("10.0.0.5"), &h), ip("203.0.113.9"));
        // Through two trusted hops.
        assert_eq!(
            lb.client(ip("127.0.0.1"), &xff("6.6.6.6, 203.0.113.9, 10.1.1.1")),
            ip("203.0.113.9")
        );
        // Ports and IPv4-mapped peers.
        assert_eq!(
            lb.client(ip("::ffff:10.0.0.5"), &xff("203.0.113.9:5555")),
            ip("203.0.113.9")
        );
        // Garbage stops the walk at the last address a trusted proxy vouched for.
        assert_eq!(
            lb.client(ip("10.0.0.5"), &xff("203.0.113.9, nonsense")),
            ip("10.0.0.5")
        );
        assert_eq!(lb.client(ip("10.0.0.5"), &HeaderMap::new()), ip("10.0.0.5"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ow_device=abc ; b=2"),
        );
        assert_eq!(cookie(&h, "ow_device").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
