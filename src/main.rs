// The binary only mounts the app; everything else lives in the library so
// that plain `cargo test` reaches it.
fn main() {
    console_error_panic_hook::set_once();
    storefront::first_screen::after_first_paint(|| leptos::mount::mount_to_body(storefront::App));
}
