//! Per-key rate limits (a keyed token bucket from `governor`) for logins, sign-ups,
//! API calls and AI requests. It forgets keys that are back to a full bucket once it
//! tracks many, so a caller cycling addresses cannot grow it without bound.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::num::NonZeroU32;

/// Keys tracked before the idle ones are forgotten.
const MAX_KEYS: usize = 10_000;

pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn per_minute(count: u32) -> Self {
        Self::new(Quota::per_minute(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN)))
    }

    pub fn per_hour(count: u32) -> Self {
        Self::new(Quota::per_hour(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN)))
    }

    fn new(quota: Quota) -> Self {
        KeyedLimiter { limiter: RateLimiter::keyed(quota) }
    }

    /// Takes one request for `key`; when over the limit, the whole seconds to wait.
    pub fn check(&self, key: K) -> Result<(), u64> {
        if self.limiter.len() > MAX_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}
