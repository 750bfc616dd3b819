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
    let token_url_const = emit_token_url(api);
    let oauth2_password = emit_oauth2_password(api);
    let runtime_builder = match api.oauth2_token_url {
        Some(_) => quote! { Runtime::builder(base_url).oauth2_token_url(OAUTH2_TOKEN_URL) },
        None => quote! { Runtime::builder(base_url) },
    };
    let client_doc = format!(" Client for {}.", api.title);

    quote! {
        //! The client, its builder and client-wide parameter defaults.

        use ::cplug_runtime::{BuildError, Runtime, RuntimeBuilder, SecretString, TokenSource};

        #base_url_const

        #token_url_const

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
                ClientBuilder { runtime: #runtime_builder, defaults: Defaults::default() }
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

            #oauth2_password

            /// Sets the timeout of each attempt, up to the last byte of the body; see [`cplug_runtime::DEFAULT_TIMEOUT`].
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.runtime = self.runtime.timeout(timeout);
                self
            }

            /// Sets the connect timeout; see [`cplug_runtime::DEFAULT_CONNECT_TIMEOUT`].
            pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.runtime = self.runtime.connect_timeout(timeout);
                self
            }

            /// Sets when failed idempotent requests are sent again; see [`cplug_runtime::RetryPolicy`].
            pub fn retry(mut self, policy: ::cplug_runtime::RetryPolicy) -> Self {
                self.runtime = self.runtime.retry(policy);
                self
            }

            /// Sets how many page requests a page stream keeps in flight after the first page; see
            /// [`cplug_runtime::DEFAULT_PAGE_CONCURRENCY`].
            pub fn page_concurrency(mut self, concurrency: usize) -> Self {
                self.runtime = self.runtime.page_concurrency(concurrency);
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
        /// URL of the first server in the spec.
        pub const DEFAULT_BASE_URL: &str = #url;
    })
}

fn emit_token_url(api: &Api) -> Option<TokenStream> {
    let url = api.oauth2_token_url.as_deref()?;
    Some(quote! {
        /// Token URL of the spec's OAuth2 password flow; a relative URL is resolved against the base URL.
        pub const OAUTH2_TOKEN_URL: &str = #url;
    })
}

fn emit_oauth2_password(api: &Api) -> Option<TokenStream> {
    api.oauth2_token_url.as_ref()?;
    Some(quote! {
        /// Obtains access tokens with the OAuth2 password grant from [`OAUTH2_TOKEN_URL`], unless the
        /// grant sets another token URL.
        ///
        /// The token is requested on first use, cached and shared by clones of the client, renewed
        /// before it expires when the server sends `expires_in`, and renewed once after a 401.
        pub fn oauth2_password(mut self, grant: impl ::std::convert::Into<::cplug_runtime::PasswordGrant>) -> Self {
            self.runtime = self.runtime.oauth2_password(grant);
            self
        }
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
