//! Emission of `Client` and `ClientBuilder`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attributes, ident, rust_type};
use crate::ir::{Api, ClientDefault, Operation};

pub(super) fn emit_client(api: &Api) -> TokenStream {
    let defaults_fields = api.client_defaults.iter().map(|default| {
        let name = ident(&default.name);
        let ty = rust_type(&default.ty);
        quote! { pub(crate) #name: ::std::option::Option<#ty>, }
    });
    let default_setters = api.client_defaults.iter().map(emit_default_setter);
    let operation_methods = api.operations.iter().map(emit_operation_method);
    let base_url_const = emit_default_base_url(api);
    let client_doc = format!(" Client for {}.", api.title);

    quote! {
        //! The client, its builder and client-wide parameter defaults.

        use ::cplug_runtime::{BuildError, Runtime, RuntimeBuilder, SecretString, TokenSource};

        #base_url_const

        #[doc = #client_doc]
        ///
        /// Cheap to clone: clones share the connection pool and the token cache.
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: Runtime,
            defaults: Defaults,
        }

        /// Values that parameters marked `x-client-default` take when a request does not set them.
        #[derive(Clone, Debug, Default)]
        pub(crate) struct Defaults {
            #( #defaults_fields )*
        }

        impl Client {
            /// Starts configuring a client for the API at `base_url`, such as `https://api.example.com`.
            pub fn builder(base_url: impl ::std::convert::Into<::std::string::String>) -> ClientBuilder {
                ClientBuilder { runtime: Runtime::builder(base_url), defaults: Defaults::default() }
            }

            /// Returns the runtime that sends this client's requests.
            pub fn runtime(&self) -> &Runtime {
                &self.runtime
            }

            // Specs without `x-client-default` parameters never call this.
            #[allow(dead_code)]
            pub(crate) fn defaults(&self) -> &Defaults {
                &self.defaults
            }

            #( #operation_methods )*
        }

        /// Configures a [`Client`].
        #[derive(Debug)]
        #[must_use = "a builder does nothing until `build` is called"]
        pub struct ClientBuilder {
            runtime: RuntimeBuilder,
            defaults: Defaults,
        }

        impl ClientBuilder {
            #( #default_setters )*

            /// Sends `Authorization: Bearer <token>` with this token on every request.
            pub fn bearer_token(mut self, token: impl ::std::convert::Into<SecretString>) -> Self {
                self.runtime = self.runtime.bearer_token(token);
                self
            }

            /// Takes access tokens from `source`, which is asked for a new one after a 401.
            pub fn token_source(mut self, source: impl TokenSource) -> Self {
                self.runtime = self.runtime.token_source(source);
                self
            }

            /// Sets the whole-request timeout; see [`cplug_runtime::DEFAULT_TIMEOUT`].
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.runtime = self.runtime.timeout(timeout);
                self
            }

            /// Applies any other runtime setting, such as a custom `reqwest::Client`.
            pub fn configure_runtime(mut self, configure: impl ::std::ops::FnOnce(RuntimeBuilder) -> RuntimeBuilder) -> Self {
                self.runtime = configure(self.runtime);
                self
            }

            /// Validates the configuration and builds the client.
            pub fn build(self) -> ::std::result::Result<Client, BuildError> {
                Ok(Client { runtime: self.runtime.build()?, defaults: self.defaults })
            }
        }
    }
}

fn emit_default_base_url(api: &Api) -> Option<TokenStream> {
    let url = api.default_server.as_deref().filter(|url| url.starts_with("http://") || url.starts_with("https://"))?;
    Some(quote! {
        /// URL of the first server in the spec, with server variables set to their defaults.
        pub const DEFAULT_BASE_URL: &str = #url;
    })
}

fn emit_default_setter(default: &ClientDefault) -> TokenStream {
    let name = ident(&default.name);
    let ty = rust_type(&default.ty);
    let doc = doc_attributes(default.doc.as_deref());
    quote! {
        #doc
        ///
        /// Set here once, it applies to every request; each request can override it.
        pub fn #name(mut self, value: #ty) -> Self {
            self.defaults.#name = ::std::option::Option::Some(value);
            self
        }
    }
}

fn emit_operation_method(operation: &Operation) -> TokenStream {
    let method = ident(&operation.method_name);
    let builder = ident(&operation.type_name);
    let doc = super::operation::operation_doc(operation);
    let required = super::operation::required_arguments(operation);
    let arguments = required.iter().map(|(name, ty)| quote! { #name: #ty });
    let names = required.iter().map(|(name, _)| name);
    quote! {
        #doc
        pub fn #method(&self, #( #arguments ),*) -> super::operations::#builder {
            super::operations::#builder::new(self.clone(), #( #names ),*)
        }
    }
}
