//! Every HTTP call of the app, through gloo-net. The API is served from the
//! same origin, so paths are relative. One file per area.

pub mod feedback;
pub mod money;
pub mod pickup;

use crate::raw_answer::RawAnswer;
use domain::dto::{
    ApiError, AvailabilityMonth, Booking, HouseholdDetail, Invitation, LoginRequest, Me, NoRoom,
    Order, PhotoRef, ProductDetail, RegisterRequest, VillageDetail, VillageSummary, VisitOffer,
};
use domain::order::{OrderRequest, Shortage};
use domain::organise::{
    BelowOrdered, CancelBookingInput, ChangeLogPage, ClosedDayInput, ClosedDays, OrganiseBookings,
    OrganiseProduct, OrganiseRound, OrganiserLogin, OrganiserMe, ProductInput, RoundInput,
    RoundPointsInput, RoundSummary, SupplyInput, Withdrawal, WithdrawalInput,
};
use domain::{FieldError, LocalText};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a load failed, in terms a page can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchError {
    /// The server does not know the thing asked for: show the 404 page.
    NotFound,
    /// No answer, or an answer we could not use: show retry.
    Unavailable(String),
}

impl FetchError {
    /// Maps an HTTP status and the server's error message.
    pub fn from_status(status: u16, message: String) -> Self {
        match status {
            404 => FetchError::NotFound,
            // A malformed id in a URL is as good as an unknown one for a shopper.
            400 | 422 => FetchError::NotFound,
            _ => FetchError::Unavailable(format!("{status}: {message}")),
        }
    }
}

/// The body of a successful GET. Not generic, so the request and its
/// errors are compiled once rather than once per type a page loads.
async fn get_text(path: &str) -> Result<String, FetchError> {
    if let Some(embedded) = crate::page_data::take(path) {
        return Ok(embedded);
    }
    if !crate::first_screen::IN_BROWSER {
        // The server draws what it embedded; the rest waits for the phone.
        return std::future::pending().await;
    }
    let resp = Request::get(path)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Unavailable(e.to_string()))?;
    if resp.ok() {
        return resp
            .text()
            .await
            .map_err(|e| FetchError::Unavailable(e.to_string()));
    }
    let status = resp.status();
    let message = match resp.json::<ApiError>().await {
        Ok(body) => body.error,
        Err(_) => resp.status_text(),
    };
    Err(FetchError::from_status(status, message))
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let text = get_text(path).await?;
    serde_json::from_str(&text).map_err(|e| FetchError::Unavailable(e.to_string()))
}

pub async fn villages() -> Result<Vec<VillageSummary>, FetchError> {
    get_json("/api/villages").await
}

pub async fn village(slug: String) -> Result<VillageDetail, FetchError> {
    // Only slug characters reach the URL; anything else cannot be a village.
    if domain::validate::slug("slug", &slug).is_err() {
        return Err(FetchError::NotFound);
    }
    get_json(&format!("/api/villages/{slug}")).await
}

pub async fn household(id: String) -> Result<HouseholdDetail, FetchError> {
    let id = parse_id(&id)?;
    get_json(&format!("/api/households/{id}")).await
}

/// Organisers' price changes to a household's products, newest first.
pub async fn price_history(id: i64) -> Result<Vec<domain::organise::PriceChange>, FetchError> {
    get_json(&format!("/api/households/{id}/price-history")).await
}

pub async fn product(id: String) -> Result<ProductDetail, FetchError> {
    let id = parse_id(&id)?;
    get_json(&format!("/api/products/{id}")).await
}

fn parse_id(raw: &str) -> Result<i64, FetchError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(FetchError::NotFound)
}

/// Why a write (joining, logging in, ordering) did not go through. The
/// server's words come in both languages.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteError {
    /// No answer: offline or the server is down. Worth retrying. The
    /// browser's words; pages say "no connection" in their own.
    Network(String),
    /// Not logged in (401).
    Unauthorized(LocalText),
    /// Not found (404).
    NotFound(LocalText),
    /// The server refused the content (400/409/413/415/422), with the
    /// fields at fault and, for orders, the products that are short.
    Refused {
        status: u16,
        message: LocalText,
        fields: Vec<FieldError>,
        short: Vec<Shortage>,
        /// For a booking without room: what is still free.
        no_room: Option<NoRoom>,
        /// For a supply below what members already ordered.
        below_ordered: Vec<BelowOrdered>,
        /// For too many failed logins: when to try again.
        retry_after_minutes: Option<i64>,
    },
    /// The server failed (5xx), or its answer was unreadable. Worth
    /// retrying.
    Server(LocalText),
}

impl WriteError {
    /// Whether sending the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, WriteError::Network(_) | WriteError::Server(_))
    }

    pub fn message(&self) -> LocalText {
        match self {
            WriteError::Network(m) => LocalText::new(m.clone(), m.clone()),
            WriteError::Unauthorized(m) | WriteError::NotFound(m) | WriteError::Server(m) => {
                m.clone()
            }
            WriteError::Refused { message, .. } => message.clone(),
        }
    }

    /// The message in the shopper's language.
    pub fn text(&self, lang: domain::Lang) -> String {
        self.message().get(lang).to_string()
    }

    /// The message for one field, if the server named it.
    pub fn field(&self, name: &str) -> Option<LocalText> {
        match self {
            WriteError::Refused { fields, .. } => fields
                .iter()
                .find(|f| f.field == name)
                .map(FieldError::text),
            _ => None,
        }
    }

    fn from_response(status: u16, body: Option<ErrorBody>) -> Self {
        let (message, fields, short, no_room, below_ordered, retry_after_minutes) = match body {
            Some(b) => (
                LocalText::new(b.error_zh, b.error),
                b.fields,
                b.short,
                b.no_room,
                b.below_ordered,
                b.retry_after_minutes,
            ),
            None => {
                let m = format!("HTTP {status}");
                (
                    LocalText::new(m.clone(), m),
                    vec![],
                    vec![],
                    None,
                    vec![],
                    None,
                )
            }
        };
        match status {
            401 => WriteError::Unauthorized(message),
            404 => WriteError::NotFound(message),
            400..=499 => WriteError::Refused {
                status,
                message,
                fields,
                short,
                no_room,
                below_ordered,
                retry_after_minutes,
            },
            _ => WriteError::Server(message),
        }
    }
}

/// Every error body the API sends: an [`ApiError`], plus `no_room` on a
/// booking's 409.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_zh: String,
    #[serde(default)]
    fields: Vec<FieldError>,
    #[serde(default)]
    short: Vec<Shortage>,
    #[serde(default)]
    no_room: Option<NoRoom>,
    #[serde(default)]
    below_ordered: Vec<BelowOrdered>,
    #[serde(default)]
    retry_after_minutes: Option<i64>,
}

/// The body of a successful answer, or why there was none. Not generic,
/// like `get_text`.
async fn answer_text(resp: Result<Response, gloo_net::Error>) -> Result<String, WriteError> {
    let resp = resp.map_err(|e| WriteError::Network(e.to_string()))?;
    if resp.ok() {
        return resp
            .text()
            .await
            .map_err(|e| WriteError::Server(unreadable(e)));
    }
    let status = resp.status();
    Err(WriteError::from_response(
        status,
        resp.json::<ErrorBody>().await.ok(),
    ))
}

async fn answer<T: DeserializeOwned>(
    resp: Result<Response, gloo_net::Error>,
) -> Result<T, WriteError> {
    let text = answer_text(resp).await?;
    serde_json::from_str(&text).map_err(|e| WriteError::Server(unreadable(e)))
}

/// An answer we could not read: a bug or a proxy's page, not the shopper's
/// doing.
fn unreadable(e: impl std::fmt::Display) -> LocalText {
    LocalText::new(
        format!("无法读取服务器的回答：{e}"),
        format!("unreadable answer: {e}"),
    )
}

async fn send_json<B: Serialize, T: DeserializeOwned>(
    req: RequestBuilder,
    body: &B,
) -> Result<T, WriteError> {
    let body = serde_json::to_string(body).map_err(|e| WriteError::Network(e.to_string()))?;
    answer(send_text(req, body).await).await
}

/// Sends a JSON body already written out; not generic, like `get_text`.
async fn send_text(req: RequestBuilder, body: String) -> Result<Response, gloo_net::Error> {
    req.header("Content-Type", "application/json")
        .body(body)?
        .send()
        .await
}

/// The logged-in member, or `None` when nobody is.
pub async fn me() -> Result<Option<Me>, WriteError> {
    match answer::<Me>(Request::get("/api/me").send().await).await {
        Ok(me) => Ok(Some(me)),
        Err(WriteError::Unauthorized(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn register(body: RegisterRequest) -> Result<Me, WriteError> {
    send_json(Request::post("/api/members"), &body).await
}

pub async fn login(body: LoginRequest) -> Result<Me, WriteError> {
    send_json(Request::post("/api/session"), &body).await
}

/// A write answered with no content (204).
async fn no_content(req: RequestBuilder) -> Result<(), WriteError> {
    let resp = req
        .send()
        .await
        .map_err(|e| WriteError::Network(e.to_string()))?;
    if resp.ok() {
        Ok(())
    } else {
        Err(WriteError::from_response(
            resp.status(),
            resp.json::<ErrorBody>().await.ok(),
        ))
    }
}

pub async fn logout() -> Result<(), WriteError> {
    no_content(Request::delete("/api/session")).await
}

pub async fn create_invitation() -> Result<Invitation, WriteError> {
    let req = Request::post("/api/me/invitations").header("Content-Type", "application/json");
    answer(
        req.body("{}")
            .map_err(|e| WriteError::Network(e.to_string()))?
            .send()
            .await,
    )
    .await
}

/// A write kept on the phone (`kept`), sent as it was written. The answer
/// is kept unparsed too: the sender in every bundle only stores it.
async fn put_kept<T>(
    path: &str,
    body: &serde_json::value::RawValue,
) -> Result<RawAnswer<T>, WriteError> {
    answer(send_text(Request::put(path), body.get().to_string()).await).await
}

pub async fn put_order(
    id: &str,
    body: &serde_json::value::RawValue,
) -> Result<RawAnswer<Order>, WriteError> {
    put_kept(&format!("/api/orders/{id}"), body).await
}

pub async fn patch_order(id: &str, body: &OrderRequest) -> Result<Order, WriteError> {
    send_json(Request::patch(&format!("/api/orders/{id}")), body).await
}

pub async fn cancel_order(id: String) -> Result<Order, WriteError> {
    answer(Request::delete(&format!("/api/orders/{id}")).send().await).await
}

pub async fn order(id: String) -> Result<Order, WriteError> {
    answer(Request::get(&format!("/api/orders/{id}")).send().await).await
}

pub async fn orders() -> Result<Vec<Order>, WriteError> {
    answer(Request::get("/api/orders").send().await).await
}

// ---- visits ----

pub async fn visit_offer(slug: String) -> Result<VisitOffer, FetchError> {
    get_json(&format!("/api/villages/{slug}/visit")).await
}

/// One month of the availability calendar; `month` is `YYYY-MM`.
pub async fn availability(slug: String, month: String) -> Result<AvailabilityMonth, FetchError> {
    get_json(&format!(
        "/api/villages/{slug}/visit/availability?month={month}"
    ))
    .await
}

pub async fn put_booking(
    id: &str,
    body: &serde_json::value::RawValue,
) -> Result<RawAnswer<Booking>, WriteError> {
    put_kept(&format!("/api/bookings/{id}"), body).await
}

/// `reference` reads the booking without a login (the code is URL-safe).
pub async fn booking(id: String, reference: String) -> Result<Booking, WriteError> {
    answer(
        Request::get(&format!("/api/bookings/{id}?ref={reference}"))
            .send()
            .await,
    )
    .await
}

pub async fn cancel_booking(id: String, reference: String) -> Result<Booking, WriteError> {
    answer(
        Request::delete(&format!("/api/bookings/{id}?ref={reference}"))
            .send()
            .await,
    )
    .await
}

/// The logged-in member's bookings.
pub async fn bookings() -> Result<Vec<Booking>, WriteError> {
    answer(Request::get("/api/bookings").send().await).await
}

// ---- organisers ----
//
// The organiser cookie is sent only to /api/organise; every write carries
// the header the server checks against cross-site requests.

const CSRF_HEADER: &str = "X-Requested-With";
const CSRF_VALUE: &str = "storefront";

async fn org_get<T: DeserializeOwned>(path: &str) -> Result<T, WriteError> {
    answer(Request::get(path).send().await).await
}

async fn org_send<B: Serialize, T: DeserializeOwned>(
    req: RequestBuilder,
    body: &B,
) -> Result<T, WriteError> {
    send_json(req.header(CSRF_HEADER, CSRF_VALUE), body).await
}

/// The logged-in organiser, or `None` when nobody is.
pub async fn organiser_me() -> Result<Option<OrganiserMe>, WriteError> {
    match org_get::<OrganiserMe>("/api/organise/me").await {
        Ok(me) => Ok(Some(me)),
        Err(WriteError::Unauthorized(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn organiser_login(body: OrganiserLogin) -> Result<OrganiserMe, WriteError> {
    org_send(Request::post("/api/organise/session"), &body).await
}

pub async fn organiser_logout() -> Result<(), WriteError> {
    no_content(Request::delete("/api/organise/session").header(CSRF_HEADER, CSRF_VALUE)).await
}

pub async fn org_products(slug: String) -> Result<Vec<OrganiseProduct>, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/products")).await
}

pub async fn org_product(id: i64) -> Result<OrganiseProduct, WriteError> {
    org_get(&format!("/api/organise/products/{id}")).await
}

pub async fn create_product(
    slug: &str,
    body: &ProductInput,
) -> Result<OrganiseProduct, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/products")),
        body,
    )
    .await
}

pub async fn update_product(id: i64, body: &ProductInput) -> Result<OrganiseProduct, WriteError> {
    org_send(Request::put(&format!("/api/organise/products/{id}")), body).await
}

pub async fn org_rounds(slug: String) -> Result<Vec<RoundSummary>, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/rounds")).await
}

pub async fn org_round(id: i64) -> Result<OrganiseRound, WriteError> {
    org_get(&format!("/api/organise/rounds/{id}")).await
}

pub async fn create_round(slug: &str, body: &RoundInput) -> Result<OrganiseRound, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/rounds")),
        body,
    )
    .await
}

pub async fn set_round_points(
    id: i64,
    body: &RoundPointsInput,
) -> Result<OrganiseRound, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/rounds/{id}/points")),
        body,
    )
    .await
}

pub async fn set_supply(id: i64, body: &SupplyInput) -> Result<OrganiseRound, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/rounds/{id}/supply")),
        body,
    )
    .await
}

pub async fn withdraw(round_id: i64, body: &WithdrawalInput) -> Result<Withdrawal, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/rounds/{round_id}/withdrawals")),
        body,
    )
    .await
}

/// Bookings per night and host, `from`/`to` as `YYYY-MM-DD`.
pub async fn org_bookings(
    slug: String,
    from: String,
    to: String,
) -> Result<OrganiseBookings, WriteError> {
    org_get(&format!(
        "/api/organise/villages/{slug}/bookings?from={from}&to={to}"
    ))
    .await
}

pub async fn org_cancel_booking(
    id: &str,
    body: &CancelBookingInput,
) -> Result<Booking, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/bookings/{id}/cancel")),
        body,
    )
    .await
}

pub async fn set_closed_day(slug: &str, body: &ClosedDayInput) -> Result<ClosedDays, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/villages/{slug}/closed-days")),
        body,
    )
    .await
}

/// Uploads a photo of a product as the raw file (the server checks what it
/// really is). XMLHttpRequest rather than fetch, because fetch cannot
/// report upload progress; `progress` gets 0.0–1.0.
pub async fn upload_photo(
    product_id: i64,
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<PhotoRef, WriteError> {
    upload_photo_to(
        &format!("/api/organise/products/{product_id}/photos"),
        file,
        progress,
    )
    .await
}

/// Sends `file` as the raw body to the upload endpoint `path`, reporting
/// progress from 0 to 1.
pub async fn upload_photo_to(
    path: &str,
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<PhotoRef, WriteError> {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let js = |e: JsValue| WriteError::Network(format!("{e:?}"));
    let xhr = web_sys::XmlHttpRequest::new().map_err(js)?;
    xhr.open("POST", path).map_err(js)?;
    xhr.set_request_header(CSRF_HEADER, CSRF_VALUE)
        .map_err(js)?;
    let kind = file.type_();
    if !kind.is_empty() {
        xhr.set_request_header("Content-Type", &kind).map_err(js)?;
    }
    let on_progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(e.loaded() / e.total());
            }
        });
    xhr.upload()
        .map_err(js)?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, _| {
        let finished = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        xhr.set_onloadend(Some(finished.unchecked_ref()));
    });
    xhr.send_with_opt_blob(Some(&file)).map_err(js)?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    match status {
        0 => Err(WriteError::Network("no answer".into())),
        200..=299 => serde_json::from_str(&text).map_err(|e| WriteError::Server(unreadable(e))),
        _ => Err(WriteError::from_response(
            status,
            serde_json::from_str(&text).ok(),
        )),
    }
}

pub async fn delete_photo(id: i64) -> Result<(), WriteError> {
    no_content(
        Request::delete(&format!("/api/organise/photos/{id}")).header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

/// Allocates a round's orders to households (after its deadline).
pub async fn allocate(round_id: i64) -> Result<domain::packing::Packing, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/rounds/{round_id}/allocation")),
        &serde_json::json!({}),
    )
    .await
}

/// The packing lists of an allocated round (409 before allocation).
pub async fn packing(round_id: i64) -> Result<domain::packing::Packing, WriteError> {
    org_get(&format!("/api/organise/rounds/{round_id}/packing")).await
}

/// What a packing label says (public; no consumer data).
pub async fn label(code: String) -> Result<domain::packing::LabelInfo, FetchError> {
    get_json(&format!("/api/labels/{code}")).await
}

/// A page of the change log, newest first; `before` pages back.
pub async fn change_log(slug: String, before: Option<i64>) -> Result<ChangeLogPage, WriteError> {
    let q = before.map(|b| format!("?before={b}")).unwrap_or_default();
    org_get(&format!("/api/organise/villages/{slug}/log{q}")).await
}

// ---- the visit offer, and a round's dates ----

pub async fn org_visit_offer(
    slug: String,
) -> Result<domain::organise::visit_offer::OrganiseVisitOffer, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/visit")).await
}

pub async fn save_visit_offer(
    slug: &str,
    body: &domain::organise::visit_offer::VisitOfferInput,
) -> Result<domain::organise::visit_offer::OrganiseVisitOffer, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/villages/{slug}/visit")),
        body,
    )
    .await
}

pub async fn update_round(id: i64, body: &RoundInput) -> Result<OrganiseRound, WriteError> {
    org_send(Request::put(&format!("/api/organise/rounds/{id}")), body).await
}

pub async fn delete_round(id: i64) -> Result<(), WriteError> {
    no_content(
        Request::delete(&format!("/api/organise/rounds/{id}")).header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

// ---- the village's people: members, invitation codes, organisers ----

use domain::organise::people as people_api;

pub async fn org_members(slug: String) -> Result<people_api::VillageMembers, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/members")).await
}

pub async fn org_invitations(slug: String) -> Result<people_api::VillageInvitations, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/invitations")).await
}

pub async fn org_create_invitation(
    slug: &str,
    body: &people_api::InvitationInput,
) -> Result<people_api::VillageInvitation, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/invitations")),
        body,
    )
    .await
}

pub async fn org_revoke_invitation(code: &str) -> Result<(), WriteError> {
    no_content(
        Request::delete(&format!("/api/organise/invitations/{code}"))
            .header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

pub async fn org_suspend(
    member_id: i64,
    body: &people_api::SuspensionInput,
) -> Result<people_api::VillageMember, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/members/{member_id}/suspension")),
        body,
    )
    .await
}

pub async fn org_reinstate(member_id: i64) -> Result<people_api::VillageMember, WriteError> {
    answer(
        Request::delete(&format!("/api/organise/members/{member_id}/suspension"))
            .header(CSRF_HEADER, CSRF_VALUE)
            .send()
            .await,
    )
    .await
}

pub async fn org_organisers(slug: String) -> Result<people_api::VillageOrganisers, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/organisers")).await
}

pub async fn org_create_organiser_code(
    slug: &str,
) -> Result<people_api::OrganiserCode, WriteError> {
    org_send(
        Request::post(&format!(
            "/api/organise/villages/{slug}/organiser-invitations"
        )),
        &serde_json::json!({}),
    )
    .await
}

pub async fn org_join(body: &people_api::OrganiserJoin) -> Result<OrganiserMe, WriteError> {
    org_send(Request::post("/api/organise/join"), body).await
}

pub async fn org_change_password(
    body: &people_api::PasswordChange,
) -> Result<OrganiserMe, WriteError> {
    org_send(Request::put("/api/organise/session/password"), body).await
}

// The village's own administration: households, the village page, points.

use domain::organise::village::{
    HouseholdInput, OrganiseHousehold, OrganisePoint, OrganiseVillagePage, PointInput, VillageInput,
};

pub async fn org_households(slug: String) -> Result<Vec<OrganiseHousehold>, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/households")).await
}

pub async fn org_household(id: i64) -> Result<OrganiseHousehold, WriteError> {
    org_get(&format!("/api/organise/households/{id}")).await
}

pub async fn create_household(
    slug: &str,
    body: &HouseholdInput,
) -> Result<OrganiseHousehold, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/households")),
        body,
    )
    .await
}

pub async fn update_household(
    id: i64,
    body: &HouseholdInput,
) -> Result<OrganiseHousehold, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/households/{id}")),
        body,
    )
    .await
}

pub async fn delete_village_photo(id: i64) -> Result<(), WriteError> {
    no_content(
        Request::delete(&format!("/api/organise/village-photos/{id}"))
            .header(CSRF_HEADER, CSRF_VALUE),
    )
    .await
}

pub async fn org_village(slug: String) -> Result<OrganiseVillagePage, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}")).await
}

pub async fn update_village(
    slug: &str,
    body: &VillageInput,
) -> Result<OrganiseVillagePage, WriteError> {
    org_send(
        Request::put(&format!("/api/organise/villages/{slug}")),
        body,
    )
    .await
}

pub async fn org_points(slug: String) -> Result<Vec<OrganisePoint>, WriteError> {
    org_get(&format!("/api/organise/villages/{slug}/points")).await
}

pub async fn create_point(slug: &str, body: &PointInput) -> Result<OrganisePoint, WriteError> {
    org_send(
        Request::post(&format!("/api/organise/villages/{slug}/points")),
        body,
    )
    .await
}

pub async fn update_point(id: i64, body: &PointInput) -> Result<OrganisePoint, WriteError> {
    org_send(Request::put(&format!("/api/organise/points/{id}")), body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_errors_say_what_to_do() {
        let refused = WriteError::from_response(
            422,
            Some(ErrorBody {
                error: "bad".into(),
                error_zh: "不对".into(),
                fields: vec![FieldError::new(
                    "phone",
                    "必须是 11 位",
                    "must be 11 digits",
                )],
                short: vec![],
                no_room: None,
                below_ordered: vec![],
                retry_after_minutes: None,
            }),
        );
        let phone = refused.field("phone").expect("the field is named");
        assert_eq!(phone.get(domain::Lang::Zh), "必须是 11 位");
        assert_eq!(phone.get(domain::Lang::En), "must be 11 digits");
        assert_eq!(refused.message().get(domain::Lang::Zh), "不对");
        assert_eq!(refused.field("name"), None);
        assert!(!refused.is_retryable());
        assert!(matches!(
            WriteError::from_response(401, None),
            WriteError::Unauthorized(_)
        ));
        assert!(WriteError::from_response(503, None).is_retryable());
        assert!(WriteError::Network("offline".into()).is_retryable());
        let short = WriteError::from_response(
            409,
            Some(ErrorBody {
                error: "short".into(),
                error_zh: String::new(),
                fields: vec![],
                short: vec![Shortage {
                    product_id: 1,
                    requested: 3,
                    remaining: 1,
                }],
                no_room: None,
                below_ordered: vec![],
                retry_after_minutes: None,
            }),
        );
        assert!(
            matches!(short, WriteError::Refused { status: 409, ref short, .. } if short.len() == 1)
        );
    }

    #[test]
    fn statuses_map_to_what_the_page_shows() {
        assert_eq!(
            FetchError::from_status(404, "x".into()),
            FetchError::NotFound
        );
        assert_eq!(
            FetchError::from_status(400, "x".into()),
            FetchError::NotFound
        );
        assert!(matches!(
            FetchError::from_status(500, "x".into()),
            FetchError::Unavailable(_)
        ));
        assert!(matches!(
            FetchError::from_status(503, "x".into()),
            FetchError::Unavailable(_)
        ));
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(parse_id("12"), Ok(12));
        assert_eq!(parse_id("0"), Err(FetchError::NotFound));
        assert_eq!(parse_id("-3"), Err(FetchError::NotFound));
        assert_eq!(parse_id("abc"), Err(FetchError::NotFound));
    }
}
