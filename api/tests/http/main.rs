//! The API tests, in one test binary (each binary links the whole server,
//! which is slow to link): the app served in-process for each test, and
//! the real binary where only a process shows it (`process`). Helpers are
//! shared in `tests/common`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../fixtures/photos.rs"]
mod fixtures;

mod admin;
mod app_files;
mod backup;
mod endpoints;
mod feedback;
mod first_screen;
mod headers;
mod malformed;
mod members;
mod money;
mod openapi;
mod orders;
mod organise;
mod packing;
mod photos;
mod process;
mod reads;
mod visits;
