//! Lists the active sessions of a company's users, page by page.
//!
//! ```text
//! CPLUG_BASE_URL=https://api.example.com CPLUG_TOKEN=... CPLUG_COMPANY_ID=12 \
//!     cargo run -p cplug-client --example list_sessions
//! ```

use std::process::ExitCode;

use cplug_client::{Client, Error, ListUserSessionsError};

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(base_url), Ok(token), Ok(company_id)) =
        (std::env::var("CPLUG_BASE_URL"), std::env::var("CPLUG_TOKEN"), std::env::var("CPLUG_COMPANY_ID"))
    else {
        eprintln!("set CPLUG_BASE_URL, CPLUG_TOKEN and CPLUG_COMPANY_ID");
        return ExitCode::from(2);
    };
    let Ok(company_id) = company_id.parse::<i64>() else {
        eprintln!("CPLUG_COMPANY_ID must be an integer, got `{company_id}`");
        return ExitCode::from(2);
    };

    let client = match Client::builder(base_url).bearer_token(token).company_id(company_id).build() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("invalid client configuration: {error}");
            return ExitCode::FAILURE;
        }
    };

    let mut page_number = 1;
    loop {
        match client.list_user_sessions().page(page_number).per_page(50).send().await {
            Ok(page) => {
                for session in &page.data.sessions {
                    let user = session.user_name.as_deref().unwrap_or("(no name)");
                    match session.expires_at {
                        Some(expires_at) => println!("{user}: expires at {expires_at}"),
                        None => println!("{user}: no expiry given"),
                    }
                }
                if page.meta.current_page >= page.meta.last_page {
                    return ExitCode::SUCCESS;
                }
                page_number += 1;
            }
            Err(Error::Api(ListUserSessionsError::Unauthorized)) => {
                eprintln!("the access token was rejected; get a new one and try again");
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("listing sessions failed: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
}
