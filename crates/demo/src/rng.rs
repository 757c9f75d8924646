//! A tiny deterministic PRNG (splitmix64) and the civil-date arithmetic the generator needs.
//! No `rand` crate: the demo must produce the same district history for the same seed forever,
//! whatever version of a random-number crate happens to be resolved.

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// An independent generator for item `index` of the stream seeded with `seed`, so case `i` does
    /// not depend on how many random numbers cases `0..i` consumed.
    pub fn for_item(seed: u64, index: u64) -> Self {
        let mut base = Self::new(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let s = base.next_u64();
        Self(s ^ index)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a collection of length `len` (`0` when empty).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a slice; callers pass the literal, non-empty tables of this crate.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// Index drawn with probability proportional to `weights` (all non-negative).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Index drawn from a cumulative weight table (strictly what `cumulative` returns).
    pub fn cumulative_pick(&mut self, cum: &[f64]) -> usize {
        let total = cum.last().copied().unwrap_or(0.0);
        if total <= 0.0 {
            return 0;
        }
        let x = self.unit() * total;
        cum.partition_point(|c| *c <= x).min(cum.len() - 1)
    }
}

/// Running sums of `weights`, for [`SplitMix64::cumulative_pick`].
pub fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect()
}

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// China Standard Time, UTC+8, no daylight saving.
pub const CST_OFFSET_MS: i64 = 8 * HOUR_MS;

/// Days since 1970-01-01 of the civil (Beijing-time) date containing the instant.
pub fn local_day(ms: i64) -> i64 {
    (ms + CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// The instant at which Beijing-time day `day` begins.
pub fn local_day_start_ms(day: i64) -> i64 {
    day * DAY_MS - CST_OFFSET_MS
}

/// `(year, month 1..=12, day 1..=31)` of a day number (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// 0 = Sunday … 6 = Saturday.
pub fn weekday(day: i64) -> u32 {
    (day + 4).rem_euclid(7) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(weekday(0), 4); // a Thursday
        // 2024-02-29 is day 19782
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        // 2025-01-01 08:00 Beijing is 2025-01-01 00:00 UTC
        assert_eq!(local_day(1_735_689_600_000), 20_089);
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
        assert_eq!(
            local_day_start_ms(20_089),
            1_735_689_600_000 - CST_OFFSET_MS
        );
    }

    #[test]
    fn same_seed_same_numbers() {
        let a: Vec<u64> = (0..5)
            .map(|_| 0)
            .scan(SplitMix64::new(7), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .map(|_| 0)
            .scan(SplitMix64::new(7), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        let mut r = SplitMix64::new(1);
        for _ in 0..1000 {
            assert!(r.below(10) < 10);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((3..=5).contains(&r.range(3, 5)));
        }
    }

    #[test]
    fn cumulative_pick_respects_weights() {
        let cum = cumulative([0.0, 1.0, 0.0, 3.0]);
        let mut r = SplitMix64::new(3);
        let mut counts = [0usize; 4];
        for _ in 0..4000 {
            counts[r.cumulative_pick(&cum)] += 1;
        }
        assert_eq!(counts[0], 0);
        assert_eq!(counts[2], 0);
        assert!(counts[3] > 2 * counts[1], "{counts:?}");
    }
}
