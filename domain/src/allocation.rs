//! Who packs what: after a round's deadline, the ordered quantity of each
//! product is shared among the households that supplied it.
//!
//! # The rule, in plain words
//!
//! For one product in one round:
//!
//! 1. **Each household's share follows its supply.** If the Wangs offered
//!    20 boxes of eggs and the Lis 10, and 15 boxes were ordered, the
//!    Wangs pack 10 and the Lis 5: everyone sells the same fraction of
//!    what they offered.
//! 2. **Whole units only, fairly rounded.** A share like 4.6 boxes can't be
//!    packed, so every household first gets the whole part of its exact
//!    share (4). The units still missing go one each to the households with
//!    the largest leftover fractions (0.6 before 0.3). When two fractions are
//!    equal, the household with the smaller id goes first. So every share is
//!    within one unit of the exact share, the shares add up to exactly what
//!    was ordered, and nobody packs more than they offered.
//! 3. **Then the orders are handed out.** Bigger order lines are placed
//!    first (equal sizes: the lower order number first). Each line goes
//!    whole to the household whose remaining share fits it most tightly
//!    (equal: the smaller household id), keeping bigger remaining shares
//!    free for bigger orders. Only when no household has enough left is a
//!    line split: the household with the most left gives all it has left,
//!    and the rest of the line is placed the same way. Each split uses up
//!    a household's share, so with N households at most N − 1 lines are
//!    split in a round's product.
//!
//! The same supplies and orders always give the same result, whatever order
//! they are listed in. Each (household, order) piece is one packed item and
//! gets its own label.
//!
//! Ordering already keeps the total ordered within the total supply; if
//! that ever fails, [`allocate`] refuses with
//! [`AllocationError::NotEnoughSupply`] rather than overload a household.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

/// What one household offered of the product in this round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supply {
    pub household_id: i64,
    pub quantity: i64,
}

/// One order's line for the product. `order` is the order's number (unique,
/// assigned once); it orders ties and names the order in packing lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AllocationOrderLine))]
pub struct OrderLine {
    pub order: i64,
    pub quantity: i64,
}

/// A household's share of the ordered total (steps 1 and 2 of the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    pub household_id: i64,
    pub supply: i64,
    pub share: i64,
}

/// Part (or all) of one order line that one household prepares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AllocationPiece))]
pub struct Piece {
    pub order: i64,
    pub quantity: i64,
}

/// What one household must prepare: its share, split into pieces of
/// orders (sorted by order number; their quantities sum to `share`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdAllocation {
    pub household_id: i64,
    pub supply: i64,
    pub share: i64,
    pub pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllocationError {
    /// A supply below zero.
    NegativeSupply { household_id: i64, quantity: i64 },
    /// The same household listed twice.
    DuplicateHousehold { household_id: i64 },
    /// An order line of zero or fewer units.
    BadQuantity { order: i64, quantity: i64 },
    /// The same order listed twice.
    DuplicateOrder { order: i64 },
    /// More ordered than supplied; ordering should have prevented it.
    NotEnoughSupply { ordered: i64, supply: i64 },
}

impl std::fmt::Display for AllocationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NegativeSupply {
                household_id,
                quantity,
            } => write!(
                f,
                "household {household_id} has a negative supply ({quantity})"
            ),
            Self::DuplicateHousehold { household_id } => {
                write!(f, "household {household_id} is listed twice")
            }
            Self::BadQuantity { order, quantity } => write!(
                f,
                "order {order} has a line of {quantity} units; it must be at least 1"
            ),
            Self::DuplicateOrder { order } => write!(f, "order {order} is listed twice"),
            Self::NotEnoughSupply { ordered, supply } => write!(
                f,
                "{ordered} units were ordered but the households supplied only {supply}"
            ),
        }
    }
}

impl std::error::Error for AllocationError {}

/// Steps 1 and 2 of the rule: each household's share of `ordered` units by
/// largest-remainder (Hamilton) apportionment of the supplies. The result
/// is sorted by household id. A negative `ordered` is refused as
/// [`AllocationError::BadQuantity`] with order 0.
pub fn shares(supplies: &[Supply], ordered: i64) -> Result<Vec<Share>, AllocationError> {
    let mut supplies = supplies.to_vec();
    supplies.sort_by_key(|s| s.household_id);
    for (i, s) in supplies.iter().enumerate() {
        if s.quantity < 0 {
            return Err(AllocationError::NegativeSupply {
                household_id: s.household_id,
                quantity: s.quantity,
            });
        }
        if i > 0 && supplies[i - 1].household_id == s.household_id {
            return Err(AllocationError::DuplicateHousehold {
                household_id: s.household_id,
            });
        }
    }
    if ordered < 0 {
        return Err(AllocationError::BadQuantity {
            order: 0,
            quantity: ordered,
        });
    }
    // i128: ordered × supply can exceed i64 for absurd inputs.
    let total: i128 = supplies.iter().map(|s| i128::from(s.quantity)).sum();
    let ordered128 = i128::from(ordered);
    if ordered128 > total {
        return Err(AllocationError::NotEnoughSupply {
            ordered,
            supply: i64::try_from(total).unwrap_or(i64::MAX),
        });
    }
    let mut result: Vec<Share> = Vec::with_capacity(supplies.len());
    // (remainder numerator, index): the exact share is
    // (floor) + remainder / total.
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(supplies.len());
    let mut given: i128 = 0;
    for (i, s) in supplies.iter().enumerate() {
        let (floor, rem) = if total == 0 {
            (0, 0)
        } else {
            let exact = ordered128 * i128::from(s.quantity);
            (exact / total, exact % total)
        };
        given += floor;
        remainders.push((rem, i));
        result.push(Share {
            household_id: s.household_id,
            supply: s.quantity,
            // floor ≤ exact share ≤ supply, because ordered ≤ total.
            share: floor as i64,
        });
    }
    // Largest remainder first; equal remainders by household id, which is
    // the index order since `supplies` is sorted.
    remainders.sort_by_key(|&(rem, i)| (Reverse(rem), i));
    let missing = (ordered128 - given) as usize;
    // The fractions sum to `missing` and each is below 1, so at least
    // `missing` of them are non-zero: every extra unit goes to a household
    // whose exact share is fractional, hence below its supply.
    for &(rem, i) in remainders.iter().take(missing) {
        debug_assert!(rem > 0);
        result[i].share += 1;
    }
    Ok(result)
}

/// The whole rule (see the module docs): every household's share and the
/// order pieces it prepares, sorted by household id. Households with a
/// zero share are listed too, with no pieces.
pub fn allocate(
    supplies: &[Supply],
    orders: &[OrderLine],
) -> Result<Vec<HouseholdAllocation>, AllocationError> {
    let mut lines = orders.to_vec();
    lines.sort_by_key(|l| l.order);
    for (i, l) in lines.iter().enumerate() {
        if l.quantity <= 0 {
            return Err(AllocationError::BadQuantity {
                order: l.order,
                quantity: l.quantity,
            });
        }
        if i > 0 && lines[i - 1].order == l.order {
            return Err(AllocationError::DuplicateOrder { order: l.order });
        }
    }
    let ordered = lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.quantity))
        .ok_or(AllocationError::NotEnoughSupply {
            ordered: i64::MAX,
            supply: supplies.iter().map(|s| s.quantity.max(0)).sum(),
        })?;
    let shares = shares(supplies, ordered)?;

    let mut left: Vec<i64> = shares.iter().map(|s| s.share).collect();
    let mut pieces: Vec<Vec<Piece>> = vec![Vec::new(); shares.len()];
    // Biggest lines first: they are the hardest to place whole.
    lines.sort_by_key(|l| (Reverse(l.quantity), l.order));
    for line in &lines {
        let mut need = line.quantity;
        while need > 0 {
            // Tightest fit first; `min_by_key` keeps the first (lowest id)
            // of equal keys.
            let fit = (0..left.len())
                .filter(|&h| left[h] >= need)
                .min_by_key(|&h| left[h]);
            let (h, take) = match fit {
                Some(h) => (h, need),
                None => {
                    // No one can take it whole: the household with the most
                    // left gives all of it (the lowest id among equals).
                    let h = (0..left.len())
                        .max_by_key(|&h| (left[h], Reverse(h)))
                        .expect("shares sum to the ordered total, so someone has units left");
                    (h, left[h])
                }
            };
            debug_assert!(take > 0);
            left[h] -= take;
            need -= take;
            pieces[h].push(Piece {
                order: line.order,
                quantity: take,
            });
        }
    }
    Ok(shares
        .into_iter()
        .zip(pieces)
        .map(|(s, mut pieces)| {
            pieces.sort_by_key(|p| p.order);
            HouseholdAllocation {
                household_id: s.household_id,
                supply: s.supply,
                share: s.share,
                pieces,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(household_id: i64, quantity: i64) -> Supply {
        Supply {
            household_id,
            quantity,
        }
    }

    fn line(order: i64, quantity: i64) -> OrderLine {
        OrderLine { order, quantity }
    }

    fn piece(order: i64, quantity: i64) -> Piece {
        Piece { order, quantity }
    }

    fn share_of(a: &[HouseholdAllocation], household_id: i64) -> i64 {
        a.iter()
            .find(|h| h.household_id == household_id)
            .map(|h| h.share)
            .unwrap()
    }

    #[test]
    fn shares_follow_supply() {
        let s = shares(&[supply(1, 20), supply(2, 10)], 15).unwrap();
        assert_eq!(
            s,
            vec![
                Share {
                    household_id: 1,
                    supply: 20,
                    share: 10
                },
                Share {
                    household_id: 2,
                    supply: 10,
                    share: 5
                },
            ]
        );
    }

    #[test]
    fn largest_remainder_gets_the_extra_unit() {
        // Exact shares of 10 by 6:3:1 are 6, 3, 1 → no rounding; by 5:3:2 of
        // 7 they are 3.5, 2.1, 1.4 → floors 3, 2, 1 and the missing unit
        // goes to the largest fraction (0.5, household 1).
        let s = shares(&[supply(1, 5), supply(2, 3), supply(3, 2)], 7).unwrap();
        let got: Vec<i64> = s.iter().map(|s| s.share).collect();
        assert_eq!(got, vec![4, 2, 1]);
        // 0.4 (household 3) beats 0.1 (household 2) for a second missing unit.
        let s = shares(&[supply(1, 50), supply(2, 30), supply(3, 20)], 7).unwrap();
        let got: Vec<i64> = s.iter().map(|s| s.share).collect();
        assert_eq!(got, vec![4, 2, 1]);
    }

    #[test]
    fn equal_remainders_go_to_the_lower_household_id() {
        // 1 unit among three equal supplies: each exact share is 1/3.
        let s = shares(&[supply(9, 4), supply(3, 4), supply(5, 4)], 1).unwrap();
        assert_eq!(
            s.iter()
                .map(|s| (s.household_id, s.share))
                .collect::<Vec<_>>(),
            vec![(3, 1), (5, 0), (9, 0)]
        );
        // Two units: the two lowest ids.
        let s = shares(&[supply(9, 4), supply(3, 4), supply(5, 4)], 2).unwrap();
        assert_eq!(s.iter().map(|s| s.share).collect::<Vec<_>>(), vec![1, 1, 0]);
    }

    #[test]
    fn whole_lines_when_they_fit() {
        let a = allocate(
            &[supply(1, 10), supply(2, 10)],
            &[line(101, 5), line(102, 5), line(103, 5), line(104, 5)],
        )
        .unwrap();
        for h in &a {
            assert_eq!(h.share, 10);
            assert_eq!(h.pieces.len(), 2, "{h:?}");
            assert!(h.pieces.iter().all(|p| p.quantity == 5));
        }
    }

    #[test]
    fn a_line_is_split_only_when_no_share_fits_it() {
        // Shares 3 and 2; one line of 5 has to be split, the biggest
        // share giving all it has first.
        let a = allocate(&[supply(1, 6), supply(2, 4)], &[line(7, 5)]).unwrap();
        assert_eq!(a[0].pieces, vec![piece(7, 3)]);
        assert_eq!(a[1].pieces, vec![piece(7, 2)]);
    }

    #[test]
    fn tightest_fit_keeps_room_for_big_lines() {
        // Shares 5 and 4; lines of 4, 3 and 2. The 4 fits household 2
        // exactly, leaving 5 for the 3 and the 2: no split. Putting the 4
        // where most is left would leave 1 and 4, and the 2 would be split.
        let a = allocate(
            &[supply(1, 5), supply(2, 4)],
            &[line(1, 2), line(2, 3), line(3, 4)],
        )
        .unwrap();
        assert_eq!(a[0].pieces, vec![piece(1, 2), piece(2, 3)]);
        assert_eq!(a[1].pieces, vec![piece(3, 4)]);
    }

    #[test]
    fn one_household_takes_everything() {
        let a = allocate(&[supply(4, 30)], &[line(2, 3), line(1, 9)]).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].share, 12);
        assert_eq!(a[0].pieces, vec![piece(1, 9), piece(2, 3)]);
    }

    #[test]
    fn zero_supply_household_gets_nothing() {
        let a = allocate(
            &[supply(1, 0), supply(2, 5), supply(3, 0)],
            &[line(1, 2), line(2, 3)],
        )
        .unwrap();
        assert_eq!(share_of(&a, 1), 0);
        assert_eq!(share_of(&a, 3), 0);
        assert!(a[0].pieces.is_empty() && a[2].pieces.is_empty());
        assert_eq!(share_of(&a, 2), 5);
    }

    #[test]
    fn nothing_ordered_means_nothing_to_pack() {
        let a = allocate(&[supply(1, 5), supply(2, 5)], &[]).unwrap();
        assert!(a.iter().all(|h| h.share == 0 && h.pieces.is_empty()));
        // Even with no supply at all.
        assert_eq!(allocate(&[supply(1, 0)], &[]).unwrap()[0].share, 0);
        assert!(allocate(&[], &[]).unwrap().is_empty());
    }

    #[test]
    fn more_ordered_than_supplied_is_an_error() {
        assert_eq!(
            allocate(&[supply(1, 3), supply(2, 1)], &[line(1, 3), line(2, 2)]),
            Err(AllocationError::NotEnoughSupply {
                ordered: 5,
                supply: 4
            })
        );
        assert_eq!(
            allocate(&[], &[line(1, 1)]),
            Err(AllocationError::NotEnoughSupply {
                ordered: 1,
                supply: 0
            })
        );
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            allocate(&[supply(1, -1)], &[]),
            Err(AllocationError::NegativeSupply {
                household_id: 1,
                quantity: -1
            })
        );
        assert_eq!(
            allocate(&[supply(1, 1), supply(1, 2)], &[]),
            Err(AllocationError::DuplicateHousehold { household_id: 1 })
        );
        assert_eq!(
            allocate(&[supply(1, 5)], &[line(3, 0)]),
            Err(AllocationError::BadQuantity {
                order: 3,
                quantity: 0
            })
        );
        assert_eq!(
            allocate(&[supply(1, 5)], &[line(3, 1), line(3, 1)]),
            Err(AllocationError::DuplicateOrder { order: 3 })
        );
        assert_eq!(
            allocate(&[supply(1, 5)], &[line(1, i64::MAX), line(2, 1)]),
            Err(AllocationError::NotEnoughSupply {
                ordered: i64::MAX,
                supply: 5
            })
        );
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        let big = i64::MAX / 2;
        let a = allocate(
            &[supply(1, big), supply(2, big)],
            &[line(1, big), line(2, big - 1)],
        )
        .unwrap();
        assert_eq!(a[0].share + a[1].share, 2 * big - 1);
        assert!(a.iter().all(|h| h.share <= big));
    }

    /// A small deterministic generator (Knuth's MMIX LCG), so the
    /// many-cases test needs no extra crate and always checks the same cases.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        /// In `lo..=hi`.
        fn range(&mut self, lo: i64, hi: i64) -> i64 {
            lo + (self.next() % (hi - lo + 1) as u64) as i64
        }
    }

    fn shuffle<T>(rng: &mut Lcg, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = rng.range(0, i as i64) as usize;
            v.swap(i, j);
        }
    }

    #[test]
    fn many_random_cases_keep_every_promise() {
        let mut rng = Lcg(20_261_201);
        let mut refused = 0;
        for case in 0..3000 {
            let n_households = rng.range(0, 7);
            let mut supplies: Vec<Supply> = (0..n_households)
                .map(|i| {
                    // Some zero supplies; ids not in list order.
                    let q = if rng.range(0, 5) == 0 {
                        0
                    } else {
                        rng.range(1, 40)
                    };
                    supply(100 - 7 * i, q)
                })
                .collect();
            let n_orders = rng.range(0, 12);
            let mut orders: Vec<OrderLine> = (0..n_orders)
                .map(|i| line(1000 + 13 * i - 40 * (i % 3), rng.range(1, 12)))
                .collect();
            let total_supply: i64 = supplies.iter().map(|s| s.quantity).sum();
            let ordered: i64 = orders.iter().map(|o| o.quantity).sum();

            let result = allocate(&supplies, &orders);
            if ordered > total_supply {
                assert_eq!(
                    result,
                    Err(AllocationError::NotEnoughSupply {
                        ordered,
                        supply: total_supply
                    }),
                    "case {case}"
                );
                refused += 1;
                continue;
            }
            let a = result.unwrap_or_else(|e| panic!("case {case}: {e}"));

            assert_eq!(a.len(), supplies.len(), "case {case}");
            assert_eq!(a.iter().map(|h| h.share).sum::<i64>(), ordered);
            for h in &a {
                let s = supplies
                    .iter()
                    .find(|s| s.household_id == h.household_id)
                    .unwrap();
                assert_eq!(h.supply, s.quantity);
                // Never over supply.
                assert!(h.share <= s.quantity, "case {case}: {h:?}");
                assert!(h.share >= 0);
                // Pieces add up to the share; no empty or repeated piece.
                assert_eq!(h.pieces.iter().map(|p| p.quantity).sum::<i64>(), h.share);
                assert!(h.pieces.iter().all(|p| p.quantity > 0));
                assert!(h.pieces.windows(2).all(|w| w[0].order < w[1].order));
                // Within one unit of the exact share: |share·S − ordered·s| < S.
                let exact_num = i128::from(ordered) * i128::from(s.quantity);
                let diff = i128::from(h.share) * i128::from(total_supply) - exact_num;
                assert!(
                    total_supply == 0 || diff.abs() < i128::from(total_supply),
                    "case {case}: {h:?} of {ordered} by {supplies:?}"
                );
            }
            // Largest remainder: whoever was rounded up had a fraction at
            // least as big as anyone rounded down.
            if total_supply > 0 {
                let frac = |h: &HouseholdAllocation| {
                    (i128::from(ordered) * i128::from(h.supply)) % i128::from(total_supply)
                };
                let up = |h: &HouseholdAllocation| {
                    i128::from(h.share) * i128::from(total_supply)
                        > i128::from(ordered) * i128::from(h.supply)
                };
                let min_up = a.iter().filter(|h| up(h)).map(frac).min();
                let max_down = a.iter().filter(|h| !up(h) && frac(h) > 0).map(frac).max();
                if let (Some(u), Some(d)) = (min_up, max_down) {
                    assert!(u >= d, "case {case}");
                }
            }
            // Every order is covered exactly.
            for o in &orders {
                let got: i64 = a
                    .iter()
                    .flat_map(|h| &h.pieces)
                    .filter(|p| p.order == o.order)
                    .map(|p| p.quantity)
                    .sum();
                assert_eq!(got, o.quantity, "case {case}: order {}", o.order);
            }
            // Splits are rare: each split empties one household's share,
            // and the last share never needs to, so there are at most
            // (households with a share − 1) more pieces than lines.
            let pieces: usize = a.iter().map(|h| h.pieces.len()).sum();
            let sharing = a.iter().filter(|h| h.share > 0).count();
            assert!(
                pieces <= orders.len() + sharing.saturating_sub(1),
                "case {case}: {pieces} pieces for {} lines",
                orders.len()
            );
            if sharing == 1 {
                assert_eq!(pieces, orders.len(), "case {case}");
            }
            // Deterministic: the same input listed in another order gives
            // the same answer.
            shuffle(&mut rng, &mut supplies);
            shuffle(&mut rng, &mut orders);
            assert_eq!(allocate(&supplies, &orders).unwrap(), a, "case {case}");
        }
        // The generator must exercise both paths.
        assert!(refused > 100 && refused < 2900, "refused {refused}");
    }
}
