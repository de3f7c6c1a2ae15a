//! The file store: one JSON file, written atomically (temp file + rename), with lock files for leases.
//!
//! Safe for several processes sharing the file: readers always see a whole file (rename is atomic), and
//! writers serialise their read-modify-write on a short lock file so that one key's update never loses
//! another's. Lock files hold `owner` and the lease's end; an expired lock file is taken over, under an OS lock
//! on the store's `<file>.guard` so that exactly one contender does.

use super::{Cached, CredentialStore, StoreError, StoreFuture, now_ms};
use crate::Secret;
use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
    time::Duration,
};

/// Keeps credentials in a JSON file (`WX_STORE=file:<path>`), so a restart needs no new fetch.
///
/// The file is created with mode 0600 (it holds the access_token and the jsapi_ticket).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use wx_server::store::{Cached, CredentialStore, FileStore};
/// let path = std::env::temp_dir().join(format!("wxkit-doc-{}.json", std::process::id()));
/// let store = FileStore::new(&path);
/// let c = Cached::new("T".into(), 0, std::time::Duration::from_secs(60));
/// store.save("k", &c).await.unwrap();
/// assert_eq!(FileStore::new(&path).load("k").await.unwrap(), Some(c));
/// # std::fs::remove_file(&path).unwrap();
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

type Entries = BTreeMap<String, Cached>;

const WRITE_LOCK_LEASE: Duration = Duration::from_secs(5);

impl FileStore {
    /// A store in `path` (created on first write, with its parent directory).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn lock_path(&self, name: &str) -> PathBuf {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        suffixed(&self.path, &format!(".{safe}.lock"))
    }

    fn read_entries(&self) -> Result<Entries, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.is_empty() => Ok(Entries::new()),
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| StoreError::corrupt(self.path.display().to_string(), &e))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Entries::new()),
            Err(e) => Err(self.io(e)),
        }
    }

    fn write_entries(&self, entries: &Entries) -> Result<(), StoreError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let json =
            serde_json::to_vec_pretty(entries).map_err(|e| StoreError::corrupt(self.path.display().to_string(), &e))?;
        let tmp = suffixed(&self.path, &format!(".tmp.{}.{}", std::process::id(), unique()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let result = options
            .open(&tmp)
            .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| self.io(e))
    }

    /// Read-modify-write under the write lock, so concurrent writers (other processes) never lose updates.
    fn update<T>(&self, change: impl FnOnce(&mut Entries) -> T) -> Result<T, StoreError> {
        let owner = format!("{}-{}", std::process::id(), unique());
        let deadline = std::time::Instant::now() + WRITE_LOCK_LEASE * 2;
        while !self.try_lock_blocking("write", &owner, WRITE_LOCK_LEASE)? {
            if std::time::Instant::now() > deadline {
                // The holder died without releasing and its lease has not run out: fall through and write;
                // the rename keeps the file whole, at worst one concurrent update is lost.
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let result = self.read_entries().or_else(|e| match e {
            // A corrupt file is replaced rather than blocking every future write.
            StoreError::Corrupt { .. } => Ok(Entries::new()),
            other => Err(other),
        });
        let result = result.and_then(|mut entries| {
            let out = change(&mut entries);
            self.write_entries(&entries).map(|()| out)
        });
        self.unlock_blocking("write", &owner);
        result
    }

    fn try_lock_blocking(&self, name: &str, owner: &str, lease: Duration) -> Result<bool, StoreError> {
        let path = self.lock_path(name);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX / 4);
        let content = format!("{owner}\n{}\n", now_ms().saturating_add(lease_ms));
        if self.create_lock(&path, &content)? {
            return Ok(true);
        }
        // Held, or expired. Taking an expired lock over reads it and replaces it: two contenders doing that at
        // once could each move aside the fresh lock the other has just written, and both hold it. The OS lock on
        // a guard file beside it makes read-and-replace one step among contenders (and goes with the process).
        let _guard = self.guard()?;
        let held_until = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| s.lines().nth(1).and_then(|l| l.trim().parse::<u64>().ok()))
            // A lock file being written right now has no deadline yet: held, unless it is older than a lease
            // (its writer died between creating and writing it).
            .unwrap_or_else(|| modified_ms(&path).saturating_add(lease_ms));
        if held_until > now_ms() {
            return Ok(false);
        }
        // Expired: move it aside (whole, so a reader never sees half a lock), then take it.
        let aside = suffixed(&path, &format!(".stale.{}", unique()));
        if std::fs::rename(&path, &aside).is_ok() {
            let _ = std::fs::remove_file(&aside);
        }
        self.create_lock(&path, &content)
    }

    /// Creates the lock file with `content` if there is none; `false` when one exists.
    fn create_lock(&self, path: &Path, content: &str) -> Result<bool, StoreError> {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(mut f) => {
                if let Err(e) = f.write_all(content.as_bytes()) {
                    // A lock without its deadline would look held to everyone: leave none behind.
                    let _ = std::fs::remove_file(path);
                    return Err(self.io(e));
                }
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(self.io(e)),
        }
    }

    /// An exclusive OS lock on `<file>.guard`, one for the store's lock files, held while one of them is read
    /// and then replaced or removed; released when the returned file is dropped (or its process ends). Held for
    /// microseconds, so waiting for it blocks only briefly. The guard file stays: removing it while another
    /// process waits on it would let a third lock a new one.
    fn guard(&self) -> Result<std::fs::File, StoreError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(suffixed(&self.path, ".guard"))
            .map_err(|e| self.io(e))?;
        file.lock().map_err(|e| self.io(e))?;
        Ok(file)
    }

    fn unlock_blocking(&self, name: &str, owner: &str) {
        let path = self.lock_path(name);
        // Under the guard too: a lock held past its lease may have been taken over since it was read.
        let Ok(_guard) = self.guard() else {
            return;
        };
        let held_by_owner = std::fs::read_to_string(&path).is_ok_and(|s| s.lines().next() == Some(owner));
        if held_by_owner {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// `path` with `suffix` appended to its file name (`creds.json` → `creds.json.guard`): the store's side files.
pub(super) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// When `path` was last written, in Unix milliseconds; 0 when that cannot be read (the file just went away).
fn modified_ms(path: &Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn unique() -> u64 {
    let mut b = [0u8; 8];
    // Uniqueness only (temp names, owners): a clock fallback is fine if the OS has no randomness.
    if getrandom::fill(&mut b).is_err() {
        return now_ms();
    }
    u64::from_le_bytes(b)
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(StoreError::Io {
            path: String::new(),
            source: std::io::Error::other(e.to_string()),
        })
    })
}

impl CredentialStore for FileStore {
    fn describe(&self) -> String {
        format!("file:{}", self.path.display())
    }

    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Cached>> {
        let this = self.clone();
        let key = key.to_owned();
        Box::pin(blocking(move || Ok(this.read_entries()?.remove(&key))))
    }

    fn save<'a>(&'a self, key: &'a str, value: &'a Cached) -> StoreFuture<'a, ()> {
        let this = self.clone();
        let (key, value) = (key.to_owned(), value.clone());
        Box::pin(blocking(move || {
            this.update(|e| {
                e.insert(key, value);
            })
        }))
    }

    fn remove_if<'a>(&'a self, key: &'a str, expected: &'a Secret) -> StoreFuture<'a, bool> {
        let this = self.clone();
        let (key, expected) = (key.to_owned(), expected.clone());
        Box::pin(blocking(move || {
            this.update(|e| {
                let hit = e.get(&key).is_some_and(|c| c.value == expected);
                if hit {
                    e.remove(&key);
                }
                hit
            })
        }))
    }

    fn try_lock<'a>(&'a self, name: &'a str, owner: &'a str, lease: Duration) -> StoreFuture<'a, bool> {
        let this = self.clone();
        let (name, owner) = (name.to_owned(), owner.to_owned());
        Box::pin(blocking(move || this.try_lock_blocking(&name, &owner, lease)))
    }

    fn unlock<'a>(&'a self, name: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        let this = self.clone();
        let (name, owner) = (name.to_owned(), owner.to_owned());
        Box::pin(blocking(move || {
            this.unlock_blocking(&name, &owner);
            Ok(())
        }))
    }
}
