//! The one source of randomness: which of a reply list's entries is sent.

/// A uniformly random element (`None` for an empty slice). The OS's random source, as everywhere in wxkit; if it
/// fails, the first element (a reply is worth more than its variety).
pub(crate) fn pick<T>(items: &[T]) -> Option<&T> {
    let n = u32::try_from(items.len()).unwrap_or(u32::MAX);
    if n == 0 {
        return None;
    }
    let r = getrandom::u32().unwrap_or(0);
    // Modulo bias over a few dozen entries is far below anything a follower could notice.
    items.get((r % n) as usize)
}
