//! Async client for the CPlug (ConnectPlug) API v3.
//!
//! The request builders, response types and error enums come from the OpenAPI document in the
//! repository's `spec/` folder and live in the generated module; the transport, authentication
//! and error plumbing come from [`cplug_runtime`].
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use cplug_client::{Client, Error, ListUserSessionsError, PasswordCredentials};
//! use futures::TryStreamExt;
//!
//! let credentials = PasswordCredentials::new("client-id", "client-secret", "user@example.com", "password");
//! let client = Client::builder("https://api.example.com")
//!     .oauth2_password(credentials)
//!     .company_id(12)
//!     .build()?;
//!
//! // Every session of every page; pages after the first are fetched concurrently.
//! let sessions: Vec<_> = client.list_user_sessions().per_page(100).items().try_collect().await?;
//! println!("{} active sessions", sessions.len());
//!
//! match client.list_user_sessions().user_id(1).per_page(50).send().await {
//!     Ok(page) => {
//!         for session in &page.data.sessions {
//!             println!("{:?} expires at {:?}", session.user_name, session.expires_at);
//!         }
//!     }
//!     Err(Error::Api(ListUserSessionsError::Unauthorized)) => eprintln!("the token was rejected"),
//!     Err(error) => return Err(error.into()),
//! }
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

// The generated module is formatted by the generator itself; `cargo xtask codegen --check` owns it.
#[rustfmt::skip]
mod generated;

pub use cplug_runtime::pagination::PageStream;
pub use cplug_runtime::{
    Auth, AuthError, BuildError, ClientAuthentication, Error, PasswordCredentials, PasswordGrant, RawResponse,
    ResponseValue, RetryPolicy, Runtime, RuntimeBuilder, SecretString, TokenFuture, TokenRequestEncoding, TokenSource,
};
pub use generated::*;

/// Compiles the examples of both READMEs as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../README.pt-BR.md")]
pub struct ReadmeDoctests;
