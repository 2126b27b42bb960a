//! The cart the phone keeps, per village: plain data and pure functions,
//! unit-tested natively; `state` keeps it in localStorage.

use std::collections::BTreeMap;

use domain::order::{line_totals, order_totals, LineTotals, OrderLineRequest, Shortage};
use domain::LocalText;
use serde::{Deserialize, Serialize};

/// localStorage key of the cart. Versioned so a future shape can migrate.
pub const CART_KEY: &str = "storefront.cart.v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: i64,
    pub name: LocalText,
    pub unit: LocalText,
    pub unit_price_fen: i64,
    pub quantity: i64,
}

/// The cart for one village: its products share a round and a pickup point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VillageCart {
    pub village_name: LocalText,
    pub organising_percent: u8,
    pub lines: Vec<CartLine>,
}

impl VillageCart {
    /// Lines asking for more than is left, by the domain's capacity rule.
    /// A product whose stock is unknown is not judged here; the server is.
    pub fn shortages(&self, left: impl Fn(i64) -> Option<i64>) -> Vec<Shortage> {
        let lines: Vec<OrderLineRequest> = self
            .lines
            .iter()
            .map(|l| OrderLineRequest {
                product_id: l.product_id,
                quantity: l.quantity,
            })
            .collect();
        domain::order::check_capacity(&lines, |id| left(id).unwrap_or(i64::MAX))
            .err()
            .unwrap_or_default()
    }

    pub fn totals(&self) -> LineTotals {
        order_totals(self.lines.iter().filter_map(|l| {
            line_totals(l.unit_price_fen, l.quantity, self.organising_percent).ok()
        }))
    }
}

/// Carts by village slug.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cart {
    pub villages: BTreeMap<String, VillageCart>,
}

impl Cart {
    /// Sets a product's quantity (0 removes it), clamped to 1–99.
    pub fn set_quantity(&mut self, slug: &str, village: &VillageCart, line: CartLine) {
        let entry = self
            .villages
            .entry(slug.to_string())
            .or_insert_with(|| VillageCart {
                village_name: village.village_name.clone(),
                organising_percent: village.organising_percent,
                lines: Vec::new(),
            });
        entry.village_name = village.village_name.clone();
        entry.organising_percent = village.organising_percent;
        let qty = line.quantity.min(domain::order::MAX_QUANTITY);
        match entry
            .lines
            .iter_mut()
            .find(|l| l.product_id == line.product_id)
        {
            Some(existing) if qty > 0 => {
                *existing = CartLine {
                    quantity: qty,
                    ..line
                }
            }
            Some(_) => entry.lines.retain(|l| l.product_id != line.product_id),
            None if qty > 0 => entry.lines.push(CartLine {
                quantity: qty,
                ..line
            }),
            None => {}
        }
        if entry.lines.is_empty() {
            self.villages.remove(slug);
        }
    }

    pub fn quantity_of(&self, slug: &str, product_id: i64) -> i64 {
        self.villages
            .get(slug)
            .and_then(|v| v.lines.iter().find(|l| l.product_id == product_id))
            .map_or(0, |l| l.quantity)
    }

    /// Number of units in all carts, for the badge.
    pub fn count(&self) -> i64 {
        self.villages
            .values()
            .flat_map(|v| v.lines.iter())
            .map(|l| l.quantity)
            .sum()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn village() -> VillageCart {
        VillageCart {
            village_name: LocalText::new("刘村", "Liu Village"),
            organising_percent: 15,
            lines: vec![],
        }
    }

    pub(crate) fn line(id: i64, price: i64, qty: i64) -> CartLine {
        CartLine {
            product_id: id,
            name: LocalText::new("蛋", "Eggs"),
            unit: LocalText::new("公斤", "kg"),
            unit_price_fen: price,
            quantity: qty,
        }
    }

    #[test]
    fn cart_sets_and_removes_quantities() {
        let mut c = Cart::default();
        c.set_quantity("liu", &village(), line(1, 3600, 2));
        c.set_quantity("liu", &village(), line(2, 800, 1));
        assert_eq!(c.count(), 3);
        c.set_quantity("liu", &village(), line(1, 3600, 5));
        assert_eq!(c.quantity_of("liu", 1), 5);
        c.set_quantity("liu", &village(), line(1, 3600, 500));
        assert_eq!(c.quantity_of("liu", 1), 99);
        c.set_quantity("liu", &village(), line(1, 3600, 0));
        assert_eq!(c.quantity_of("liu", 1), 0);
        c.set_quantity("liu", &village(), line(2, 800, 0));
        assert!(c.villages.is_empty(), "an empty village cart is dropped");
    }

    #[test]
    fn cart_shortages_follow_the_capacity_rule() {
        let mut v = village();
        v.lines = vec![line(1, 100, 3), line(2, 100, 2), line(3, 100, 9)];
        let left = |id: i64| match id {
            1 => Some(3),
            2 => Some(1),
            _ => None,
        };
        assert_eq!(
            v.shortages(left),
            vec![Shortage {
                product_id: 2,
                requested: 2,
                remaining: 1
            }]
        );
    }

    #[test]
    fn cart_totals_use_the_domain_breakdown() {
        let mut v = village();
        v.lines = vec![line(1, 3800, 2), line(2, 333, 3)];
        let t = v.totals();
        assert_eq!(t.total_fen, 8599);
        assert_eq!(t.household_fen + t.organising_fen, 8599);
    }

    #[test]
    fn cart_survives_a_json_round_trip() {
        let mut c = Cart::default();
        c.set_quantity("liu", &village(), line(1, 3600, 2));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Cart>(&json).unwrap(), c);
    }
}
