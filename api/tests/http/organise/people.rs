//! A village's people: members with masked phones, organisers'
//! invitation codes (expiry, revoking, joining with them), suspending and
//! reinstating members, co-organiser codes, the village's organisers, and
//! changing one's password.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{
    assert_field, browser, call, day, fields, order_body, scalar, session_via_sql, Http, Organiser,
    Server,
};

/// Every organiser write of this area refuses: no session (401), no CSRF
/// header (403), another village (403, from `outsider`).
async fn assert_guarded(
    server: &Http,
    organiser: &Organiser,
    outsider: &Organiser,
    method: Method,
    path: &str,
    body: Option<&Value>,
) {
    let url = server.url(path);
    let (status, b) = call(&browser(), method.clone(), &url, body, true).await;
    assert_eq!(status, 401, "{method} {path} without a session: {b}");
    let (status, b) = call(&organiser.client, method.clone(), &url, body, false).await;
    assert_eq!(status, 403, "{method} {path} without CSRF: {b}");
    assert!(
        b["error"].as_str().unwrap().contains("X-Requested-With"),
        "{b}"
    );
    let (status, b) = outsider.write(method.clone(), path, body).await;
    assert_eq!(
        status, 403,
        "{method} {path} from another village's organiser: {b}"
    );
}

async fn song_organiser(server: &Http) -> Organiser {
    server
        .organiser("song-organiser-1", "demo-organiser-4")
        .await
}

async fn liu_point(pool: &sqlx::SqlitePool) -> i64 {
    scalar(
        pool,
        "SELECT d.id FROM distribution_point d JOIN village v ON v.id = d.village_id
         WHERE v.slug = 'liu' ORDER BY d.id LIMIT 1",
    )
    .await
}

#[tokio::test]
async fn members_are_listed_with_masked_phones_and_who_invited_them() {
    let server = Server::start().await;
    let liu = server.liu_organiser().await;
    let (status, body) = liu.get("/api/organise/villages/liu/members").await;
    assert_eq!(status, 200, "{body}");
    let text = body.to_string();
    for phone in ["13800000001", "13800000003", "13800000002"] {
        assert!(!text.contains(phone), "a full phone in {text}");
    }
    let members = body["members"].as_array().unwrap();
    let zhao = members
        .iter()
        .find(|m| m["phone_masked"] == "*******0003")
        .expect("赵丽 (demo) is a Liu member");
    let chen = members
        .iter()
        .find(|m| m["phone_masked"] == "*******0001")
        .unwrap();
    assert_eq!(zhao["invited_by_member_id"], chen["id"], "{body}");
    assert_eq!(zhao["status"], "active");
    assert!(zhao["joined_at"].as_str().unwrap().ends_with("+08:00"));
    assert!(
        !members.iter().any(|m| m["phone_masked"] == "*******0002"),
        "Song's member is not Liu's: {body}"
    );

    let (status, _) =
        crate::common::get(&server, &browser(), "/api/organise/villages/liu/members").await;
    assert_eq!(status, 401);
    let song = song_organiser(&server).await;
    let (status, _) = song.get("/api/organise/villages/liu/members").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_organisers_code_joins_a_family_once_and_can_expire_or_be_revoked() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let liu = server.liu_organiser().await;
    let song = song_organiser(&server).await;
    let path = "/api/organise/villages/liu/invitations";
    let body = json!({"note": "王家，住在三号楼", "expires_on": day(3)});
    assert_guarded(&server, &liu, &song, Method::POST, path, Some(&body)).await;

    let (status, b) = liu
        .post(path, &json!({"note": " ", "expires_on": day(-1)}))
        .await;
    assert_eq!(status, 422, "{b}");
    assert_eq!(fields(&b), ["note", "expires_on"]);
    let (status, b) = liu
        .post(path, &json!({"note": "x", "expires_on": "next week"}))
        .await;
    assert_eq!(status, 422);
    assert_field(&b, "expires_on", "date");

    let (status, made) = liu.post(path, &body).await;
    assert_eq!(status, 201, "{made}");
    let code = made["code"].as_str().unwrap().to_owned();
    assert_eq!(made["status"], "unused");
    assert_eq!(made["expires_on"], day(3));
    let log = liu.log("liu").await;
    let entry = &log.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("invitation", "create")
    );
    assert_eq!(entry.entity_id, code);
    assert_eq!(entry.after.as_ref().unwrap()["note"], "王家，住在三号楼");

    // A Song point is refused: the code is Liu's.
    let song_point = scalar(
        &pool,
        "SELECT d.id FROM distribution_point d JOIN village v ON v.id = d.village_id
         WHERE v.slug = 'song' LIMIT 1",
    )
    .await;
    let join = |point: i64, phone: &str| {
        json!({"invitation_code": code, "name": "王小明", "phone": phone,
               "default_point_id": point, "password": "a good password"})
    };
    let (status, b) = server
        .post_json(&browser(), "/api/members", join(song_point, "13900001234"))
        .await;
    assert_eq!(status, 422, "{b}");
    assert_eq!(fields(&b), ["default_point_id"]);

    let point = liu_point(&pool).await;
    let (family, _) = server.register(&code, "王小明", "13900001234", point).await;
    drop(family);
    let (_, members) = liu.get("/api/organise/villages/liu/members").await;
    let wang = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "王小明")
        .expect("the new family is listed");
    assert_eq!(wang["phone_masked"], "*******1234");
    assert_eq!(wang["invited_by_organiser"]["en"], liu.me.name.en.as_str());
    assert!(!members.to_string().contains("13900001234"));

    let (_, list) = liu.get(path).await;
    assert_eq!(list["invitations"][0]["status"], "used", "{list}");
    assert_eq!(list["invitations"][0]["used_by"], "王小明");
    let revoke = format!("/api/organise/invitations/{code}");
    let (status, b) = liu.write(Method::DELETE, &revoke, None).await;
    assert_eq!(status, 409, "a used code cannot be revoked: {b}");

    // Revoking an unused code.
    let (_, other) = liu.post(path, &json!({"note": "李家"})).await;
    let other = other["code"].as_str().unwrap().to_owned();
    let revoke = format!("/api/organise/invitations/{other}");
    assert_guarded(&server, &liu, &song, Method::DELETE, &revoke, None).await;
    let (status, b) = liu.write(Method::DELETE, &revoke, None).await;
    assert_eq!(status, 204, "{b}");
    let entry = &liu.log("liu").await.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("invitation", "update")
    );
    assert_eq!(entry.before.as_ref().unwrap()["status"], "unused");
    assert_eq!(entry.after.as_ref().unwrap()["status"], "revoked");
    let (status, b) = server
        .post_json(
            &browser(),
            "/api/members",
            json!({"invitation_code": other, "name": "李四",
            "phone": "13900005678", "default_point_id": point, "password": "a good password"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_field(&b, "invitation_code", "withdrawn");

    // An expired one: its last day was yesterday.
    let (_, late) = liu
        .post(path, &json!({"note": "赵家", "expires_on": day(0)}))
        .await;
    let late = late["code"].as_str().unwrap().to_owned();
    sqlx::query("UPDATE invitation SET expires_on = ? WHERE code = ?")
        .bind(day(-1))
        .bind(&late)
        .execute(&pool)
        .await
        .unwrap();
    let (status, b) = server
        .post_json(
            &browser(),
            "/api/members",
            json!({"invitation_code": late, "name": "赵五",
            "phone": "13900005679", "default_point_id": point, "password": "a good password"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_field(&b, "invitation_code", "expired");
    let (_, list) = liu.get(path).await;
    let statuses: Vec<&str> = list["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["expired", "revoked", "used"]);
    let (status, _) = song.get(path).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_suspended_member_cannot_log_in_or_order_and_keeps_past_orders() {
    let server = Server::start().await;
    let pool = server.pool().await;
    let liu = server.liu_organiser().await;
    let song = song_organiser(&server).await;
    let (zhao, _) = server.login("13800000003", "demo-password-3").await;
    let zhao_id = scalar(&pool, "SELECT id FROM member WHERE phone = '13800000003'").await;
    let orders_before = scalar(
        &pool,
        &format!("SELECT COUNT(*) FROM orders WHERE member_id = {zhao_id}"),
    )
    .await;
    let path = format!("/api/organise/members/{zhao_id}/suspension");
    let body = json!({"reason": "长期不取货"});
    assert_guarded(&server, &liu, &song, Method::PUT, &path, Some(&body)).await;
    let (status, b) = liu.put(&path, &json!({"reason": "x".repeat(201)})).await;
    assert_eq!(status, 422);
    assert_field(&b, "reason", "200");

    let (status, b) = liu.put(&path, &body).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["status"], "suspended");
    assert_eq!(b["suspension_reason"], "长期不取货");
    let entry = &liu.log("liu").await.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("member", "suspend")
    );
    assert_eq!(entry.before.as_ref().unwrap()["status"], "active");
    assert!(!entry
        .after
        .as_ref()
        .unwrap()
        .to_string()
        .contains("13800000003"));

    // Their session ended, they cannot log in again, and cannot order.
    let (status, b) = crate::common::get(&server, &zhao, "/api/me").await;
    assert_eq!(status, 403, "{b}");
    assert!(b["error"].as_str().unwrap().contains("suspended"), "{b}");
    let live = format!(
        "SELECT COUNT(*) FROM session WHERE member_id = {zhao_id} AND expires_at > unixepoch()"
    );
    assert_eq!(scalar(&pool, &live).await, 0, "their sessions ended");
    let (status, b) = server
        .try_login(&browser(), "13800000003", "demo-password-3")
        .await;
    assert_eq!(status, 403, "{b}");
    assert!(b["error"].as_str().unwrap().contains("suspended"), "{b}");
    assert!(b["error_zh"].as_str().unwrap().contains("暂停"), "{b}");
    // A session made behind the server's back still cannot order.
    let point = liu_point(&pool).await;
    let (member, _) = session_via_sql(&pool, &server, "测试", "13900009999", point).await;
    let id = scalar(&pool, "SELECT id FROM member WHERE phone = '13900009999'").await;
    sqlx::query("UPDATE member SET suspended_at = 1 WHERE id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let open = server.open_round("liu").await;
    let product = open.stock[0].product_id;
    let order = order_body(open.round.id, point, &[(product, 1)]);
    let (status, b) = crate::common::put(
        &server,
        &member,
        &format!("/api/orders/{}", crate::common::new_id()),
        &order,
    )
    .await;
    assert_eq!(status, 403, "{b}");
    assert!(b["error"].as_str().unwrap().contains("suspended"));
    assert_eq!(
        scalar(
            &pool,
            &format!("SELECT COUNT(*) FROM orders WHERE member_id = {zhao_id}")
        )
        .await,
        orders_before,
        "past orders stay"
    );

    let (status, b) = liu.write(Method::DELETE, &path, None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["status"], "active");
    assert_eq!(liu.log("liu").await.entries[0].action, "reinstate");
    server.login("13800000003", "demo-password-3").await;
    assert_guarded(&server, &liu, &song, Method::DELETE, &path, None).await;
}

#[tokio::test]
async fn a_co_organiser_joins_with_a_one_time_code() {
    let server = Server::start().await;
    let liu = server.liu_organiser().await;
    let song = song_organiser(&server).await;
    let path = "/api/organise/villages/liu/organiser-invitations";
    assert_guarded(&server, &liu, &song, Method::POST, path, None).await;
    let (status, made) = liu.write(Method::POST, path, None).await;
    assert_eq!(status, 201, "{made}");
    let code = made["code"].as_str().unwrap().to_owned();
    assert!(made["expires_at"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(
        liu.log("liu").await.entries[0].entity,
        "organiser_invitation"
    );

    let url = server.url("/api/organise/join");
    let new = json!({"code": code, "login": "liu-new", "name_zh": "刘新", "name_en": "Liu Xin",
                     "password": "a long password"});
    let (status, _) = call(&browser(), Method::POST, &url, Some(&new), false).await;
    assert_eq!(status, 403, "CSRF");
    let (status, b) = call(&browser(), Method::POST, &url,
        Some(&json!({"code": code, "login": "liu-new2", "name_zh": "", "name_en": "x", "password": "short"})), true).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&b), ["name_zh", "password"]);

    let client = browser();
    let (status, me) = call(&client, Method::POST, &url, Some(&new), true).await;
    assert_eq!(status, 201, "{me}");
    assert_eq!(me["villages"][0]["slug"], "liu");
    let (status, _) = call(
        &client,
        Method::GET,
        &server.url("/api/organise/villages/liu/members"),
        None,
        false,
    )
    .await;
    assert_eq!(status, 200, "logged in as the new organiser");
    let entry = &liu.log("liu").await.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("organiser", "join")
    );
    assert!(!entry
        .after
        .as_ref()
        .unwrap()
        .to_string()
        .contains("password"));

    let again = json!({"code": code, "login": "liu-other", "name_zh": "刘", "name_en": "Liu",
                       "password": "a long password"});
    let (status, b) = call(&browser(), Method::POST, &url, Some(&again), true).await;
    assert_eq!(status, 422, "the code works once: {b}");
    assert_eq!(fields(&b), ["code"]);

    // An existing login: its password, then the village is added.
    let (_, made) = song
        .write(
            Method::POST,
            "/api/organise/villages/song/organiser-invitations",
            None,
        )
        .await;
    let song_code = made["code"].as_str().unwrap();
    let wrong = json!({"code": song_code, "login": "liu-new", "password": "not the password"});
    let (status, b) = call(&browser(), Method::POST, &url, Some(&wrong), true).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&b), ["password"]);
    let right = json!({"code": song_code, "login": "liu-new", "password": "a long password"});
    let (status, me) = call(&browser(), Method::POST, &url, Some(&right), true).await;
    assert_eq!(status, 201, "{me}");
    let slugs: Vec<&str> = me["villages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["liu", "song"]);

    let (status, list) = liu.get("/api/organise/villages/liu/organisers").await;
    assert_eq!(status, 200);
    let logins: Vec<&str> = list["organisers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["login"].as_str().unwrap())
        .collect();
    assert!(
        logins.contains(&"liu-new") && logins.contains(&"liu-organiser-2"),
        "{list}"
    );
    assert!(!list.to_string().contains("song-organiser-1"));
    let (status, _) = song.get("/api/organise/villages/liu/organisers").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let server = Server::start().await;
    let here = server.liu_organiser().await;
    let there = server.liu_organiser().await;
    let path = "/api/organise/session/password";
    let url = server.url(path);
    let body =
        json!({"current_password": "demo-organiser-2", "new_password": "a new long password"});
    let (status, _) = call(&browser(), Method::PUT, &url, Some(&body), true).await;
    assert_eq!(status, 401);
    let (status, _) = call(&here.client, Method::PUT, &url, Some(&body), false).await;
    assert_eq!(status, 403);
    let (status, b) = here
        .put(
            path,
            &json!({"current_password": "wrong one!", "new_password": "a new long password"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_field(&b, "current_password", "wrong");
    let (status, b) = here
        .put(
            path,
            &json!({"current_password": "demo-organiser-2", "new_password": "short"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_field(&b, "new_password", "10");

    let (status, b) = here.put(path, &body).await;
    assert_eq!(status, 200, "{b}");
    let (status, _) = there.get("/api/organise/me").await;
    assert_eq!(status, 401, "the other session ended");
    let (status, _) = here.get("/api/organise/me").await;
    assert_eq!(status, 200, "this one stays");
    let entry = &here.log("liu").await.entries[0];
    assert_eq!(
        (entry.entity.as_str(), entry.action.as_str()),
        ("organiser", "change_password")
    );
    assert_eq!(entry.after.as_ref().unwrap()["other_sessions_ended"], 1);
    assert!(!serde_json::to_string(&entry).unwrap().contains("argon2"));
    server
        .organiser("liu-organiser-2", "a new long password")
        .await;
}
