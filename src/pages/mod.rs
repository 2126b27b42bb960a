pub mod home;
pub mod household;
pub mod not_found;
pub mod product;
pub mod village;
