//! `/organise/v/{slug}/organisers`: who organises the village, and a
//! one-time code to invite a co-organiser.

use crate::api;
use crate::components::{
    busy, loaded_view, send, use_lang, OrganiseVillageShell, SendStatus, Sent,
};
use crate::format;
use crate::i18n::*;
use domain::organise::people::OrganiserCode;
use leptos::prelude::*;

#[component]
pub fn OrganiseOrganisersPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell
            title=keys::orgm_organisers
            body=|s| view! { <Organisers slug=s /> }.into_any()
        />
    }
}

#[component]
fn Organisers(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let list_slug = slug.clone();
    let list = crate::load::Load::new(move || api::org_organisers(list_slug.clone()));
    let status = RwSignal::new(Sent::Idle);
    let made = RwSignal::new(None::<OrganiserCode>);
    let slug = StoredValue::new(slug);
    let make = move |_| {
        if busy(status) {
            return;
        }
        let slug = slug.get_value();
        send(
            status,
            async move { api::org_create_organiser_code(&slug).await },
            move |a| match a {
                Ok(c) => {
                    made.set(Some(c));
                    Sent::Idle
                }
                Err(e) => Sent::failed(&e),
            },
        );
    };
    view! {
        {loaded_view(list, move |l| view! {
            <ul class="cards" data-testid="organisers">
                {l.organisers.into_iter().map(|o| {
                    let name = o.name.clone();
                    let since = o.since.date();
                    view! {
                        <li class="card" data-testid="organiser" data-login=o.login.clone()>
                            <strong>{move || name.get(lang()).to_string()}</strong>
                            " "
                            <span class="muted small">{o.login.clone()}</span>
                            <div class="small muted">{move || t_string!(i18n, orgm_since, date = format::format_date(since, lang()))}</div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        <section>
            <h2>{t!(i18n, orgm_new_org_code)}</h2>
            <p class="muted small">{t!(i18n, orgm_org_code_hint)}</p>
            <SendStatus state=status />
            <button class="button primary" type="button" data-testid="org-code-make"
                disabled=move || status.with(Sent::busy) on:click=make>{t!(i18n, orgm_make_org_code)}</button>
            {move || made.get().map(|c| {
                let until = format::format_datetime(c.expires_at, lang());
                view! {
                    <p class="card note saved" role="status" data-testid="org-code" data-code=c.code.clone()>
                        {t_string!(i18n, orgm_org_code_made, code = c.code.clone(), date = until)}
                    </p>
                }
            })}
        </section>
    }
}
