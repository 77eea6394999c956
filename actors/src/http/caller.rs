//! Who is calling. Every handler takes a [`Caller`] and scopes everything by it.
//!
//! In local mode the built-in local user is the caller of every request; the
//! accounts issue replaces this one extractor with session/cookie authentication.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use purplesector_engine::storage::{UserId, LOCAL_USER};
use std::future::{ready, Ready};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller(pub UserId);

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(_req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Caller(LOCAL_USER)))
    }
}
