//! Time zones as "which UTC offset is in force at this instant", without a tz database in the wasm.
//!
//! Everything calendar-related in FleetLens asks a [`ZoneOffsets`] one question: the UTC offset in
//! force at a UTC instant. Four answers:
//!
//! * [`Utc`] and [`FixedOffset`]: constant offsets.
//! * [`OffsetTable`]: a table of offset changes supplied by the host. In the browser, `Intl`
//!   computes the pieces for the dashboard's zone over the range shown, so the wasm carries no tz
//!   database.
//! * [`IanaZone`] (native builds only): a zone by IANA name (`Europe/Berlin`) from chrono-tz, for
//!   the CLI and the tests.
//!
//! [`local_to_utc`] turns a local wall-clock time into a UTC instant with any of them, handling
//! daylight-saving gaps and overlaps the same way for all four.

#![allow(
    clippy::arithmetic_side_effects,
    reason = "indices into a sorted offset table held in memory, a binary search's midpoint taken as lo + (hi - lo) / 2, and offsets of at most MAX_OFFSET_MS"
)]

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Milliseconds per day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// The largest UTC offset accepted, exclusive: 24 hours. Real offsets stay within −12:00 … +14:00
/// (historic local mean times reach about ±15:13); anything at or beyond a whole day is a unit
/// mistake (seconds vs milliseconds) in the host's table.
pub const MAX_OFFSET_MS: i64 = DAY_MS;

/// How far around a wall-clock time [`local_to_utc`] looks for offset changes: two days. An offset
/// changes by less than 24 h at once, even Pacific/Apia's jump over 2011-12-30 (−10:00 → +14:00,
/// exactly 24 h of wall clock), so every UTC instant that can show a given wall-clock time lies
/// within one day of it; a second day of margin sees the offsets in force on both sides of a
/// change. Assumes at most one offset change within two days, which holds for every IANA zone in
/// the years dashboards show.
const SEARCH_MS: i64 = 2 * DAY_MS;

/// The question every calendar computation asks of a time zone.
pub trait ZoneOffsets {
    /// The UTC offset in milliseconds (local − UTC: Berlin in summer is `+7_200_000`) in force at
    /// the UTC instant `utc_ms` (epoch milliseconds).
    fn offset_ms_at(&self, utc_ms: i64) -> i64;
}

/// Coordinated Universal Time: offset 0 always.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Utc;

impl ZoneOffsets for Utc {
    fn offset_ms_at(&self, _utc_ms: i64) -> i64 {
        0
    }
}

/// A constant UTC offset (`+05:45`), e.g. a dashboard set to a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedOffset {
    offset_ms: i64,
}

impl FixedOffset {
    /// A fixed offset of `offset_ms` milliseconds east of UTC.
    ///
    /// Errors when `|offset_ms| >=` [`MAX_OFFSET_MS`].
    pub fn new(offset_ms: i64) -> Result<Self> {
        check_offset(offset_ms, "fixed offset")?;
        Ok(Self { offset_ms })
    }

    /// The offset in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms
    }
}

impl ZoneOffsets for FixedOffset {
    fn offset_ms_at(&self, _utc_ms: i64) -> i64 {
        self.offset_ms
    }
}

/// One piece of an [`OffsetTable`]: from the UTC instant `fromMs` on, the offset is `offsetMs`.
///
/// JSON: `{"fromMs": 1743296400000, "offsetMs": 7200000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OffsetPiece {
    /// First UTC instant (epoch milliseconds) at which `offset_ms` applies.
    pub from_ms: i64,
    /// The UTC offset from then on, milliseconds east of UTC.
    pub offset_ms: i64,
}

/// A time zone given as the offsets a host computed (the browser's `Intl` for the dashboard's
/// zone): a list of [`OffsetPiece`]s sorted by `fromMs`.
///
/// The offset at `t` is that of the last piece with `fromMs <= t`; before the first piece, the
/// first piece's offset applies (so a table of one piece is a fixed offset). The host should cover
/// the range it asks about plus two days either side, which is how far [`local_to_utc`] looks.
///
/// JSON (Europe/Berlin around the 2025 spring change):
/// `[{"fromMs": 1729990800000, "offsetMs": 3600000}, {"fromMs": 1743296400000, "offsetMs": 7200000}]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<OffsetPiece>", into = "Vec<OffsetPiece>")]
pub struct OffsetTable {
    pieces: Vec<OffsetPiece>,
}

impl OffsetTable {
    /// Validates a table.
    ///
    /// Errors: an empty table, pieces not strictly increasing in `fromMs` (unsorted or a
    /// duplicate start), an offset at or beyond ±24 h. Consecutive pieces with the same offset are
    /// allowed (Intl may report a change of abbreviation only).
    pub fn new(pieces: Vec<OffsetPiece>) -> Result<Self> {
        if pieces.is_empty() {
            return Err(Error::InvalidConfig(
                "offset table: no pieces (give at least one {fromMs, offsetMs})".to_owned(),
            ));
        }
        for (i, pair) in pieces.windows(2).enumerate() {
            if let [a, b] = pair {
                if b.from_ms <= a.from_ms {
                    return Err(Error::InvalidConfig(format!(
                        "offset table: piece {} starts at {} ms, not after piece {} at {} ms (sort the pieces by fromMs, each start once)",
                        i + 1,
                        b.from_ms,
                        i,
                        a.from_ms
                    )));
                }
            }
        }
        for (i, p) in pieces.iter().enumerate() {
            check_offset(p.offset_ms, &format!("offset table: piece {i}"))?;
        }
        Ok(Self { pieces })
    }

    /// The pieces, sorted by `from_ms`.
    pub fn pieces(&self) -> &[OffsetPiece] {
        &self.pieces
    }

    /// Samples `zone` into a table covering `[from_ms, to_ms]`: one piece per offset change found
    /// by scanning at `probe_ms` steps and bisecting each change to the millisecond. Meant for
    /// tests and for hosts that can only evaluate offsets pointwise.
    ///
    /// Errors: `from_ms > to_ms` or `probe_ms <= 0`.
    pub fn sample<Z: ZoneOffsets + ?Sized>(
        zone: &Z,
        from_ms: i64,
        to_ms: i64,
        probe_ms: i64,
    ) -> Result<Self> {
        if from_ms > to_ms || probe_ms <= 0 {
            return Err(Error::InvalidInput(format!(
                "offset table: cannot sample [{from_ms}, {to_ms}] every {probe_ms} ms"
            )));
        }
        let mut pieces = vec![OffsetPiece {
            from_ms,
            offset_ms: zone.offset_ms_at(from_ms),
        }];
        let mut t = from_ms;
        let mut current = zone.offset_ms_at(t);
        while t < to_ms {
            let next = t.saturating_add(probe_ms).min(to_ms);
            let o = zone.offset_ms_at(next);
            if o != current {
                let change = first_instant(t + 1, next, |u| zone.offset_ms_at(u) != current);
                let offset_ms = zone.offset_ms_at(change);
                pieces.push(OffsetPiece {
                    from_ms: change,
                    offset_ms,
                });
                current = offset_ms;
                // A second change within the same probe is found on the next turn from `change`.
                t = change;
                continue;
            }
            t = next;
        }
        Self::new(pieces)
    }
}

impl TryFrom<Vec<OffsetPiece>> for OffsetTable {
    type Error = Error;

    fn try_from(pieces: Vec<OffsetPiece>) -> Result<Self> {
        Self::new(pieces)
    }
}

impl From<OffsetTable> for Vec<OffsetPiece> {
    fn from(table: OffsetTable) -> Self {
        table.pieces
    }
}

impl ZoneOffsets for OffsetTable {
    fn offset_ms_at(&self, utc_ms: i64) -> i64 {
        let after = self.pieces.partition_point(|p| p.from_ms <= utc_ms);
        let index = after.saturating_sub(1);
        self.pieces.get(index).map_or(0, |p| p.offset_ms)
    }
}

/// An IANA time zone by name (`Europe/Berlin`), from chrono-tz's copy of the tz database. Native
/// builds only: the wasm takes an [`OffsetTable`] from the browser instead.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IanaZone {
    tz: chrono_tz::Tz,
}

#[cfg(not(target_arch = "wasm32"))]
impl IanaZone {
    /// Looks a zone up by its IANA name (case-sensitive, as the database spells it; `UTC` works).
    ///
    /// Errors: `time zone "Mars/Olympus" does not exist`.
    pub fn from_name(name: &str) -> Result<Self> {
        name.trim()
            .parse::<chrono_tz::Tz>()
            .map(|tz| Self { tz })
            .map_err(|_| {
                Error::InvalidConfig(format!(
                    "time zone \"{name}\" does not exist (use an IANA name such as Europe/Berlin, America/New_York or UTC)"
                ))
            })
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.tz.name()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ZoneOffsets for IanaZone {
    fn offset_ms_at(&self, utc_ms: i64) -> i64 {
        use chrono::{Offset, TimeZone};
        // chrono covers ±262,000 years; clamp far beyond any dashboard rather than fail.
        let clamped = utc_ms.clamp(MIN_SUPPORTED_MS - SEARCH_MS, MAX_SUPPORTED_MS + SEARCH_MS);
        chrono::DateTime::from_timestamp_millis(clamped).map_or(0, |dt| {
            let secs = self
                .tz
                .offset_from_utc_datetime(&dt.naive_utc())
                .fix()
                .local_minus_utc();
            i64::from(secs) * 1000
        })
    }
}

/// The earliest supported instant, 0001-01-01T00:00:00Z: calendar functions reject times before
/// it with an error instead of computing with dates chrono cannot name.
pub const MIN_SUPPORTED_MS: i64 = -62_135_596_800_000;

/// The latest supported instant, 9999-12-31T23:59:59.999Z.
pub const MAX_SUPPORTED_MS: i64 = 253_402_300_799_999;

/// Checks that `t` lies in the supported range, naming `what` otherwise.
pub(crate) fn check_time(t: i64, what: &str) -> Result<()> {
    if (MIN_SUPPORTED_MS..=MAX_SUPPORTED_MS).contains(&t) {
        Ok(())
    } else {
        Err(Error::InvalidTime(format!(
            "{what} {t} ms is outside the years 1 to 9999"
        )))
    }
}

fn check_offset(offset_ms: i64, what: &str) -> Result<()> {
    if offset_ms.abs() < MAX_OFFSET_MS {
        Ok(())
    } else {
        Err(Error::InvalidConfig(format!(
            "{what}: offset {offset_ms} ms is not within ±24 h (offsets are milliseconds east of UTC: +02:00 is 7200000)"
        )))
    }
}

/// The UTC instant of the local wall-clock time `local_ms` (the wall-clock reading written as if
/// it were UTC epoch milliseconds) in `zone`.
///
/// Special cases, the rules Grafana, Temporal (`disambiguation: "compatible"`) and most calendars
/// use:
/// * **Gap** (the wall clock jumps forward over `local_ms`, e.g. 02:30 on a spring-forward day,
///   or all of 2011-12-30 in Pacific/Apia): the next instant that exists, i.e. the moment of the
///   change. Midnight 2011-12-30 in Apia is 2011-12-30T10:00:00Z (= 2011-12-31 00:00 +14:00).
/// * **Overlap** (the wall clock falls back and shows `local_ms` twice): the earlier instant.
///
/// Assumes at most one offset change within two days of `local_ms` (see `SEARCH_MS`).
pub fn local_to_utc<Z: ZoneOffsets + ?Sized>(zone: &Z, local_ms: i64) -> i64 {
    let candidates = [
        zone.offset_ms_at(local_ms.saturating_sub(SEARCH_MS)),
        zone.offset_ms_at(local_ms),
        zone.offset_ms_at(local_ms.saturating_add(SEARCH_MS)),
    ];
    let earliest = candidates
        .iter()
        .map(|o| local_ms.saturating_sub(*o))
        .filter(|u| local_ms.saturating_sub(zone.offset_ms_at(*u)) == *u)
        .min();
    if let Some(u) = earliest {
        return u;
    }
    // A gap: the wall clock u + offset(u) rises monotonically through the window (no fall-back
    // within two days of a gap), so bisect for the first instant whose wall clock reaches
    // `local_ms`: the moment of the change.
    first_instant(
        local_ms.saturating_sub(SEARCH_MS),
        local_ms.saturating_add(SEARCH_MS),
        |u| u.saturating_add(zone.offset_ms_at(u)) >= local_ms,
    )
}

/// The local wall-clock reading (as epoch milliseconds) of the UTC instant `utc_ms` in `zone`.
pub fn utc_to_local<Z: ZoneOffsets + ?Sized>(zone: &Z, utc_ms: i64) -> i64 {
    utc_ms.saturating_add(zone.offset_ms_at(utc_ms))
}

/// The first `u` in `[lo, hi]` for which `pred` holds, assuming `pred` is false then true over the
/// interval; `hi` when it never holds.
fn first_instant(mut lo: i64, mut hi: i64, pred: impl Fn(i64) -> bool) -> i64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    hi
}

// The tests compare with IANA zones from chrono-tz, which the wasm build leaves out.
#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
pub(super) mod tests {
    use super::*;

    /// Epoch milliseconds of an RFC 3339 time.
    pub(in crate::window) fn ms(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    /// A local wall-clock reading as epoch milliseconds.
    fn wall(text: &str) -> i64 {
        ms(&format!("{text}Z"))
    }

    const H: i64 = 3_600_000;

    #[test]
    fn offsets_of_real_zones() {
        let cases: &[(&str, &str, i64)] = &[
            ("Europe/Berlin", "2025-01-15T12:00:00Z", H),
            ("Europe/Berlin", "2025-07-15T12:00:00Z", 2 * H),
            // The spring change is at 01:00Z: one millisecond before it is still winter.
            ("Europe/Berlin", "2025-03-30T00:59:59.999Z", H),
            ("Europe/Berlin", "2025-03-30T01:00:00Z", 2 * H),
            ("America/New_York", "2025-01-15T12:00:00Z", -5 * H),
            ("America/New_York", "2025-07-15T12:00:00Z", -4 * H),
            (
                "Asia/Kathmandu",
                "2025-01-15T12:00:00Z",
                5 * H + 45 * 60_000,
            ),
            // Lord Howe: +10:30 standard, +11:00 in (southern) summer.
            (
                "Australia/Lord_Howe",
                "2025-07-15T12:00:00Z",
                10 * H + 30 * 60_000,
            ),
            ("Australia/Lord_Howe", "2025-01-15T12:00:00Z", 11 * H),
            ("Pacific/Apia", "2011-12-29T12:00:00Z", -10 * H),
            ("Pacific/Apia", "2011-12-31T12:00:00Z", 14 * H),
            ("UTC", "2025-07-15T12:00:00Z", 0),
        ];
        for (name, at, want) in cases {
            let zone = IanaZone::from_name(name).unwrap();
            assert_eq!(zone.offset_ms_at(ms(at)), *want, "case {name} {at} failed");
        }
    }

    #[test]
    fn unknown_zone_is_named() {
        let err = IanaZone::from_name("Mars/Olympus").unwrap_err().to_string();
        assert!(
            err.contains("time zone \"Mars/Olympus\" does not exist"),
            "{err}"
        );
    }

    #[test]
    fn wall_clock_to_utc() {
        let cases: &[(&str, &str, &str)] = &[
            // Plain winter and summer midnights.
            (
                "Europe/Berlin",
                "2025-01-01T00:00:00",
                "2024-12-31T23:00:00Z",
            ),
            (
                "Europe/Berlin",
                "2025-04-01T00:00:00",
                "2025-03-31T22:00:00Z",
            ),
            // Gap: 02:30 does not exist on 2025-03-30 (02:00 CET → 03:00 CEST at 01:00Z); the next
            // instant that exists is the change itself.
            (
                "Europe/Berlin",
                "2025-03-30T02:30:00",
                "2025-03-30T01:00:00Z",
            ),
            // Overlap: 02:30 happens twice on 2025-10-26 (00:30Z at +02:00, 01:30Z at +01:00);
            // the earlier one.
            (
                "Europe/Berlin",
                "2025-10-26T02:30:00",
                "2025-10-26T00:30:00Z",
            ),
            // New York: spring gap 02:00–03:00 on 2025-03-09 (change at 07:00Z).
            (
                "America/New_York",
                "2025-03-09T02:15:00",
                "2025-03-09T07:00:00Z",
            ),
            // Fall overlap 01:00–02:00 on 2025-11-02: earlier = EDT (-4) → 05:30Z.
            (
                "America/New_York",
                "2025-11-02T01:30:00",
                "2025-11-02T05:30:00Z",
            ),
            // Lord Howe moves 30 minutes: 02:00 → 02:30 on 2025-10-05 (+10:30 → +11:00, change
            // at 15:30Z the day before).
            (
                "Australia/Lord_Howe",
                "2025-10-05T02:10:00",
                "2025-10-04T15:30:00Z",
            ),
            // Back on 2025-04-06: 02:00 (+11) → 01:30 (+10:30); 01:45 happens twice, earlier at
            // +11:00 = 14:45Z.
            (
                "Australia/Lord_Howe",
                "2025-04-06T01:45:00",
                "2025-04-05T14:45:00Z",
            ),
            (
                "Asia/Kathmandu",
                "2025-06-01T00:00:00",
                "2025-05-31T18:15:00Z",
            ),
            // Apia skipped all of 2011-12-30: 2011-12-29 24:00 (-10:00) = 2011-12-30T10:00Z was
            // followed by 2011-12-31 00:00 (+14:00).
            (
                "Pacific/Apia",
                "2011-12-30T00:00:00",
                "2011-12-30T10:00:00Z",
            ),
            (
                "Pacific/Apia",
                "2011-12-30T15:00:00",
                "2011-12-30T10:00:00Z",
            ),
            (
                "Pacific/Apia",
                "2011-12-31T00:00:00",
                "2011-12-30T10:00:00Z",
            ),
            (
                "Pacific/Apia",
                "2011-12-29T00:00:00",
                "2011-12-29T10:00:00Z",
            ),
        ];
        for (name, local, want) in cases {
            let zone = IanaZone::from_name(name).unwrap();
            assert_eq!(
                local_to_utc(&zone, wall(local)),
                ms(want),
                "case {name} {local} failed"
            );
            // The same answers from a host-style table of the zone's offsets.
            let table = OffsetTable::sample(
                &zone,
                wall(local) - 5 * DAY_MS,
                wall(local) + 5 * DAY_MS,
                6 * H,
            )
            .unwrap();
            assert_eq!(
                local_to_utc(&table, wall(local)),
                ms(want),
                "case {name} {local} (table) failed"
            );
        }
    }

    #[test]
    fn offset_tables() {
        let piece = |from_ms, offset_ms| OffsetPiece { from_ms, offset_ms };
        let table = OffsetTable::new(vec![piece(1000, H), piece(5000, 2 * H)]).unwrap();
        let cases: &[(i64, i64)] = &[
            (0, H),
            (1000, H),
            (4999, H),
            (5000, 2 * H),
            (1 << 50, 2 * H),
        ];
        for (t, want) in cases {
            assert_eq!(table.offset_ms_at(*t), *want, "case t={t} failed");
        }
        let bad: &[(Vec<OffsetPiece>, &str)] = &[
            (vec![], "no pieces"),
            (vec![piece(5, 0), piece(1, 0)], "piece 1 starts at 1 ms"),
            (vec![piece(5, 0), piece(5, H)], "not after piece 0"),
            (vec![piece(0, 86_400_000)], "not within ±24 h"),
        ];
        for (pieces, want) in bad {
            let err = OffsetTable::new(pieces.clone()).unwrap_err().to_string();
            assert!(err.contains(want), "case {want} failed: {err}");
        }
        let json: OffsetTable =
            serde_json::from_str(r#"[{"fromMs": 0, "offsetMs": 3600000}]"#).unwrap();
        assert_eq!(json.offset_ms_at(7), H);
        let err = serde_json::from_str::<OffsetTable>("[]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no pieces"), "{err}");
        assert!(FixedOffset::new(-24 * H).is_err());
        assert_eq!(FixedOffset::new(-9 * H).unwrap().offset_ms_at(0), -9 * H);
    }
}
