//! Settlement of a round: after the pickup, what each household has earned,
//! what the organising share kept, and how that adds up to what the
//! members paid.
//!
//! # The rule, in plain words
//!
//! 1. **Only paid orders are settled.** An order counts once it is marked
//!    collected and paid. Orders collected but not paid, not collected, or
//!    not marked at all are listed apart with what they are worth; their
//!    pieces earn the households nothing yet (shown as *pending*), and
//!    settlement changes by itself once they are marked paid.
//! 2. **Each piece is split like its price.** A piece (the part of an order
//!    line one household packed) is worth its unit price times its
//!    quantity. That value is split with the round's organising percent by
//!    [`PriceBreakdown`]: the organising part is rounded half up to the fen
//!    and the household gets the rest, exactly as the shop shows it.
//! 3. **A refund is given back by those who were paid, in the same
//!    proportion.** A refund of one piece (by its label) is split between
//!    that piece's household and the organising share in the proportion
//!    the piece's value was split (the organising part rounded half up).
//!    A refund of an order as a whole is first shared among the order's
//!    pieces in proportion to their value, in whole fen: each piece gets the
//!    whole part of its exact share and the fen still missing go one each
//!    to the pieces with the largest leftover fractions (equal: the smaller
//!    label first); then each piece's part is split as above. Refunds of
//!    orders that are not paid are listed with those orders and settle
//!    nothing.
//! 4. **The organising share absorbs every remainder.** What members paid
//!    can differ from what their orders were worth (a member rounded a
//!    cash payment, or paid a fen short). The households are paid for what
//!    they packed; the difference, and any fen of rounding, stays with the
//!    organising share. So, in integer fen and always:
//!
//!    *households' totals + organising share = collected − refunds*
//!
//!    where *collected* and *refunds* are those of paid orders. A
//!    household's total can fall below zero only if its refunds exceed
//!    what it earned in the round; it is then shown as it is.
//!
//! The same input always gives the same settlement, whatever order it is
//! listed in.
//!
//! # Income bands
//!
//! A household's yearly income from the nested market falls in one of
//! four bands, each including its lower edge: under ¥1,000; ¥1,000 up to
//! (not including) ¥5,000; ¥5,000 up to ¥10,000; ¥10,000 and over. So
//! exactly ¥1,000.00 is in the second band and exactly ¥10,000.00 in the
//! last ([`IncomeBand::of`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::money::PriceBreakdown;

/// One piece packed in the round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Piece {
    /// The order's number (unique).
    pub order: i64,
    pub household_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    /// As the order was priced.
    pub unit_price_fen: i64,
    /// The label code (unique); orders ties.
    pub label: String,
}

/// An order's pickup, as its latest mark says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Pickup {
    /// Collected and paid this much.
    Paid { amount_fen: i64 },
    /// Collected, not paid.
    Unpaid,
    /// Not collected.
    Absent,
    /// Not marked yet.
    None,
}

/// A refund of one order, of one of its pieces (`label`) or of the whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refund {
    pub order: i64,
    pub label: Option<String>,
    pub amount_fen: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub organising_percent: u8,
    pub pieces: Vec<Piece>,
    /// Every order of the round with its pickup; an order with pieces but
    /// not listed counts as not marked.
    pub orders: Vec<(i64, Pickup)>,
    pub refunds: Vec<Refund>,
}

/// What one household earned in the round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdSettlement {
    pub household_id: i64,
    /// Pieces (labels) of paid orders, and their units.
    pub pieces: i64,
    pub units: i64,
    /// What those pieces were worth at their price.
    pub value_fen: i64,
    /// The household's share of that value (rule 2).
    pub share_fen: i64,
    /// Its part of the refunds (rule 3).
    pub refunds_fen: i64,
    /// What the household is owed: share less refunds.
    pub total_fen: i64,
    /// Its share of pieces in orders not paid yet.
    pub pending_fen: i64,
}

/// An order left out of settlement because it is not paid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnpaidOrder {
    pub order: i64,
    pub pickup: Pickup,
    pub value_fen: i64,
    pub refunds_fen: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settlement {
    /// Every household with a piece in the round, by id.
    pub households: Vec<HouseholdSettlement>,
    /// What paid members paid.
    pub collected_fen: i64,
    /// Refunds of paid orders.
    pub refunds_fen: i64,
    /// What the paid orders' pieces were worth.
    pub value_fen: i64,
    /// collected − value: what members paid over (or, below zero, short of)
    /// their orders' worth; it stays with the organising share.
    pub difference_fen: i64,
    /// The organising share after refunds and the difference (rule 4).
    pub organising_fen: i64,
    /// Sum of the households' totals.
    pub households_fen: i64,
    /// Orders not paid, by number.
    pub unpaid: Vec<UnpaidOrder>,
}

impl Settlement {
    /// The reconciliation of rule 4.
    pub fn reconciles(&self) -> bool {
        self.households_fen + self.organising_fen == self.collected_fen - self.refunds_fen
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettlementError {
    /// The organising percent or a piece's value is out of range.
    Price(String),
    /// A piece of no quantity or a negative price.
    BadPiece { label: String },
    /// The same label twice.
    DuplicateLabel { label: String },
    /// A refund of no amount, of an order or label that is not in the
    /// round, or of a label of another order.
    BadRefund { order: i64, label: Option<String> },
    /// A paid amount below zero.
    BadPayment { order: i64 },
}

impl std::fmt::Display for SettlementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Price(e) => write!(f, "{e}"),
            Self::BadPiece { label } => write!(f, "piece {label} has no quantity or price"),
            Self::DuplicateLabel { label } => write!(f, "label {label} is listed twice"),
            Self::BadRefund { order, label } => {
                write!(
                    f,
                    "refund of order {order} (label {label:?}) does not fit the round"
                )
            }
            Self::BadPayment { order } => write!(f, "order {order} was paid a negative amount"),
        }
    }
}

impl std::error::Error for SettlementError {}

/// `total` shared in proportion to `weights` in whole units: whole parts
/// first, then one unit each to the largest leftover fractions (equal:
/// the earlier weight). All weights zero: everything to none (returns
/// zeros). `total` may be any sign.
fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum <= 0 {
        return vec![0; weights.len()];
    }
    let t = i128::from(total.abs());
    let mut parts: Vec<i128> = weights.iter().map(|&w| t * i128::from(w) / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Stable sort keeps the earlier weight first on equal fractions.
    order.sort_by_key(|&i| std::cmp::Reverse(t * i128::from(weights[i]) % sum));
    let missing = t - parts.iter().sum::<i128>();
    for &i in order.iter().take(missing as usize) {
        parts[i] += 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| sign * p as i64).collect()
}

/// The organising part of `amount` refunded from a piece split as `b`:
/// the same proportion, rounded half up like [`PriceBreakdown`].
fn organising_part(amount: i64, b: &PriceBreakdown) -> i64 {
    let n = i128::from(amount) * i128::from(b.organising_fen);
    let d = i128::from(b.price_fen);
    ((2 * n + d).div_euclid(2 * d)) as i64
}

/// Settles a round by the rule above.
pub fn settle(input: &Input) -> Result<Settlement, SettlementError> {
    let pct = input.organising_percent;
    let mut pieces = input.pieces.clone();
    pieces.sort_by(|a, b| a.label.cmp(&b.label));
    for w in pieces.windows(2) {
        if w[0].label == w[1].label {
            return Err(SettlementError::DuplicateLabel {
                label: w[0].label.clone(),
            });
        }
    }
    let mut split = Vec::with_capacity(pieces.len());
    for p in &pieces {
        if p.quantity <= 0 || p.unit_price_fen <= 0 {
            return Err(SettlementError::BadPiece {
                label: p.label.clone(),
            });
        }
        let b = PriceBreakdown::new(p.unit_price_fen * p.quantity, pct)
            .map_err(|e| SettlementError::Price(format!("{}: {}", e.field, e.message)))?;
        split.push(b);
    }
    let pickup: HashMap<i64, Pickup> = input.orders.iter().copied().collect();
    let pickup_of = |order: i64| pickup.get(&order).copied().unwrap_or(Pickup::None);
    let paid = |order: i64| matches!(pickup_of(order), Pickup::Paid { .. });

    // Refunds onto pieces (by index): (household part, organising part).
    let mut piece_refund: Vec<(i64, i64)> = vec![(0, 0); pieces.len()];
    // Refunds of orders with no pieces at all fall on the organising share.
    let mut unplaced_refund: BTreeMap<i64, i64> = BTreeMap::new();
    let mut refunds_of: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &input.refunds {
        let bad = || SettlementError::BadRefund {
            order: r.order,
            label: r.label.clone(),
        };
        if r.amount_fen <= 0 {
            return Err(bad());
        }
        let of_order: Vec<usize> = (0..pieces.len())
            .filter(|&i| pieces[i].order == r.order)
            .collect();
        let parts: Vec<(usize, i64)> = match &r.label {
            Some(label) => {
                let i = pieces
                    .binary_search_by(|p| p.label.as_str().cmp(label))
                    .map_err(|_| bad())?;
                if pieces[i].order != r.order {
                    return Err(bad());
                }
                vec![(i, r.amount_fen)]
            }
            None => {
                if of_order.is_empty() {
                    if !pickup.contains_key(&r.order) {
                        return Err(bad());
                    }
                    *unplaced_refund.entry(r.order).or_default() += r.amount_fen;
                    vec![]
                } else {
                    let weights: Vec<i64> = of_order.iter().map(|&i| split[i].price_fen).collect();
                    of_order
                        .iter()
                        .copied()
                        .zip(largest_remainder(r.amount_fen, &weights))
                        .collect()
                }
            }
        };
        *refunds_of.entry(r.order).or_default() += r.amount_fen;
        for (i, amount) in parts {
            let org = organising_part(amount, &split[i]);
            piece_refund[i].0 += amount - org;
            piece_refund[i].1 += org;
        }
    }

    let mut households: BTreeMap<i64, HouseholdSettlement> = BTreeMap::new();
    let mut organising_of_pieces = 0i64;
    let mut organising_refunds = 0i64;
    let mut value_fen = 0i64;
    let mut unpaid_value: BTreeMap<i64, i64> = BTreeMap::new();
    for (i, p) in pieces.iter().enumerate() {
        let h = households
            .entry(p.household_id)
            .or_insert_with(|| HouseholdSettlement {
                household_id: p.household_id,
                ..Default::default()
            });
        let b = &split[i];
        if paid(p.order) {
            h.pieces += 1;
            h.units += p.quantity;
            h.value_fen += b.price_fen;
            h.share_fen += b.household_fen;
            h.refunds_fen += piece_refund[i].0;
            organising_of_pieces += b.organising_fen;
            organising_refunds += piece_refund[i].1;
            value_fen += b.price_fen;
        } else {
            h.pending_fen += b.household_fen;
            *unpaid_value.entry(p.order).or_default() += b.price_fen;
        }
    }
    for h in households.values_mut() {
        h.total_fen = h.share_fen - h.refunds_fen;
    }

    let mut collected_fen = 0i64;
    let mut orders: Vec<i64> = input.orders.iter().map(|(o, _)| *o).collect();
    orders.extend(unpaid_value.keys());
    orders.sort_unstable();
    orders.dedup();
    let mut unpaid = Vec::new();
    for order in orders {
        match pickup_of(order) {
            Pickup::Paid { amount_fen } => {
                if amount_fen < 0 {
                    return Err(SettlementError::BadPayment { order });
                }
                collected_fen += amount_fen;
                organising_refunds += unplaced_refund.get(&order).copied().unwrap_or(0);
            }
            state => unpaid.push(UnpaidOrder {
                order,
                pickup: state,
                value_fen: unpaid_value.get(&order).copied().unwrap_or(0),
                refunds_fen: refunds_of.get(&order).copied().unwrap_or(0),
            }),
        }
    }
    let refunds_fen: i64 = refunds_of
        .iter()
        .filter(|(o, _)| paid(**o))
        .map(|(_, a)| a)
        .sum();
    let difference_fen = collected_fen - value_fen;
    let households: Vec<HouseholdSettlement> = households.into_values().collect();
    let households_fen = households.iter().map(|h| h.total_fen).sum();
    Ok(Settlement {
        households,
        collected_fen,
        refunds_fen,
        value_fen,
        difference_fen,
        organising_fen: organising_of_pieces - organising_refunds + difference_fen,
        households_fen,
        unpaid,
    })
}

/// A yearly income band (see the module docs for the edges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncomeBand {
    /// Under ¥1,000.
    Under1k,
    /// ¥1,000 up to ¥5,000.
    From1kTo5k,
    /// ¥5,000 up to ¥10,000.
    From5kTo10k,
    /// ¥10,000 and over.
    From10k,
}

impl IncomeBand {
    pub const ALL: [IncomeBand; 4] = [
        Self::Under1k,
        Self::From1kTo5k,
        Self::From5kTo10k,
        Self::From10k,
    ];

    /// The band of a yearly income in fen (below zero counts as under
    /// ¥1,000).
    pub fn of(yearly_fen: i64) -> Self {
        match yearly_fen {
            i64::MIN..=99_999 => Self::Under1k,
            100_000..=499_999 => Self::From1kTo5k,
            500_000..=999_999 => Self::From5kTo10k,
            _ => Self::From10k,
        }
    }

    /// The band's lower and upper edge in fen (the upper not included).
    pub fn range_fen(self) -> (i64, Option<i64>) {
        match self {
            Self::Under1k => (0, Some(100_000)),
            Self::From1kTo5k => (100_000, Some(500_000)),
            Self::From5kTo10k => (500_000, Some(1_000_000)),
            Self::From10k => (1_000_000, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn piece(order: i64, household_id: i64, quantity: i64, unit: i64, label: &str) -> Piece {
        Piece {
            order,
            household_id,
            product_id: 1,
            quantity,
            unit_price_fen: unit,
            label: label.into(),
        }
    }

    fn paid(order: i64, amount_fen: i64) -> (i64, Pickup) {
        (order, Pickup::Paid { amount_fen })
    }

    #[test]
    fn two_households_one_paid_order() {
        // ¥38 eggs ×2 from the Wangs, ¥60 walnuts ×1 from the Lis, at 15%.
        let s = settle(&Input {
            organising_percent: 15,
            pieces: vec![piece(1, 10, 2, 3800, "A"), piece(1, 20, 1, 6000, "B")],
            orders: vec![paid(1, 13_600)],
            refunds: vec![],
        })
        .unwrap();
        assert_eq!(s.households[0].share_fen, 6460);
        assert_eq!(s.households[1].share_fen, 5100);
        assert_eq!(s.organising_fen, 1140 + 900);
        assert_eq!(s.collected_fen, 13_600);
        assert_eq!(s.difference_fen, 0);
        assert!(s.reconciles());
        assert!(s.unpaid.is_empty());
    }

    #[test]
    fn unpaid_orders_are_apart_and_pending() {
        let s = settle(&Input {
            organising_percent: 15,
            pieces: vec![
                piece(1, 10, 1, 1000, "A"),
                piece(2, 10, 1, 2000, "B"),
                piece(3, 10, 1, 3000, "C"),
            ],
            orders: vec![paid(1, 1000), (2, Pickup::Unpaid), (3, Pickup::Absent)],
            refunds: vec![Refund {
                order: 2,
                label: None,
                amount_fen: 500,
            }],
        })
        .unwrap();
        let h = &s.households[0];
        assert_eq!(
            (h.pieces, h.share_fen, h.pending_fen),
            (1, 850, 1700 + 2550)
        );
        assert_eq!(s.collected_fen, 1000);
        assert_eq!(
            s.refunds_fen, 0,
            "a refund of an unpaid order settles nothing"
        );
        assert_eq!(
            s.unpaid,
            vec![
                UnpaidOrder {
                    order: 2,
                    pickup: Pickup::Unpaid,
                    value_fen: 2000,
                    refunds_fen: 500
                },
                UnpaidOrder {
                    order: 3,
                    pickup: Pickup::Absent,
                    value_fen: 3000,
                    refunds_fen: 0
                },
            ]
        );
        assert!(s.reconciles());
    }

    #[test]
    fn an_order_not_marked_is_unpaid() {
        let s = settle(&Input {
            organising_percent: 15,
            pieces: vec![piece(7, 10, 1, 1000, "A")],
            orders: vec![],
            refunds: vec![],
        })
        .unwrap();
        assert_eq!(s.unpaid[0].pickup, Pickup::None);
        assert_eq!(s.unpaid[0].value_fen, 1000);
    }

    #[test]
    fn a_piece_refund_is_given_back_in_the_price_proportion() {
        // A ¥38 piece refunded in full: the household gives back its ¥32.30.
        let s = settle(&Input {
            organising_percent: 15,
            pieces: vec![piece(1, 10, 1, 3800, "A"), piece(1, 20, 1, 3800, "B")],
            orders: vec![paid(1, 7600)],
            refunds: vec![Refund {
                order: 1,
                label: Some("A".into()),
                amount_fen: 3800,
            }],
        })
        .unwrap();
        assert_eq!(s.households[0].refunds_fen, 3230);
        assert_eq!(s.households[0].total_fen, 0);
        assert_eq!(s.households[1].total_fen, 3230);
        assert_eq!(s.organising_fen, 570);
        assert!(s.reconciles());
    }

    #[test]
    fn an_order_refund_is_shared_by_value_in_whole_fen() {
        // 1 fen over three equal pieces goes to the first label.
        assert_eq!(largest_remainder(1, &[5, 5, 5]), vec![1, 0, 0]);
        assert_eq!(largest_remainder(10, &[1, 2, 2]), vec![2, 4, 4]);
        assert_eq!(largest_remainder(7, &[1, 3]), vec![2, 5]);
        assert_eq!(largest_remainder(-7, &[1, 3]), vec![-2, -5]);
        assert_eq!(largest_remainder(5, &[0, 0]), vec![0, 0]);
        let s = settle(&Input {
            organising_percent: 10,
            pieces: vec![piece(1, 10, 1, 1000, "A"), piece(1, 20, 3, 1000, "B")],
            orders: vec![paid(1, 4000)],
            refunds: vec![Refund {
                order: 1,
                label: None,
                amount_fen: 1000,
            }],
        })
        .unwrap();
        // 250 from A's piece (225 household), 750 from B's (675).
        assert_eq!(s.households[0].refunds_fen, 225);
        assert_eq!(s.households[1].refunds_fen, 675);
        assert_eq!(s.organising_fen, 400 - 100);
        assert!(s.reconciles());
    }

    #[test]
    fn the_organising_share_absorbs_what_was_paid_over_or_short() {
        let s = settle(&Input {
            organising_percent: 15,
            pieces: vec![piece(1, 10, 1, 3850, "A")],
            orders: vec![paid(1, 3800)],
            refunds: vec![],
        })
        .unwrap();
        assert_eq!(s.households[0].total_fen, 3850 - 578);
        assert_eq!(s.difference_fen, -50);
        assert_eq!(s.organising_fen, 578 - 50);
        assert!(s.reconciles());
    }

    #[test]
    fn refuses_what_does_not_fit() {
        let base = Input {
            organising_percent: 15,
            pieces: vec![piece(1, 10, 1, 1000, "A"), piece(2, 10, 1, 1000, "B")],
            orders: vec![paid(1, 1000), paid(2, 1000)],
            refunds: vec![],
        };
        let with = |r: Refund| {
            let mut i = base.clone();
            i.refunds.push(r);
            settle(&i)
        };
        // A label of another order, an unknown label or order, no amount.
        for (order, label, amount) in [
            (1, Some("B"), 100),
            (1, Some("Z"), 100),
            (9, None, 100),
            (1, None, 0),
        ] {
            assert!(matches!(
                with(Refund {
                    order,
                    label: label.map(Into::into),
                    amount_fen: amount
                }),
                Err(SettlementError::BadRefund { .. })
            ));
        }
        let mut twice = base.clone();
        twice.pieces.push(piece(2, 20, 1, 1000, "A"));
        assert!(matches!(
            settle(&twice),
            Err(SettlementError::DuplicateLabel { .. })
        ));
        let mut pct = base.clone();
        pct.organising_percent = 30;
        assert!(matches!(settle(&pct), Err(SettlementError::Price(_))));
        let mut negative = base;
        negative.orders[0] = paid(1, -1);
        assert!(matches!(
            settle(&negative),
            Err(SettlementError::BadPayment { order: 1 })
        ));
    }

    #[test]
    fn income_band_edges() {
        assert_eq!(IncomeBand::of(0), IncomeBand::Under1k);
        assert_eq!(IncomeBand::of(-5), IncomeBand::Under1k);
        assert_eq!(IncomeBand::of(99_999), IncomeBand::Under1k);
        assert_eq!(IncomeBand::of(100_000), IncomeBand::From1kTo5k);
        assert_eq!(IncomeBand::of(499_999), IncomeBand::From1kTo5k);
        assert_eq!(IncomeBand::of(500_000), IncomeBand::From5kTo10k);
        assert_eq!(IncomeBand::of(999_999), IncomeBand::From5kTo10k);
        assert_eq!(IncomeBand::of(1_000_000), IncomeBand::From10k);
        assert_eq!(IncomeBand::of(i64::MAX), IncomeBand::From10k);
        // The ranges agree with `of` at every edge.
        for band in IncomeBand::ALL {
            let (lo, hi) = band.range_fen();
            assert_eq!(IncomeBand::of(lo), band);
            if let Some(hi) = hi {
                assert_eq!(IncomeBand::of(hi - 1), band);
                assert_ne!(IncomeBand::of(hi), band);
            }
        }
        assert_eq!(
            serde_json::to_string(&IncomeBand::From1kTo5k).unwrap(),
            "\"from1k_to5k\""
        );
    }

    /// Random rounds: up to 6 orders, 4 households, pieces at any price,
    /// any pickup, payments near the value, piece and order refunds.
    fn rounds() -> impl Strategy<Value = Input> {
        (
            10u8..=20,
            prop::collection::vec((1i64..=6, 1i64..=4, 1i64..=5, 1i64..=20_000), 0..14),
            prop::collection::vec((0u8..4, -300i64..=300), 6),
            prop::collection::vec((1i64..=6, any::<bool>(), 0usize..14, 1i64..=5_000), 0..5),
        )
            .prop_map(|(pct, raw, marks, raw_refunds)| {
                let pieces: Vec<Piece> = raw
                    .iter()
                    .enumerate()
                    .map(|(i, &(order, household, quantity, unit))| {
                        piece(order, household, quantity, unit, &format!("L{i:02}"))
                    })
                    .collect();
                let orders = (1..=6i64)
                    .map(|o| {
                        let value: i64 = pieces
                            .iter()
                            .filter(|p| p.order == o)
                            .map(|p| p.quantity * p.unit_price_fen)
                            .sum();
                        let (kind, off) = marks[(o - 1) as usize];
                        let pickup = match kind {
                            0 => Pickup::Paid {
                                amount_fen: (value + off).max(0),
                            },
                            1 => Pickup::Unpaid,
                            2 => Pickup::Absent,
                            _ => Pickup::None,
                        };
                        (o, pickup)
                    })
                    .collect();
                let refunds = raw_refunds
                    .into_iter()
                    .filter_map(|(order, by_label, i, amount)| {
                        if by_label {
                            pieces.get(i).map(|p| Refund {
                                order: p.order,
                                label: Some(p.label.clone()),
                                amount_fen: amount,
                            })
                        } else {
                            Some(Refund {
                                order,
                                label: None,
                                amount_fen: amount,
                            })
                        }
                    })
                    .collect();
                Input {
                    organising_percent: pct,
                    pieces,
                    orders,
                    refunds,
                }
            })
    }

    proptest! {
        #[test]
        fn always_reconciles(input in rounds()) {
            let s = settle(&input).unwrap();
            prop_assert!(s.reconciles(), "{s:?}");
            let sum: i64 = s.households.iter().map(|h| h.total_fen).sum();
            prop_assert_eq!(sum, s.households_fen);
            for h in &s.households {
                prop_assert_eq!(h.total_fen, h.share_fen - h.refunds_fen);
            }
            let refunded: i64 = input.refunds.iter()
                .filter(|r| matches!(input.orders[(r.order - 1) as usize].1, Pickup::Paid { .. }))
                .map(|r| r.amount_fen).sum();
            prop_assert_eq!(s.refunds_fen, refunded);
        }

        #[test]
        fn without_refunds_shares_are_the_price_breakdown(input in rounds()) {
            let mut input = input;
            input.refunds.clear();
            let s = settle(&input).unwrap();
            let is_paid = |o: i64| matches!(input.orders[(o - 1) as usize].1, Pickup::Paid { .. });
            for h in &s.households {
                let (share, pending) = input.pieces.iter()
                    .filter(|p| p.household_id == h.household_id)
                    .fold((0, 0), |(s, u), p| {
                        let b = PriceBreakdown::new(p.quantity * p.unit_price_fen, input.organising_percent).unwrap();
                        if is_paid(p.order) { (s + b.household_fen, u) } else { (s, u + b.household_fen) }
                    });
                prop_assert_eq!(h.share_fen, share);
                prop_assert_eq!(h.total_fen, share);
                prop_assert_eq!(h.pending_fen, pending);
            }
            let unpaid: Vec<i64> = s.unpaid.iter().map(|u| u.order).collect();
            let expected: Vec<i64> = (1..=6).filter(|&o| !is_paid(o)).collect();
            prop_assert_eq!(unpaid, expected);
        }

        #[test]
        fn refund_parts_stay_within_the_refund(input in rounds()) {
            // Each piece's refunds are split into a household and an
            // organising part, neither below zero.
            let s = settle(&input).unwrap();
            for h in &s.households {
                prop_assert!(h.refunds_fen >= 0);
            }
            let households: i64 = s.households.iter().map(|h| h.refunds_fen).sum();
            prop_assert!(households <= s.refunds_fen);
        }

        #[test]
        fn listing_order_does_not_matter(input in rounds()) {
            let a = settle(&input).unwrap();
            let mut reversed = input.clone();
            reversed.pieces.reverse();
            reversed.orders.reverse();
            let b = settle(&reversed).unwrap();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn order_refund_shares_sum_to_the_refund(total in -10_000i64..10_000, weights in prop::collection::vec(0i64..5_000, 1..8)) {
            let parts = largest_remainder(total, &weights);
            if weights.iter().sum::<i64>() > 0 {
                prop_assert_eq!(parts.iter().sum::<i64>(), total);
                let sum: i64 = weights.iter().sum();
                for (p, w) in parts.iter().zip(&weights) {
                    // Within one fen of the exact share.
                    prop_assert!((i128::from(*p) * i128::from(sum) - i128::from(total) * i128::from(*w)).abs() < i128::from(sum));
                }
            }
        }
    }
}
