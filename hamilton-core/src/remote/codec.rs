//! Values to bytes and back, for crossing between the driver and its workers: the formats of the
//! cache's type registry ([`CacheType`]), behind a header naming the type and the format.
//!
//! An encoded value is self-describing:
//!
//! ```text
//! magic `HMLTNVL1` (8 bytes) | header length (u32, LE)
//! header: type name (u32 length + UTF-8) | format name (u32 length + UTF-8)
//!         | payload length (u64) | xxh3-128 of the payload (u128) | zero padding
//! payload, starting at a multiple of 64 bytes
//! ```
//!
//! Both sides run the same binary, so the decoder finds the type by its name. A mapped format
//! ([`CacheType::with_mapped_format`]) gets its payload copied to a 64-byte aligned buffer,
//! as it would find it in a result file of the cache.

// The executor and the worker use the codec; until they are in, nothing outside the tests does.

use std::any::TypeId;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::cache::CacheType;
use crate::value::Value;

const MAGIC: &[u8; 8] = b"HMLTNVL1";
/// Payloads start at a multiple of this many bytes from the start of the encoding, and are
/// given to mapped decoders at an address that is a multiple of it.
const PAYLOAD_ALIGNMENT: usize = 64;
/// Bytes of the header after its names: payload length and checksum.
const LENGTH_AND_SUM: usize = 8 + 16;

/// Why a value could not be encoded or decoded for crossing between the driver and its workers.
///
/// ```
/// use hamilton_core::remote::CodecError;
/// let e = CodecError::NoEncoder {
///     type_name: "my::Report".to_string(),
///     fix: "register an encoder".to_string(),
/// };
/// assert!(e.to_string().contains("`my::Report`"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The value's type has no format: it cannot leave its process.
    #[error(
        "values of type `{type_name}` cannot be sent between the driver and its workers (the type has no encoder): {fix}"
    )]
    NoEncoder {
        /// The value's type.
        type_name: String,
        /// What gives it an encoder.
        fix: String,
    },
    /// The type's encoder failed (or panicked).
    #[error(
        "could not encode a value of type `{type_name}` in format `{format}`: {message}; fix the encoder registered for the type"
    )]
    Encode {
        /// The value's type.
        type_name: String,
        /// The format it was encoded in.
        format: String,
        /// What the encoder reported.
        message: String,
    },
    /// The bytes are not an encoded value, or one that was damaged (truncated, changed).
    #[error(
        "the bytes are not a value encoded for a worker ({why}): they were damaged on their way, or written by another program or version; run the driver and its workers from the same build, over a store no other program writes"
    )]
    Malformed {
        /// What is wrong with them.
        why: String,
    },
    /// The value's type is unknown to this binary (or has no format in it).
    #[error(
        "received a value of type `{type_name}`, which this binary cannot decode: the driver and its workers must run the same build with the same types registered; {fix}"
    )]
    UnknownType {
        /// The type named in the bytes.
        type_name: String,
        /// What gives it a decoder.
        fix: String,
    },
    /// The value was encoded in another format than the one this binary has for its type.
    #[error(
        "received a value of type `{type_name}` in format `{found}`, but this binary stores the type in format `{expected}`: run the driver and its workers from the same build"
    )]
    FormatMismatch {
        /// The value's type.
        type_name: String,
        /// The format named in the bytes.
        found: String,
        /// The format this binary has for the type.
        expected: String,
    },
    /// The type's decoder failed (or panicked) on a payload whose checksum is right.
    #[error(
        "could not decode a value of type `{type_name}` from format `{format}`: {message}; fix the decoder registered for the type (decoding what its encoder wrote must give the value back)"
    )]
    Decode {
        /// The value's type.
        type_name: String,
        /// The format it was decoded from.
        format: String,
        /// What the decoder reported.
        message: String,
    },
}

/// What makes values of `type_name` able to cross between processes: the registration of an
/// encoder, or, for a Polars type, the feature of hamilton-polars that registers them.
pub(crate) fn missing_encoder_hint(type_name: &str) -> String {
    let polars = crate::cache::registry::is_polars_type(type_name);
    if polars {
        "enable feature `cache` of hamilton-polars (`hamilton-polars = { version = \"..\", features = [\"cache\"] }`), which registers Polars' types with their encoders".to_string()
    } else {
        format!(
            "register an encoder: `register_cache_type!(CacheType::serde::<{type_name}>())` for a serde type (or `CacheType::of`, or a `CacheType` given a format with `with_format`)"
        )
    }
}

/// Encodes values to bytes and back with the formats of the cache's type registry: the
/// built-in types, those registered with `register_cache_type!`, and the extra ones given.
#[derive(Clone)]
pub(crate) struct Codec {
    by_id: HashMap<TypeId, Arc<CacheType>>,
    by_name: HashMap<&'static str, Arc<CacheType>>,
}

impl Codec {
    /// The codec of every type the cache knows, and `extra` (which wins).
    pub(crate) fn new(extra: &[CacheType]) -> Self {
        let by_id = CacheType::known_types(extra);
        let by_name = by_id
            .values()
            .filter(|t| t.format.is_some())
            .map(|t| (t.name, Arc::clone(t)))
            .collect();
        Self { by_id, by_name }
    }

    /// Whether values of this type can cross (the type has a format).
    pub(crate) fn can_encode(&self, type_id: TypeId) -> bool {
        self.by_id.get(&type_id).is_some_and(|t| t.format.is_some())
    }

    /// The bytes of `value`: a header naming its type and format, then its payload.
    pub(crate) fn encode(&self, value: &Value) -> Result<Vec<u8>, CodecError> {
        let no_encoder = || CodecError::NoEncoder {
            type_name: value.type_name().to_string(),
            fix: missing_encoder_hint(value.type_name()),
        };
        let t = self.by_id.get(&value.type_id()).ok_or_else(no_encoder)?;
        let format = t.format.as_ref().ok_or_else(no_encoder)?;
        let (mut out, fields) = header(t.name, format.name);
        let start = out.len();
        guarded(|| (format.encode)(value.as_any(), &mut out).map_err(|e| e.to_string())).map_err(
            |message| CodecError::Encode {
                type_name: t.name.to_string(),
                format: format.name.to_string(),
                message,
            },
        )?;
        let payload = &out[start..];
        let len = payload.len() as u64;
        let sum = xxhash_rust::xxh3::xxh3_128(payload);
        out[fields..fields + 8].copy_from_slice(&len.to_le_bytes());
        out[fields + 8..fields + LENGTH_AND_SUM].copy_from_slice(&sum.to_le_bytes());
        Ok(out)
    }

    /// The value encoded in `bytes` (by [`encode`](Self::encode), in a process of the same
    /// binary). Damaged bytes are an error, never a wrong value or a panic.
    pub(crate) fn decode(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        let parsed = parse(bytes).map_err(|why| CodecError::Malformed { why })?;
        let unknown = || CodecError::UnknownType {
            type_name: parsed.type_name.to_string(),
            fix: missing_encoder_hint(parsed.type_name),
        };
        let t = self.by_name.get(parsed.type_name).ok_or_else(unknown)?;
        let format = t.format.as_ref().ok_or_else(unknown)?;
        if format.name != parsed.format {
            return Err(CodecError::FormatMismatch {
                type_name: t.name.to_string(),
                found: parsed.format.to_string(),
                expected: format.name.to_string(),
            });
        }
        let payload = &bytes[parsed.payload];
        guarded(|| format.decode_in_memory(payload).map_err(|e| e.to_string())).map_err(|message| {
            CodecError::Decode {
                type_name: t.name.to_string(),
                format: format.name.to_string(),
                message,
            }
        })
    }
}

/// Runs an encoder or decoder, turning its panic into an error.
fn guarded<R>(f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(format!(
            "it panicked: {}",
            crate::run::invoke::panic_message(payload.as_ref())
        )),
    }
}

/// The header of a value of `type_name` in `format`, its payload length and checksum zero (to
/// be filled in), padded so that the payload starts at a multiple of [`PAYLOAD_ALIGNMENT`];
/// and where the payload length lies in it.
fn header(type_name: &str, format: &str) -> (Vec<u8>, usize) {
    let mut h = Vec::with_capacity(2 * PAYLOAD_ALIGNMENT + type_name.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&[0; 4]);
    for name in [type_name, format] {
        h.extend_from_slice(&(name.len() as u32).to_le_bytes());
        h.extend_from_slice(name.as_bytes());
    }
    let fields = h.len();
    h.resize(fields + LENGTH_AND_SUM, 0);
    h.resize(h.len().next_multiple_of(PAYLOAD_ALIGNMENT), 0);
    let body = (h.len() - MAGIC.len() - 4) as u32;
    h[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&body.to_le_bytes());
    (h, fields)
}

/// What the header of an encoded value says.
#[derive(Debug)]
struct Parsed<'a> {
    type_name: &'a str,
    format: &'a str,
    /// Where the payload lies in the bytes (its checksum checked).
    payload: Range<usize>,
}

/// Reads the header of an encoded value and checks its payload's length and checksum.
fn parse(bytes: &[u8]) -> Result<Parsed<'_>, String> {
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
            if self.0.len() < n {
                return Err(format!(
                    "truncated: {n} bytes of {what} expected, {} left",
                    self.0.len()
                ));
            }
            let (head, rest) = self.0.split_at(n);
            self.0 = rest;
            Ok(head)
        }
        fn u32(&mut self, what: &str) -> Result<usize, String> {
            let b = self.take(4, what)?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        }
        fn name(&mut self, what: &str) -> Result<&'a str, String> {
            let n = self.u32(what)?;
            std::str::from_utf8(self.take(n, what)?).map_err(|_| format!("{what} is not UTF-8"))
        }
    }
    let mut r = Reader(bytes);
    if r.take(MAGIC.len(), "the magic number")? != MAGIC {
        return Err("no magic number `HMLTNVL1` at the start".to_string());
    }
    let header_len = r.u32("the header length")?;
    let mut h = Reader(r.take(header_len, "the header")?);
    let type_name = h.name("the type name")?;
    let format = h.name("the format name")?;
    let len = u64::from_le_bytes(
        h.take(8, "the payload length")?
            .try_into()
            .map_err(|_| "truncated payload length")?,
    );
    let sum = u128::from_le_bytes(
        h.take(16, "the checksum")?
            .try_into()
            .map_err(|_| "truncated checksum")?,
    );
    if h.0.iter().any(|&b| b != 0) {
        return Err("the header's padding is not zero".to_string());
    }
    let start = bytes.len() - r.0.len();
    if len != r.0.len() as u64 {
        return Err(format!(
            "a payload of {len} bytes expected, {} found",
            r.0.len()
        ));
    }
    if xxhash_rust::xxh3::xxh3_128(r.0) != sum {
        return Err("the payload does not match its checksum".to_string());
    }
    Ok(Parsed {
        type_name,
        format,
        payload: start..bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::StoredPayload;

    #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Report {
        title: String,
        scores: Vec<f64>,
    }

    /// A type with no format.
    struct Opaque;

    fn round_trip<T: crate::value::NodeValue + Clone + PartialEq + std::fmt::Debug>(
        codec: &Codec,
        value: T,
    ) {
        let bytes = codec.encode(&Value::new(value.clone())).unwrap();
        let back = codec.decode(&bytes).unwrap();
        assert_eq!(back.downcast_ref::<T>(), Some(&value));
    }

    #[test]
    fn builtin_values_round_trip() {
        let codec = Codec::new(&[]);
        round_trip(&codec, -42_i64);
        round_trip(&codec, "crème brûlée".to_string());
        round_trip(&codec, vec![1.5_f64, -0.0, f64::MAX]);
        round_trip(&codec, Vec::<f64>::new());
    }

    #[test]
    fn a_serde_type_given_as_extra_round_trips() {
        let codec = Codec::new(&[CacheType::serde::<Report>()]);
        assert!(codec.can_encode(TypeId::of::<Report>()));
        round_trip(
            &codec,
            Report {
                title: "q3".to_string(),
                scores: vec![0.25, 0.5],
            },
        );
    }

    #[test]
    fn the_payload_starts_at_a_multiple_of_64_bytes() {
        let codec = Codec::new(&[]);
        let bytes = codec.encode(&Value::new(7_u8)).unwrap();
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.payload.start % PAYLOAD_ALIGNMENT, 0);
        assert_eq!(parsed.type_name, "u8");
        assert_eq!(parsed.format, "postcard");
    }

    #[test]
    fn a_type_without_a_format_cannot_be_encoded_and_the_error_names_it_and_the_fix() {
        let codec = Codec::new(&[]);
        assert!(!codec.can_encode(TypeId::of::<Opaque>()));
        let e = codec.encode(&Value::new(Opaque)).unwrap_err();
        assert!(matches!(e, CodecError::NoEncoder { .. }), "{e:?}");
        let message = e.to_string();
        assert!(message.contains("values of type `Opaque`"), "{message}");
        assert!(
            message.contains("register_cache_type!(CacheType::serde::<Opaque>())"),
            "{message}"
        );
    }

    #[test]
    fn a_fingerprint_only_type_cannot_be_encoded() {
        let codec = Codec::new(&[CacheType::fingerprint_with(|_: &Opaque, _| {})]);
        assert!(!codec.can_encode(TypeId::of::<Opaque>()));
        assert!(matches!(
            codec.encode(&Value::new(Opaque)),
            Err(CodecError::NoEncoder { .. })
        ));
    }

    #[test]
    fn the_hint_for_a_polars_type_names_the_feature_of_hamilton_polars() {
        let hint = missing_encoder_hint("polars_core::frame::DataFrame");
        assert!(
            hint.contains("feature `cache` of hamilton-polars"),
            "{hint}"
        );
        let hint = missing_encoder_hint("my::Report");
        assert!(
            hint.contains("register_cache_type!(CacheType::serde::<my::Report>())"),
            "{hint}"
        );
    }

    #[test]
    fn every_truncation_is_an_error() {
        let codec = Codec::new(&[]);
        let bytes = codec.encode(&Value::new("a value".to_string())).unwrap();
        for len in 0..bytes.len() {
            let e = codec.decode(&bytes[..len]).unwrap_err();
            assert!(matches!(e, CodecError::Malformed { .. }), "{len}: {e:?}");
        }
    }

    #[test]
    fn a_flipped_byte_anywhere_is_an_error() {
        let codec = Codec::new(&[]);
        let bytes = codec.encode(&Value::new(vec![1_i64, 2, 3])).unwrap();
        for i in 0..bytes.len() {
            let mut garbled = bytes.clone();
            garbled[i] ^= 0x20;
            assert!(codec.decode(&garbled).is_err(), "byte {i} flipped decoded");
        }
    }

    #[test]
    fn bytes_after_the_payload_are_an_error() {
        let codec = Codec::new(&[]);
        let mut bytes = codec.encode(&Value::new(1_i64)).unwrap();
        bytes.push(0);
        assert!(matches!(
            codec.decode(&bytes),
            Err(CodecError::Malformed { .. })
        ));
    }

    #[test]
    fn arbitrary_bytes_are_malformed() {
        let codec = Codec::new(&[]);
        let e = codec.decode(b"not an encoded value").unwrap_err();
        assert!(e.to_string().contains("magic number"), "{e}");
    }

    #[test]
    fn a_type_the_decoding_side_does_not_know_is_an_error_naming_it() {
        let sender = Codec::new(&[CacheType::serde::<Report>()]);
        let receiver = Codec::new(&[]);
        let bytes = sender
            .encode(&Value::new(Report {
                title: String::new(),
                scores: Vec::new(),
            }))
            .unwrap();
        let e = receiver.decode(&bytes).unwrap_err();
        assert!(matches!(e, CodecError::UnknownType { .. }), "{e:?}");
        assert!(e.to_string().contains("codec::tests::Report`"), "{e}");
    }

    #[derive(Clone, Debug, PartialEq)]
    struct Blob(Vec<u8>);

    fn blob_type(name: &'static str) -> CacheType {
        CacheType::fingerprint_with(|b: &Blob, f| f.write(&b.0)).with_mapped_format(
            name,
            |b: &Blob, out: &mut dyn std::io::Write| Ok(out.write_all(&b.0)?),
            |_: &std::fs::File| Err(std::io::Error::other("not read from a file here")),
            |p: StoredPayload| {
                if !p
                    .as_bytes()
                    .as_ptr()
                    .addr()
                    .is_multiple_of(PAYLOAD_ALIGNMENT)
                {
                    return Err("payload not aligned".into());
                }
                Ok(Blob(p.as_bytes().to_vec()))
            },
        )
    }

    #[test]
    fn a_mapped_format_gets_its_payload_at_an_aligned_address() {
        let codec = Codec::new(&[blob_type("blob")]);
        let bytes = codec.encode(&Value::new(Blob(vec![1, 2, 3]))).unwrap();
        for shift in 0..3 {
            let mut misaligned = vec![0_u8; shift];
            misaligned.extend_from_slice(&bytes);
            let back = codec.decode(&misaligned[shift..]).unwrap();
            assert_eq!(back.downcast_ref::<Blob>(), Some(&Blob(vec![1, 2, 3])));
        }
    }

    #[test]
    fn a_value_in_another_format_than_this_binary_has_is_an_error() {
        let sender = Codec::new(&[blob_type("blob-v1")]);
        let receiver = Codec::new(&[blob_type("blob-v2")]);
        let bytes = sender.encode(&Value::new(Blob(vec![9]))).unwrap();
        let e = receiver.decode(&bytes).unwrap_err();
        assert!(matches!(e, CodecError::FormatMismatch { .. }), "{e:?}");
        assert!(e.to_string().contains("`blob-v1`"), "{e}");
    }

    #[test]
    fn a_failing_or_panicking_encoder_or_decoder_is_an_error() {
        let failing = CacheType::fingerprint_with(|b: &Blob, f| f.write(&b.0)).with_format(
            "failing",
            |_: &Blob| Err("cannot encode".into()),
            |_| Ok(Blob(Vec::new())),
        );
        let e = Codec::new(&[failing])
            .encode(&Value::new(Blob(vec![1])))
            .unwrap_err();
        assert!(e.to_string().contains("cannot encode"), "{e}");

        let panicking = CacheType::fingerprint_with(|b: &Blob, f| f.write(&b.0)).with_format(
            "panicking",
            |b: &Blob| Ok(b.0.clone()),
            |_| panic!("decoder bug"),
        );
        let codec = Codec::new(&[panicking]);
        let bytes = codec.encode(&Value::new(Blob(vec![1]))).unwrap();
        let e = codec.decode(&bytes).unwrap_err();
        assert!(matches!(e, CodecError::Decode { .. }), "{e:?}");
        assert!(e.to_string().contains("decoder bug"), "{e}");
    }
}
