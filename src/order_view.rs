//! What the order page shows of an order, wherever it came from (the
//! server, the answer kept on the phone, or the outbox), and a member's
//! change to a confirmed one. Pure, unit-tested natively.

use domain::dto::{DistributionPoint, Order, OrderLine, Round, WithdrawnLine};
use domain::order::{line_totals, OrderLineRequest, OrderRequest};
use domain::LocalText;

use crate::orders::{shown, ListedOrder, LocalOrder, LocalState, Shown};

/// What the order page shows of an order, wherever it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderView {
    pub listed: ListedOrder,
    pub number: Option<String>,
    pub village_name: LocalText,
    pub round: Round,
    pub point: DistributionPoint,
    pub lines: Vec<OrderLine>,
    pub total_fen: i64,
    pub household_fen: i64,
    pub withdrawn: Vec<WithdrawnLine>,
    /// What happened at the pickup point, once an organiser marked it.
    pub pickup: Option<domain::pickup::OrderPickup>,
    /// Money the village gave back, oldest first.
    pub refunds: Vec<domain::feedback::OrderRefund>,
}

impl OrderView {
    /// The server's copy wins; then the answer the phone kept; then the
    /// order as it waits or was refused. `None` when neither has it.
    pub fn of(local: Option<LocalOrder>, server: Option<&Order>) -> Option<OrderView> {
        if let Some(s) = server {
            return Some(OrderView::of_server(s));
        }
        let l = local?;
        if let LocalState::Confirmed { order } = &l.state {
            if let Some(order) = order.get() {
                return Some(OrderView::of_server(order));
            }
        }
        Some(OrderView::of_local(l))
    }

    fn of_server(o: &Order) -> OrderView {
        OrderView {
            listed: ListedOrder::Server(o.clone()),
            number: Some(o.number.clone()),
            village_name: o.village_name.clone(),
            round: o.round.clone(),
            point: o.point.clone(),
            lines: o.lines.clone(),
            total_fen: o.total_fen,
            household_fen: o.household_fen,
            withdrawn: o.withdrawn.clone(),
            pickup: o.pickup.clone(),
            refunds: o.refunds.clone(),
        }
    }

    fn of_local(l: LocalOrder) -> OrderView {
        OrderView {
            number: None,
            village_name: l.village_name.clone(),
            round: l.round.clone(),
            point: l.point.clone(),
            lines: l
                .lines
                .iter()
                .map(|c| {
                    let t = line_totals(c.unit_price_fen, c.quantity, l.organising_percent).ok();
                    OrderLine {
                        product_id: c.product_id,
                        name: c.name.clone(),
                        unit: c.unit.clone(),
                        quantity: c.quantity,
                        unit_price_fen: c.unit_price_fen,
                        total_fen: t.map_or(0, |t| t.total_fen),
                        household_fen: t.map_or(0, |t| t.household_fen),
                    }
                })
                .collect(),
            total_fen: l.totals.total_fen,
            household_fen: l.totals.household_fen,
            withdrawn: vec![],
            pickup: None,
            refunds: vec![],
            listed: ListedOrder::Local(l),
        }
    }

    /// Cancelled because the village withdrew every line, not by the member.
    pub fn all_withdrawn(&self) -> bool {
        self.lines.is_empty() && !self.withdrawn.is_empty()
    }

    /// Confirmed, and the member may still change or cancel it.
    pub fn editable(&self) -> Option<&Order> {
        match &self.listed {
            ListedOrder::Server(o) if !o.locked && shown(&self.listed) == Shown::Confirmed => {
                Some(o)
            }
            _ => None,
        }
    }

    /// Collected at the point (paid or not): its lines can be rated.
    pub fn collected(&self) -> bool {
        use domain::pickup::PickupState;
        matches!(
            self.pickup.as_ref().map(|p| p.state),
            Some(PickupState::Paid | PickupState::Unpaid)
        )
    }

    pub fn locked(&self) -> bool {
        matches!(&self.listed, ListedOrder::Server(o) if o.locked)
    }
}

/// The shopper's changed quantities of a confirmed order, as a request:
/// lines set to 0 are dropped.
pub fn changed_order(order: &Order, quantities: &[(i64, i64)]) -> OrderRequest {
    OrderRequest {
        round_id: order.round.id,
        point_id: order.point.id,
        lines: quantities
            .iter()
            .filter(|(_, q)| *q > 0)
            .map(|&(product_id, quantity)| OrderLineRequest {
                product_id,
                quantity,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::{line, village};
    use crate::orders::tests::{point, round, server_order};
    use crate::raw_answer::RawAnswer;
    use time::macros::datetime;

    #[test]
    fn the_order_page_shows_the_servers_copy_first() {
        let mut v = village();
        v.lines = vec![line(1, 3600, 2)];
        let waiting = LocalOrder::new("a".into(), 0.0, "liu", &v, point(), round());
        let shown_local = OrderView::of(Some(waiting.clone()), None).unwrap();
        assert_eq!(shown_local.number, None);
        assert_eq!(shown_local.lines[0].quantity, 2);
        assert_eq!(shown_local.lines[0].total_fen, waiting.totals.total_fen);
        assert_eq!(shown_local.editable(), None);

        let created = datetime!(2026-11-22 10:00 UTC);
        let server = server_order("a", created);
        let from_server = OrderView::of(Some(waiting.clone()), Some(&server)).unwrap();
        assert_eq!(from_server.number.as_deref(), Some("LIU-000001"));
        assert_eq!(from_server.editable(), Some(&server));
        let mut confirmed = waiting;
        confirmed.state = LocalState::Confirmed {
            order: RawAnswer::new(&server),
        };
        assert_eq!(OrderView::of(Some(confirmed), None), Some(from_server));
        let mut locked = server.clone();
        locked.locked = true;
        let view = OrderView::of(None, Some(&locked)).unwrap();
        assert!(view.locked() && view.editable().is_none());
        assert_eq!(OrderView::of(None, None), None);
    }

    #[test]
    fn a_change_drops_lines_set_to_nothing() {
        let order = server_order("a", datetime!(2026-11-22 10:00 UTC));
        let req = changed_order(&order, &[(1, 2), (2, 0), (3, 1)]);
        assert_eq!((req.round_id, req.point_id), (3, 7));
        assert_eq!(
            req.lines
                .iter()
                .map(|l| (l.product_id, l.quantity))
                .collect::<Vec<_>>(),
            vec![(1, 2), (3, 1)]
        );
    }
}
