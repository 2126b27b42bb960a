//! The organisers' area, `/organise/...`: villagers' representatives edit
//! product pages, run rounds and packing, and look after visits. Every
//! page sits inside `components::OrganiseGate`, which sends a visitor
//! without an organiser session to the organiser login.

pub mod home;
pub mod households;
pub mod income;
pub mod join;
pub mod labels;
pub mod ledger;
pub mod log;
pub mod login;
pub mod members;
pub mod organisers;
pub mod packing;
pub mod password;
pub mod pickup;
pub mod problems;
pub mod products;
pub mod round;
pub mod rounds;
pub mod settlement;
pub mod village;
pub mod visit_offer;
pub mod visits;
