//! Checking out one village's cart: the pickup points that take the open
//! round's orders, the one chosen first, and the form as chosen
//! (`CheckoutDraft`) to the order to keep and send. Pure, unit-tested
//! natively.

use domain::dto::{DistributionPoint, Round, Stock, VillageDetail};
use domain::FieldError;

use crate::cart::VillageCart;
use crate::orders::LocalOrder;

/// The open round's stock of each product; empty without an open round.
pub fn open_stock(v: &VillageDetail) -> Vec<Stock> {
    v.open_round
        .as_ref()
        .map(|o| o.stock.clone())
        .unwrap_or_default()
}

/// What is left of a product in the open round; `None` when unknown.
pub fn left_of(stock: &[Stock], product_id: i64) -> Option<i64> {
    stock
        .iter()
        .find(|s| s.product_id == product_id)
        .map(|s| s.remaining)
}

/// The points that take the open round's orders: those serving it, or all
/// of the village's when it names none.
pub fn serving_points(v: &VillageDetail) -> Vec<DistributionPoint> {
    let serving = v
        .open_round
        .as_ref()
        .map(|o| o.point_ids.clone())
        .unwrap_or_default();
    v.distribution_points
        .iter()
        .filter(|p| serving.is_empty() || serving.contains(&p.id))
        .cloned()
        .collect()
}

/// The member's usual point when it is one of `points`, else the first.
pub fn first_choice(points: &[DistributionPoint], usual: Option<i64>) -> Option<i64> {
    usual
        .filter(|id| points.iter().any(|p| p.id == *id))
        .or_else(|| points.first().map(|p| p.id))
}

/// The checkout as chosen: the pickup point, by id as the select holds it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckoutDraft {
    pub point: String,
}

/// What an order is made of: the village's cart, where and when to collect.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckoutInput {
    pub cart: VillageCart,
    pub point: DistributionPoint,
    pub round: Round,
}

impl CheckoutInput {
    /// The order to keep on the phone under `id`, waiting to be sent.
    pub fn into_order(self, id: String, now_ms: f64, slug: &str) -> LocalOrder {
        LocalOrder::new(id, now_ms, slug, &self.cart, self.point, self.round)
    }
}

impl CheckoutDraft {
    /// The order's parts, or what is missing: the cart, an open round, or
    /// a point that takes its orders.
    pub fn to_input(
        &self,
        cart: Option<&VillageCart>,
        points: &[DistributionPoint],
        round: Option<&Round>,
    ) -> Result<CheckoutInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        if cart.is_none() {
            errors.push(FieldError::new(
                "lines",
                "购物车是空的",
                "the cart is empty",
            ));
        }
        if round.is_none() {
            errors.push(FieldError::new(
                "round_id",
                "现在没有开放的一轮",
                "no round is open",
            ));
        }
        let point = points.iter().find(|p| p.id.to_string() == self.point);
        if point.is_none() {
            errors.push(FieldError::new(
                "point_id",
                "请选自提点",
                "choose a pickup point",
            ));
        }
        match (cart, point, round) {
            (Some(cart), Some(point), Some(round)) => Ok(CheckoutInput {
                cart: cart.clone(),
                point: point.clone(),
                round: round.clone(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::{line, village};
    use crate::orders::tests::{point as orders_point, round};
    use crate::orders::LocalState;
    use domain::dto::OpenRound;
    use domain::LocalText;

    fn point(id: i64) -> DistributionPoint {
        DistributionPoint {
            id,
            ..orders_point()
        }
    }

    #[test]
    fn only_points_serving_the_round_are_offered_the_usual_one_first() {
        let detail = |point_ids: Vec<i64>| VillageDetail {
            distribution_points: vec![point(1), point(2), point(3)],
            open_round: Some(OpenRound {
                round: round(),
                stock: vec![Stock {
                    product_id: 9,
                    capacity: 10,
                    remaining: 4,
                }],
                point_ids,
            }),
            ..village_detail()
        };
        let ids = |v: &VillageDetail| serving_points(v).iter().map(|p| p.id).collect::<Vec<_>>();
        assert_eq!(ids(&detail(vec![])), [1, 2, 3]);
        let v = detail(vec![2, 3]);
        assert_eq!(ids(&v), [2, 3]);
        let points = serving_points(&v);
        assert_eq!(first_choice(&points, Some(3)), Some(3));
        assert_eq!(first_choice(&points, Some(1)), Some(2), "1 does not serve");
        assert_eq!(first_choice(&points, None), Some(2));
        assert_eq!(first_choice(&[], Some(1)), None);
        let stock = open_stock(&v);
        assert_eq!(left_of(&stock, 9), Some(4));
        assert_eq!(left_of(&stock, 8), None);
    }

    #[test]
    fn a_checkout_needs_a_cart_a_round_and_a_serving_point() {
        let mut cart = village();
        cart.lines = vec![line(1, 3600, 2)];
        let points = [point(7)];
        let draft = CheckoutDraft { point: "7".into() };
        let input = draft
            .to_input(Some(&cart), &points, Some(&round()))
            .unwrap();
        let order = input.into_order("u1".into(), 5.0, "liu");
        assert_eq!((order.request.point_id, order.request.round_id), (7, 3));
        assert_eq!(order.lines, cart.lines);
        assert!(matches!(order.state, LocalState::Waiting(_)));

        let fields = |r: Result<CheckoutInput, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(draft.to_input(None, &points, Some(&round()))),
            ["lines"]
        );
        assert_eq!(
            fields(draft.to_input(Some(&cart), &points, None)),
            ["round_id"]
        );
        let elsewhere = CheckoutDraft { point: "8".into() };
        assert_eq!(
            fields(elsewhere.to_input(Some(&cart), &points, Some(&round()))),
            ["point_id"]
        );
    }

    fn village_detail() -> VillageDetail {
        let t = || LocalText::new("", "");
        VillageDetail {
            slug: "liu".into(),
            name: LocalText::new("刘村", "Liu Village"),
            region: t(),
            distance_km: 0,
            city: t(),
            tagline: t(),
            story: t(),
            photo: None,
            organisers: vec![],
            organising_percent: 15,
            products: vec![],
            households: vec![],
            distribution_points: vec![],
            upcoming_rounds: vec![],
            open_round: None,
        }
    }
}
