//! Emission of `pages()` and `items()` for operations that declare `x-pagination`.

use proc_macro2::TokenStream;
use quote::quote;

use super::operation::{is_argument, success_type};
use super::{doc_attributes, ident, rust_type};
use crate::ir::{Operation, Pagination};

/// Emits an `impl` block with the page and item streams, or nothing without `x-pagination`.
pub(super) fn emit_pagination(operation: &Operation) -> TokenStream {
    let Some(pagination) = &operation.pagination else {
        return TokenStream::new();
    };
    let Some(page_parameter) = operation.parameters.iter().find(|p| p.name == pagination.page_parameter) else {
        return TokenStream::new();
    };
    let builder = ident(&operation.type_name);
    let error = quote::format_ident!("{}Error", operation.type_name);
    let page_type = success_type(operation);
    let item_type = rust_type(&pagination.item_type);
    let page_field = ident(&page_parameter.name);
    let page_number = quote! { ::cplug_runtime::pagination::PageNumber };

    // A required page parameter is stored as a value, an optional one as an `Option`.
    let (first_page, set_page) = if is_argument(page_parameter) {
        (
            quote! { #page_number::to_page_number(&self.#page_field) },
            quote! { request.#page_field = #page_number::from_page_number(page_number); },
        )
    } else {
        (
            quote! { self.#page_field.as_ref().map(#page_number::to_page_number).unwrap_or(1) },
            quote! { request.#page_field = ::std::option::Option::Some(#page_number::from_page_number(page_number)); },
        )
    };
    let last_page = field_path(&pagination.last_page_path);
    let items = field_path(&pagination.items_path);
    let pages_doc = pages_doc(pagination);

    quote! {
        impl #builder {
            #pages_doc
            pub fn pages(self) -> ::cplug_runtime::pagination::PageStream<#page_type, Error<#error>> {
                let first_page = #first_page;
                // Page numbers start at 1; walking from 0 or below would request pages that do not exist.
                if first_page < 1 {
                    let error = Error::InvalidRequest(::std::format!("the first page must be 1 or more, got {first_page}"));
                    return ::std::boxed::Box::pin(::cplug_runtime::reexports::futures::stream::once(async move { Err(error) }));
                }
                let concurrency = self.client.runtime().page_concurrency();
                let fetch = move |page_number: i64| {
                    let mut request = self.clone();
                    #set_page
                    request.send()
                };
                ::cplug_runtime::pagination::pages(first_page, concurrency, fetch, |page: &#page_type| {
                    #page_number::to_page_number(&page #last_page)
                })
            }

            /// Returns a stream of the items of every page, in page order; see [`Self::pages`].
            pub fn items(self) -> ::cplug_runtime::pagination::PageStream<#item_type, Error<#error>> {
                ::cplug_runtime::pagination::items(self.pages(), |page: #page_type| page #items)
            }
        }
    }
}

/// Returns `.a.b.c` for the Rust field names of a path into the page.
fn field_path(names: &[String]) -> TokenStream {
    let fields = names.iter().map(|name| ident(name));
    quote! { #( . #fields )* }
}

fn pages_doc(pagination: &Pagination) -> TokenStream {
    let page_setter = pagination.page_parameter.trim_start_matches("r#");
    let text = format!(
        "Returns a stream of pages, from the page set with `{page_setter}` (default 1) to the last page.

The first page is requested alone. It reports the last page number, and the remaining pages are
then requested with at most [`ClientBuilder::page_concurrency`](super::ClientBuilder::page_concurrency)
requests in flight (default 4). Pages come out in page order. Each page's last page number replaces
the previous one, so a listing that changes during the walk is followed. The stream ends after the
last page or after the first error, and dropping it cancels the requests in flight."
    );
    doc_attributes(Some(&text))
}
