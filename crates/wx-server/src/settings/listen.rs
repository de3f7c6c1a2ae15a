//! The listener: its address and the connection cap.

use super::{ConfigError, Settings, spec::At};
use std::num::NonZeroUsize;

pub(super) fn listen(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(listen) = given {
        s.listen = listen
            .parse()
            .map_err(|_| at.invalid(format!("`{listen}` is not an address:port such as 127.0.0.1:8080")))?;
    }
    Ok(())
}

pub(super) fn max_connections(s: &mut Settings, given: Option<u64>, at: &At) -> Result<(), ConfigError> {
    if let Some(max) = given {
        let max = usize::try_from(max).ok().and_then(NonZeroUsize::new);
        s.max_connections = Some(max.ok_or_else(|| {
            at.invalid("use at least 1 (or leave it unset for a cap derived from the open-file limit)")
        })?);
    }
    Ok(())
}
