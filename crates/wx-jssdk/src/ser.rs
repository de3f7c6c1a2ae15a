//! Options to JS values: serde-wasm-bindgen's JSON-compatible output, with its common cases done here.
//!
//! The SDK's options are structs of strings, numbers, booleans, `Option`s, lists and unit enums. For those this
//! serializer builds the JS value itself: property names as plain strings rather than through
//! serde-wasm-bindgen's interning cache (ARCHITECTURE.md, "Size rules").
//! Everything else (maps, tagged enums, newtypes, bytes, 128-bit and unsafe 64-bit integers) goes to
//! `serde_wasm_bindgen::Serializer::json_compatible()`, so the output is always exactly what it would give.

use js_sys::{Array, Object};
use serde::ser::{self, Serialize};
use wasm_bindgen::JsValue;

type Json = &'static serde_wasm_bindgen::Serializer;
type Error = serde_wasm_bindgen::Error;
type Result<T = JsValue> = std::result::Result<T, Error>;

static JSON: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The serializer: `value.serialize(Lean)`.
#[derive(Clone, Copy)]
pub(crate) struct Lean;

/// A JS array being filled.
pub(crate) struct LeanArray(Array);

/// A plain JS object being filled.
pub(crate) struct LeanObject(Object);

impl ser::SerializeSeq for LeanArray {
    type Ok = JsValue;
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        self.0.push(&value.serialize(Lean)?);
        Ok(())
    }

    fn end(self) -> Result {
        Ok(self.0.into())
    }
}

impl ser::SerializeTuple for LeanArray {
    type Ok = JsValue;
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        Ok(self.0.into())
    }
}

impl ser::SerializeTupleStruct for LeanArray {
    type Ok = JsValue;
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        Ok(self.0.into())
    }
}

impl ser::SerializeStruct for LeanObject {
    type Ok = JsValue;
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<()> {
        let value = value.serialize(Lean)?;
        set(&self.0, key, &value);
        Ok(())
    }

    fn end(self) -> Result {
        Ok(self.0.into())
    }
}

/// `target[key] = value` (a plain object: cannot throw).
fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}

impl ser::Serializer for Lean {
    type Ok = JsValue;
    type Error = Error;

    type SerializeSeq = LeanArray;
    type SerializeTuple = LeanArray;
    type SerializeTupleStruct = LeanArray;
    type SerializeTupleVariant = <Json as ser::Serializer>::SerializeTupleVariant;
    type SerializeMap = <Json as ser::Serializer>::SerializeMap;
    type SerializeStruct = LeanObject;
    type SerializeStructVariant = <Json as ser::Serializer>::SerializeStructVariant;

    fn serialize_bool(self, v: bool) -> Result {
        Ok(v.into())
    }
    fn serialize_i8(self, v: i8) -> Result {
        Ok(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        Ok(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        Ok(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        if v.unsigned_abs() <= MAX_SAFE_INTEGER {
            Ok(JsValue::from_f64(v as f64))
        } else {
            (&JSON).serialize_i64(v)
        }
    }
    fn serialize_u8(self, v: u8) -> Result {
        Ok(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        Ok(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        Ok(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        if v <= MAX_SAFE_INTEGER {
            Ok(JsValue::from_f64(v as f64))
        } else {
            (&JSON).serialize_u64(v)
        }
    }
    fn serialize_i128(self, v: i128) -> Result {
        (&JSON).serialize_i128(v)
    }
    fn serialize_u128(self, v: u128) -> Result {
        (&JSON).serialize_u128(v)
    }
    fn serialize_f32(self, v: f32) -> Result {
        Ok(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result {
        Ok(v.into())
    }
    fn serialize_char(self, v: char) -> Result {
        (&JSON).serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result {
        Ok(v.into())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        (&JSON).serialize_bytes(v)
    }
    /// `None` is `null`, as in JSON.
    fn serialize_none(self) -> Result {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        Ok(JsValue::NULL)
    }
    /// A unit variant is its name, as in JSON.
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        Ok(variant.into())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result {
        (&JSON).serialize_newtype_struct(name, value)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        (&JSON).serialize_newtype_variant(name, index, variant, value)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<LeanArray> {
        Ok(LeanArray(Array::new()))
    }
    fn serialize_tuple(self, _len: usize) -> Result<LeanArray> {
        Ok(LeanArray(Array::new()))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<LeanArray> {
        Ok(LeanArray(Array::new()))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        (&JSON).serialize_tuple_variant(name, index, variant, len)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap> {
        (&JSON).serialize_map(len)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<LeanObject> {
        Ok(LeanObject(Object::new()))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        (&JSON).serialize_struct_variant(name, index, variant, len)
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "test code: a map shows the hand-off to serde-wasm-bindgen"
)]
mod tests {
    use super::Lean;
    use serde::Serialize;
    use std::collections::BTreeMap;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        api_list: Vec<Kind>,
        count: u8,
        timestamp: u64,
        big: u64,
        neg: i64,
        ratio: f64,
        on: bool,
        missing: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<String>,
        pair: (u8, String),
        map: BTreeMap<String, u8>,
        tagged: Tagged,
        wrapped: Wrapped,
        letter: char,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Album,
        Camera,
    }

    #[derive(Serialize)]
    enum Tagged {
        Point { x: u8 },
    }

    #[derive(Serialize)]
    struct Wrapped(String);

    /// The same JSON as serde-wasm-bindgen's JSON-compatible serializer.
    #[wasm_bindgen_test]
    fn matches_serde_wasm_bindgen() {
        let sample = Sample {
            api_list: vec![Kind::Album, Kind::Camera],
            count: 9,
            timestamp: 1_700_000_000,
            big: u64::MAX,
            neg: -5,
            ratio: 0.5,
            on: true,
            missing: None,
            skipped: None,
            pair: (1, "a".into()),
            map: BTreeMap::from([("k".to_owned(), 1)]),
            tagged: Tagged::Point { x: 2 },
            wrapped: Wrapped("w".into()),
            letter: 'z',
        };
        let json = |v: &JsValue| js_sys::JSON::stringify(v).unwrap().as_string().unwrap();
        // u64::MAX is an error for both.
        assert!(sample.serialize(Lean).is_err());
        let sample = Sample { big: 1, ..sample };
        let ours = sample.serialize(Lean).unwrap();
        let theirs = sample
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .unwrap();
        assert_eq!(json(&ours), json(&theirs));
        assert!(json(&ours).contains(r#""apiList":["album","camera"]"#));
        assert!(json(&ours).contains(r#""missing":null"#));
    }
}
