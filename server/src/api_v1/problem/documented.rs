//! The problem answers an operation documents, each a `ProblemDetails`
//! as `application/problem+json` described by its kind's title: written
//! once here, named by each operation (`responses(…, ReadProblems)`).

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::{self, RefOr};

use super::{Kind, PROBLEM_JSON};

fn documented(statuses: &[u16]) -> BTreeMap<String, RefOr<openapi::Response>> {
    let mut responses = openapi::ResponsesBuilder::new();
    for &status in statuses {
        let content = openapi::ContentBuilder::new()
            .schema(Some(openapi::Ref::from_schema_name("ProblemDetails")))
            .build();
        let response = openapi::ResponseBuilder::new()
            .description(Kind::of_status(status).title())
            .content(PROBLEM_JSON, content);
        responses = responses.response(status.to_string(), response);
    }
    responses.build().into()
}

/// What a read may answer besides its data (502: a read of CLEMAP).
pub struct ReadProblems;

impl IntoResponses for ReadProblems {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        documented(&[400, 401, 404, 422, 502])
    }
}

/// What a set or reset may answer besides CLEMAP's answer: refused before
/// anything was sent (400, 401, 403, 404, 413, 422, 429), the key in use
/// (409), CLEMAP failed (502, audited).
pub struct WriteProblems;

impl IntoResponses for WriteProblems {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        documented(&[400, 401, 403, 404, 409, 413, 422, 429, 502])
    }
}
