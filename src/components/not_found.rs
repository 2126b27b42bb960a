use crate::components::PageTitle;
use crate::i18n::*;
use leptos::prelude::*;

/// Shown for any unknown path, and for an unknown village, household or
/// product.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, not_found_title).to_string()) />
        <section class="not-found" data-testid="not-found">
            <p class="big-mark" aria-hidden="true">"404"</p>
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <a class="button primary" href="/">{t!(i18n, back_home)}</a>
        </section>
    }
}
