//! `/organise/v/{slug}/members`: the village's members as the invitation
//! tree (phones masked), suspending and reinstating them, and the
//! organisers' invitation codes: make one for a family, see what became of
//! each, revoke an unused one.

use crate::api;
use crate::components::{
    busy, loaded_view, send, today_shanghai, use_lang, FieldError as FieldNote, FormErrors,
    OrganiseVillageShell, SendStatus, Sent,
};
use crate::drafts::{suspension_input, InvitationDraft};
use crate::format;
use crate::i18n::*;
use domain::organise::people::{
    invitation_tree, CodeStatus, MemberStatus, VillageInvitation, VillageMember,
};
use leptos::prelude::*;

#[component]
pub fn OrganiseMembersPage() -> impl IntoView {
    view! {
        <OrganiseVillageShell
            title=keys::orgm_members
            body=|s| view! { <Codes slug=s.clone() /> <Members slug=s /> }.into_any()
        />
    }
}

/// The members, each under who invited them.
#[component]
fn Members(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let members = crate::load::Load::new(move || api::org_members(slug.clone()));
    let status = RwSignal::new(Sent::Idle);
    // The member whose suspend/reinstate question is open.
    let asking = RwSignal::new(None::<i64>);
    view! {
        <section data-testid="members">
            <h2>{t!(i18n, orgm_members_list)}</h2>
            <p class="muted small">{t!(i18n, orgm_tree_hint)}</p>
            <SendStatus state=status />
            {loaded_view(members, move |list| {
                if list.members.is_empty() {
                    return view! { <p class="muted" data-testid="no-members">{t!(i18n, orgm_no_members)}</p> }.into_any();
                }
                let tree = invitation_tree(&list.members);
                view! {
                    <ul class="cards member-tree">
                        {tree.into_iter().filter_map(|(id, depth)| {
                            let m = list.members.iter().find(|m| m.id == id)?.clone();
                            Some(view! { <MemberRow m depth status asking refresh=Callback::new(move |_| members.refetch()) /> })
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn MemberRow(
    m: VillageMember,
    depth: usize,
    status: RwSignal<Sent>,
    asking: RwSignal<Option<i64>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let id = m.id;
    let suspended = m.status == MemberStatus::Suspended;
    let name = m.name.clone();
    let joined = m.joined_at.date();
    let by_org = m.invited_by_organiser.clone();
    let reason = RwSignal::new(String::new());
    let reason_error = RwSignal::new(None::<String>);
    let open = Signal::derive(move || asking.get() == Some(id));
    let confirm = {
        let name = name.clone();
        move |_| {
            if busy(status) {
                return;
            }
            let name = name.clone();
            if suspended {
                send(status, api::org_reinstate(id), move |a| match a {
                    Ok(_) => {
                        asking.set(None);
                        refresh.run(());
                        Sent::Saved(both!(orgm_reinstated_saved, name = name.clone()))
                    }
                    Err(e) => Sent::failed(&e),
                });
            } else {
                let body = match suspension_input(&reason.get_untracked()) {
                    Ok(b) => b,
                    Err(es) => {
                        reason_error.set(es.first().map(|e| e.text().get(lang()).to_string()));
                        return;
                    }
                };
                reason_error.set(None);
                send(
                    status,
                    async move { api::org_suspend(id, &body).await },
                    move |a| match a {
                        Ok(_) => {
                            asking.set(None);
                            refresh.run(());
                            Sent::Saved(both!(orgm_suspended_saved, name = name.clone()))
                        }
                        Err(e) => Sent::failed(&e),
                    },
                );
            }
        }
    };
    let question_name = name.clone();
    view! {
        <li class=if suspended { "card member suspended" } else { "card member" }
            style=format!("margin-left: {}rem", depth.min(4))
            data-testid="member" data-member-id=id data-depth=depth>
            <div class="member-head">
                <strong data-testid="member-name">{name.clone()}</strong>
                " "
                <span class="muted small" data-testid="member-phone">{m.phone_masked.clone()}</span>
                {suspended.then(|| view! { <span class="badge refused" data-testid="member-suspended">{t!(i18n, orgm_suspended)}</span> })}
            </div>
            <div class="small muted">
                {move || t_string!(i18n, orgm_joined, date = format::format_date(joined, lang()))}
                {by_org.map(|n| view! { " · " {move || t_string!(i18n, orgm_invited_by_org, name = n.get(lang()).to_string())} })}
            </div>
            {(!m.suspension_reason.is_empty()).then(|| {
                let r = m.suspension_reason.clone();
                view! { <p class="small">{move || t_string!(i18n, orgm_reason_line, reason = r.clone())}</p> }
            })}
            <Show when=move || !open.get()>
                <button class=if suspended { "button secondary small-button" } else { "button danger small-button" } type="button"
                    data-testid=if suspended { "reinstate-open" } else { "suspend-open" }
                    on:click=move |_| { status.set(Sent::Idle); asking.set(Some(id)); }>
                    {move || if suspended { t_string!(i18n, orgm_reinstate) } else { t_string!(i18n, orgm_suspend) }}
                </button>
            </Show>
            <Show when=move || open.get()>
                <div class="confirm-box" role="alertdialog" data-testid="member-confirm">
                    <p>{
                        let n = question_name.clone();
                        move || if suspended {
                            t_string!(i18n, orgm_reinstate_confirm, name = n.clone())
                        } else {
                            t_string!(i18n, orgm_suspend_confirm, name = n.clone())
                        }
                    }</p>
                    {(!suspended).then(|| view! {
                        <label>
                            <span>{t!(i18n, orgm_reason)}</span>
                            <input name="reason" data-testid="suspend-reason" bind:value=reason />
                            <FieldNote text=Signal::derive(move || reason_error.get()) />
                        </label>
                    })}
                    <button class="button danger" type="button" data-testid="member-confirm-yes"
                        disabled=move || status.with(Sent::busy) on:click=confirm.clone()>
                        {move || if suspended { t_string!(i18n, orgm_reinstate_do) } else { t_string!(i18n, orgm_suspend_do) }}
                    </button>
                    <button class="button secondary" type="button" on:click=move |_| asking.set(None)>{t!(i18n, orgm_keep)}</button>
                </div>
            </Show>
        </li>
    }
}

/// Making a code for a family, and the codes made.
#[component]
fn Codes(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let list_slug = slug.clone();
    let codes = crate::load::Load::new(move || api::org_invitations(list_slug.clone()));
    let note = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let status = RwSignal::new(Sent::Idle);
    let made = RwSignal::new(None::<VillageInvitation>);
    let slug = StoredValue::new(slug);
    let field = move |f: &'static str| errors.note(f);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy(status) {
            return;
        }
        let draft = InvitationDraft {
            note: note.get_untracked(),
            expires_on: expires.get_untracked(),
        };
        let Some(body) = errors.checked(
            status,
            both!(orgm_err_form),
            draft.to_input(today_shanghai()),
        ) else {
            return;
        };
        let slug = slug.get_value();
        send(
            status,
            async move { api::org_create_invitation(&slug, &body).await },
            move |a| match a {
                Ok(inv) => {
                    note.set(String::new());
                    expires.set(String::new());
                    made.set(Some(inv));
                    codes.refetch();
                    Sent::Idle
                }
                Err(e) => errors.failed(e),
            },
        );
    };
    let revoke_status = RwSignal::new(Sent::Idle);
    let asking = RwSignal::new(None::<String>);
    view! {
        <section data-testid="codes">
            <h2>{t!(i18n, orgm_new_code)}</h2>
            <form class="form" on:submit=submit data-testid="code-form">
                <label>
                    <span>{t!(i18n, orgm_note)}</span>
                    <input name="note" data-testid="code-note" bind:value=note />
                    <FieldNote text=field("note") />
                </label>
                <label>
                    <span>{t!(i18n, orgm_expires)}</span>
                    <input type="date" name="expires_on" data-testid="code-expires" bind:value=expires />
                    <FieldNote text=field("expires_on") />
                </label>
                <SendStatus state=status />
                <button class="button primary" type="submit" data-testid="code-submit"
                    disabled=move || status.with(Sent::busy)>{t!(i18n, orgm_make_code)}</button>
            </form>
            {move || made.get().map(|inv| {
                let code = inv.code.clone();
                view! {
                    <p class="note saved" role="status" data-testid="made-code" data-code=inv.code.clone()>
                        "✓ " {move || t_string!(i18n, orgm_code_made, code = code.clone(), note = inv.note.clone())}
                    </p>
                }
            })}
            <h2>{t!(i18n, orgm_codes)}</h2>
            <SendStatus state=revoke_status />
            {loaded_view(codes, move |list| {
                if list.invitations.is_empty() {
                    return view! { <p class="muted" data-testid="no-codes">{t!(i18n, orgm_no_codes)}</p> }.into_any();
                }
                view! {
                    <ul class="cards">
                        {list.invitations.into_iter().map(|inv| view! {
                            <CodeRow inv asking status=revoke_status refresh=Callback::new(move |_| codes.refetch()) />
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn CodeRow(
    inv: VillageInvitation,
    asking: RwSignal<Option<String>>,
    status: RwSignal<Sent>,
    refresh: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = inv.code.clone();
    let open_code = code.clone();
    let open = Signal::derive(move || asking.with(|a| a.as_deref() == Some(open_code.as_str())));
    let (badge, words): (&str, fn(Locale) -> &'static str) = match inv.status {
        CodeStatus::Unused => ("badge", keys::orgm_status_unused),
        CodeStatus::Used => ("badge ok", keys::orgm_status_used),
        CodeStatus::Expired => ("badge refused", keys::orgm_status_expired),
        CodeStatus::Revoked => ("badge refused", keys::orgm_status_revoked),
    };
    let unused = inv.status == CodeStatus::Unused;
    let confirm = {
        let code = code.clone();
        move |_| {
            if busy(status) {
                return;
            }
            let code = code.clone();
            let shown = code.clone();
            send(
                status,
                async move { api::org_revoke_invitation(&code).await },
                move |a| match a {
                    Ok(()) => {
                        asking.set(None);
                        refresh.run(());
                        Sent::Saved(both!(orgm_revoked_saved, code = shown.clone()))
                    }
                    Err(e) => Sent::failed(&e),
                },
            );
        }
    };
    let ask_code = code.clone();
    let question_code = code.clone();
    view! {
        <li class="card code-row" data-testid="code-row" data-code=code.clone() data-status=format!("{:?}", inv.status).to_lowercase()>
            <div>
                <strong class="code">{code.clone()}</strong>
                " "
                <span class=badge data-testid="code-status">{move || words(i18n.get_locale())}</span>
            </div>
            <div class="small">{inv.note.clone()}</div>
            {inv.expires_on.clone().map(|d| view! { <div class="small muted">{move || t_string!(i18n, orgm_until, date = d.clone())}</div> })}
            {inv.used_by.clone().map(|n| view! { <div class="small muted">{move || t_string!(i18n, orgm_used_by, name = n.clone())}</div> })}
            {unused.then(|| view! {
                <Show when=move || !open.get()>
                    <button class="button secondary small-button" type="button" data-testid="revoke-open"
                        on:click={ let c = ask_code.clone(); move |_| { status.set(Sent::Idle); asking.set(Some(c.clone())); } }>
                        {t!(i18n, orgm_revoke)}
                    </button>
                </Show>
                <Show when=move || open.get()>
                    <div class="confirm-box" role="alertdialog" data-testid="revoke-confirm">
                        <p>{ let c = question_code.clone(); move || t_string!(i18n, orgm_revoke_confirm, code = c.clone()) }</p>
                        <button class="button danger" type="button" data-testid="revoke-yes"
                            disabled=move || status.with(Sent::busy) on:click=confirm.clone()>{t!(i18n, orgm_revoke_do)}</button>
                        <button class="button secondary" type="button" on:click=move |_| asking.set(None)>{t!(i18n, orgm_keep)}</button>
                    </div>
                </Show>
            })}
        </li>
    }
}
