//! The shopper's orders as the phone keeps them: the outbox of orders
//! (written before they are sent, see `outbox`), what each one's state is,
//! and "My orders" merged with the server's list. Plain data and pure
//! functions, unit-tested natively; `sender` does the sending.

use domain::dto::{DistributionPoint, Order, OrderStatus, Round};
use domain::order::{LineTotals, OrderLineRequest, OrderRequest, Shortage};
use domain::LocalText;
use serde::{Deserialize, Serialize};

use crate::api::WriteError;
use crate::cart::{CartLine, VillageCart};
use crate::kept::Keepable;
use crate::outbox::{missing, retry_later, Outgoing, Retry};
use crate::raw_answer::RawAnswer;

/// localStorage key of the outbox. Versioned so a future shape can migrate.
pub const OUTBOX_KEY: &str = "storefront.outbox.v1";

/// Where an order stands, as the phone knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "LocalStateWire")]
// A handful per phone: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum LocalState {
    /// Saved here, not yet accepted by the server.
    Waiting(Retry),
    /// The server has it; this is its answer.
    Confirmed { order: RawAnswer<Order> },
    /// The server said no; nothing was ordered.
    Refused {
        /// The server's words, English; `reason_zh` in Chinese (empty in
        /// what older versions kept).
        reason: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason_zh: String,
        #[serde(default)]
        short: Vec<Shortage>,
        /// The fields the server named, e.g. `round_id` for a closed round.
        #[serde(default)]
        fields: Vec<domain::FieldError>,
    },
}

/// `LocalState` as it is read: the same JSON as one plain struct. serde
/// reads a tagged enum by buffering it whole first, which cost every shop
/// bundle several KB of wasm for this type alone.
#[derive(Deserialize)]
struct LocalStateWire {
    state: LocalStateTag,
    // Waiting: the fields of its `Retry`.
    attempts: Option<u32>,
    next_attempt_ms: Option<f64>,
    last_error: Option<String>,
    #[serde(default)]
    last_error_zh: String,
    // Confirmed.
    order: Option<RawAnswer<Order>>,
    // Refused.
    reason: Option<String>,
    #[serde(default)]
    reason_zh: String,
    #[serde(default)]
    short: Vec<Shortage>,
    #[serde(default)]
    fields: Vec<domain::FieldError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum LocalStateTag {
    Waiting,
    Confirmed,
    Refused,
}

impl TryFrom<LocalStateWire> for LocalState {
    type Error = String;
    fn try_from(w: LocalStateWire) -> Result<Self, String> {
        Ok(match w.state {
            LocalStateTag::Waiting => LocalState::Waiting(Retry::read(
                w.attempts,
                w.next_attempt_ms,
                w.last_error,
                w.last_error_zh,
            )?),
            LocalStateTag::Confirmed => LocalState::Confirmed {
                order: w.order.ok_or(missing("order"))?,
            },
            LocalStateTag::Refused => LocalState::Refused {
                reason: w.reason.ok_or(missing("reason"))?,
                reason_zh: w.reason_zh,
                short: w.short,
                fields: w.fields,
            },
        })
    }
}

/// An order as kept on the phone: the request to send and what to show
/// while it waits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalOrder {
    pub id: String,
    pub created_ms: f64,
    pub village_slug: String,
    pub village_name: LocalText,
    pub organising_percent: u8,
    pub request: OrderRequest,
    pub lines: Vec<CartLine>,
    pub point: DistributionPoint,
    pub round: Round,
    pub totals: LineTotals,
    pub state: LocalState,
}

impl LocalOrder {
    /// A new order from a village cart, waiting to be sent now.
    pub fn new(
        id: String,
        now_ms: f64,
        slug: &str,
        cart: &VillageCart,
        point: DistributionPoint,
        round: Round,
    ) -> Self {
        LocalOrder {
            request: OrderRequest {
                round_id: round.id,
                point_id: point.id,
                lines: cart
                    .lines
                    .iter()
                    .map(|l| OrderLineRequest {
                        product_id: l.product_id,
                        quantity: l.quantity,
                    })
                    .collect(),
            },
            id,
            created_ms: now_ms,
            village_slug: slug.to_string(),
            village_name: cart.village_name.clone(),
            organising_percent: cart.organising_percent,
            lines: cart.lines.clone(),
            point,
            round,
            totals: cart.totals(),
            state: LocalState::Waiting(Retry::now()),
        }
    }
}

impl LocalState {
    /// Keeps what came of sending it: the server's order, its refusal, a
    /// wait for a login, or a later try.
    pub fn take_answer(&mut self, result: Result<RawAnswer<Order>, WriteError>, now_ms: f64) {
        *self = match result {
            Ok(order) => LocalState::Confirmed { order },
            Err(WriteError::Refused {
                message,
                short,
                fields,
                ..
            }) => LocalState::Refused {
                reason: message.en,
                reason_zh: message.zh,
                short,
                fields,
            },
            // Sent again once logged in.
            Err(WriteError::Unauthorized(m)) => LocalState::Waiting(Retry::parked(m)),
            Err(e) => return retry_later(self, &e, now_ms),
        };
    }
}

impl Outgoing for LocalState {
    fn retry(&self) -> Option<&Retry> {
        match self {
            LocalState::Waiting(r) => Some(r),
            _ => None,
        }
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        match self {
            LocalState::Waiting(r) => Some(r),
            _ => None,
        }
    }
}

impl Outgoing for LocalOrder {
    fn retry(&self) -> Option<&Retry> {
        self.state.retry()
    }

    fn retry_mut(&mut self) -> Option<&mut Retry> {
        self.state.retry_mut()
    }
}

impl Keepable for LocalOrder {
    type State = LocalState;
}

/// One list for "My orders": the server's orders, plus local orders the
/// server does not have (yet). A local order the server knows is shown with
/// the server's version. Newest first.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum ListedOrder {
    Local(LocalOrder),
    Server(Order),
}

impl ListedOrder {
    pub fn id(&self) -> &str {
        match self {
            ListedOrder::Local(o) => &o.id,
            ListedOrder::Server(o) => &o.id,
        }
    }
}

pub fn merge_orders(local: &[LocalOrder], server: &[Order]) -> Vec<ListedOrder> {
    let mut out: Vec<(f64, ListedOrder)> = server
        .iter()
        .map(|o| {
            (
                (o.created_at.unix_timestamp() as f64) * 1000.0,
                ListedOrder::Server(o.clone()),
            )
        })
        .collect();
    for l in local {
        if server.iter().any(|s| s.id == l.id) {
            continue;
        }
        let shown = match &l.state {
            LocalState::Confirmed { order } => match order.get() {
                Some(order) => ListedOrder::Server(order.clone()),
                None => ListedOrder::Local(l.clone()),
            },
            _ => ListedOrder::Local(l.clone()),
        };
        out.push((l.created_ms, shown));
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.into_iter().map(|(_, o)| o).collect()
}

/// A cart rebuilt from a refused order so the shopper can adjust and send
/// again: each short line is cut to what is left, and lines with nothing
/// left are dropped.
pub fn adjusted_lines(o: &LocalOrder) -> Vec<CartLine> {
    let short = match &o.state {
        LocalState::Refused { short, .. } => short.as_slice(),
        _ => &[],
    };
    o.lines
        .iter()
        .filter_map(
            |l| match short.iter().find(|s| s.product_id == l.product_id) {
                Some(s) if s.remaining > 0 => Some(CartLine {
                    quantity: s.remaining,
                    ..l.clone()
                }),
                Some(_) => None,
                None => Some(l.clone()),
            },
        )
        .collect()
}

/// What a shopper needs to know about an order at a glance.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Waiting,
    Confirmed,
    Refused,
    Cancelled,
}

pub fn shown(o: &ListedOrder) -> Shown {
    match o {
        ListedOrder::Local(l) => match l.state {
            LocalState::Waiting(_) => Shown::Waiting,
            LocalState::Refused { .. } => Shown::Refused,
            LocalState::Confirmed { ref order }
                if order
                    .get()
                    .is_some_and(|o| o.status == OrderStatus::Cancelled) =>
            {
                Shown::Cancelled
            }
            LocalState::Confirmed { .. } => Shown::Confirmed,
        },
        ListedOrder::Server(s) if s.status == OrderStatus::Cancelled => Shown::Cancelled,
        ListedOrder::Server(_) => Shown::Confirmed,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cart::tests::{line, village};
    use crate::kept::{self, Kept};
    use crate::outbox::{make_all_due, mark_retry, next_wakeup};
    use domain::dto::OrderStatus;
    use time::macros::{date, datetime};

    pub(crate) fn point() -> DistributionPoint {
        DistributionPoint {
            id: 7,
            name: LocalText::new("社区中心", "Community Centre"),
            address: LocalText::new("", ""),
            pickup_from: "09:00".into(),
            pickup_to: "11:30".into(),
        }
    }

    pub(crate) fn round() -> Round {
        Round {
            id: 3,
            opens_at: datetime!(2026-11-10 20:00 +8),
            deadline: datetime!(2026-11-28 20:00 +8),
            distribution_day: date!(2026 - 12 - 01),
        }
    }

    #[test]
    fn a_parked_order_survives_a_reload() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 2)];
        let mut o = LocalOrder::new("u1".into(), 1000.0, "liu", &v, point(), round());
        o.state = LocalState::Waiting(Retry::parked(LocalText::new("请登录", "log in")));
        let json = serde_json::to_string(&vec![o.clone()]).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<LocalOrder>>(&json).unwrap(),
            vec![o.clone()]
        );
        assert!(!o.is_due(1e15));
    }

    #[test]
    fn outbox_retries_with_backoff_and_all_due_when_online() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 2)];
        let mut o = LocalOrder::new("u1".into(), 1000.0, "liu", &v, point(), round());
        assert!(o.is_due(1000.0));
        assert_eq!(
            o.request.lines,
            vec![OrderLineRequest {
                product_id: 1,
                quantity: 2
            }]
        );
        mark_retry(&mut o, 1000.0, None);
        assert!(!o.is_due(2000.0));
        assert!(o.is_due(3000.0));
        mark_retry(&mut o, 3000.0, None);
        assert_eq!(next_wakeup(std::slice::from_ref(&o)), Some(7000.0));
        for _ in 0..10 {
            mark_retry(&mut o, 0.0, None);
        }
        assert_eq!(
            next_wakeup(std::slice::from_ref(&o)),
            Some(60_000.0),
            "backoff is capped at a minute"
        );
        let mut all = vec![o];
        make_all_due(&mut all);
        assert!(all[0].is_due(0.0));
        // The JSON kept in localStorage round-trips.
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(serde_json::from_str::<Vec<LocalOrder>>(&json).unwrap(), all);
    }

    pub(crate) fn server_order(id: &str, created: time::OffsetDateTime) -> Order {
        Order {
            id: id.into(),
            number: "LIU-000001".into(),
            status: OrderStatus::Confirmed,
            village_slug: "liu".into(),
            village_name: LocalText::new("刘村", "Liu Village"),
            round: round(),
            point: point(),
            lines: vec![],
            total_fen: 0,
            household_fen: 0,
            organising_fen: 0,
            created_at: created,
            updated_at: created,
            locked: false,
            withdrawn: vec![],
            pickup: None,
            refunds: vec![],
        }
    }

    #[test]
    fn my_orders_merges_local_and_server_without_doubles() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 1)];
        let created = datetime!(2026-11-22 10:00 UTC);
        let ms = |t: time::OffsetDateTime| t.unix_timestamp() as f64 * 1000.0;
        let sent = LocalOrder::new("a".into(), ms(created), "liu", &v, point(), round());
        let waiting = LocalOrder::new(
            "b".into(),
            ms(created) + 60_000.0,
            "liu",
            &v,
            point(),
            round(),
        );
        let server = vec![
            server_order("a", created),
            server_order("c", created - time::Duration::hours(1)),
        ];
        let merged = merge_orders(&[sent, waiting], &server);
        let ids: Vec<_> = merged.iter().map(|o| o.id().to_string()).collect();
        assert_eq!(ids, vec!["b", "a", "c"]);
        assert!(matches!(merged[0], ListedOrder::Local(_)));
        assert!(matches!(merged[1], ListedOrder::Server(_)));
    }

    #[test]
    fn states_kept_before_chinese_messages_still_load() {
        // As versions before bilingual server messages wrote them.
        let refused: LocalState = serde_json::from_str(
            r#"{"state":"refused","reason":"some fields are not valid","short":[],
                "fields":[{"field":"round_id","message":"orders for this round are closed"}]}"#,
        )
        .unwrap();
        let LocalState::Refused {
            reason,
            reason_zh,
            fields,
            ..
        } = refused
        else {
            panic!("a refusal")
        };
        assert_eq!(reason, "some fields are not valid");
        assert!(reason_zh.is_empty());
        assert_eq!(
            fields[0].text().get(domain::Lang::Zh),
            "orders for this round are closed",
            "shown in English rather than blank"
        );
        let waiting: LocalState = serde_json::from_str(
            r#"{"state":"waiting","attempts":2,"next_attempt_ms":5.0,"last_error":"busy"}"#,
        )
        .unwrap();
        let LocalState::Waiting(r) = waiting else {
            panic!("waiting")
        };
        assert_eq!(r.error_text().unwrap().get(domain::Lang::Zh), "busy");
        assert!(!r.had_no_connection());
    }

    #[test]
    fn every_state_reads_back_whatever_the_key_order() {
        let states = [
            LocalState::Waiting(Retry::now()),
            LocalState::Waiting(Retry::parked(LocalText::new("请登录", "log in"))),
            LocalState::Refused {
                reason: "closed".into(),
                reason_zh: "已截止".into(),
                short: vec![Shortage {
                    product_id: 3,
                    requested: 4,
                    remaining: 1,
                }],
                fields: vec![domain::FieldError::new("round_id", "已截止", "closed")],
            },
        ];
        for s in states {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(
                serde_json::from_str::<LocalState>(&json).unwrap(),
                s,
                "{json}"
            );
        }
        // The tag need not come first; a confirmed order keeps the server's JSON.
        let confirmed: LocalState =
            serde_json::from_str(r#"{"order":{"id":"u1","n":1},"state":"confirmed"}"#).unwrap();
        let LocalState::Confirmed { order } = confirmed else {
            panic!("confirmed")
        };
        assert_eq!(order.json(), r#"{"id":"u1","n":1}"#);
        for (bad, says) in [
            (
                r#"{"state":"waiting","attempts":1}"#,
                "missing field `next_attempt_ms`",
            ),
            (r#"{"state":"confirmed"}"#, "missing field `order`"),
            (r#"{"state":"refused"}"#, "missing field `reason`"),
            (r#"{"state":"lost"}"#, "unknown variant `lost`"),
            (
                r#"{"attempts":1,"next_attempt_ms":0}"#,
                "missing field `state`",
            ),
        ] {
            let err = serde_json::from_str::<LocalState>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn the_outbox_as_every_bundle_keeps_it_reads_back_whole() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 2)];
        let order = LocalOrder::new("u1".into(), 5.0, "liu", &v, point(), round());
        // As the typed outbox was, and still is, written.
        let json = serde_json::to_string(&vec![order.clone()]).unwrap();
        let mut kept: Vec<Kept<LocalOrder>> = serde_json::from_str(&json).unwrap();
        assert_eq!(kept[0].id, "u1");
        let sent: OrderRequest = serde_json::from_str(kept[0].request.get()).unwrap();
        assert_eq!(sent, order.request);
        assert!(kept[0].is_due(5.0));
        assert_eq!(kept[0].get(), Some(order.clone()));
        assert_eq!(serde_json::to_string(&kept).unwrap(), json);
        // The sender keeps the answer; a page reads the order with it.
        let log_in = LocalText::new("请登录", "log in");
        kept[0]
            .state
            .take_answer(Err(WriteError::Unauthorized(log_in)), 6.0);
        let back: Vec<LocalOrder> =
            serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
        assert_eq!(
            back[0].state,
            LocalState::Waiting(Retry::parked(LocalText::new("请登录", "log in")))
        );
        assert_eq!(back[0].lines, order.lines);
        assert_eq!(back, kept::values(&kept));
        assert!(!kept[0].is_due(1e12), "waits for a login, not a timer");
    }

    #[test]
    fn a_failed_attempt_keeps_both_languages() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 1)];
        let mut o = LocalOrder::new("u1".into(), 0.0, "liu", &v, point(), round());
        mark_retry(
            &mut o,
            0.0,
            Some(LocalText::new("现在人多", "the shop is very busy")),
        );
        let r = o.retry().unwrap();
        assert_eq!(r.error_text().unwrap().get(domain::Lang::Zh), "现在人多");
        assert_eq!(
            r.error_text().unwrap().get(domain::Lang::En),
            "the shop is very busy"
        );
        mark_retry(&mut o, 0.0, None);
        let r = o.retry().unwrap();
        assert!(r.had_no_connection());
        assert_eq!(r.error_text(), None);
    }

    #[test]
    fn refused_orders_adjust_to_what_is_left() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 5), line(2, 800, 2), line(3, 100, 1)];
        let mut o = LocalOrder::new("a".into(), 0.0, "liu", &v, point(), round());
        o.state = LocalState::Refused {
            reason: "short".into(),
            reason_zh: String::new(),
            fields: vec![],
            short: vec![
                Shortage {
                    product_id: 1,
                    requested: 5,
                    remaining: 3,
                },
                Shortage {
                    product_id: 2,
                    requested: 2,
                    remaining: 0,
                },
            ],
        };
        let adjusted = adjusted_lines(&o);
        assert_eq!(
            adjusted
                .iter()
                .map(|l| (l.product_id, l.quantity))
                .collect::<Vec<_>>(),
            vec![(1, 3), (3, 1)]
        );
    }

    fn refusal(message: LocalText, short: Vec<Shortage>) -> WriteError {
        WriteError::Refused {
            status: 409,
            message,
            fields: vec![],
            short,
            no_room: None,
            below_ordered: vec![],
            retry_after_minutes: None,
        }
    }

    #[test]
    fn what_came_of_sending_an_order_is_kept() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 1)];
        let new = || LocalOrder::new("a".into(), 0.0, "liu", &v, point(), round());
        let mut o = new();
        o.state
            .take_answer(Err(WriteError::Network("offline".into())), 10.0);
        assert!(o.retry().unwrap().had_no_connection());
        assert!(!o.is_due(10.0) && o.is_due(2010.0));
        let mut o = new();
        let gone = LocalText::new("没有", "gone");
        o.state
            .take_answer(Err(WriteError::NotFound(gone.clone())), 10.0);
        assert_eq!(o.retry().unwrap().error_text(), Some(gone));
        let mut o = new();
        let log_in = LocalText::new("请登录", "log in");
        o.state
            .take_answer(Err(WriteError::Unauthorized(log_in.clone())), 10.0);
        assert_eq!(o.state, LocalState::Waiting(Retry::parked(log_in)));
        let mut o = new();
        let short = vec![Shortage {
            product_id: 1,
            requested: 1,
            remaining: 0,
        }];
        o.state.take_answer(
            Err(refusal(LocalText::new("不够", "short"), short.clone())),
            10.0,
        );
        assert_eq!(
            o.state,
            LocalState::Refused {
                reason: "short".into(),
                reason_zh: "不够".into(),
                short,
                fields: vec![],
            }
        );
        let mut o = new();
        let answer = RawAnswer::new(&server_order("a", datetime!(2026-11-22 10:00 UTC)));
        o.state.take_answer(Ok(answer.clone()), 10.0);
        assert_eq!(o.state, LocalState::Confirmed { order: answer });
    }
}
