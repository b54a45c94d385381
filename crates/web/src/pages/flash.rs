//! The one success message after a form is saved ("Your wish is saved."): the redirect
//! sets a short-lived cookie naming the message, the next page shows it above its content,
//! and `shown` clears it. The cookie carries a key from this list, never text, so nobody
//! can make a page say something else.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

pub const FLASH_COOKIE: &str = "trellis_flash";

/// Every success message a page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    Saved,
    WishAdded,
    WishRemoved,
    CapacitySaved,
    AbsenceAdded,
    AbsenceRemoved,
    PlanSaved,
    Reviewed,
    SupportAdded,
    TalentAdded,
    Engaged,
}

const ALL: [Flash; 11] = [
    Flash::Saved,
    Flash::WishAdded,
    Flash::WishRemoved,
    Flash::CapacitySaved,
    Flash::AbsenceAdded,
    Flash::AbsenceRemoved,
    Flash::PlanSaved,
    Flash::Reviewed,
    Flash::SupportAdded,
    Flash::TalentAdded,
    Flash::Engaged,
];

impl Flash {
    fn key(self) -> &'static str {
        match self {
            Flash::Saved => "saved",
            Flash::WishAdded => "wish-added",
            Flash::WishRemoved => "wish-removed",
            Flash::CapacitySaved => "capacity-saved",
            Flash::AbsenceAdded => "absence-added",
            Flash::AbsenceRemoved => "absence-removed",
            Flash::PlanSaved => "plan-saved",
            Flash::Reviewed => "reviewed",
            Flash::SupportAdded => "support-added",
            Flash::TalentAdded => "talent-added",
            Flash::Engaged => "engaged",
        }
    }

    pub fn parse(key: &str) -> Option<Flash> {
        ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Flash::Saved => "Saved.",
            Flash::WishAdded => "Your wish is saved; it shows on the plate conversation.",
            Flash::WishRemoved => "The wish is withdrawn.",
            Flash::CapacitySaved => "Capacity saved: workload is counted against it from now on.",
            Flash::AbsenceAdded => "The absence is saved; work due then shows as at risk.",
            Flash::AbsenceRemoved => "The absence is removed.",
            Flash::PlanSaved => "The career plan is saved.",
            Flash::Reviewed => "Marked as reviewed together today.",
            Flash::SupportAdded => "The support is promised and on the plate of whoever gives it.",
            Flash::TalentAdded => "The specialist is in the talent pool.",
            Flash::Engaged => "The engagement is recorded and the opportunity is filled.",
        }
    }
}

/// A redirect after a successful post, with its message for the next page.
pub fn redirect(to: &str, flash: Flash) -> Response {
    let mut response = Redirect::to(to).into_response();
    let cookie = format!(
        "{FLASH_COOKIE}={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax",
        flash.key()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The message a request carries, if any.
pub fn carried(headers: &axum::http::HeaderMap) -> Option<Flash> {
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(FLASH_COOKIE)
        .and_then(|c| Flash::parse(c.value()))
}

/// Clears the message once a page has shown it.
pub async fn shown(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let had = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(FLASH_COOKIE));
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if had && is_page && response.status().is_success() {
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("trellis_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
        );
    }
    response
}
