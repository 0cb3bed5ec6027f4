//! Which weeks of the year have a public holiday, per region.

/// Weeks with a public holiday in the UK: New Year, Easter, the May bank holidays, the August
/// bank holiday and Christmas.
pub(crate) const UK_HOLIDAY_WEEKS: &[i64] = &[1, 14, 15, 18, 22, 35, 52];

/// Weeks with a public holiday elsewhere (a US-like calendar).
pub(crate) const DEFAULT_HOLIDAY_WEEKS: &[i64] = &[1, 3, 8, 22, 27, 36, 41, 46, 47, 52];
