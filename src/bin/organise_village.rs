// The organisers' village administration bundle (organise-village.html; see domain::bundle).
// Like main.rs, it only mounts the app.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(storefront::OrganiseVillageApp);
}
