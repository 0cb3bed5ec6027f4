//! Fingerprints of Polars values see every value and every detail of every dtype: two frames
//! that differ anywhere never share a fingerprint, so a cached result is never served for a
//! different input.

use hamilton_core::cache::Fingerprinter;
use hamilton_polars::cache::{fingerprint_dataframe, fingerprint_series};
use polars::prelude::*;
use proptest::prelude::*;

fn series_version(s: &Series) -> String {
    let mut f = Fingerprinter::new();
    fingerprint_series(s, &mut f);
    f.finish().unwrap().to_string()
}

fn frame_version(df: &DataFrame) -> Option<String> {
    let mut f = Fingerprinter::new();
    fingerprint_dataframe(df, &mut f);
    f.finish().ok().map(|v| v.to_string())
}

fn strings(values: &[&str]) -> Series {
    Series::new("c".into(), values)
}

#[test]
fn enums_with_the_same_codes_and_other_categories_fingerprint_apart() {
    let xy = DataType::from_frozen_categories(FrozenCategories::new(["x", "y"]).unwrap());
    let yx = DataType::from_frozen_categories(FrozenCategories::new(["y", "x"]).unwrap());
    // Codes [0, 1] in both: the values are ["x", "y"] and ["y", "x"].
    let a = strings(&["x", "y"]).cast(&xy).unwrap();
    let b = strings(&["y", "x"]).cast(&yx).unwrap();
    assert_ne!(series_version(&a), series_version(&b));
    // The same values under another category order sort differently: another dtype.
    let c = strings(&["x", "y"]).cast(&yx).unwrap();
    assert_ne!(series_version(&a), series_version(&c));
    // Equal enums built twice fingerprint alike.
    let again = DataType::from_frozen_categories(FrozenCategories::new(["x", "y"]).unwrap());
    let d = strings(&["x", "y"]).cast(&again).unwrap();
    assert_eq!(series_version(&a), series_version(&d));
}

#[test]
fn categoricals_fingerprint_by_their_strings_not_by_codes_of_a_mapping() {
    let categorical = || {
        DataType::from_categories(Categories::new(
            "fingerprint-test".into(),
            "".into(),
            CategoricalPhysical::U32,
        ))
    };
    // A fresh mapping gives the first string seen code 0, as a fresh process would.
    let first = {
        let s = strings(&["y", "x"]).cast(&categorical()).unwrap();
        (
            series_version(&s),
            s.to_physical_repr().u32().unwrap().to_vec(),
        )
    };
    let second = {
        let s = strings(&["x", "y"]).cast(&categorical()).unwrap();
        (
            series_version(&s),
            s.to_physical_repr().u32().unwrap().to_vec(),
        )
    };
    assert_eq!(first.1, second.1, "the same codes for other strings");
    assert_ne!(first.0, second.0);
    let third = strings(&["y", "x"]).cast(&categorical()).unwrap();
    assert_eq!(series_version(&third), first.0);
}

#[test]
fn time_zones_units_and_binary_are_part_of_the_fingerprint() {
    let ints = Series::new("t".into(), [1_i64, 2]);
    let dt = |unit, zone: Option<TimeZone>| {
        ints.i64()
            .unwrap()
            .clone()
            .into_datetime(unit, zone)
            .into_series()
    };
    let versions = [
        series_version(&dt(TimeUnit::Microseconds, None)),
        series_version(&dt(TimeUnit::Microseconds, Some(TimeZone::UTC))),
        series_version(&dt(
            TimeUnit::Microseconds,
            TimeZone::opt_try_new(Some("Europe/Paris")).unwrap(),
        )),
        series_version(&dt(TimeUnit::Milliseconds, None)),
        series_version(&dt(TimeUnit::Nanoseconds, None)),
        series_version(
            &ints
                .cast(&DataType::Duration(TimeUnit::Microseconds))
                .unwrap(),
        ),
        series_version(&ints),
    ];
    for (i, a) in versions.iter().enumerate() {
        for b in &versions[i + 1..] {
            assert_ne!(a, b);
        }
    }
    let bytes = Series::new("c".into(), [b"ab".as_slice()]);
    assert_ne!(series_version(&bytes), series_version(&strings(&["ab"])));
}

/// One column: its name, its kind (every dtype detail) and its values as indices into the
/// kind's small domain (`None` a null). Two equal specs make equal frames, two different ones
/// different frames.
#[derive(Clone, Debug, PartialEq)]
struct ColumnSpec {
    name: u8,
    kind: Kind,
    values: Vec<Option<u8>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Int64,
    Int32,
    Float64,
    Boolean,
    String,
    Binary,
    Date,
    Datetime(u8, u8),
    Duration(u8),
    Categorical,
    Enum(Vec<&'static str>),
}

const WORDS: [&str; 3] = ["x", "y", "xy"];

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Int64),
        Just(Kind::Int32),
        Just(Kind::Float64),
        Just(Kind::Boolean),
        Just(Kind::String),
        Just(Kind::Binary),
        Just(Kind::Date),
        (0..3_u8, 0..3_u8).prop_map(|(u, z)| Kind::Datetime(u, z)),
        (0..3_u8).prop_map(Kind::Duration),
        Just(Kind::Categorical),
        Just(vec!["x", "y", "xy"])
            .prop_shuffle()
            .prop_map(Kind::Enum),
    ]
}

fn unit(u: u8) -> TimeUnit {
    [
        TimeUnit::Nanoseconds,
        TimeUnit::Microseconds,
        TimeUnit::Milliseconds,
    ][usize::from(u)]
}

fn column(spec: &ColumnSpec, chunks: usize) -> Column {
    let name: PlSmallStr = ["a", "b"][usize::from(spec.name)].into();
    let v = &spec.values;
    let ints = || v.iter().map(|x| x.map(i64::from)).collect::<Vec<_>>();
    let words = || {
        v.iter()
            .map(|x| x.map(|i| WORDS[usize::from(i)]))
            .collect::<Vec<_>>()
    };
    let whole = match &spec.kind {
        Kind::Int64 => Series::new(name, ints()),
        Kind::Int32 => Series::new(name, v.iter().map(|x| x.map(i32::from)).collect::<Vec<_>>()),
        Kind::Float64 => Series::new(
            name,
            v.iter()
                .map(|x| x.map(|i| [0.5, -0.0, 0.0][usize::from(i)]))
                .collect::<Vec<_>>(),
        ),
        Kind::Boolean => Series::new(
            name,
            v.iter().map(|x| x.map(|i| i == 1)).collect::<Vec<_>>(),
        ),
        Kind::String => Series::new(name, words()),
        Kind::Binary => Series::new(
            name,
            words()
                .into_iter()
                .map(|w| w.map(str::as_bytes))
                .collect::<Vec<_>>(),
        ),
        Kind::Date => Series::new(name, v.iter().map(|x| x.map(i32::from)).collect::<Vec<_>>())
            .cast(&DataType::Date)
            .unwrap(),
        Kind::Datetime(u, z) => {
            let zone = match z {
                0 => None,
                1 => Some(TimeZone::UTC),
                _ => TimeZone::opt_try_new(Some("Asia/Tokyo")).unwrap(),
            };
            Int64Chunked::new(name, ints())
                .into_datetime(unit(*u), zone)
                .into_series()
        }
        Kind::Duration(u) => Series::new(name, ints())
            .cast(&DataType::Duration(unit(*u)))
            .unwrap(),
        Kind::Categorical => Series::new(name, words())
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap(),
        Kind::Enum(categories) => Series::new(name, words())
            .cast(&DataType::from_frozen_categories(
                FrozenCategories::new(categories.iter().copied()).unwrap(),
            ))
            .unwrap(),
    };
    // The same values in several chunks: not a difference.
    let mut series = whole.slice(0, 0);
    let step = whole.len().div_ceil(chunks.max(1)).max(1);
    let mut at = 0;
    while at < whole.len() {
        series.append(&whole.slice(at as i64, step)).unwrap();
        at += step;
    }
    assert!(series.equals_missing(&whole));
    Column::from(series)
}

fn frame(columns: &[ColumnSpec], chunks: usize) -> DataFrame {
    let height = columns.first().map_or(0, |c| c.values.len());
    DataFrame::new(height, columns.iter().map(|c| column(c, chunks)).collect()).unwrap()
}

/// Specs for frames of `height` rows, from domains small enough that two draws are often
/// equal or one detail apart.
fn frame_spec(height: usize) -> impl Strategy<Value = Vec<ColumnSpec>> {
    prop::collection::vec(
        (
            0..2_u8,
            kind(),
            prop::collection::vec(prop::option::weighted(0.8, 0..3_u8), height),
        )
            .prop_map(|(name, kind, values)| ColumnSpec { name, kind, values }),
        1..3,
    )
    .prop_filter("distinct column names", |columns| {
        columns.len() < 2 || columns[0].name != columns[1].name
    })
}

/// `spec` with each value written one way only (a boolean has two values, not three).
fn normalized(spec: &[ColumnSpec]) -> Vec<ColumnSpec> {
    let mut spec = spec.to_vec();
    for column in &mut spec {
        if column.kind == Kind::Boolean {
            for v in column.values.iter_mut().flatten() {
                *v %= 2;
            }
        }
    }
    spec
}

fn mutated(spec: &[ColumnSpec], which: usize, how: u8, to: u8) -> Vec<ColumnSpec> {
    let mut spec = spec.to_vec();
    let n = spec.len();
    let column = &mut spec[which % n];
    match how {
        0 if !column.values.is_empty() => {
            let i = usize::from(to) % column.values.len();
            column.values[i] = match column.values[i] {
                None => Some(to % 3),
                Some(v) => Some((v + 1 + to % 2) % 3),
            };
        }
        1 if !column.values.is_empty() => {
            let i = usize::from(to) % column.values.len();
            column.values[i] = None;
        }
        2 => {
            column.kind = match &column.kind {
                Kind::Datetime(u, z) if to.is_multiple_of(2) => Kind::Datetime(*u, (z + 1) % 3),
                Kind::Datetime(u, z) => Kind::Datetime((u + 1) % 3, *z),
                Kind::Duration(u) => Kind::Duration((u + 1) % 3),
                Kind::Enum(c) => Kind::Enum(vec![c[1], c[0], c[2]]),
                Kind::Int64 => Kind::Int32,
                Kind::String => Kind::Binary,
                Kind::Categorical => Kind::String,
                _ => Kind::Int64,
            };
        }
        _ => column.name = 1 - column.name,
    }
    spec
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn frames_share_a_fingerprint_exactly_when_equal_in_every_value_and_dtype_detail(
        (a, b) in (0..4_usize).prop_flat_map(|h| (frame_spec(h), frame_spec(h))),
        chunks_a in 1..3_usize,
        chunks_b in 1..3_usize,
    ) {
        let (fa, fb) = (frame(&a, chunks_a), frame(&b, chunks_b));
        let (va, vb) = (frame_version(&fa), frame_version(&fb));
        prop_assert!(va.is_some() && vb.is_some());
        prop_assert_eq!(normalized(&a) == normalized(&b), va == vb, "{:?}\n{:?}", fa, fb);
    }

    #[test]
    fn any_one_change_of_a_value_a_null_a_dtype_detail_or_a_name_changes_the_fingerprint(
        a in (0..4_usize).prop_flat_map(frame_spec),
        which in 0..2_usize,
        how in 0..4_u8,
        to in 0..6_u8,
    ) {
        let b = mutated(&a, which, how, to);
        prop_assume!(normalized(&a) != normalized(&b));
        prop_assume!(b.len() < 2 || b[0].name != b[1].name);
        let (fa, fb) = (frame(&a, 1), frame(&b, 2));
        prop_assert_ne!(frame_version(&fa), frame_version(&fb), "{:?}\n{:?}", fa, fb);
    }
}
