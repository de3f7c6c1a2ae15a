//! Which account signs a page's JS-SDK config: the one named by `account=`, else the one whose JS safe domains
//! hold the page's host. Two accounts holding it is ambiguous (a 400 naming them and `account=`), none a 403.

use super::{Account, Accounts};
use crate::{
    http::{error::ApiError, page_url::check_page_url},
    settings::JsPorts,
};

/// Codes of [`check_page_url`] that depend on the account's domains; every other refusal is the URL's own.
const DOMAIN_ERRORS: [&str; 2] = ["domain_not_allowed", "port_not_allowed"];

impl Accounts {
    /// The account named by a request's `account=` (`explicit`), else the default account: for endpoints with no
    /// page to choose by (the card signature, the central credentials).
    ///
    /// # Errors
    /// 400 `unknown_account`, naming the accounts.
    pub(crate) fn chosen(&self, explicit: Option<&str>) -> Result<&Account, ApiError> {
        let Some(name) = explicit else {
            return Ok(self.default_account());
        };
        self.named(name).ok_or_else(|| {
            ApiError::bad_request(
                "unknown_account",
                format!("no account is named `{name}`: pass account= one of {}", self.names()),
            )
        })
    }

    /// The account for the page `url` and the URL to sign, `explicit` being the request's `account=`.
    ///
    /// # Errors
    /// [`check_page_url`]'s errors; 400 `unknown_account` (naming the accounts), 400 `ambiguous_account`
    /// (naming the accounts whose domains hold the page), 403 `domain_not_allowed` (no account's).
    pub(crate) fn for_page<'u>(
        &self,
        url: &'u str,
        explicit: Option<&str>,
        ports: JsPorts,
    ) -> Result<(&Account, &'u str), ApiError> {
        if explicit.is_some() {
            let account = self.chosen(explicit)?;
            return Ok((account, check_page_url(url, &account.domains, ports)?));
        }
        if self.list.len() == 1 {
            // One account: exactly the single-account answers, its messages naming WX_JS_DOMAINS.
            let account = self.default_account();
            return Ok((account, check_page_url(url, &account.domains, ports)?));
        }
        let mut holding = Vec::new();
        for account in &self.list {
            match check_page_url(url, &account.domains, ports) {
                Ok(to_sign) => holding.push((account, Ok(to_sign))),
                Err(e) if e.error == "port_not_allowed" => holding.push((account, Err(e))),
                Err(e) if DOMAIN_ERRORS.contains(&e.error) => {}
                // The URL itself is refused, whichever account's domains it is checked against.
                Err(e) => return Err(e),
            }
        }
        match holding.len() {
            1 => {
                let (account, result) = holding.remove(0);
                Ok((account, result?))
            }
            0 => Err(ApiError::forbidden(
                "domain_not_allowed",
                "the page's host is not a JS safe domain (or a subdomain of one) of any account of this server: \
                 add it to the account's js_domains (WX_JS_DOMAINS for the default account)",
            )),
            _ => {
                let names: Vec<&str> = holding.iter().map(|(a, _)| &*a.name).collect();
                Err(ApiError::bad_request(
                    "ambiguous_account",
                    format!(
                        "the page's host is a JS safe domain of several accounts ({}): pass account=<name> to choose",
                        names.join(", ")
                    ),
                ))
            }
        }
    }
}
