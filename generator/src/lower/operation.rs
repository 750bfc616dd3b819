//! Lowering of operations: parameters, responses, security and pagination.

use openapiv3::{
    OpenAPI, Parameter as SpecParameter, ParameterSchemaOrContent, ReferenceOr, SecurityScheme, StatusCode,
};

use super::schema::{unescape_pointer_token, SchemaLowering};
use crate::diag::{join_pointer, Reporter};
use crate::ir::{
    BodyEncoding, ClientDefault, Operation, Pagination, Parameter, ParameterEncoding, ParameterLocation, RequestBody,
    Response, ResponseBody, ResponseHeader, StatusMatch, TypeDef, TypeKind, TypeRef,
};
use crate::naming::{self, Scope};

/// Client method names the generated `Client` already uses.
const RESERVED_METHOD_NAMES: &[&str] = &["builder", "runtime", "new", "clone", "fmt"];

/// Builder method names the generated request builders already use.
const RESERVED_BUILDER_METHODS: &[&str] = &[
    "send",
    "send_with_response",
    "pages",
    "items",
    "timeout",
    "header",
    "extra_headers",
    "new",
    "client",
    "body",
    "build_request",
];

/// Methods of the generated `ClientBuilder`, which `x-client-default` settings must not reuse.
const CLIENT_BUILDER_METHODS: &[&str] = &[
    "bearer_token",
    "token_source",
    "oauth2_password",
    "timeout",
    "connect_timeout",
    "retry",
    "page_concurrency",
    "configure_runtime",
    "build",
];

/// Reports `{name}` segments of the path without a path parameter, and path parameters that the
/// path does not contain; either would send a request to the wrong URL.
fn check_path_template(path: &str, parameters: &[Parameter], pointer: &str, report: &mut Reporter<'_>) {
    let mut in_template = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else { break };
        in_template.push(&rest[start + 1..start + length]);
        rest = &rest[start + length + 1..];
    }
    for name in &in_template {
        let declared = parameters.iter().any(|p| p.location == ParameterLocation::Path && p.wire_name == *name);
        if !declared {
            report.error(
                pointer,
                format!(
                    "the path `{path}` contains `{{{name}}}`, but the operation declares no path parameter `{name}`"
                ),
                format!("add a parameter with `name: {name}`, `in: path` and `required: true`"),
            );
        }
    }
    for parameter in parameters.iter().filter(|p| p.location == ParameterLocation::Path) {
        if !in_template.contains(&parameter.wire_name.as_str()) {
            report.error(
                pointer,
                format!("path parameter `{}` does not appear in the path `{path}`", parameter.wire_name),
                format!("add `{{{}}}` to the path, or declare the parameter `in: query`", parameter.wire_name),
            );
        }
    }
}

pub(super) struct OperationLowering<'a, 's> {
    openapi: &'a OpenAPI,
    schemas: &'s mut SchemaLowering<'a>,
    method_names: Scope,
    defaults: Vec<ClientDefault>,
    /// Operation ids seen so far, to warn about duplicates.
    operation_ids: std::collections::BTreeSet<String>,
}

impl<'a, 's> OperationLowering<'a, 's> {
    pub(super) fn new(openapi: &'a OpenAPI, schemas: &'s mut SchemaLowering<'a>) -> Self {
        OperationLowering {
            openapi,
            schemas,
            method_names: Scope::with_reserved(RESERVED_METHOD_NAMES),
            defaults: Vec::new(),
            operation_ids: std::collections::BTreeSet::new(),
        }
    }

    pub(super) fn client_defaults(&self) -> Vec<ClientDefault> {
        self.defaults.clone()
    }

    pub(super) fn lower_all(&mut self, report: &mut Reporter<'_>) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in &self.openapi.paths.paths {
            let path_pointer = join_pointer("/paths", path);
            let ReferenceOr::Item(item) = item else {
                report.error(
                    &path_pointer,
                    format!("path item `{path}` is a `$ref`"),
                    "inline the path item; references to path items are not supported",
                );
                continue;
            };
            for (method, operation) in item.iter() {
                let pointer = join_pointer(&path_pointer, method);
                if let Some(lowered) = self.lower_operation(path, method, &item.parameters, operation, &pointer, report)
                {
                    operations.push(lowered);
                }
            }
        }
        operations
    }

    fn lower_operation(
        &mut self,
        path: &str,
        method: &str,
        shared_parameters: &'a [ReferenceOr<SpecParameter>],
        operation: &'a openapiv3::Operation,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Option<Operation> {
        let operation_id = operation.operation_id.clone().unwrap_or_else(|| format!("{method} {path}"));
        if !self.operation_ids.insert(operation_id.clone()) {
            report.warning(
                &join_pointer(pointer, "operationId"),
                format!("operation id `{operation_id}` is used by an earlier operation too; this one gets a numbered method name"),
            );
        }
        let method_name = self.method_names.claim(&naming::value_name(&operation_id, "operation"));
        let type_name = self.schemas.claim_operation_type_name(&operation_id);

        let body = operation
            .request_body
            .as_ref()
            .and_then(|body| self.lower_request_body(&type_name, body, &join_pointer(pointer, "requestBody"), report));

        let mut parameter_names = Scope::with_reserved(RESERVED_BUILDER_METHODS);
        let mut parameters = Vec::new();
        let all_parameters =
            shared_parameters.iter().map(|p| (p, "/parameters")).chain(operation.parameters.iter().map(|p| (p, "")));
        for (index, (parameter, scope)) in all_parameters.enumerate() {
            let parameter_pointer = if scope.is_empty() {
                join_pointer(&join_pointer(pointer, "parameters"), &(index - shared_parameters.len()).to_string())
            } else {
                let path_pointer = pointer.rsplit_once('/').map(|(head, _)| head).unwrap_or(pointer);
                join_pointer(&join_pointer(path_pointer, "parameters"), &index.to_string())
            };
            if let Some(lowered) =
                self.lower_parameter(&type_name, parameter, &parameter_pointer, &mut parameter_names, report)
            {
                // An operation-level parameter replaces a path-level one with the same name and location.
                parameters.retain(|existing: &Parameter| {
                    !(existing.wire_name == lowered.wire_name && existing.location == lowered.location)
                });
                parameters.push(lowered);
            }
        }

        check_path_template(path, &parameters, pointer, report);

        let responses =
            self.lower_responses(&type_name, &operation.responses, &join_pointer(pointer, "responses"), report);
        let secured = match &operation.security {
            Some(requirements) => requirements.iter().any(|requirement| !requirement.is_empty()),
            None => {
                self.openapi.security.as_ref().is_some_and(|requirements| requirements.iter().any(|r| !r.is_empty()))
            }
        };
        let pagination = lower_pagination_extension(operation, &parameters, pointer, report);
        let success_enum = self.success_enum_name(&type_name, &responses);
        let accept = accept_header(&responses);

        Some(Operation {
            operation_id,
            method_name,
            type_name,
            http_method: method.to_ascii_uppercase(),
            path: path.to_string(),
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            parameters,
            responses,
            secured,
            pagination,
            body,
            success_enum,
            accept,
        })
    }

    /// Claims a name for the enum of success responses when the 2xx responses differ in body type.
    fn success_enum_name(&mut self, type_name: &str, responses: &[Response]) -> Option<String> {
        let mut bodies = responses.iter().filter(|response| response.is_success()).map(|response| &response.body);
        let first = bodies.next()?;
        if bodies.all(|body| body == first) {
            return None;
        }
        Some(self.schemas.claim_type_name(&format!("{type_name} Success")))
    }

    /// Lowers a request body, choosing one media type when several are offered: JSON first, then
    /// form, multipart, text and finally raw bytes.
    fn lower_request_body(
        &mut self,
        type_name: &str,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Option<RequestBody> {
        let (body, pointer) = match body {
            ReferenceOr::Item(body) => (body, pointer.to_string()),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/requestBodies/").map(unescape_pointer_token);
                let found = key.as_ref().and_then(|key| self.openapi.components.as_ref()?.request_bodies.get(key));
                match (found, key) {
                    (Some(ReferenceOr::Item(body)), Some(key)) => {
                        (body, join_pointer("/components/requestBodies", &key))
                    }
                    _ => {
                        report.error(
                            &join_pointer(pointer, "$ref"),
                            format!("unresolvable request body reference `{reference}`"),
                            "point the `$ref` at an existing entry of `#/components/requestBodies`",
                        );
                        return None;
                    }
                }
            }
        };
        let openapiv3::RequestBody { description, content, required, extensions: _ } = body;
        let Some((media_type, media)) = content.iter().min_by_key(|(media_type, _)| body_preference(media_type)) else {
            report.warning(&pointer, "the request body lists no media type under `content`, so the client sends none");
            return None;
        };
        let media_pointer = join_pointer(&join_pointer(&pointer, "content"), media_type);
        let context = format!("{type_name} body");
        let mut schema_type = |report: &mut Reporter<'_>| match &media.schema {
            Some(schema) => {
                self.schemas.lower_schema_ref(&context, schema, &join_pointer(&media_pointer, "schema"), report)
            }
            None => TypeRef::Json,
        };
        let essence = media_essence(media_type);
        let preference = match body_preference(media_type) {
            0 if essence.contains('*') && is_binary(media.schema.as_ref()) => 4,
            other => other,
        };
        let (encoding, sent_type) = match preference {
            0 => {
                let sent = if essence.contains('*') { "application/json".to_string() } else { media_type.clone() };
                (BodyEncoding::Json(schema_type(report)), sent)
            }
            1 => (BodyEncoding::Form(schema_type(report)), media_type.clone()),
            2 => (BodyEncoding::Multipart(schema_type(report)), "multipart/form-data".to_string()),
            3 => (BodyEncoding::Text, media_type.clone()),
            _ => {
                let sent =
                    if essence.contains('*') { "application/octet-stream".to_string() } else { media_type.clone() };
                (BodyEncoding::Bytes, sent)
            }
        };
        Some(RequestBody { encoding, media_type: sent_type, required: *required, doc: description.clone() })
    }

    fn lower_parameter(
        &mut self,
        type_name: &str,
        parameter: &ReferenceOr<SpecParameter>,
        pointer: &str,
        names: &mut Scope,
        report: &mut Reporter<'_>,
    ) -> Option<Parameter> {
        let (parameter, pointer) = match parameter {
            ReferenceOr::Item(parameter) => (parameter, pointer.to_string()),
            ReferenceOr::Reference { reference } => match self.resolve_parameter(reference) {
                Some(found) => found,
                None => {
                    report.error(
                        &join_pointer(pointer, "$ref"),
                        format!("unresolvable parameter reference `{reference}`"),
                        "point the `$ref` at an existing entry of `#/components/parameters`",
                    );
                    return None;
                }
            },
        };
        let (data, location, query_style) = match parameter {
            SpecParameter::Query { parameter_data, style, allow_reserved: _, allow_empty_value: _ } => {
                (parameter_data, ParameterLocation::Query, Some(style))
            }
            SpecParameter::Header { parameter_data, style: _ } => (parameter_data, ParameterLocation::Header, None),
            SpecParameter::Path { parameter_data, style } => {
                if !matches!(style, openapiv3::PathStyle::Simple) {
                    report.warning(
                        &join_pointer(&pointer, "style"),
                        format!(
                            "path parameter `{}` uses a `label` or `matrix` style; it is sent in the `simple` style",
                            parameter_data.name
                        ),
                    );
                }
                (parameter_data, ParameterLocation::Path, None)
            }
            SpecParameter::Cookie { parameter_data, .. } => {
                report.warning(
                    &pointer,
                    format!(
                        "cookie parameter `{}` is not supported and is left out of the client",
                        parameter_data.name
                    ),
                );
                return None;
            }
        };
        let (ty, is_object) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let context = format!("{type_name} {}", data.name);
                let ty = self.schemas.lower_schema_ref(&context, schema, &join_pointer(&pointer, "schema"), report);
                // A parameter that is absent is not sent, so `nullable` adds nothing on the wire.
                let ty = match ty {
                    TypeRef::Nullable(inner) => *inner,
                    other => other,
                };
                (ty, self.schemas.is_object(schema))
            }
            // A parameter described by `content` is sent as its serialized value; objects and
            // arrays become compact JSON, the usual media type for such parameters.
            ParameterSchemaOrContent::Content(content) => {
                let Some((media_type, media)) = content.first() else {
                    report.error(
                        &join_pointer(&pointer, "content"),
                        format!("parameter `{}` has an empty `content`", data.name),
                        "give `content` one media type with a `schema`, or use `schema` directly",
                    );
                    return None;
                };
                let schema_pointer =
                    join_pointer(&join_pointer(&join_pointer(&pointer, "content"), media_type), "schema");
                let context = format!("{type_name} {}", data.name);
                let ty = match &media.schema {
                    Some(schema) => self.schemas.lower_schema_ref(&context, schema, &schema_pointer, report),
                    None => TypeRef::Json,
                };
                (ty, false)
            }
        };
        let client_default = match data.extensions.get("x-client-default") {
            None => None,
            Some(serde_json::Value::String(name)) => {
                let wanted = naming::value_name(name, "default");
                let bare = wanted.trim_start_matches("r#");
                if CLIENT_BUILDER_METHODS.contains(&bare) || RESERVED_BUILDER_METHODS.contains(&bare) {
                    report.error(
                        &join_pointer(&pointer, "x-client-default"),
                        format!("`x-client-default: {name}` clashes with the generated method `{bare}` of the client or request builder"),
                        "choose another setting name, such as the parameter's own name",
                    );
                    return None;
                }
                Some(self.claim_default(name, &ty, data.description.as_deref()))
            }
            Some(_) => {
                report.error(
                    &join_pointer(&pointer, "x-client-default"),
                    "`x-client-default` must be a string: the name of the client builder setting",
                    "write, for example, `x-client-default: company_id`",
                );
                None
            }
        };
        let name = match &client_default {
            Some(default) => names.claim(default),
            None => names.claim(&naming::value_name(&data.name, "param")),
        };
        let encoding = match &data.format {
            ParameterSchemaOrContent::Content(_) => ParameterEncoding::Json,
            ParameterSchemaOrContent::Schema(_) => parameter_encoding(query_style, data.explode, &ty, is_object),
        };
        Some(Parameter {
            name,
            wire_name: data.name.clone(),
            location,
            required: data.required || location == ParameterLocation::Path,
            ty,
            doc: data.description.clone(),
            client_default,
            encoding,
        })
    }

    fn claim_default(&mut self, wanted: &str, ty: &TypeRef, doc: Option<&str>) -> String {
        let name = naming::value_name(wanted, "default");
        if !self.defaults.iter().any(|default| default.name == name) {
            self.defaults.push(ClientDefault { name: name.clone(), ty: ty.clone(), doc: doc.map(str::to_string) });
        }
        name
    }

    fn resolve_parameter(&self, reference: &str) -> Option<(&'a SpecParameter, String)> {
        let key = unescape_pointer_token(reference.strip_prefix("#/components/parameters/")?);
        let found = self.openapi.components.as_ref()?.parameters.get(&key)?;
        match found {
            ReferenceOr::Item(parameter) => Some((parameter, join_pointer("/components/parameters", &key))),
            ReferenceOr::Reference { .. } => None,
        }
    }

    fn lower_responses(
        &mut self,
        type_name: &str,
        responses: &'a openapiv3::Responses,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Vec<Response> {
        let mut lowered = Vec::new();
        let mut variants = Scope::with_reserved(&["Unknown"]);
        let listed = responses.responses.iter().map(|(status, response)| {
            let status = match status {
                StatusCode::Code(code) => StatusMatch::Code(*code),
                StatusCode::Range(class) => StatusMatch::Range(*class),
            };
            (status, response)
        });
        for (status, response) in
            listed.chain(responses.default.iter().map(|response| (StatusMatch::Default, response)))
        {
            let key = match status {
                StatusMatch::Code(code) => code.to_string(),
                StatusMatch::Range(class) => format!("{class}XX"),
                StatusMatch::Default => "default".to_string(),
            };
            let response_pointer = join_pointer(pointer, &key);
            let Some((response, response_pointer)) = self.resolve_response(response, &response_pointer, report) else {
                continue;
            };
            let variant = variants.claim(&match status {
                StatusMatch::Code(code) => naming::status_variant(code),
                StatusMatch::Range(class) => format!("Status{class}xx"),
                StatusMatch::Default => "Other".to_string(),
            });
            let context = format!("{type_name} {variant} body");
            let body = self.lower_response_body(&context, response, &response_pointer, report);
            let headers = self.lower_response_headers(response, &response_pointer, report);
            lowered.push(Response { status, variant, doc: response.description.trim().to_string(), body, headers });
        }
        if lowered.is_empty() {
            report.error(
                pointer,
                "the operation documents no responses",
                "document at least the success response under `responses`",
            );
        }
        // `default` covers every status not listed, successes included, so an operation that
        // lists no 2xx response decodes a 2xx with the `default` response's body.
        let has_success = lowered.iter().any(Response::is_success);
        let default = lowered.iter().find(|response| response.status == StatusMatch::Default).cloned();
        if let (false, Some(default)) = (has_success, default) {
            let variant = variants.claim("Status2xx");
            lowered.push(Response { status: StatusMatch::Range(2), variant, ..default });
        }
        lowered.sort_by_key(|response| !response.is_success());
        lowered
    }

    fn resolve_response(
        &self,
        response: &'a ReferenceOr<openapiv3::Response>,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Option<(&'a openapiv3::Response, String)> {
        match response {
            ReferenceOr::Item(response) => Some((response, pointer.to_string())),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/responses/").map(unescape_pointer_token);
                let found = key.as_ref().and_then(|key| self.openapi.components.as_ref()?.responses.get(key));
                match (found, key) {
                    (Some(ReferenceOr::Item(response)), Some(key)) => {
                        Some((response, join_pointer("/components/responses", &key)))
                    }
                    _ => {
                        report.error(
                            &join_pointer(pointer, "$ref"),
                            format!("unresolvable response reference `{reference}`"),
                            "point the `$ref` at an existing entry of `#/components/responses`",
                        );
                        None
                    }
                }
            }
        }
    }

    /// Lists the headers of a response, following `$ref`s into `#/components/headers`.
    fn lower_response_headers(
        &self,
        response: &openapiv3::Response,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> Vec<ResponseHeader> {
        let mut headers = Vec::new();
        for (name, header) in &response.headers {
            let doc = match header {
                ReferenceOr::Item(header) => header.description.clone(),
                ReferenceOr::Reference { reference } => {
                    let key = reference.strip_prefix("#/components/headers/").map(unescape_pointer_token);
                    let found = key.as_ref().and_then(|key| self.openapi.components.as_ref()?.headers.get(key));
                    match found {
                        Some(ReferenceOr::Item(header)) => header.description.clone(),
                        _ => {
                            let header_pointer = join_pointer(&join_pointer(pointer, "headers"), name);
                            report.error(
                                &join_pointer(&header_pointer, "$ref"),
                                format!("unresolvable header reference `{reference}`"),
                                "point the `$ref` at an existing entry of `#/components/headers`",
                            );
                            continue;
                        }
                    }
                }
            };
            headers.push(ResponseHeader { name: name.clone(), doc });
        }
        headers
    }

    fn lower_response_body(
        &mut self,
        context: &str,
        response: &openapiv3::Response,
        pointer: &str,
        report: &mut Reporter<'_>,
    ) -> ResponseBody {
        if response.content.is_empty() {
            return ResponseBody::None;
        }
        // A wildcard media type whose schema is binary is raw bytes, not JSON.
        let json = response.content.iter().find(|(media, content)| {
            is_json_media_type(media) && !(media.contains('*') && is_binary(content.schema.as_ref()))
        });
        if let Some((media, content)) = json {
            let media_pointer = join_pointer(&join_pointer(pointer, "content"), media);
            return match &content.schema {
                Some(schema) => ResponseBody::Json(self.schemas.lower_schema_ref(
                    context,
                    schema,
                    &join_pointer(&media_pointer, "schema"),
                    report,
                )),
                None => ResponseBody::Json(TypeRef::Json),
            };
        }
        if response.content.keys().any(|media| media.starts_with("text/")) {
            return ResponseBody::Text;
        }
        ResponseBody::Bytes
    }
}

/// Chooses how a parameter is written from its style, its `explode` and its type. Query
/// parameters default to `form` and the others use `simple`; `explode` defaults to true only for `form`.
fn parameter_encoding(
    query_style: Option<&openapiv3::QueryStyle>,
    explode: Option<bool>,
    ty: &TypeRef,
    is_object: bool,
) -> ParameterEncoding {
    let is_array = matches!(ty, TypeRef::Vec(_));
    match query_style {
        Some(openapiv3::QueryStyle::DeepObject) if is_object => ParameterEncoding::DeepObject,
        Some(openapiv3::QueryStyle::Form) if explode.unwrap_or(true) => {
            if is_array {
                ParameterEncoding::Repeated
            } else if is_object {
                ParameterEncoding::ObjectExploded
            } else {
                ParameterEncoding::Single
            }
        }
        Some(openapiv3::QueryStyle::SpaceDelimited) if is_array => ParameterEncoding::Delimited(' '),
        Some(openapiv3::QueryStyle::PipeDelimited) if is_array => ParameterEncoding::Delimited('|'),
        _ if is_array => ParameterEncoding::Delimited(','),
        _ => ParameterEncoding::Single,
    }
}

/// Returns the `Accept` header for responses that are not all JSON: the kinds of body the
/// operation decodes, JSON first.
fn accept_header(responses: &[Response]) -> Option<String> {
    let has = |wanted: fn(&ResponseBody) -> bool| responses.iter().any(|response| wanted(&response.body));
    if !has(|body| matches!(body, ResponseBody::Text | ResponseBody::Bytes)) {
        return None;
    }
    let mut kinds = Vec::new();
    if has(|body| matches!(body, ResponseBody::Json(_))) {
        kinds.push("application/json");
    }
    if has(|body| matches!(body, ResponseBody::Text)) {
        kinds.push("text/*");
    }
    if has(|body| matches!(body, ResponseBody::Bytes)) {
        kinds.push("*/*");
    }
    Some(kinds.join(", "))
}

/// Returns whether `schema` is an inline `type: string, format: binary`.
fn is_binary(schema: Option<&ReferenceOr<openapiv3::Schema>>) -> bool {
    matches!(
        schema,
        Some(ReferenceOr::Item(openapiv3::Schema {
            schema_kind: openapiv3::SchemaKind::Type(openapiv3::Type::String(openapiv3::StringType {
                format: openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary),
                ..
            })),
            ..
        }))
    )
}

/// Returns the lower-cased media type without parameters, such as `application/json`.
fn media_essence(media: &str) -> String {
    media.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Ranks a request body media type: 0 JSON, 1 form, 2 multipart, 3 text, 4 anything else.
fn body_preference(media: &str) -> u8 {
    let essence = media_essence(media);
    if is_json_media_type(&essence) {
        0
    } else if essence == "application/x-www-form-urlencoded" {
        1
    } else if essence.starts_with("multipart/") {
        2
    } else if essence.starts_with("text/") {
        3
    } else {
        4
    }
}

fn is_json_media_type(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// Reads `x-pagination` (parameter names and JSON pointers into the success body).
fn lower_pagination_extension(
    operation: &openapiv3::Operation,
    parameters: &[Parameter],
    pointer: &str,
    report: &mut Reporter<'_>,
) -> Option<Pagination> {
    let extension = operation.extensions.get("x-pagination")?;
    let extension_pointer = join_pointer(pointer, "x-pagination");
    let field = |key: &str| extension.get(key).and_then(serde_json::Value::as_str);
    let help = "write `x-pagination` with `page-param`, `per-page-param` (optional), `items` and `last-page`, the last two as JSON pointers into the success body such as `/data/items`";
    let (Some(page), Some(items), Some(last_page)) = (field("page-param"), field("items"), field("last-page")) else {
        report.error(&extension_pointer, "`x-pagination` is incomplete", help);
        return None;
    };
    let find = |wire_name: &str| {
        parameters
            .iter()
            .find(|parameter| parameter.wire_name == wire_name && parameter.location == ParameterLocation::Query)
            .map(|p| p.name.clone())
    };
    let Some(page_parameter) = find(page) else {
        report.error(
            &join_pointer(&extension_pointer, "page-param"),
            format!("`x-pagination` names page parameter `{page}`, which is not a query parameter of this operation"),
            help,
        );
        return None;
    };
    let per_page_parameter = match field("per-page-param") {
        None => None,
        Some(name) => match find(name) {
            Some(found) => Some(found),
            None => {
                report.error(&join_pointer(&extension_pointer, "per-page-param"), format!("`x-pagination` names page-size parameter `{name}`, which is not a query parameter of this operation"), help);
                return None;
            }
        },
    };
    Some(Pagination {
        page_parameter,
        per_page_parameter,
        items_path: items.split('/').filter(|token| !token.is_empty()).map(unescape_pointer_token).collect(),
        item_type: TypeRef::Json,
        last_page_path: last_page.split('/').filter(|token| !token.is_empty()).map(unescape_pointer_token).collect(),
    })
}

/// Turns the JSON pointers of each `x-pagination` into Rust field paths, now that types are known.
pub(super) fn resolve_pagination(operations: &mut [Operation], types: &[TypeDef], report: &mut Reporter<'_>) {
    for operation in operations {
        let Some(pagination) = operation.pagination.as_mut() else { continue };
        let pointer = join_pointer(
            &join_pointer(&join_pointer("/paths", &operation.path), &operation.http_method.to_ascii_lowercase()),
            "x-pagination",
        );
        let success = operation.responses.iter().find(|response| response.is_success()).and_then(|response| {
            match &response.body {
                ResponseBody::Json(ty) => Some(ty.clone()),
                _ => None,
            }
        });
        let Some(body) = success else {
            report.error(
                &pointer,
                "`x-pagination` needs a success response with a JSON body",
                "document the page's JSON schema on the 2xx response",
            );
            operation.pagination = None;
            continue;
        };
        let items = walk_fields(&body, &pagination.items_path, types);
        let last_page = walk_fields(&body, &pagination.last_page_path, types);
        match (items, last_page) {
            (Some((items_path, TypeRef::Vec(item))), Some((last_page_path, TypeRef::I64 | TypeRef::I32))) => {
                pagination.items_path = items_path;
                pagination.item_type = *item;
                pagination.last_page_path = last_page_path;
            }
            _ => {
                report.error(
                    &pointer,
                    "`x-pagination` must point `items` at a required array and `last-page` at a required integer of the success body",
                    "check the pointers against the response schema; every property on the way must be required",
                );
                operation.pagination = None;
            }
        }
    }
}

/// Follows JSON property names through required struct fields; returns the Rust names and the final type.
fn walk_fields(start: &TypeRef, path: &[String], types: &[TypeDef]) -> Option<(Vec<String>, TypeRef)> {
    let mut current = start.clone();
    let mut names = Vec::new();
    for json_name in path {
        let TypeRef::Named(name) = &current else { return None };
        let definition = types.iter().find(|definition| &definition.name == name)?;
        let TypeKind::Struct { fields, .. } = &definition.kind else { return None };
        let field = fields.iter().find(|field| &field.json_name == json_name && field.required)?;
        names.push(field.name.clone());
        current = field.ty.clone();
    }
    Some((names, current))
}

/// Returns the token URL of the first OAuth2 password flow among the security schemes.
pub(super) fn oauth2_token_url(openapi: &OpenAPI) -> Option<String> {
    let components = openapi.components.as_ref()?;
    components.security_schemes.values().find_map(|scheme| match scheme {
        ReferenceOr::Item(SecurityScheme::OAuth2 { flows, .. }) => {
            flows.password.as_ref().map(|flow| flow.token_url.clone())
        }
        _ => None,
    })
}
