use crate::api;
use crate::components::{use_lang, PageTitle};
use crate::i18n::*;
use crate::state::{use_app, Session};
use domain::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `/me`: profile, invitations for friends, log out.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let app = use_app();
    let navigate = crate::use_go();
    let error = RwSignal::new(None::<LocalText>);
    let create = move |_| {
        error.set(None);
        spawn_local(async move {
            match api::create_invitation().await {
                // Reload the profile so the list and the count agree with the server.
                Ok(_) => {
                    if let Ok(Some(me)) = api::me().await {
                        app.set_member(Some(me));
                    }
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = api::logout().await;
            app.set_member(None);
            navigate("/");
        });
    };
    view! {
        <PageTitle text=Signal::derive(move || t_string!(i18n, me_title).to_string()) />
        {move || match app.session.get() {
            Session::Member(me) => {
                let point = me.default_point.clone();
                view! {
                    <section class="hero" data-testid="account">
                        <h1>{me.name.clone()}</h1>
                        <p class="muted">{me.phone.clone()}</p>
                        <p>{t!(i18n, default_point)} ": " {move || point.name.get(lang()).to_string()}</p>
                        {me.invited_by.clone().map(|n| view! { <p class="muted small">{move || t_string!(i18n, invited_by, name = n.clone())}</p> })}
                    </section>
                    <section>
                        <h2>{t!(i18n, invitations_title)}</h2>
                        <p class="muted">{move || t_string!(i18n, invitations_left, n = me.invitations_left)}</p>
                        <ul class="codes" data-testid="invitations">
                            {me.invitations.iter().map(|inv| {
                                let used = inv.used_by.clone();
                                view! {
                                    <li>
                                        <code>{inv.code.clone()}</code>
                                        <span class="muted small">
                                            {move || match &used {
                                                Some(n) => t_string!(i18n, invitation_used_by, name = n.clone()),
                                                None => t_string!(i18n, invitation_unused).to_string(),
                                            }}
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Show when=move || error.get().is_some()>
                            <p class="form-error" role="alert">{move || error.get().map(|m| m.get(lang()).to_string())}</p>
                        </Show>
                        <button class="button secondary" type="button" disabled=me.invitations_left == 0 on:click=create>
                            {t!(i18n, create_invitation)}
                        </button>
                    </section>
                    <button class="button danger wide" type="button" data-testid="logout" on:click=logout.clone()>
                        {t!(i18n, logout)}
                    </button>
                }
                .into_any()
            }
            Session::Unknown => view! { <crate::components::Loading /> }.into_any(),
            Session::Anonymous => view! {
                <p><a class="button primary" href="/login?next=/me">{t!(i18n, login_title)}</a></p>
            }
            .into_any(),
        }}
    }
}
