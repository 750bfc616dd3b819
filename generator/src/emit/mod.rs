//! Emission: the intermediate representation to Rust tokens, one module per concept.

mod client;
mod operation;
mod pagination;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, TypeRef};

/// One generated source file before formatting.
pub struct EmittedFile {
    /// Path relative to the crate root, such as `src/generated/types.rs`.
    pub path: &'static str,
    /// File contents.
    pub tokens: TokenStream,
}

/// Emits the files of the `generated` module.
pub fn emit(api: &Api) -> Vec<EmittedFile> {
    vec![
        EmittedFile { path: "src/generated/mod.rs", tokens: module_root(api) },
        EmittedFile { path: "src/generated/types.rs", tokens: types::emit_types(&api.types) },
        EmittedFile { path: "src/generated/client.rs", tokens: client::emit_client(api) },
        EmittedFile { path: "src/generated/operations.rs", tokens: operation::emit_operations(api) },
    ]
}

fn module_root(api: &Api) -> TokenStream {
    let title = &api.title;
    let version = &api.version;
    let summary = format!(" Client for {title} {version}, generated from its OpenAPI document.");
    let description = inner_doc_attributes(api.description.as_deref());
    // A document without operations has nothing to export from `operations`.
    let operations_export = (!api.operations.is_empty()).then(|| quote! { pub use operations::*; });
    quote! {
        #![doc = #summary]
        #![doc = ""]
        #description
        #![allow(
            rustdoc::broken_intra_doc_links,
            rustdoc::bare_urls,
            rustdoc::invalid_html_tags,
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            reason = "descriptions are copied from the spec as written, not rewritten to satisfy rustdoc"
        )]
        #![allow(
            clippy::result_large_err,
            clippy::large_enum_variant,
            reason = "error enums carry the typed bodies the spec documents, whatever their size"
        )]
        #![allow(
            clippy::too_many_arguments,
            clippy::enum_variant_names,
            reason = "client methods take one argument per required parameter, and union variants are named after their member types"
        )]

        mod client;
        mod operations;
        pub mod types;

        pub use client::*;
        #operations_export
    }
}

/// Builds an identifier, as a raw identifier when `name` starts with `r#`.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// Turns documentation text into one `#[doc]` attribute a line, or nothing when there is none.
pub(crate) fn doc_attributes(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return TokenStream::new();
    };
    let lines = text.lines().map(|line| {
        // clippy rejects tabs in doc comments, and they render at an unknown width anyway.
        let line = line.trim_end().replace('\t', "    ");
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Same as [`doc_attributes`], for the inner attributes of a module.
fn inner_doc_attributes(text: Option<&str>) -> TokenStream {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return TokenStream::new();
    };
    let lines = text.lines().map(|line| format!(" {}", line.trim_end().replace('\t', "    ")));
    quote! { #( #![doc = #lines] )* }
}

/// Returns the Rust type for a type reference, with paths that work from any generated module.
pub(crate) fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bool => quote! { bool },
        TypeRef::I32 => quote! { i32 },
        TypeRef::I64 => quote! { i64 },
        TypeRef::I8 => quote! { i8 },
        TypeRef::I16 => quote! { i16 },
        TypeRef::U8 => quote! { u8 },
        TypeRef::U16 => quote! { u16 },
        TypeRef::U32 => quote! { u32 },
        TypeRef::U64 => quote! { u64 },
        TypeRef::F32 => quote! { f32 },
        TypeRef::F64 => quote! { f64 },
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::DateTime => quote! { ::chrono::DateTime<::chrono::FixedOffset> },
        TypeRef::Date => quote! { ::chrono::NaiveDate },
        TypeRef::Uuid => quote! { ::cplug_runtime::reexports::uuid::Uuid },
        TypeRef::Json => quote! { ::serde_json::Value },
        TypeRef::Named(name) => {
            let name = ident(name);
            quote! { super::types::#name }
        }
        TypeRef::Vec(item) => {
            let item = rust_type(item);
            quote! { ::std::vec::Vec<#item> }
        }
        TypeRef::Map(value) => {
            let value = rust_type(value);
            quote! { ::std::collections::BTreeMap<::std::string::String, #value> }
        }
        TypeRef::Boxed(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::boxed::Box<#inner> }
        }
        TypeRef::Nullable(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::option::Option<#inner> }
        }
    }
}
