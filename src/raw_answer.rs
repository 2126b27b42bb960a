//! A server answer kept on the phone as the JSON it came in.
//!
//! Every bundle of the shop runs the sender of waiting orders and bookings,
//! and the sender only stores the server's answer. Keeping it as raw JSON
//! means the bundles that never show an order or a booking do not carry
//! their (large) parsers; the pages that show one parse it once, on first
//! use. The JSON is the same as the typed value's, so what phones already
//! stored reads back unchanged.
//!
//! The text is kept as it came, captured by serde_json without being
//! parsed (a `RawValue`), so two copies compare equal when their text
//! does. That capture only works straight from the JSON text: an answer is
//! never put inside an internally tagged enum, which serde buffers first
//! (the states that hold one are read through plain structs).

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

pub struct RawAnswer<T> {
    raw: Box<RawValue>,
    parsed: OnceLock<Option<T>>,
    _type: PhantomData<T>,
}

impl<T> RawAnswer<T> {
    fn from_raw(raw: Box<RawValue>) -> Self {
        RawAnswer {
            raw,
            parsed: OnceLock::new(),
            _type: PhantomData,
        }
    }

    /// The JSON text as kept.
    pub fn json(&self) -> &str {
        self.raw.get()
    }
}

impl<T: Serialize> RawAnswer<T> {
    /// Keeps a value the app already holds typed.
    pub fn new(value: &T) -> Self {
        // Serializing plain DTOs to JSON cannot fail (no maps with
        // non-string keys); `null` would read back as "unreadable".
        let raw = serde_json::value::to_raw_value(value)
            .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"));
        RawAnswer::from_raw(raw)
    }
}

impl<T: DeserializeOwned> RawAnswer<T> {
    /// The value, parsed on first use; `None` only if what was kept no
    /// longer reads as a `T`.
    pub fn get(&self) -> Option<&T> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).ok())
            .as_ref()
    }
}

impl<T: Clone> Clone for RawAnswer<T> {
    fn clone(&self) -> Self {
        RawAnswer {
            raw: self.raw.clone(),
            parsed: self.parsed.clone(),
            _type: PhantomData,
        }
    }
}

/// Equal when the JSON is: comparing never needs the parser.
impl<T> PartialEq for RawAnswer<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

impl<T> fmt::Debug for RawAnswer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw.get())
    }
}

impl<T> Serialize for RawAnswer<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de, T> Deserialize<'de> for RawAnswer<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(RawAnswer::from_raw)
    }
}

#[cfg(test)]
mod tests {
    use super::RawAnswer;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        id: String,
        n: i64,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        thing: RawAnswer<Thing>,
    }

    #[test]
    fn reads_what_the_typed_value_wrote_and_writes_it_back_unchanged() {
        let typed = serde_json::json!({ "thing": { "id": "a", "n": 3 } }).to_string();
        let held: Holder = serde_json::from_str(&typed).unwrap();
        assert_eq!(
            held.thing.get(),
            Some(&Thing {
                id: "a".into(),
                n: 3
            })
        );
        assert_eq!(serde_json::to_string(&held).unwrap(), typed);
    }

    #[test]
    fn new_keeps_the_same_json_as_serde() {
        let t = Thing {
            id: "b".into(),
            n: -1,
        };
        let kept = RawAnswer::new(&t);
        assert_eq!(kept.json(), serde_json::to_string(&t).unwrap());
        assert_eq!(kept.get(), Some(&t));
        assert_eq!(kept, RawAnswer::new(&t.clone()));
        assert_ne!(
            kept,
            RawAnswer::new(&Thing {
                id: "b".into(),
                n: 2
            })
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wire {
        state: String,
        thing: Option<RawAnswer<Thing>>,
    }

    #[test]
    fn reads_inside_an_option_of_a_plain_struct_as_the_states_do() {
        let t = Thing {
            id: "c".into(),
            n: 7,
        };
        let json = r#"{"state":"done","thing":{"id":"c","n":7}}"#;
        let read: Wire = serde_json::from_str(json).unwrap();
        assert_eq!(read.thing, Some(RawAnswer::new(&t)));
        assert_eq!(read.thing.as_ref().and_then(RawAnswer::get), Some(&t));
        assert_eq!(serde_json::to_string(&read).unwrap(), json);
        let none: Wire = serde_json::from_str(r#"{"state":"other","thing":null}"#).unwrap();
        assert_eq!(none.thing, None);
    }

    #[test]
    fn json_of_another_shape_reads_as_none_not_a_panic() {
        let held: Holder = serde_json::from_str(r#"{"thing":{"other":true}}"#).unwrap();
        assert_eq!(held.thing.get(), None);
    }
}
