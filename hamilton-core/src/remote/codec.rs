//! STUB
#![allow(dead_code, unused_variables)]
use crate::cache::CacheType;
use crate::value::Value;
use std::any::TypeId;
#[derive(Debug, thiserror::Error)]
#[error("codec")]
pub struct CodecError;
pub(crate) struct Codec;
impl Codec {
    pub(crate) fn new(extra: &[CacheType]) -> Self {
        Codec
    }
    pub(crate) fn can_encode(&self, type_id: TypeId) -> bool {
        todo!()
    }
    pub(crate) fn encode(&self, value: &Value) -> Result<Vec<u8>, CodecError> {
        todo!()
    }
    pub(crate) fn decode(&self, bytes: &[u8]) -> Result<Value, CodecError> {
        todo!()
    }
}
pub(crate) fn missing_encoder_hint(type_name: &str) -> String {
    todo!()
}
