//! An order or a booking as the app state holds it: typed only where the
//! sender and the tab bar need it (its id, the request to send, where it
//! stands), the rest kept as the JSON it was written in.
//!
//! Every shop bundle runs the sender, but only the orders and visit
//! bundles show what an order or a booking holds. Parsing and writing the
//! whole typed value in every bundle (its request, cart lines, point,
//! round and totals), with the JSON values a cut-out needs, cost the
//! browsing bundle 9.6 KB of brotli-compressed wasm; kept like this, it
//! carries none of that. The pages that show one call [`Kept::get`].
//!
//! The JSON on the phone is the typed value's own, unchanged: what phones
//! already kept reads back, and [`Kept::get`] parses the whole of it. The
//! state is cut out of the text it was read from and put back into it when
//! written, so nothing else in it is ever parsed or rewritten here.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::outbox::{Outgoing, Retry};

/// What the phone keeps until the server has it (a `LocalOrder`, a
/// `LocalTrip`): written as a JSON object with its `id`, its `request`
/// and its `state`.
pub trait Keepable {
    /// Where it stands.
    type State: Outgoing + Clone + fmt::Debug + PartialEq + Serialize + DeserializeOwned;
}

pub struct Kept<T: Keepable> {
    pub id: String,
    /// The request as written, sent as it is.
    pub request: Box<RawValue>,
    /// Where it stands now: what the sender and the pages change.
    pub state: T::State,
    /// The JSON as written, before and after its state.
    before: String,
    after: String,
    _type: PhantomData<T>,
}

/// The fields the sender needs, borrowed from the text they are read from.
#[derive(Deserialize)]
struct Parts<'a> {
    id: String,
    #[serde(borrow)]
    request: &'a RawValue,
    #[serde(borrow)]
    state: &'a RawValue,
}

impl<T: Keepable> Kept<T> {
    fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let parts: Parts = serde_json::from_str(json)?;
        let state_json = parts.state.get();
        let state = serde_json::from_str(state_json)?;
        // A borrowed value is a slice of the text it was read from.
        let start = state_json.as_ptr() as usize - json.as_ptr() as usize;
        let end = start + state_json.len();
        debug_assert_eq!(json.get(start..end), Some(state_json));
        Ok(Kept {
            id: parts.id,
            request: parts.request.to_owned(),
            state,
            before: json[..start].to_string(),
            after: json[end..].to_string(),
            _type: PhantomData,
        })
    }

    /// The JSON with the state of now.
    fn json(&self) -> Result<String, serde_json::Error> {
        let state = serde_json::to_string(&self.state)?;
        Ok([self.before.as_str(), &state, &self.after].concat())
    }
}

impl<T: Keepable + Serialize> Kept<T> {
    pub fn new(value: &T) -> Self {
        serde_json::to_string(value)
            .and_then(|json| Kept::from_json(&json))
            .expect("a kept value is written as an object with its id, request and state")
    }
}

impl<T: Keepable + DeserializeOwned> Kept<T> {
    /// The whole value, as it stands now; `None` only if what was kept no
    /// longer reads as a `T`.
    pub fn get(&self) -> Option<T> {
        self.json()
            .ok()
            .and_then(|json| serde_json::from_str(&json).ok())
    }
}

/// The whole values of a list, leaving out any that no longer read.
pub fn values<T: Keepable + DeserializeOwned>(kept: &[Kept<T>]) -> Vec<T> {
    kept.iter().filter_map(Kept::get).collect()
}

impl<T: Keepable> Outgoing for Kept<T> {
    fn retry(&self) -> Option<&Retry> {
        self.state.retry()
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        self.state.retry_mut()
    }
}

impl<T: Keepable> Clone for Kept<T> {
    fn clone(&self) -> Self {
        Kept {
            id: self.id.clone(),
            request: self.request.clone(),
            state: self.state.clone(),
            before: self.before.clone(),
            after: self.after.clone(),
            _type: PhantomData,
        }
    }
}

/// Equal when the JSON would be.
impl<T: Keepable> PartialEq for Kept<T> {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && self.before == other.before && self.after == other.after
    }
}

impl<T: Keepable> fmt::Debug for Kept<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kept")
            .field("id", &self.id)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<T: Keepable> Serialize for Kept<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let json = self.json().map_err(S::Error::custom)?;
        RawValue::from_string(json)
            .map_err(S::Error::custom)?
            .serialize(s)
    }
}

impl<'de, T: Keepable> Deserialize<'de> for Kept<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let json = Box::<RawValue>::deserialize(d)?;
        Kept::from_json(json.get()).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::{Keepable, Kept};
    use crate::outbox::{Outgoing, Retry};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Thing {
        id: String,
        request: Vec<u32>,
        shown: String,
        state: Option<Retry>,
    }

    impl Outgoing for Option<Retry> {
        fn retry(&self) -> Option<&Retry> {
            self.as_ref()
        }
        fn retry_mut(&mut self) -> Option<&mut Retry> {
            self.as_mut()
        }
    }

    impl Keepable for Thing {
        type State = Option<Retry>;
    }

    fn thing() -> Thing {
        Thing {
            id: "a".into(),
            request: vec![1, 2],
            shown: "状态 \"state\"".into(),
            state: Some(Retry::now()),
        }
    }

    #[test]
    fn reads_and_writes_the_whole_values_json() {
        let t = thing();
        let json = serde_json::to_string(&vec![t.clone()]).unwrap();
        let kept: Vec<Kept<Thing>> = serde_json::from_str(&json).unwrap();
        assert_eq!(kept[0].id, "a");
        assert_eq!(kept[0].request.get(), "[1,2]");
        assert!(kept[0].is_due(0.0));
        assert_eq!(kept[0].get(), Some(t.clone()));
        assert_eq!(serde_json::to_string(&kept).unwrap(), json);
        assert_eq!(kept[0], Kept::new(&t));
    }

    #[test]
    fn writes_the_state_of_now_and_nothing_else_changed() {
        let mut kept = Kept::new(&thing());
        kept.state = None;
        let json = serde_json::to_string(&kept).unwrap();
        let read: Thing = serde_json::from_str(&json).unwrap();
        assert_eq!(
            read,
            Thing {
                state: None,
                ..thing()
            }
        );
        assert_eq!(kept.get(), Some(read));
        let again: Kept<Thing> = serde_json::from_str(&json).unwrap();
        assert_eq!(again, kept);
        assert!(!again.is_waiting());
    }

    #[test]
    fn the_sender_needs_only_its_id_request_and_state() {
        // What it shows no longer reads as the type: it is still sent.
        let json = r#"{"shown":7,"id":"b","request":[3],"state":{"attempts":0,"next_attempt_ms":0.0,"last_error":null}}"#;
        let kept: Kept<Thing> = serde_json::from_str(json).unwrap();
        assert!(kept.is_due(0.0));
        assert_eq!(kept.request.get(), "[3]");
        assert_eq!(kept.get(), None);
        assert_eq!(serde_json::to_string(&kept).unwrap(), json);
        for (bad, says) in [
            (r#"{"request":[],"state":null}"#, "missing field `id`"),
            (r#"{"id":"c","state":null}"#, "missing field `request`"),
            (r#"{"id":"c","request":[]}"#, "missing field `state`"),
        ] {
            let err = serde_json::from_str::<Kept<Thing>>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
