//! `/ws`: upgrades a browser connection and hands it to a WsClientActor.

use super::{ApiError, AppState, Caller};
use crate::ws_client::{WireFormat, WsClientActor};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct StreamQuery {
    format: Option<String>,
}

pub(super) async fn connect(
    req: HttpRequest,
    body: web::Payload,
    query: web::Query<StreamQuery>,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, actix_web::Error> {
    // A page of another site could otherwise open the stream with the user's cookie.
    state.guard.check_origin(&req, true)?;
    let format = match query.format.as_deref() {
        None | Some("protobuf") | Some("binary") => WireFormat::Protobuf,
        Some("json") => WireFormat::Json,
        Some(other) => {
            return Err(ApiError::BadRequest(format!("unknown format {other:?}: use json or protobuf")).into())
        }
    };
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    WsClientActor::start(caller.0, format, state.shared.clone(), state.engine.clone(), session, stream);
    Ok(response)
}
