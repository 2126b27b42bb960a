// The organisers' workspace is its own wasm bundle (organise.html), so the
// shop's first load stays small. Like main.rs, it only mounts the app.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(storefront::OrganiseApp);
}
