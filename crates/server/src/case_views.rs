//! What a case handler needs on a case, over HTTP:
//! `GET /api/v1/cases/search?q=&limit=` finds cases,
//! `GET /api/v1/cases/{number}/statement?as_of=&lang=` is the itemised
//! statement, `GET /api/v1/review?limit=` the review queue with its total.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use kwijting_service::case_views::SEARCH_LIMIT_DEFAULT;
use kwijting_strategy::Language;
use serde::Deserialize;
use serde_json::Value;

use crate::{ApiResult, AppError, AppState, PAGE_LIMIT_DEFAULT, blocking, views};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/search", get(search))
        .route("/api/v1/cases/{number}/statement", get(statement))
        .route("/api/v1/review", get(review))
}

type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// `nl` (the default) or `en`.
pub fn language(lang: Option<&str>) -> Result<Language, String> {
    match lang.unwrap_or("nl") {
        "nl" => Ok(Language::Nl),
        "en" => Ok(Language::En),
        other => Err(format!("lang '{other}' is not nl or en")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: Option<String>,
    limit: Option<u32>,
}

async fn search(
    State(s): State<AppState>,
    params: QueryResult<SearchParams>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let q =
        p.q.ok_or_else(|| AppError::bad_request("the q parameter is required"))?;
    blocking(move || {
        let found = s
            .svc
            .search_cases(&s.actor, &q, p.limit.unwrap_or(SEARCH_LIMIT_DEFAULT))?;
        Ok(Json(views::found_cases(&found)))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementParams {
    as_of: Option<String>,
    lang: Option<String>,
}

async fn statement(
    State(s): State<AppState>,
    Path(number): Path<String>,
    params: QueryResult<StatementParams>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let lang = language(p.lang.as_deref()).map_err(AppError::bad_request)?;
    let as_of = p
        .as_of
        .as_deref()
        .map(kwijting_domain::parse_date)
        .transpose()
        .map_err(|e| AppError::bad_request(format!("as_of: {e}")))?;
    blocking(move || {
        let as_of = as_of.unwrap_or_else(|| s.svc.clock().today());
        let cs = s.svc.itemised_statement(&s.actor, &number, as_of)?;
        Ok(Json(views::case_statement(&cs, lang)))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewParams {
    limit: Option<u32>,
}

async fn review(
    State(s): State<AppState>,
    params: QueryResult<ReviewParams>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    blocking(move || {
        let page = s
            .svc
            .review_page(&s.actor, p.limit.unwrap_or(PAGE_LIMIT_DEFAULT))?;
        Ok(Json(views::review_page(&page)))
    })
    .await
}
