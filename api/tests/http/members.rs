//! Joining the circle, logging in and out, invitations, with a
//! cookie-keeping client per person.

use crate::common::{browser, fields, header, scalar, send, send_raw, Server, FORM, JSON};
use domain::dto::{Invitation, Me};
use reqwest::Method;
use serde_json::{json, Value};

fn join(code: &str, name: &str, phone: &str, point: i64) -> Value {
    json!({
        "invitation_code": code,
        "name": name,
        "phone": phone,
        "default_point_id": point,
        "password": "a good password",
    })
}

#[tokio::test]
async fn join_with_a_demo_code_then_log_out_and_in() {
    let server = Server::start().await;
    let liu = server.village("liu").await;
    let point = liu.distribution_points[2].id;

    let client = browser();
    let res = client
        .post(server.url("/api/members"))
        .json(&join("liudemo1", " 孙小红 ", "139 1234 5678", point))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let cookie = header(&res, "set-cookie");
    let token = cookie
        .strip_prefix("sf_session=")
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("{cookie}"));
    assert_eq!(token.len(), 64, "{cookie}");
    assert!(
        cookie.ends_with("; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(header(&res, "cache-control"), "no-store");
    let me: Me = res.json().await.unwrap();
    assert_eq!(me.name, "孙小红");
    assert_eq!(me.phone, "13912345678", "stored normalized");
    assert_eq!(me.default_point.id, point);
    assert_eq!(me.village_slug, "liu");
    assert_eq!(me.invited_by, None, "an organiser's code");
    assert_eq!(me.invitations_left, 5);
    assert!(me.invitations.is_empty());

    // The cookie is the session; only its hash is stored.
    let (status, body) = send(&client, Method::GET, &server.url("/api/me"), None).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_value::<Me>(body).unwrap(), me);
    let pool = server.pool().await;
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored.len(), 64);
    let (hash, used_by): (String, i64) = sqlx::query_as(
        "SELECT m.password_hash, i.used_by_member_id FROM member m JOIN invitation i ON i.id = m.invitation_id
         WHERE m.phone = '13912345678'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert_eq!(used_by, me.id);

    // Log out: 204, cookie cleared, session row gone, /api/me refuses.
    let res = client
        .delete(server.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(header(&res, "set-cookie").contains("Max-Age=0"));
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM session").await, 0);
    let (status, body) = send(&client, Method::GET, &server.url("/api/me"), None).await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"error": "please log in", "error_zh": "请先登录"})
        )
    );
    // The old token is dead even if a copy was kept.
    let res = browser()
        .get(server.url("/api/me"))
        .header("cookie", format!("sf_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Log in again with the number as typed differently.
    let (_, again) = server.login("139-1234-5678", "a good password").await;
    assert_eq!(again.id, me.id);
}

#[tokio::test]
async fn demo_members_log_in_and_wrong_logins_are_401() {
    let server = Server::start().await;
    let (_, chen) = server.login("13800000001", "demo-password-1").await;
    assert_eq!(chen.village_slug, "liu");
    let liu = server.village("liu").await;
    assert_eq!(chen.default_point.id, liu.distribution_points[0].id);
    let (_, wang) = server.login("13800000002", "demo-password-2").await;
    assert_eq!(wang.village_slug, "song");
    let (_, zhao) = server.login("13800000003", "demo-password-3").await;
    assert_eq!(zhao.invited_by.as_deref(), Some(chen.name.as_str()));
    assert!(chen
        .invitations
        .iter()
        .any(|i| i.used_by.as_deref() == Some(zhao.name.as_str())));

    let client = browser();
    let wrong =
        json!({"error": "phone number or password is wrong", "error_zh": "手机号或密码不对"});
    for (phone, password) in [
        ("13800000001", "demo-password-2"),
        ("13800000009", "demo-password-1"),
        ("not a phone", "demo-password-1"),
        ("13800000001", ""),
    ] {
        let (status, body) = server.try_login(&client, phone, password).await;
        assert_eq!((status, &body), (401, &wrong), "{phone} / {password}");
    }
    let (status, _) = send(&client, Method::GET, &server.url("/api/me"), None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_code_is_used_once_and_phones_are_unique() {
    let server = Server::start().await;
    let point = server.village("song").await.distribution_points[0].id;
    server
        .register("SONGDEMO1", "钱伟", "13700000001", point)
        .await;

    let client = browser();
    let (status, body) =
        try_join(&server, &client, "SONGDEMO1", "李娜", "13700000002", point).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["invitation_code"]);
    assert_eq!(
        body["fields"][0]["message"],
        "this invitation code is unknown or already used"
    );
    let (status, body) =
        try_join(&server, &client, "NOSUCHCODE", "李娜", "13700000002", point).await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["invitation_code".to_owned()])
    );
    // Every message comes in Chinese too, for the app to show.
    assert_in_chinese_too(&body);

    // A registered phone: 409 naming the phone; the code stays unused.
    let (status, body) = try_join(
        &server,
        &client,
        "SONGDEMO2",
        "李娜",
        "137 0000 0001",
        point,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), ["phone"]);
    assert_eq!(
        body["fields"][0]["message"],
        "already registered; log in instead"
    );
    assert_eq!(body["error"], "this phone number is already registered");
    assert_in_chinese_too(&body);
    server
        .register("SONGDEMO2", "李娜", "13700000002", point)
        .await;

    // A 404 names what is missing in both languages.
    let e = server.error("/api/villages/xyz", 404).await;
    assert_eq!(e.error, "no village with slug 'xyz'");
    assert!(
        has_cjk(&e.error_zh) && e.error_zh.contains("xyz"),
        "{}",
        e.error_zh
    );
}

/// Posts a join form; status and body.
async fn try_join(
    server: &Server,
    client: &reqwest::Client,
    code: &str,
    name: &str,
    phone: &str,
    point: i64,
) -> (u16, Value) {
    let body = join(code, name, phone, point);
    server.post_json(client, "/api/members", body).await
}

/// The error and its first field's message are really in Chinese too.
fn assert_in_chinese_too(body: &Value) {
    assert!(has_cjk(body["error_zh"].as_str().unwrap()), "{body}");
    assert!(
        has_cjk(body["fields"][0]["message_zh"].as_str().unwrap()),
        "{body}"
    );
}

/// True when `s` has a Chinese character: the message is really in Chinese.
fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_written() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let count = || scalar(&pool, "SELECT COUNT(*) FROM member");
    let before = count().await;
    let client = browser();
    let (status, body) = server
        .post_json(
            &client,
            "/api/members",
            json!({
                "invitation_code": "ab",
                "name": "  ",
                "phone": "12345",
                "default_point_id": 999999,
                "password": "short",
            }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let mut got = fields(&body);
    got.sort();
    assert_eq!(
        got,
        [
            "default_point_id",
            "invitation_code",
            "name",
            "password",
            "phone"
        ]
    );
    // Wrong types and missing fields name the field too.
    let (status, body) = server
        .post_json(
            &client,
            "/api/members",
            json!({"invitation_code": "LIUDEMO1", "name": "x", "phone": 13800000001u64,
                   "default_point_id": 1, "password": "a good password"}),
        )
        .await;
    assert_eq!((status, fields(&body)), (422, vec!["phone".to_owned()]));
    let (status, body) = server
        .post_json(
            &client,
            "/api/members",
            json!({"invitation_code": "LIUDEMO1"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(fields(&body).contains(&"name".to_owned()), "{body}");
    // Not declared as JSON: 415, even with a JSON body (blocks HTML forms).
    let form = join("LIUDEMO1", "周杰", "13700000003", 1).to_string();
    let members = server.url("/api/members");
    let res = send_raw(&client, Method::POST, &members, FORM, form).await;
    assert_eq!(res.status(), 415);
    assert!(header(&res, "content-type").starts_with("application/json"));
    let e: domain::dto::ApiError = res.json().await.unwrap();
    assert!(e.error.contains("application/json"), "{}", e.error);
    // Not JSON at all: 400.
    let session = server.url("/api/session");
    let res = send_raw(&client, Method::POST, &session, JSON, "{\"phone\": ").await;
    assert_eq!(res.status(), 400);
    let e: domain::dto::ApiError = res.json().await.unwrap();
    assert!(e.error.contains("not valid JSON"), "{}", e.error);
    assert_eq!(count().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_people_racing_for_one_code_only_one_joins() {
    let server = Server::start().await;
    let point = server.village("liu").await.distribution_points[0].id;
    let attempts = (0..6).map(|i| {
        let server = &server;
        async move {
            let client = browser();
            server
                .post_json(
                    &client,
                    "/api/members",
                    join(
                        "LIUDEMO3",
                        &format!("抢码人{i}"),
                        &format!("1360000000{i}"),
                        point,
                    ),
                )
                .await
        }
    });
    let results = futures_join_all(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<_> = results.iter().filter(|(s, _)| *s == 422).collect();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(refused.len(), results.len() - 1, "{results:?}");
    for (_, body) in refused {
        assert_eq!(fields(body), ["invitation_code"]);
    }
    let pool = server.pool().await;
    let members = scalar(&pool, "SELECT COUNT(*) FROM member WHERE phone LIKE '136%'").await;
    assert_eq!(members, 1);
}

/// `join_all` without the futures crate: spawn-free, polled together.
async fn futures_join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    let mut futs: Vec<_> = futs.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, slot) in futs.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        out[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn members_invite_friends_up_to_five() {
    let server = Server::start().await;
    let point = server.village("liu").await.distribution_points[1].id;
    let (alice, me) = server
        .register("LIUDEMO2", "吴芳", "15000000001", point)
        .await;

    // Not logged in: 401.
    let (status, _) = server
        .post_json(&browser(), "/api/me/invitations", json!({}))
        .await;
    assert_eq!(status, 401);

    let invitations = server.url("/api/me/invitations");
    let invite = || send(&alice, Method::POST, &invitations, None);
    let mut codes = Vec::new();
    for _ in 0..5 {
        let (status, body) = invite().await;
        assert_eq!(status, 201, "{body}");
        let inv: Invitation = serde_json::from_value(body).unwrap();
        assert_eq!(inv.code.len(), 8);
        assert!(
            inv.code
                .bytes()
                .all(|b| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(&b)),
            "{}",
            inv.code
        );
        assert_eq!(inv.used_by, None);
        codes.push(inv.code);
    }
    let (status, body) = invite().await;
    assert_eq!(
        (status, body),
        (
            409,
            json!({
                "error": "you have used all 5 of your invitations",
                "error_zh": "您的 5 个邀请名额都用完了"
            })
        )
    );
    let (_, body) = send(&alice, Method::GET, &server.url("/api/me"), None).await;
    let now: Me = serde_json::from_value(body).unwrap();
    assert_eq!(now.invitations_left, 0);
    assert_eq!(
        now.invitations
            .iter()
            .map(|i| i.code.clone())
            .collect::<Vec<_>>(),
        codes
    );

    // A friend joins with one of them (typed in lower case).
    let (_, friend) = server
        .register(&codes[2].to_lowercase(), "郑强", "15000000002", point)
        .await;
    assert_eq!(friend.invited_by.as_deref(), Some(me.name.as_str()));
    let (_, body) = send(&alice, Method::GET, &server.url("/api/me"), None).await;
    let now: Me = serde_json::from_value(body).unwrap();
    assert_eq!(now.invitations[2].used_by.as_deref(), Some("郑强"));
    assert_eq!(now.invitations[0].used_by, None);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_a_member_login_with_a_clear_wait() {
    let server = Server::start().await;
    let client = browser();
    let attempt = |phone, password| server.try_login(&client, phone, password);
    // A right password forgives earlier failures of the account.
    for _ in 0..4 {
        assert_eq!(attempt("13800000001", "wrong-password").await.0, 401);
    }
    assert_eq!(attempt("13800000001", "demo-password-1").await.0, 200);
    for _ in 0..5 {
        assert_eq!(attempt("13800000001", "wrong-password").await.0, 401);
    }
    // Locked now, even for the right password, with how long to wait.
    for password in ["wrong-password", "demo-password-1"] {
        let (status, body) = attempt("13800000001", password).await;
        assert_eq!(status, 429, "{body}");
        let minutes = body["retry_after_minutes"].as_i64().unwrap();
        assert!((1..=15).contains(&minutes), "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains(&format!("try again in {minutes} minute")),
            "{body}"
        );
    }
    // Another member is not locked out by it.
    assert_eq!(attempt("13800000002", "demo-password-2").await.0, 200);
}

/// Logs in as `phone` with the header a reverse proxy adds; the status.
async fn login_via(server: &Server, forwarded_for: &str, phone: &str, password: &str) -> u16 {
    browser()
        .post(server.url("/api/session"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"phone": phone, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// 20 failures from one address (4 each on 5 numbers, under the
/// per-account limit of 5).
async fn fail_twenty_times(server: &Server, forwarded_for: &str) {
    for n in 0..5 {
        let phone = format!("1391234{n:04}");
        for _ in 0..4 {
            assert_eq!(
                login_via(server, forwarded_for, &phone, "wrong-password").await,
                401
            );
        }
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_login_limit_counts_each_client() {
    let server = Server::start_with(&[("STOREFRONT_TRUSTED_PROXIES", "127.0.0.1")]).await;
    fail_twenty_times(&server, "203.0.113.7").await;
    // That client is locked out, even with a right password…
    assert_eq!(
        login_via(&server, "203.0.113.7", "13800000001", "demo-password-1").await,
        429
    );
    // …but the other shoppers behind the same proxy are not.
    assert_eq!(
        login_via(&server, "203.0.113.8", "13800000001", "demo-password-1").await,
        200
    );
    // What the client wrote itself comes first; the proxy's own entry
    // (the nearest) is the one that counts.
    assert_eq!(
        login_via(
            &server,
            "198.51.100.1, 203.0.113.7",
            "13800000002",
            "demo-password-2"
        )
        .await,
        429
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_for_header_is_ignored() {
    let server = Server::start().await;
    fail_twenty_times(&server, "203.0.113.7").await;
    // A client cannot escape the limit by writing another address.
    assert_eq!(
        login_via(&server, "203.0.113.8", "13800000001", "demo-password-1").await,
        429
    );
}

#[tokio::test]
async fn a_phone_in_use_stays_logged_in_one_left_alone_is_logged_out() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let (client, _) = server.login("13800000001", "demo-password-1").await;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let expires = || scalar(&pool, "SELECT expires_at FROM session");
    let thirty_days = 30 * 24 * 3600;
    // Fresh from login: the app's start asks who it is; nothing to renew.
    let res = client.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "set-cookie"),
        "",
        "no write for a fresh session"
    );

    // Used again 29 days later, one day before it would end: renewed in
    // the database and in the browser's cookie.
    sqlx::query("UPDATE session SET expires_at = ?")
        .bind(now() + 24 * 3600)
        .execute(&pool)
        .await
        .unwrap();
    let res = client.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cookie = header(&res, "set-cookie");
    assert!(
        cookie.contains(&format!("Max-Age={thirty_days}")),
        "{cookie}"
    );
    let renewed = expires().await;
    assert!(
        (now() + thirty_days - renewed).abs() < 60,
        "a full 30 days again: {renewed}"
    );

    // Left alone past its end: logged out, and asking does not revive it.
    sqlx::query("UPDATE session SET expires_at = ?")
        .bind(now() - 1)
        .execute(&pool)
        .await
        .unwrap();
    let res = client.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(expires().await < now());
}
