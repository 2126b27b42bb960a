//! A round's supply table as typed: the numbers the organiser changed, by
//! product and household; every other cell stays the server's value.

use domain::organise::{supply_quantity, RoundProduct, SupplyEntry, SupplyInput};
use std::collections::BTreeMap;

/// A cell of the table: (product, household).
pub type SupplyKey = (i64, i64);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SupplyDraft {
    /// What the organiser typed, by cell.
    pub edits: BTreeMap<SupplyKey, String>,
}

impl SupplyDraft {
    /// The supplies to send, every cell of each product still in the round,
    /// or the cells whose text is not a supply. The fault is by cell, not
    /// by field name, as the table marks each input.
    pub fn to_input(&self, products: &[RoundProduct]) -> Result<SupplyInput, Vec<SupplyKey>> {
        let mut supplies = Vec::new();
        let mut wrong = Vec::new();
        for p in products.iter().filter(|p| p.withdrawal.is_none()) {
            for s in &p.supplies {
                let key = (p.product_id, s.household_id);
                let quantity = match self.edits.get(&key) {
                    None => s.quantity,
                    Some(t) => match t.trim().parse::<i64>() {
                        Ok(q) if supply_quantity("q", q).is_ok() => q,
                        _ => {
                            wrong.push(key);
                            continue;
                        }
                    },
                };
                supplies.push(SupplyEntry {
                    household_id: s.household_id,
                    product_id: p.product_id,
                    quantity,
                });
            }
        }
        if wrong.is_empty() {
            Ok(SupplyInput { supplies })
        } else {
            Err(wrong)
        }
    }
}

/// The cell of each entry sent, so that the server's `supplies[i]` finds
/// its input.
pub fn cells(input: &SupplyInput) -> Vec<SupplyKey> {
    input
        .supplies
        .iter()
        .map(|s| (s.product_id, s.household_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::organise::Withdrawal;
    use domain::LocalText;

    fn product(id: i64, quantities: &[(i64, i64)]) -> RoundProduct {
        RoundProduct {
            product_id: id,
            name: LocalText::new("蛋", "Eggs"),
            unit: LocalText::new("斤", "jin"),
            published: true,
            capacity: quantities.iter().map(|(_, q)| q).sum(),
            ordered: 0,
            supplies: quantities
                .iter()
                .map(|&(household_id, quantity)| SupplyEntry {
                    household_id,
                    product_id: id,
                    quantity,
                })
                .collect(),
            withdrawal: None,
        }
    }

    #[test]
    fn typed_cells_replace_the_servers_values() {
        let products = [product(1, &[(3, 10), (4, 5)])];
        let mut d = SupplyDraft::default();
        d.edits.insert((1, 4), " 7 ".into());
        let input = d.to_input(&products).unwrap();
        let got: Vec<(SupplyKey, i64)> = input
            .supplies
            .iter()
            .map(|s| ((s.product_id, s.household_id), s.quantity))
            .collect();
        assert_eq!(got, [((1, 3), 10), ((1, 4), 7)]);
        assert_eq!(cells(&input), [(1, 3), (1, 4)]);
    }

    #[test]
    fn cells_that_are_not_a_supply_are_named() {
        let products = [product(1, &[(3, 10), (4, 5)]), product(2, &[(3, 1)])];
        let mut d = SupplyDraft::default();
        d.edits.insert((1, 3), "-1".into());
        d.edits.insert((2, 3), "two".into());
        d.edits.insert((1, 4), "100001".into());
        assert_eq!(d.to_input(&products).unwrap_err(), [(1, 3), (1, 4), (2, 3)]);
    }

    #[test]
    fn a_withdrawn_product_is_not_sent() {
        let mut gone = product(2, &[(3, 1)]);
        gone.withdrawal = Some(Withdrawal {
            round_id: 8,
            product_id: 2,
            reason: "病".into(),
            withdrawn_at: time::OffsetDateTime::UNIX_EPOCH,
            orders_affected: 0,
        });
        let mut d = SupplyDraft::default();
        d.edits.insert((2, 3), "x".into());
        let input = d.to_input(&[product(1, &[(3, 2)]), gone]).unwrap();
        assert_eq!(cells(&input), [(1, 3)]);
    }
}
