//! Fetching a file a client named by URL (Open311's `media_url`). The server fetches on a
//! stranger's word, so: http and https only, every address the name resolves to must be public
//! (no loopback, private, link-local or carrier-grade NAT ranges: the classic SSRF into the
//! intranet), the connection goes to the address that was checked (no second DNS answer), no
//! redirects, a time limit, and the body is read only up to the size limit.

use app::attachments::MediaFetcher;
use async_trait::async_trait;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

pub struct HttpFetcher {
    /// Tests fetch from a server on loopback; production never does.
    allow_private: bool,
    timeout: Duration,
}

impl HttpFetcher {
    pub fn new(allow_private: bool) -> HttpFetcher {
        HttpFetcher {
            allow_private,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

#[async_trait]
impl MediaFetcher for HttpFetcher {
    async fn fetch(&self, url: &str, max_bytes: usize) -> Result<(Vec<u8>, String), String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("only http and https URLs are fetched".into());
        }
        let host = parsed
            .host_str()
            .ok_or("the URL has no host")?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> =
            tokio::time::timeout(self.timeout, tokio::net::lookup_host((host.as_str(), port)))
                .await
                .map_err(|_| "the name did not resolve in time".to_string())?
                .map_err(|e| format!("the name does not resolve: {e}"))?
                .collect();
        let Some(addr) = addrs.first().copied() else {
            return Err("the name does not resolve".into());
        };
        if !self.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
            return Err("the URL points at a private or local address".into());
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, addr)
            .build()
            .map_err(|e| e.to_string())?;
        let mut res = client
            .get(parsed.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("HTTP {}", res.status()));
        }
        if res.content_length().is_some_and(|n| n > max_bytes as u64) {
            return Err("the file is larger than the limit".into());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| e.to_string())? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err("the file is larger than the limit".into());
            }
            bytes.extend_from_slice(&chunk);
        }
        let name = parsed
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .unwrap_or("media")
            .to_string();
        Ok((bytes, name))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["1.1.1.1", "114.114.114.114", "2400:3200::1"] {
            assert!(is_public(a.parse().unwrap()), "{a}");
        }
    }

    #[tokio::test]
    async fn refuses_other_schemes_and_local_hosts() {
        let f = HttpFetcher::new(false);
        assert!(f.fetch("file:///etc/passwd", 100).await.is_err());
        assert!(f.fetch("ftp://example.org/a.jpg", 100).await.is_err());
        let e = f.fetch("http://127.0.0.1:9/a.jpg", 100).await.unwrap_err();
        assert!(e.contains("private"), "{e}");
        let e = f.fetch("http://[::1]:9/a.jpg", 100).await.unwrap_err();
        assert!(e.contains("private"), "{e}");
    }
}
