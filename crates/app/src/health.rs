//! Readiness: whether this process can serve requests now, asked of the database itself (never a
//! cache) and bounded by a short timeout, so that a load balancer stops sending traffic to a
//! replica whose database is gone, refuses connections or hangs.

use crate::App;
use std::time::Duration;

impl App {
    /// `Ok` when the database answered within `Settings::ready_timeout_ms`; else why not.
    pub async fn ready(&self) -> Result<(), String> {
        let ms = self.settings.ready_timeout_ms.max(1);
        let limit = Duration::from_millis(u64::try_from(ms).unwrap_or(1));
        match tokio::time::timeout(limit, self.store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("the database did not answer within {ms} ms")),
        }
    }
}
