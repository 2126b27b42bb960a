//! Ordering rules shared by the server and the app: what a valid order
//! request is, its totals and the household share, and capacity.

use serde::{Deserialize, Serialize};

use crate::money::PriceBreakdown;
use crate::validate::{self, FieldError};

/// Most units of one product in one order. Small farms sell by the
/// household, not by the pallet; a larger number is a typo.
pub const MAX_QUANTITY: i64 = 99;
/// Most distinct products in one order.
pub const MAX_LINES: usize = 60;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLineRequest {
    pub product_id: i64,
    pub quantity: i64,
}

/// The body of `PUT /api/orders/{uuid}` and `PATCH /api/orders/{uuid}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRequest {
    pub round_id: i64,
    pub point_id: i64,
    pub lines: Vec<OrderLineRequest>,
}

impl OrderRequest {
    /// Checks the shape of the request (quantities, repeats, ids) and
    /// returns it with lines sorted by product, so that two requests with
    /// the same content compare equal whatever their line order.
    pub fn normalized(&self) -> Result<OrderRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.round_id <= 0 {
            errors.push(FieldError::new(
                "round_id",
                "编号必须是正整数",
                "must be a positive id",
            ));
        }
        if self.point_id <= 0 {
            errors.push(FieldError::new(
                "point_id",
                "编号必须是正整数",
                "must be a positive id",
            ));
        }
        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                "订单里至少要有一样产品",
                "an order needs at least one product",
            ));
        }
        if self.lines.len() > MAX_LINES {
            errors.push(FieldError::new(
                "lines",
                format!("每个订单最多 {MAX_LINES} 样产品"),
                format!("at most {MAX_LINES} products per order"),
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            if line.product_id <= 0 {
                errors.push(FieldError::new(
                    format!("lines[{i}].product_id"),
                    "编号必须是正整数",
                    "must be a positive id",
                ));
            }
            if let Err(e) = validate::quantity(&format!("lines[{i}].quantity"), line.quantity) {
                errors.push(e);
            }
            if self.lines[..i]
                .iter()
                .any(|l| l.product_id == line.product_id)
            {
                errors.push(FieldError::new(
                    format!("lines[{i}].product_id"),
                    "这样产品已经在订单里了，请改它的数量",
                    "this product is already in the order; change its quantity instead",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut lines = self.lines.clone();
        lines.sort_by_key(|l| l.product_id);
        Ok(OrderRequest {
            round_id: self.round_id,
            point_id: self.point_id,
            lines,
        })
    }
}

/// What one order line costs and where its money goes. The breakdown is
/// taken once on the line total (not per unit), so the household and
/// organising parts of a line always sum to the line total exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineTotals {
    pub total_fen: i64,
    pub household_fen: i64,
    pub organising_fen: i64,
}

pub fn line_totals(
    unit_price_fen: i64,
    quantity: i64,
    organising_percent: u8,
) -> Result<LineTotals, FieldError> {
    validate::quantity("quantity", quantity)?;
    let b = PriceBreakdown::new(unit_price_fen * quantity, organising_percent)?;
    Ok(LineTotals {
        total_fen: b.price_fen,
        household_fen: b.household_fen,
        organising_fen: b.organising_fen,
    })
}

/// The sum of line totals: what the shopper pays and how much of it goes to
/// the households.
pub fn order_totals(lines: impl IntoIterator<Item = LineTotals>) -> LineTotals {
    lines.into_iter().fold(
        LineTotals {
            total_fen: 0,
            household_fen: 0,
            organising_fen: 0,
        },
        |a, l| LineTotals {
            total_fen: a.total_fen + l.total_fen,
            household_fen: a.household_fen + l.household_fen,
            organising_fen: a.organising_fen + l.organising_fen,
        },
    )
}

/// A product that cannot be supplied in the quantity asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortage {
    pub product_id: i64,
    pub requested: i64,
    /// Units still available in the round (never negative).
    pub remaining: i64,
}

/// Checks every line against what is left. The whole order fails if any
/// line is short: no silent partial fills.
pub fn check_capacity(
    lines: &[OrderLineRequest],
    remaining: impl Fn(i64) -> i64,
) -> Result<(), Vec<Shortage>> {
    let short: Vec<Shortage> = lines
        .iter()
        .filter_map(|l| {
            let left = remaining(l.product_id).max(0);
            (l.quantity > left).then_some(Shortage {
                product_id: l.product_id,
                requested: l.quantity,
                remaining: left,
            })
        })
        .collect();
    if short.is_empty() {
        Ok(())
    } else {
        Err(short)
    }
}

/// Units left of a product in a round: the households' supply less what
/// live (not cancelled) orders already hold.
pub fn remaining(capacity: i64, ordered: i64) -> i64 {
    (capacity - ordered).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(lines: &[(i64, i64)]) -> OrderRequest {
        OrderRequest {
            round_id: 1,
            point_id: 2,
            lines: lines
                .iter()
                .map(|&(product_id, quantity)| OrderLineRequest {
                    product_id,
                    quantity,
                })
                .collect(),
        }
    }

    #[test]
    fn normalizing_sorts_lines_so_equal_content_compares_equal() {
        let a = req(&[(5, 1), (3, 2)]).normalized().unwrap();
        let b = req(&[(3, 2), (5, 1)]).normalized().unwrap();
        assert_eq!(a, b);
        assert_ne!(a, req(&[(3, 2), (5, 2)]).normalized().unwrap());
    }

    #[test]
    fn bad_requests_name_their_fields() {
        let fields = |r: OrderRequest| {
            r.normalized()
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(req(&[(3, 0)])), vec!["lines[0].quantity"]);
        assert_eq!(fields(req(&[(3, -1)])), vec!["lines[0].quantity"]);
        assert_eq!(
            fields(req(&[(3, MAX_QUANTITY + 1)])),
            vec!["lines[0].quantity"]
        );
        assert_eq!(fields(req(&[(3, i64::MAX)])), vec!["lines[0].quantity"]);
        assert_eq!(fields(req(&[(0, 1)])), vec!["lines[0].product_id"]);
        assert_eq!(fields(req(&[(3, 1), (3, 2)])), vec!["lines[1].product_id"]);
        assert_eq!(fields(req(&[])), vec!["lines"]);
        let mut r = req(&[(3, 1)]);
        r.round_id = 0;
        r.point_id = -2;
        assert_eq!(fields(r), vec!["round_id", "point_id"]);
        assert!(req(&[(3, 1), (4, MAX_QUANTITY)]).normalized().is_ok());
    }

    #[test]
    fn totals_sum_exactly() {
        let l1 = line_totals(3800, 2, 15).unwrap();
        assert_eq!(
            l1,
            LineTotals {
                total_fen: 7600,
                household_fen: 6460,
                organising_fen: 1140
            }
        );
        let l2 = line_totals(333, 3, 15).unwrap();
        assert_eq!(l2.total_fen, 999);
        assert_eq!(l2.household_fen + l2.organising_fen, 999);
        let t = order_totals([l1, l2]);
        assert_eq!(t.total_fen, 8599);
        assert_eq!(t.household_fen + t.organising_fen, t.total_fen);
        assert_eq!(
            order_totals([]),
            LineTotals {
                total_fen: 0,
                household_fen: 0,
                organising_fen: 0
            }
        );
        assert!(line_totals(100, 0, 15).is_err());
        for q in 1..=MAX_QUANTITY {
            for p in [1, 7, 99, 1234, 5600] {
                let l = line_totals(p, q, 12).unwrap();
                assert_eq!(l.household_fen + l.organising_fen, p * q);
            }
        }
    }

    #[test]
    fn capacity_refuses_the_whole_order_when_any_line_is_short() {
        let left = |id: i64| match id {
            1 => 10,
            2 => 0,
            3 => -4, // oversold data still reads as none left
            _ => 5,
        };
        assert!(check_capacity(&req(&[(1, 10), (4, 5)]).lines, left).is_ok());
        let short =
            check_capacity(&req(&[(1, 11), (2, 1), (4, 5), (3, 1)]).lines, left).unwrap_err();
        assert_eq!(
            short,
            vec![
                Shortage {
                    product_id: 1,
                    requested: 11,
                    remaining: 10
                },
                Shortage {
                    product_id: 2,
                    requested: 1,
                    remaining: 0
                },
                Shortage {
                    product_id: 3,
                    requested: 1,
                    remaining: 0
                },
            ]
        );
        assert_eq!(remaining(40, 28), 12);
        assert_eq!(remaining(40, 45), 0);
    }
}
