//! The prefill broker: national data for the logged-in citizen, shaped for a form and signed.

use crate::auth::{mask_pin, same_token, ApiError, Login};
use crate::intake::limited_login;
use crate::limits::Failure;
use crate::{now_ms, AppState};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json_};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokhai_core::prefill::{
    family_attributes, household_members, member_group, member_key, normalize_population, prefill_values,
    relatives_used, row_values, same_household, shown_values, Attributes, PrefillBundle, PrefillValue, Relative,
    RowScope, BUNDLE_FORMAT,
};
use tokhai_core::vn::pin;
use tokhai_core::{Date, Form, Session};

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "prefill_unavailable",
        "Chưa lấy được dữ liệu từ Cơ sở dữ liệu quốc gia về dân cư. Bạn vẫn có thể tự khai và nộp tờ khai.",
        "National population data could not be fetched. You can still fill in and submit the form yourself.",
    )
}

/// The form unknown to this server.
pub fn unknown_form() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_form",
        "Không có biểu mẫu này.",
        "No such form.",
    )
}

/// The person's record from the configured connector (`None`: not in the database).
async fn reply_of(state: &AppState, pin: &str) -> Result<Option<Json_>, ApiError> {
    state.connector.lookup(pin).await.map_err(|e| {
        tracing::warn!(origin = state.connector.origin(), subject = %mask_pin(pin), error = %e, "prefill lookup failed");
        unavailable()
    })
}

/// The person's normalised attributes from the configured connector (`None`: not in the database).
pub async fn attributes_of(state: &AppState, pin: &str) -> Result<Option<Attributes>, ApiError> {
    let Some(reply) = reply_of(state, pin).await? else {
        return Ok(None);
    };
    attributes_in(state, pin, &reply).map(Some)
}

/// The normalised attributes of the record `reply` of the person of `pin`.
fn attributes_in(state: &AppState, pin: &str, reply: &Json_) -> Result<Attributes, ApiError> {
    normalize_population(reply, &state.catalogs).map_err(|e| {
        tracing::warn!(origin = state.connector.origin(), subject = %mask_pin(pin), error = %e, "prefill reply unreadable");
        unavailable()
    })
}

/// Signs a bundle of values for a subject and a form (and, for a member's row, its scope).
fn signed(
    state: &AppState,
    form: &Form,
    subject: &str,
    values: BTreeMap<String, PrefillValue>,
    row: Option<RowScope>,
) -> PrefillBundle {
    let now = now_ms() / 1000;
    let mut bundle = PrefillBundle {
        format: BUNDLE_FORMAT,
        kid: String::new(),
        origin: state.connector.origin().to_owned(),
        subject: subject.to_owned(),
        form_id: form.id().to_owned(),
        form_version: form.version().to_owned(),
        issued_at: now,
        expires_at: now + state.config.prefill_ttl_secs,
        values,
        row,
        signature: String::new(),
    };
    state.keys.sign(&mut bundle);
    bundle
}

/// Builds and signs the bundle of a form for a subject, asking the configured connector: the values of
/// the fields the form can show.
pub async fn bundle_for(state: &AppState, form: &Arc<Form>, subject: &str) -> Result<PrefillBundle, ApiError> {
    let Some(mut attrs) = attributes_of(state, subject).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "citizen_not_found",
            "Không tìm thấy thông tin công dân trong Cơ sở dữ liệu quốc gia về dân cư. Bạn vẫn có thể tự khai.",
            "The citizen is not in the national population database. You can still fill in the form yourself.",
        ));
    };
    // The records of the relatives the form's `family.*` values come from, read at the same time.
    let used = relatives_used(form.def());
    let read = |relative: Relative| {
        let (attrs, used) = (&attrs, &used);
        async move {
            if !used.contains(&relative) {
                return None;
            }
            let record = relative_attributes(state, relative, relative.pin_in(attrs)?).await;
            let confirmed = record.filter(|r| relative.confirms(attrs, r));
            if confirmed.is_none() {
                tracing::info!(
                    form = form.id(),
                    relative = relative.role(),
                    "relative's record not used"
                );
            }
            confirmed.map(|a| (relative, a))
        }
    };
    let [spouse, father, mother] = Relative::ALL;
    let (spouse, father, mother) = tokio::join!(read(spouse), read(father), read(mother));
    let relatives: Vec<_> = [spouse, father, mother].into_iter().flatten().collect();
    if !used.is_empty() {
        attrs.extend(family_attributes(&attrs, &relatives));
    }
    // Only what the form can show: national data it hides for good is not sent (an adult's parents).
    let today = Date::in_viet_nam(now_ms());
    let mut session = Session::new(form.clone(), state.catalogs.clone(), today).map_err(|_| ApiError::internal())?;
    let values = shown_values(&mut session, prefill_values(form.def(), &attrs));
    Ok(signed(state, form, subject, values, None))
}

/// The query of a household's members: the repeat group their rows go in.
#[derive(Deserialize)]
pub struct HouseholdQuery {
    group: String,
}

/// A member of the citizen's household as the list gives them: their PIN masked, and a handle that the
/// row endpoint takes in its place (`member=`), so that no PIN reaches the browser before it is picked.
#[derive(Serialize)]
struct Listed {
    /// The member's handle ([`crate::signing::Keys::member_handle`]).
    handle: String,
    /// The member's PIN, masked as [`mask_pin`] masks it.
    pin_masked: String,
    /// Full name, in title case.
    name: String,
    /// Year of birth, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_year: Option<u16>,
}

/// `GET /api/prefill/<form_id>/household?group=<id>`: the members of the logged-in citizen's household
/// (`{members: [{handle, pin_masked, name, birth_year}]}`, the citizen left out), for the widget to offer
/// as rows of `group`, a group filled from household members; each row is then asked for by its handle
/// as `row` answers it.
pub async fn household(
    State(state): State<Arc<AppState>>,
    Path(form_id): Path<String>,
    Query(q): Query<HouseholdQuery>,
    request: Request,
) -> Result<Json<Json_>, Failure> {
    let (form, login) = members_asked(&state, &form_id, &q.group, request).await?;
    let reply = reply_of(&state, &login.subject).await?;
    let members = reply.map_or_else(Vec::new, |r| household_members(&r, &state.catalogs));
    tracing::info!(form = form.id(), subject = %mask_pin(&login.subject), group = q.group, members = members.len(), "household listed");
    let listed: Vec<Listed> = members
        .into_iter()
        .map(|m| Listed {
            handle: state.keys.member_handle(&login.subject, &m.pin),
            pin_masked: mask_pin(&m.pin),
            name: m.name,
            birth_year: m.birth_year,
        })
        .collect();
    Ok(Json(json!({ "members": listed })))
}

/// The query of a member's row: the repeat group and whom the row is of.
#[derive(Deserialize)]
pub struct RowQuery {
    group: String,
    #[serde(flatten)]
    of: RowOf,
}

/// Whom a member's row is asked for: a member's handle from the household list, or a PIN the citizen typed.
#[derive(Deserialize)]
// The name a query without either is refused with ("no variant of enum member or pin found").
#[serde(rename = "member or pin", rename_all = "lowercase")]
enum RowOf {
    /// `member=<handle>`.
    Member(String),
    /// `pin=<pin>`.
    Pin(String),
}

/// The header of a member's row answer that gives the member's handle, as the household list gives it:
/// the widget then knows whom of the list a typed PIN names.
pub const MEMBER_HEADER: &str = "tokhai-member";

/// The logged-in citizen asking national data, after taking one token of their rate limit: lookups of
/// any PIN must not run unbounded against the national population database.
async fn looked_up_by(state: &AppState, request: Request) -> Result<Login, Failure> {
    let (parts, _) = request.into_parts();
    Ok(limited_login(state, &parts)
        .await?
        .ok_or_else(ApiError::login_required)?)
}

/// The form and the logged-in citizen of a request about the rows of `group`, which must be a group of
/// the form filled from household members (else 404 `not_member_group`), after taking one token of the
/// citizen's rate limit.
async fn members_asked(
    state: &AppState,
    form_id: &str,
    group: &str,
    request: Request,
) -> Result<(Arc<Form>, Login), Failure> {
    let form = state.form(form_id).ok_or_else(unknown_form)?.clone();
    let login = looked_up_by(state, request).await?;
    member_group(form.def(), group).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_member_group",
            "Biểu mẫu không có nhóm này khai theo hộ gia đình.",
            "The form has no such group filled from household members.",
        )
    })?;
    Ok((form, login))
}

/// `GET /api/prefill/<form_id>/row?group=<id>&member=<handle>` (or `&pin=<pin>`): the signed values of
/// one row of a group filled from household members, for a member of the logged-in citizen's own
/// household only, with the member's handle in the `Tokhai-Member` header.
pub async fn prefill_row(
    State(state): State<Arc<AppState>>,
    Path(form_id): Path<String>,
    Query(q): Query<RowQuery>,
    request: Request,
) -> Result<Response, Failure> {
    let (form, login) = members_asked(&state, &form_id, &q.group, request).await?;
    // One answer for "no such person" and "not in your household": the endpoint tells nothing else.
    let not_household = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_household_member",
            "Số định danh này không thuộc hộ gia đình của bạn trong Cơ sở dữ liệu quốc gia về dân cư. Bạn hãy tự khai thông tin người này.",
            "This PIN is not in your household in the national population database. Please fill in this person's details yourself.",
        )
    };
    let reply = reply_of(&state, &login.subject).await?.ok_or_else(not_household)?;
    let citizen = attributes_in(&state, &login.subject, &reply)?;
    let handle_of = |pin: &str| state.keys.member_handle(&login.subject, pin);
    let pin = match &q.of {
        // Only the citizen's own household is searched: a handle from another session names nobody here.
        RowOf::Member(handle) => household_members(&reply, &state.catalogs)
            .into_iter()
            .map(|m| m.pin)
            .find(|pin| same_token(handle, &handle_of(pin))),
        RowOf::Pin(typed) => Some(pin::normalize(typed)).filter(|pin| pin::is_pin(pin)),
    }
    .ok_or_else(not_household)?;
    let bundle = member_bundle(&state, &form, &login.subject, &citizen, &q.group, &pin)
        .await?
        .ok_or_else(not_household)?;
    tracing::info!(form = form.id(), subject = %mask_pin(&login.subject), group = q.group, "member row issued");
    let mut response = Json(bundle).into_response();
    if let Ok(handle) = HeaderValue::from_str(&handle_of(&pin)) {
        response.headers_mut().insert(MEMBER_HEADER, handle);
    }
    Ok(response)
}

/// The signed values of the row of `group` naming household member `pin` of citizen `subject` (whose
/// record is `citizen`); `None` when `pin` is no member of their household (or no such group).
pub async fn member_bundle(
    state: &AppState,
    form: &Form,
    subject: &str,
    citizen: &Attributes,
    group: &str,
    pin: &str,
) -> Result<Option<PrefillBundle>, ApiError> {
    let Some((def, _)) = member_group(form.def(), group) else {
        return Ok(None);
    };
    let Some(member) = attributes_of(state, pin).await? else {
        return Ok(None);
    };
    if !same_household(citizen, &member) {
        return Ok(None);
    }
    let scope = RowScope {
        group: group.to_owned(),
        member: pin.to_owned(),
    };
    Ok(Some(signed(
        state,
        form,
        subject,
        row_values(form.def(), def, &member),
        Some(scope),
    )))
}

/// The attributes of a relative the citizen's record names by `pin`; a failed lookup only leaves the
/// relative's fields to the citizen.
async fn relative_attributes(state: &AppState, relative: Relative, pin: &str) -> Option<Attributes> {
    match state.connector.lookup(pin).await {
        Ok(Some(reply)) => normalize_population(&reply, &state.catalogs).ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(subject = %mask_pin(pin), relative = relative.role(), error = %e, "relative lookup failed");
            None
        }
    }
}

/// The header of a prefill answer that names, under the prefill URL, where the citizen's household is
/// listed (`household`: `<prefill>/household`), for a form with rows filled from household members: the
/// widget asks for the list only then.
pub const HOUSEHOLD_HEADER: &str = "tokhai-household";

/// `GET /api/prefill/<form_id>`: the signed bundle for the logged-in citizen; for a form with rows filled
/// from household members, with the `Tokhai-Household: household` header.
pub async fn prefill(
    State(state): State<Arc<AppState>>,
    Path(form_id): Path<String>,
    request: Request,
) -> Result<Response, Failure> {
    let form_id = form_id.trim_end_matches(".json");
    let form = state.form(form_id).ok_or_else(unknown_form)?.clone();
    let login = looked_up_by(&state, request).await?;
    let bundle = bundle_for(&state, &form, &login.subject).await?;
    tracing::info!(form = form.id(), subject = %mask_pin(&login.subject), fields = bundle.values.len(), "prefill bundle issued");
    let mut response = Json(bundle).into_response();
    if form.def().top_fields().any(|f| member_key(f).is_some()) {
        let list = HeaderValue::from_static("household");
        response.headers_mut().insert(HOUSEHOLD_HEADER, list);
    }
    Ok(response)
}
