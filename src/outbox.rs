//! The retry rules of what waits on the phone to be sent: orders and visit
//! bookings. Plain data and pure functions, unit-tested natively; `sender`
//! does the sending.
//!
//! A write is kept *before* it is sent, under the UUID the phone made for
//! it. The server treats a repeat of the same UUID and content as the same
//! write, so sending again after any failure can never make a second one.

use domain::LocalText;
use serde::{Deserialize, Serialize};

use crate::api::WriteError;

/// `last_error` of an order that got no answer at all.
pub const NO_CONNECTION: &str = "no-connection";

/// `next_attempt_ms` of a write that waits for a login, not a timer. Finite
/// because JSON has no infinity: serde_json would write `null` and the
/// whole outbox would then fail to load.
pub const PARKED_MS: f64 = f64::MAX;

/// Where a write waiting on the phone stands between attempts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Retry {
    pub attempts: u32,
    /// Milliseconds since the epoch before which we do not retry.
    pub next_attempt_ms: f64,
    /// English, or [`NO_CONNECTION`]; `last_error_zh` in Chinese (empty
    /// in what older versions kept).
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_error_zh: String,
}

impl Retry {
    /// From the fields of a waiting state as stored (see `LocalStateWire`).
    pub(crate) fn read(
        attempts: Option<u32>,
        next_attempt_ms: Option<f64>,
        last_error: Option<String>,
        last_error_zh: String,
    ) -> Result<Self, String> {
        Ok(Retry {
            attempts: attempts.ok_or(missing("attempts"))?,
            next_attempt_ms: next_attempt_ms.ok_or(missing("next_attempt_ms"))?,
            last_error,
            last_error_zh,
        })
    }

    /// Due at once.
    pub fn now() -> Self {
        Retry {
            attempts: 0,
            next_attempt_ms: 0.0,
            last_error: None,
            last_error_zh: String::new(),
        }
    }

    /// Not retried by the timer: it waits for something else (a login).
    pub fn parked(error: LocalText) -> Self {
        Retry {
            attempts: 0,
            next_attempt_ms: PARKED_MS,
            last_error: Some(error.en),
            last_error_zh: error.zh,
        }
    }

    /// Why the last attempt failed, in both languages; `None` before the
    /// first attempt and when there was no connection at all.
    pub fn error_text(&self) -> Option<LocalText> {
        self.last_error
            .as_ref()
            .filter(|e| *e != NO_CONNECTION)
            .map(|e| LocalText::new(self.last_error_zh.clone(), e.clone()))
    }

    /// The last attempt got no answer at all.
    pub fn had_no_connection(&self) -> bool {
        self.last_error.as_deref() == Some(NO_CONNECTION)
    }
}

/// Something kept on the phone until the server has it: orders and visit
/// bookings share the retry rules below.
pub trait Outgoing {
    /// `Some` while it waits to be sent.
    fn retry(&self) -> Option<&Retry>;
    fn retry_mut(&mut self) -> Option<&mut Retry>;

    fn is_due(&self, now_ms: f64) -> bool {
        self.retry().is_some_and(|r| r.next_attempt_ms <= now_ms)
    }

    fn is_waiting(&self) -> bool {
        self.retry().is_some()
    }
}

/// Delay before retry number `attempts` (1-based): 2 s, 4 s, 8 s … at most
/// one minute, so a phone back in coverage catches up soon.
pub fn backoff_ms(attempts: u32) -> f64 {
    let secs = 2u64.saturating_pow(attempts.clamp(1, 6)).min(60);
    (secs * 1000) as f64
}

/// After a failed send: count the attempt and schedule the next one.
/// `error` is `None` when there was no answer at all.
pub fn mark_retry(o: &mut impl Outgoing, now_ms: f64, error: Option<LocalText>) {
    if let Some(r) = o.retry_mut() {
        r.attempts += 1;
        r.next_attempt_ms = now_ms + backoff_ms(r.attempts);
        let (en, zh) = error.map_or((NO_CONNECTION.to_string(), String::new()), |e| (e.en, e.zh));
        r.last_error = Some(en);
        r.last_error_zh = zh;
    }
}

/// After an attempt the server did not settle: try again later. No answer
/// at all is kept as [`NO_CONNECTION`], so the page says "no connection" in
/// the shopper's language rather than the browser's words.
pub fn retry_later(o: &mut impl Outgoing, error: &WriteError, now_ms: f64) {
    let message = match error {
        WriteError::Network(_) => None,
        e => Some(e.message()),
    };
    mark_retry(o, now_ms, message);
}

/// When the network comes back, everything waiting is due at once.
pub fn make_all_due(outbox: &mut [impl Outgoing]) {
    for o in outbox {
        if let Some(r) = o.retry_mut() {
            r.next_attempt_ms = 0.0;
        }
    }
}

/// The earliest time any waiting order should be tried again.
pub fn next_wakeup(outbox: &[impl Outgoing]) -> Option<f64> {
    outbox
        .iter()
        .filter_map(|o| o.retry().map(|r| r.next_attempt_ms))
        .reduce(f64::min)
}

/// serde's own words for a missing field, so stored states read as before.
pub(crate) fn missing(field: &str) -> String {
    format!("missing field `{field}`")
}

/// A fresh order or booking id made on the phone.
pub fn new_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .expect("crypto.randomUUID is available in every browser we support")
}
