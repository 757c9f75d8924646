//! A value read from the database and kept for a short while: settings and catalogues that every
//! intake consults but that change a few times a year. A change made through this process drops
//! the copy at once (`invalidate`); one made by another replica is seen at most `ttl` later, the
//! same bound as the org tree and the time rules.

use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub struct TtlCache<T> {
    slot: RwLock<Option<(Instant, Arc<T>)>>,
    ttl: Duration,
}

impl<T> TtlCache<T> {
    pub fn new(ttl: Duration) -> Self {
        TtlCache {
            slot: RwLock::new(None),
            ttl,
        }
    }

    /// The kept value, or a fresh one from `load` when there is none or it is older than `ttl`.
    /// Two callers racing on an expired value may both load; the later one is kept.
    pub async fn get<E, F, Fut>(&self, load: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Ok(slot) = self.slot.read()
            && let Some((at, v)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(v.clone());
        }
        let v = Arc::new(load().await?);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((Instant::now(), v.clone()));
        }
        Ok(v)
    }

    pub fn invalidate(&self) {
        if let Ok(mut slot) = self.slot.write() {
            *slot = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_until_invalidated_or_expired() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(keeps());
    }

    async fn keeps() {
        let c: TtlCache<u32> = TtlCache::new(Duration::from_secs(60));
        let a = c.get(|| async { Ok::<_, ()>(1) }).await.unwrap();
        let b = c.get(|| async { Ok::<_, ()>(2) }).await.unwrap();
        assert_eq!((*a, *b), (1, 1), "the second read is served from the copy");
        c.invalidate();
        assert_eq!(*c.get(|| async { Ok::<_, ()>(3) }).await.unwrap(), 3);
        let short: TtlCache<u32> = TtlCache::new(Duration::ZERO);
        short.get(|| async { Ok::<_, ()>(1) }).await.unwrap();
        assert_eq!(*short.get(|| async { Ok::<_, ()>(2) }).await.unwrap(), 2);
        c.invalidate();
        assert_eq!(c.get(|| async { Err::<u32, _>("x") }).await, Err("x"));
        assert_eq!(*c.get(|| async { Ok::<_, ()>(4) }).await.unwrap(), 4);
    }
}
