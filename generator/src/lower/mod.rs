//! Lowering: the OpenAPI document to the intermediate representation in [`crate::ir`].

mod finish;
mod operation;
mod schema;

use openapiv3::OpenAPI;

use crate::diag::{Diagnostic, Reporter};
use crate::ir::{Api, ClientDefault, TypeDef};
use crate::load::Document;

/// Type names the generated crate defines itself or imports, so spec types must avoid them.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client",
    "ClientBuilder",
    "Error",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Request",
    "Runtime",
    "ResponseValue",
    "RawResponse",
    "SecretString",
    "BuildError",
    "Some",
    "None",
    "Ok",
    "Err",
];

/// Lowers a loaded document; returns the API with any warnings, or every error found.
pub fn lower(document: &Document) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut report = Reporter::new(&document.path, &document.positions);
    let api = lower_document(&document.openapi, &mut report);
    if report.has_errors() {
        Err(report.into_diagnostics())
    } else {
        Ok((api, report.into_diagnostics()))
    }
}

fn lower_document(openapi: &OpenAPI, report: &mut Reporter<'_>) -> Api {
    let empty = indexmap::IndexMap::new();
    let components = openapi.components.as_ref().map(|components| &components.schemas).unwrap_or(&empty);
    let mut schemas = schema::SchemaLowering::new(components, RESERVED_TYPE_NAMES);
    schemas.lower_components(report);

    let mut operations = operation::OperationLowering::new(openapi, &mut schemas);
    let lowered = operations.lower_all(report);
    let client_defaults: Vec<ClientDefault> = operations.client_defaults();

    let mut types: Vec<TypeDef> = schemas.types.into_values().collect();
    finish::order_union_variants(&mut types);
    finish::box_recursive_references(&mut types);
    let mut lowered = lowered;
    operation::resolve_pagination(&mut lowered, &types, report);

    Api {
        title: openapi.info.title.clone(),
        version: openapi.info.version.clone(),
        description: openapi.info.description.clone(),
        default_server: openapi.servers.first().and_then(server_url),
        types,
        operations: lowered,
        client_defaults,
        oauth2_token_url: operation::oauth2_token_url(openapi),
    }
}

/// Returns a server's URL when it is a fixed URL. A URL with `{variables}` names a host that each
/// user chooses (CPlug publishes none), so its defaults are not offered as the client's default.
fn server_url(server: &openapiv3::Server) -> Option<String> {
    let has_variables = server.variables.as_ref().is_some_and(|variables| !variables.is_empty());
    (!has_variables && !server.url.contains('{')).then(|| server.url.clone())
}
