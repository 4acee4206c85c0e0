//! The one pagination rule of every list query: results after `start_after` (exclusive),
//! `limit` of them, [`DEFAULT_LIMIT`] when not given, clamped to 1-[`MAX_LIMIT`].

use cw_storage_plus::{Bound, PrimaryKey};

pub const DEFAULT_LIMIT: u32 = 30;
pub const MAX_LIMIT: u32 = 100;

/// How many items a page holds.
pub fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

/// The lower bound and size of a page: `range(storage, start, None, Order::Ascending)
/// .take(limit)`.
pub fn page<'a, K: PrimaryKey<'a>>(
    start_after: Option<K>,
    limit: Option<u32>,
) -> (Option<Bound<'a, K>>, usize) {
    (start_after.map(Bound::exclusive), page_limit(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_clamped() {
        assert_eq!(page_limit(None), 30);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(7)), 7);
        assert_eq!(page_limit(Some(1_000)), 100);
        let (start, n) = page(Some(5u64), None);
        assert!(matches!(start, Some(Bound::Exclusive((5, _)))));
        assert_eq!(n, 30);
    }
}
