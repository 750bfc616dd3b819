//! Emission of operations: request builders, response decoding and per-operation error enums.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{doc_attributes, ident, rust_type};
use crate::ir::{
    Api, BodyEncoding, Operation, Parameter, ParameterEncoding, ParameterLocation, RequestBody, Response, ResponseBody,
    StatusMatch, TypeRef,
};

pub(super) fn emit_operations(api: &Api) -> TokenStream {
    let operations = api.operations.iter().map(emit_operation);
    quote! {
        //! One request builder and one error enum per operation.

        #[allow(unused_imports)]
        use ::cplug_runtime::{Error, RawResponse, Request, ResponseValue};

        #( #operations )*
    }
}

/// Returns the rustdoc of an operation: summary, description, then method and path.
pub(super) fn operation_doc(operation: &Operation) -> TokenStream {
    let mut text = String::new();
    for part in [operation.summary.as_deref(), operation.description.as_deref()].into_iter().flatten() {
        let part = part.trim();
        if !part.is_empty() {
            text.push_str(part);
            text.push_str("\n\n");
        }
    }
    text.push_str(&format!("`{} {}` (`{}`)", operation.http_method, operation.path, operation.operation_id));
    doc_attributes(Some(&text))
}

/// Returns the arguments of the client method: required parameters without a client-wide
/// default, then the body when it is required.
pub(super) fn required_arguments(operation: &Operation) -> Vec<(Ident, TokenStream)> {
    let parameters = operation
        .parameters
        .iter()
        .filter(|parameter| is_argument(parameter))
        .map(|parameter| (ident(&parameter.name), rust_type(&parameter.ty)));
    let body = operation.body.as_ref().filter(|body| body.required).map(|body| (body_ident(), body_type(body)));
    parameters.chain(body).collect()
}

/// Name of the builder field and method that hold the request body; lowering reserves it.
fn body_ident() -> Ident {
    ident("body")
}

/// Returns the Rust type of a request body.
fn body_type(body: &RequestBody) -> TokenStream {
    match &body.encoding {
        BodyEncoding::Json(ty) | BodyEncoding::Form(ty) | BodyEncoding::Multipart(ty) => rust_type(ty),
        BodyEncoding::Bytes => quote! { ::cplug_runtime::reexports::bytes::Bytes },
        BodyEncoding::Text => quote! { ::std::string::String },
    }
}

/// Returns the Rust type of a response body.
fn response_body_type(body: &ResponseBody) -> Option<TokenStream> {
    match body {
        ResponseBody::Json(ty) => Some(rust_type(ty)),
        ResponseBody::Text => Some(quote! { ::std::string::String }),
        ResponseBody::Bytes => Some(quote! { ::cplug_runtime::reexports::bytes::Bytes }),
        ResponseBody::None => None,
    }
}

pub(super) fn is_argument(parameter: &Parameter) -> bool {
    parameter.required && parameter.client_default.is_none()
}

/// Returns the success type of an operation: the enum of its 2xx responses when their bodies
/// differ, or else the body they share.
pub(super) fn success_type(operation: &Operation) -> TokenStream {
    if let Some(name) = &operation.success_enum {
        let name = ident(name);
        return quote! { #name };
    }
    let body = operation.responses.iter().find(|response| response.is_success()).map(|response| &response.body);
    body.and_then(response_body_type).unwrap_or_else(|| quote! { () })
}

fn emit_operation(operation: &Operation) -> TokenStream {
    let builder = emit_builder(operation);
    let decode = emit_decode(operation);
    let success = emit_success_enum(operation);
    let error = emit_error_enum(operation);
    let pagination = super::pagination::emit_pagination(operation);
    quote! { #builder #pagination #decode #success #error }
}

/// Emits the enum of success responses, one variant per 2xx response.
fn emit_success_enum(operation: &Operation) -> Option<TokenStream> {
    let name = ident(operation.success_enum.as_ref()?);
    let doc = format!(" Success responses documented for `{}`.", operation.operation_id);
    let variants = operation.responses.iter().filter(|response| response.is_success()).map(|response| {
        let variant = ident(&response.variant);
        let doc = doc_attributes(Some(&format!("{}: {}", status_label(response.status), response.doc)));
        match response_body_type(&response.body) {
            Some(body) => quote! { #doc #variant(#body), },
            None => quote! { #doc #variant, },
        }
    });
    Some(quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #( #variants )*
        }
    })
}

fn emit_builder(operation: &Operation) -> TokenStream {
    let builder = ident(&operation.type_name);
    let error = format_ident!("{}Error", operation.type_name);
    let success = success_type(operation);
    let decode = format_ident!("decode_{}", operation.method_name.trim_start_matches("r#"));
    let method = &operation.method_name;
    let builder_doc = format!(
        " Request builder for [`Client::{}`](super::Client::{}).",
        method.trim_start_matches("r#"),
        method.trim_start_matches("r#")
    );

    // Arguments are stored as given; every other parameter is optional until `send`.
    let fields = operation.parameters.iter().map(|parameter| {
        let name = ident(&parameter.name);
        let ty = rust_type(&parameter.ty);
        if is_argument(parameter) {
            quote! { #name: #ty, }
        } else {
            quote! { #name: ::std::option::Option<#ty>, }
        }
    });
    let arguments: Vec<_> = required_arguments(operation);
    let argument_params = arguments.iter().map(|(name, ty)| quote! { #name: #ty });
    let initializers = operation.parameters.iter().map(|parameter| {
        let name = ident(&parameter.name);
        if is_argument(parameter) {
            quote! { #name, }
        } else {
            quote! { #name: ::std::option::Option::None, }
        }
    });
    let setters = operation.parameters.iter().filter(|parameter| !is_argument(parameter)).map(emit_setter);
    let (body_field, body_initializer, body_setter) = emit_body_member(operation);
    let headers_doc = success_headers_doc(operation);
    let build_request = emit_build_request(operation);

    quote! {
        #[doc = #builder_doc]
        #[derive(Clone, Debug)]
        #[must_use = "a request builder does nothing until `send` is called"]
        pub struct #builder {
            client: super::Client,
            #( #fields )*
            #body_field
            timeout: ::std::option::Option<::std::time::Duration>,
            extra_headers: ::std::vec::Vec<(::std::string::String, ::cplug_runtime::SecretString)>,
        }

        impl #builder {
            pub(crate) fn new(client: super::Client, #( #argument_params ),*) -> Self {
                Self {
                    client,
                    #( #initializers )*
                    #body_initializer
                    timeout: ::std::option::Option::None,
                    extra_headers: ::std::vec::Vec::new(),
                }
            }

            #( #setters )*

            #body_setter

            /// Sets the timeout of each attempt of this request only, up to the last byte of the body.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.timeout = ::std::option::Option::Some(timeout);
                self
            }

            /// Adds a header that the spec does not describe, such as `Prefer` for a mock server, to
            /// this request only.
            ///
            /// The header replaces one of the same name set from a spec parameter, and the last
            /// value set for a name wins. `Debug` output redacts the value. An invalid name or
            /// value makes `send` fail with `Error::InvalidRequest`.
            pub fn header(
                mut self,
                name: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::std::string::String>,
            ) -> Self {
                self.extra_headers.push((name.into(), ::cplug_runtime::SecretString::new(value.into())));
                self
            }

            /// Sends the request and returns the decoded body.
            pub async fn send(self) -> ::std::result::Result<#success, Error<#error>> {
                self.send_with_response().await.map(ResponseValue::into_inner)
            }

            /// Sends the request and returns the decoded body with the response's status and headers.
            #headers_doc
            pub async fn send_with_response(self) -> ::std::result::Result<ResponseValue<#success>, Error<#error>> {
                let request = self.build_request().map_err(Error::from_untyped)?;
                let response = self.client.runtime().execute(request).await.map_err(Error::from_untyped)?;
                #decode(response)
            }

            #build_request
        }
    }
}

fn emit_setter(parameter: &Parameter) -> TokenStream {
    let name = ident(&parameter.name);
    let fallback = format!("Sets `{}`.", parameter.wire_name);
    let doc = parameter.doc.as_deref().filter(|doc| !doc.trim().is_empty()).unwrap_or(&fallback);
    let doc = doc_attributes(Some(doc));
    let note = parameter.client_default.as_ref().map(|default| {
        let text = format!(" Overrides the client-wide value set with `ClientBuilder::{default}`.");
        quote! { #[doc = ""] #[doc = #text] }
    });
    if parameter.ty == TypeRef::String {
        quote! {
            #doc
            #note
            pub fn #name(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.#name = ::std::option::Option::Some(value.into());
                self
            }
        }
    } else {
        let ty = rust_type(&parameter.ty);
        quote! {
            #doc
            #note
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = ::std::option::Option::Some(value);
                self
            }
        }
    }
}

/// Lists the headers that the spec documents on success responses, for the rustdoc of
/// `send_with_response`.
fn success_headers_doc(operation: &Operation) -> TokenStream {
    let mut lines = Vec::new();
    for response in operation.responses.iter().filter(|response| response.is_success()) {
        for header in &response.headers {
            let description = header.doc.as_deref().map(first_line).filter(|line| !line.is_empty());
            let line = match description {
                Some(description) => format!("- `{}` ({}): {description}", header.name, status_label(response.status)),
                None => format!("- `{}` ({})", header.name, status_label(response.status)),
            };
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    if lines.is_empty() {
        return TokenStream::new();
    }
    let text =
        format!("Response headers the spec documents, read with [`ResponseValue::headers`]:\n\n{}", lines.join("\n"));
    let doc = doc_attributes(Some(&text));
    quote! { #[doc = ""] #doc }
}

/// Emits the builder's body field, its initializer and, for an optional body, its setter.
fn emit_body_member(operation: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let Some(body) = &operation.body else {
        return (TokenStream::new(), TokenStream::new(), TokenStream::new());
    };
    let name = body_ident();
    let ty = body_type(body);
    if body.required {
        return (quote! { #name: #ty, }, quote! { #name, }, TokenStream::new());
    }
    let doc = body.doc.as_deref().filter(|doc| !doc.trim().is_empty()).unwrap_or("Sets the request body.");
    let doc = doc_attributes(Some(doc));
    let setter = quote! {
        #doc
        pub fn #name(mut self, value: #ty) -> Self {
            self.#name = ::std::option::Option::Some(value);
            self
        }
    };
    (quote! { #name: ::std::option::Option<#ty>, }, quote! { #name: ::std::option::Option::None, }, setter)
}

/// Emits the statement that encodes the body into `request`.
fn emit_body_encoding(body: &RequestBody) -> TokenStream {
    let media_type = &body.media_type;
    let encode = |value: TokenStream| match &body.encoding {
        BodyEncoding::Json(_) => quote! { ::cplug_runtime::json_body(#media_type, #value) },
        BodyEncoding::Form(_) => quote! { ::cplug_runtime::form_body(#media_type, #value) },
        BodyEncoding::Multipart(_) => quote! { ::cplug_runtime::multipart_body(#value) },
        BodyEncoding::Bytes => quote! { ::cplug_runtime::bytes_body(#media_type, #value) },
        BodyEncoding::Text => quote! { ::cplug_runtime::text_body(#media_type, #value) },
    };
    let name = body_ident();
    if body.required {
        let encoded = encode(quote! { &self.#name });
        quote! { request.body = ::std::option::Option::Some(#encoded?); }
    } else {
        let encoded = encode(quote! { value });
        quote! {
            if let ::std::option::Option::Some(value) = &self.#name {
                request.body = ::std::option::Option::Some(#encoded?);
            }
        }
    }
}

fn emit_build_request(operation: &Operation) -> TokenStream {
    let operation_id = &operation.operation_id;
    let template = &operation.path;
    let method = format_ident!("{}", operation.http_method);
    let path = emit_path(operation);
    let parameters = operation.parameters.iter().filter(|p| p.location != ParameterLocation::Path).map(emit_parameter);
    let body = operation.body.as_ref().map(emit_body_encoding);
    let accept = operation.accept.as_ref().map(|accept| quote! { request.header("accept", #accept)?; });
    quote! {
        fn build_request(&self) -> ::std::result::Result<Request, Error<::std::convert::Infallible>> {
            #path
            let mut request = Request::new(#operation_id, ::cplug_runtime::reexports::http::Method::#method, #template, path);
            request.timeout = self.timeout;
            #accept
            #( #parameters )*
            #body
            for (name, value) in &self.extra_headers {
                request.header(name, value.expose())?;
            }
            Ok(request)
        }
    }
}

/// Emits code that builds `path` from the template, percent-encoding each path parameter.
fn emit_path(operation: &Operation) -> TokenStream {
    let mut pieces = Vec::new();
    let mut rest = operation.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else { break };
        let literal = &rest[..start];
        let wire_name = &rest[start + 1..start + length];
        pieces.extend(push_literal(literal));
        match operation.parameters.iter().find(|p| p.location == ParameterLocation::Path && p.wire_name == wire_name) {
            Some(parameter) => {
                let text = parameter_text(parameter.encoding, &parameter_value(parameter));
                pieces.push(quote! {
                    path.push_str(&::cplug_runtime::encode_path_segment(&#text));
                });
            }
            None => {
                let placeholder = &rest[start..start + length + 1];
                pieces.push(quote! { path.push_str(#placeholder); });
            }
        }
        rest = &rest[start + length + 1..];
    }
    pieces.extend(push_literal(rest));
    quote! {
        let mut path = ::std::string::String::new();
        #( #pieces )*
    }
}

/// Emits code that appends a literal part of the path template, if there is one.
fn push_literal(literal: &str) -> Option<TokenStream> {
    let mut characters = literal.chars();
    match (characters.next(), characters.next()) {
        (None, _) => None,
        // clippy asks for `push` with a `char` when the literal is one character long.
        (Some(character), None) => Some(quote! { path.push(#character); }),
        _ => Some(quote! { path.push_str(#literal); }),
    }
}

/// Returns an expression that borrows the parameter's value for a required argument, or the
/// unwrapped option for others, as `&T`.
fn parameter_value(parameter: &Parameter) -> TokenStream {
    let name = ident(&parameter.name);
    quote! { &self.#name }
}

/// Emits the code that adds one query or header parameter to `request`.
fn emit_parameter(parameter: &Parameter) -> TokenStream {
    let name = ident(&parameter.name);
    let wire_name = &parameter.wire_name;
    let add = |value: TokenStream| {
        let text = parameter_text(parameter.encoding, &value);
        match (parameter.location, parameter.encoding) {
            (ParameterLocation::Query, ParameterEncoding::Repeated) => quote! {
                for item in #value {
                    request.query(#wire_name, ::cplug_runtime::to_parameter_string(item));
                }
            },
            (ParameterLocation::Query, ParameterEncoding::ObjectExploded | ParameterEncoding::DeepObject) => {
                let deep = parameter.encoding == ParameterEncoding::DeepObject;
                quote! {
                    for (key, text) in ::cplug_runtime::object_query_pairs(#wire_name, #value, #deep) {
                        request.query(&key, text);
                    }
                }
            }
            (ParameterLocation::Query, _) => quote! { request.query(#wire_name, #text); },
            _ => quote! { request.header(#wire_name, #text)?; },
        }
    };
    if is_argument(parameter) {
        return add(quote! { &self.#name });
    }
    match &parameter.client_default {
        Some(default) => {
            let default_name = ident(default);
            let added = add(quote! { value });
            let missing = if parameter.required {
                let message = format!(
                    "parameter `{wire_name}` is required: set it with `ClientBuilder::{default}` or on this request with `.{default}(...)`"
                );
                quote! { else { return Err(Error::InvalidRequest(#message.to_string())); } }
            } else {
                quote! {}
            };
            quote! {
                if let ::std::option::Option::Some(value) = self.#name.as_ref().or(self.client.defaults().#default_name.as_ref()) {
                    #added
                } #missing
            }
        }
        None => {
            let added = add(quote! { value });
            quote! {
                if let ::std::option::Option::Some(value) = &self.#name {
                    #added
                }
            }
        }
    }
}

/// Returns an expression for the text of one parameter value: arrays joined with their
/// separator, anything else in its text form.
fn parameter_text(encoding: ParameterEncoding, value: &TokenStream) -> TokenStream {
    match encoding {
        ParameterEncoding::Delimited(separator) => quote! { ::cplug_runtime::join_values(#value, #separator) },
        ParameterEncoding::Json => quote! { ::cplug_runtime::to_json_parameter(#value) },
        _ => quote! { ::cplug_runtime::to_parameter_string(#value) },
    }
}

fn emit_decode(operation: &Operation) -> TokenStream {
    let decode = format_ident!("decode_{}", operation.method_name.trim_start_matches("r#"));
    let error = format_ident!("{}Error", operation.type_name);
    let success = success_type(operation);
    let success_enum = operation.success_enum.as_deref().map(ident);
    // Single codes before ranges before `default`, so no arm is unreachable.
    let mut ordered: Vec<&Response> = operation.responses.iter().collect();
    ordered.sort_by_key(|response| response.status);
    let arms = ordered.into_iter().map(|response| emit_decode_arm(response, &error, success_enum.as_ref()));
    let has_default = operation.responses.iter().any(|response| response.status == StatusMatch::Default);
    let fallback = (!has_default).then(|| quote! { _ => Err(response.into_unexpected()), });
    quote! {
        fn #decode(response: RawResponse) -> ::std::result::Result<ResponseValue<#success>, Error<#error>> {
            match response.status.as_u16() {
                #( #arms )*
                #fallback
            }
        }
    }
}

fn emit_decode_arm(response: &Response, error: &Ident, success_enum: Option<&Ident>) -> TokenStream {
    let pattern = match response.status {
        StatusMatch::Code(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(code);
            quote! { #code }
        }
        StatusMatch::Range(class) => {
            let low = proc_macro2::Literal::u16_unsuffixed(class * 100);
            let high = proc_macro2::Literal::u16_unsuffixed(class * 100 + 99);
            quote! { #low..=#high }
        }
        StatusMatch::Default => quote! { _ },
    };
    let decode_body = match &response.body {
        ResponseBody::Json(_) => quote! { response.json().map_err(Error::from_untyped)? },
        ResponseBody::Text => quote! { response.text().map_err(Error::from_untyped)? },
        ResponseBody::Bytes => quote! { response.body.clone() },
        ResponseBody::None => quote! { () },
    };
    if let (true, Some(success_enum)) = (response.is_success(), success_enum) {
        let variant = ident(&response.variant);
        let value = match response.body {
            ResponseBody::None => quote! { #success_enum::#variant },
            _ => quote! { #success_enum::#variant(#decode_body) },
        };
        return quote! {
            #pattern => {
                let value = #value;
                Ok(response.with_value(value))
            }
        };
    }
    if response.is_success() {
        return quote! {
            #pattern => {
                let value = #decode_body;
                Ok(response.with_value(value))
            }
        };
    }
    let variant = ident(&response.variant);
    let has_body = response.body != ResponseBody::None;
    let value = match (response.status, has_body) {
        (StatusMatch::Code(_), false) => quote! { #error::#variant },
        (StatusMatch::Code(_), true) => quote! { #error::#variant(#decode_body) },
        (_, false) => quote! { #error::#variant { status: response.status } },
        (_, true) => quote! { #error::#variant { status: response.status, body: #decode_body } },
    };
    quote! { #pattern => Err(Error::Api(#value)), }
}

fn emit_error_enum(operation: &Operation) -> TokenStream {
    let error = format_ident!("{}Error", operation.type_name);
    let doc = format!(" Error responses documented for `{}`.", operation.operation_id);
    let errors: Vec<&Response> = operation.responses.iter().filter(|response| !response.is_success()).collect();
    let variants = errors.iter().map(|response| {
        let variant = ident(&response.variant);
        let doc = doc_attributes(Some(&format!("{}: {}", status_label(response.status), response.doc)));
        let body = match &response.body {
            ResponseBody::Json(ty) => Some(rust_type(ty)),
            ResponseBody::Text => Some(quote! { ::std::string::String }),
            ResponseBody::Bytes => Some(quote! { ::cplug_runtime::reexports::bytes::Bytes }),
            ResponseBody::None => None,
        };
        match (response.status, body) {
            (StatusMatch::Code(_), None) => quote! { #doc #variant, },
            (StatusMatch::Code(_), Some(body)) => quote! { #doc #variant(#body), },
            (_, None) => quote! { #doc #variant { /** Response status. */ status: ::cplug_runtime::reexports::http::StatusCode }, },
            (_, Some(body)) => quote! {
                #doc
                #variant {
                    /// Response status.
                    status: ::cplug_runtime::reexports::http::StatusCode,
                    /// Decoded body.
                    body: #body,
                },
            },
        }
    });
    let display_arms = errors.iter().map(|response| {
        let variant = ident(&response.variant);
        let pattern = match (response.status, response.body != ResponseBody::None) {
            (StatusMatch::Code(_), false) => quote! { Self::#variant },
            (StatusMatch::Code(_), true) => quote! { Self::#variant(_) },
            _ => quote! { Self::#variant { .. } },
        };
        let text = format!("{}: {}", status_label(response.status), first_line(&response.doc));
        quote! { #pattern => f.write_str(#text), }
    });
    let status_arms = errors.iter().map(|response| {
        let variant = ident(&response.variant);
        match (response.status, response.body != ResponseBody::None) {
            (StatusMatch::Code(code), has_body) => {
                let pattern = if has_body {
                    quote! { Self::#variant(_) }
                } else {
                    quote! { Self::#variant }
                };
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                // Codes in a spec are validated as 100 to 599, which `from_u16` accepts.
                quote! {
                    #pattern => ::cplug_runtime::reexports::http::StatusCode::from_u16(#code)
                        .unwrap_or(::cplug_runtime::reexports::http::StatusCode::INTERNAL_SERVER_ERROR),
                }
            }
            _ => quote! { Self::#variant { status, .. } => *status, },
        }
    });
    let status_body = if errors.is_empty() {
        quote! { match *self {} }
    } else {
        quote! { match self { #( #status_arms )* } }
    };
    // An enum without variants has no value to format, so its `Display` matches on nothing.
    let display_body = if errors.is_empty() {
        quote! {
            let _ = f;
            match *self {}
        }
    } else {
        quote! {
            match self {
                #( #display_arms )*
            }
        }
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #error {
            #( #variants )*
        }

        impl #error {
            /// Returns the HTTP status of the response this error came from.
            pub fn status(&self) -> ::cplug_runtime::reexports::http::StatusCode {
                #status_body
            }
        }

        impl ::std::fmt::Display for #error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                #display_body
            }
        }

        impl ::std::error::Error for #error {}
    }
}

fn status_label(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => format!("status {code}"),
        StatusMatch::Range(class) => format!("status {class}XX"),
        StatusMatch::Default => "any other status".to_string(),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}
