//! Async client for the CPlug (ConnectPlug) API v3.
//!
//! The request builders, response types and error enums come from the OpenAPI document in the
//! repository's `spec/` folder and live in the generated module; the transport, authentication
//! and error plumbing come from [`cplug_runtime`].
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use cplug_client::{Client, Error, ListUserSessionsError};
//!
//! let client = Client::builder("https://api.example.com")
//!     .bearer_token("access-token")
//!     .company_id(12)
//!     .build()?;
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

pub use cplug_runtime::{Auth, AuthError, BuildError, Error, RawResponse, ResponseValue, SecretString, TokenSource};
pub use generated::*;

/// Compiles the examples of both READMEs as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[doc = include_str!("../README.pt-BR.md")]
pub struct ReadmeDoctests;
