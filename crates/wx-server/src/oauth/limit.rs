//! Code exchanges per client: a token bucket per client address, so that nobody can make the server spend
//! WeChat calls (`sns/oauth2/access_token`) at will with self-issued states and made-up codes.
//!
//! A bucket holds a minute's worth of exchanges and refills continuously. An exchange takes one before WeChat
//! is called, and one that succeeds gives it back: a successful exchange needs a code WeChat issued to a user
//! who consented, which is no abuse, and so clients sharing an address (a NAT, or a reverse proxy in front of
//! the server, whose address every client then has) are limited only by their failed and in-flight exchanges.
//! IPv6 clients are keyed by their /64 (one subscriber's network), IPv4-mapped addresses as IPv4.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Buckets kept at most; past it, full ones are forgotten first (a full bucket is what a new client gets).
const CAPACITY: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The per-client token buckets.
pub(crate) struct ClientLimiter {
    /// Tokens a bucket holds, and refills per minute.
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// The bucket key for a connection's peer: its IP, IPv6 by /64. Without a peer address (the router served
/// by something that does not record it) every request shares one bucket.
pub(crate) fn client_key(peer: Option<SocketAddr>) -> IpAddr {
    match peer.map(|p| p.ip()) {
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
        Some(v4) => v4,
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

impl ClientLimiter {
    /// Buckets of `per_minute` tokens, refilled at `per_minute` a minute.
    pub(crate) fn new(per_minute: NonZeroU32) -> Self {
        let burst = f64::from(per_minute.get());
        Self {
            burst,
            per_second: burst / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
    }

    /// Takes one exchange from `client`'s bucket, or says how long until it has one.
    pub(crate) fn try_take(&self, client: IpAddr) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if buckets.len() >= CAPACITY && !buckets.contains_key(&client) {
            self.make_room(&mut buckets, now);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.per_second))
        }
    }

    /// Gives back the exchange `client` took (it succeeded).
    pub(crate) fn give_back(&self, client: IpAddr) {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(&client) {
            self.refill(bucket, Instant::now());
            bucket.tokens = (bucket.tokens + 1.0).min(self.burst);
        }
    }

    /// Forgets the buckets that have refilled (the same as a new one); if none has, the least recently used.
    fn make_room(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        buckets
            .retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * self.per_second < self.burst);
        if buckets.len() >= CAPACITY
            && let Some(oldest) = buckets.iter().min_by_key(|(_, b)| b.at).map(|(k, _)| *k)
        {
            buckets.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_holds_a_minutes_worth_and_successes_give_theirs_back() {
        let limiter = ClientLimiter::new(NonZeroU32::new(3).unwrap());
        let a = client_key(Some("192.0.2.1:1".parse().unwrap()));
        let b = client_key(Some("192.0.2.2:1".parse().unwrap()));
        for _ in 0..3 {
            assert_eq!(limiter.try_take(a), Ok(()));
        }
        let wait = limiter.try_take(a).unwrap_err();
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(limiter.try_take(b), Ok(()), "another client has its own bucket");
        limiter.give_back(a);
        assert_eq!(limiter.try_take(a), Ok(()));
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let key = |s: &str| client_key(Some(s.parse().unwrap()));
        assert_eq!(key("[2001:db8:1:2:aaaa::1]:1"), key("[2001:db8:1:2:bbbb::2]:9"));
        assert_ne!(key("[2001:db8:1:2::1]:1"), key("[2001:db8:1:3::1]:1"));
        assert_eq!(key("[::ffff:192.0.2.1]:1"), key("192.0.2.1:2"));
    }
}
