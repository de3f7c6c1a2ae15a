//! Child processes with their output captured, killed when dropped, so a failing test never leaks servers.

use crate::poll_until;
use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Write},
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError, mpsc},
    thread::JoinHandle,
    time::Duration,
};

/// How long [`Proc::spawn`] waits for the first line; a debug build of a server prints it well within a second.
const FIRST_LINE_WAIT: Duration = Duration::from_secs(30);
/// How long a process may take to exit after SIGTERM, and the readers to drain after it exits.
const EXIT_WAIT: Duration = Duration::from_secs(10);

/// A child process whose stdout and stderr are captured (for assertions, logs and the secret grep) and which is
/// killed when dropped.
pub struct Proc {
    child: Child,
    output: Arc<Mutex<String>>,
    first_line: String,
    /// The threads copying stdout and stderr into `output`: done once the child has exited and they drained.
    readers: Vec<JoinHandle<()>>,
    /// Leads a process group of its own, killed whole.
    group: bool,
}

impl std::fmt::Debug for Proc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proc")
            .field("pid", &self.child.id())
            .field("first_line", &self.first_line)
            .finish_non_exhaustive()
    }
}

/// How [`Proc::spawn_with`] starts a process.
#[derive(Debug, Default, Clone)]
pub struct Options {
    own_group: bool,
    log: Option<PathBuf>,
}

impl Options {
    /// As the leader of a process group of its own, which is killed whole when dropped: for a program whose own
    /// children must not outlive it (chromedriver's browsers kept polling their page on the shared cores after a
    /// failed test when only chromedriver was killed).
    pub fn own_group(mut self) -> Self {
        self.own_group = true;
        self
    }

    /// Also appends each line it writes to the file `path` as it comes (created or emptied first), so that a run
    /// killed from outside still leaves the log behind.
    pub fn log_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.log = Some(path.into());
        self
    }
}

impl Proc {
    /// Spawns `cmd` and waits (at most 30 s) for its first stdout line, which servers use to say where they
    /// listen; both streams are read on from there.
    ///
    /// # Panics
    /// When `cmd` cannot be started.
    pub fn spawn(cmd: Command) -> Self {
        Self::spawn_with(cmd, Options::default())
    }

    /// As [`spawn`](Self::spawn), with `options`.
    ///
    /// # Panics
    /// When `cmd` cannot be started, or the log file cannot be created.
    pub fn spawn_with(mut cmd: Command, options: Options) -> Self {
        if options.own_group {
            cmd.process_group(0);
        }
        let log = options.log.as_ref().map(|path| {
            let file = File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
            Arc::new(Mutex::new(file))
        });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {:?}: {e}", cmd.get_program()));
        let output = Arc::new(Mutex::new(String::new()));
        let sink = Sink {
            output: output.clone(),
            log,
        };
        let mut readers = Vec::new();
        let (first_tx, first_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let sink = sink.clone();
            readers.push(std::thread::spawn(move || {
                copy_lines(stdout, &sink, |line| {
                    let _ = first_tx.send(line.to_owned());
                })
            }));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(std::thread::spawn(move || copy_lines(stderr, &sink, |_| {})));
        }
        // Empty when the process exits (or stays silent) without a line: `base_url` then says so with the output.
        let first_line: String = first_rx.recv_timeout(FIRST_LINE_WAIT).unwrap_or_default();
        Self {
            child,
            output,
            first_line,
            readers,
            group: options.own_group,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The first line the process wrote to stdout (empty if it wrote none within 30 s).
    pub fn first_line(&self) -> &str {
        &self.first_line
    }

    /// The first `http://…` word of the first line, as in `wx-server listening on http://127.0.0.1:41234`.
    ///
    /// # Panics
    /// When the first line has none (the output so far is in the message).
    pub fn base_url(&self) -> String {
        self.first_line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|w| w.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| panic!("no address in the first line; output so far:\n{}", self.output()))
    }

    /// Everything the process wrote so far, both streams, in the order the readers saw it.
    pub fn output(&self) -> String {
        self.output.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The output once it contains `needle` (the readers may lag behind the process), or as it is after 10 s.
    pub fn output_once_it_has(&self, needle: &str) -> String {
        poll_until(EXIT_WAIT, Duration::from_millis(20), || {
            Some(self.output()).filter(|o| o.contains(needle))
        })
        .unwrap_or_else(|| self.output())
    }

    /// Whether the process has exited (and how).
    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// SIGTERM (a graceful shutdown), then waits: killed if still running after 10 s. Returns once its output
    /// is all in [`output`](Self::output) (or 10 s more have passed).
    pub fn stop(&mut self) {
        signal(&self.child.id().to_string(), "-TERM");
        let child = &mut self.child;
        if poll_until(EXIT_WAIT, Duration::from_millis(20), || child.try_wait().ok().flatten()).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let readers = &self.readers;
        poll_until(EXIT_WAIT, Duration::from_millis(10), || {
            readers.iter().all(JoinHandle::is_finished).then_some(())
        });
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.group {
            signal(&format!("-{}", self.child.id()), "-KILL");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `kill <signal> -- <target>` (a pid, or `-pgid` for a whole group): std can only send SIGKILL to one process.
fn signal(target: &str, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", target])
        .stderr(Stdio::null())
        .status();
}

/// Where the readers put what the process writes: memory, and the log file if asked.
#[derive(Clone)]
struct Sink {
    output: Arc<Mutex<String>>,
    log: Option<Arc<Mutex<File>>>,
}

/// Copies `stream` into `sink` line by line (lossy: a stray invalid byte must not lose the rest), calling
/// `first` with the first line.
fn copy_lines(stream: impl Read, sink: &Sink, first: impl FnOnce(&str)) {
    let mut reader = BufReader::new(stream);
    let mut first = Some(first);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
        let text = String::from_utf8_lossy(&line);
        // The log first: once a line is in `output`, it is in the log too.
        if let Some(log) = &sink.log {
            // A log that cannot be written loses lines, not the test.
            let _ = log.lock().unwrap_or_else(PoisonError::into_inner).write_all(&line);
        }
        let mut output = sink.output.lock().unwrap_or_else(PoisonError::into_inner);
        output.push_str(&text);
        drop(output);
        if let Some(first) = first.take() {
            first(text.trim_end());
        }
        line.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    #[test]
    fn the_first_line_gives_the_address_and_both_streams_are_captured() {
        let mut p = Proc::spawn(sh(
            "echo 'up: listening on http://127.0.0.1:9/ now'; echo oops >&2; exec sleep 30",
        ));
        assert_eq!(p.base_url(), "http://127.0.0.1:9");
        assert!(p.output_once_it_has("oops").contains("oops"));
        p.stop();
        assert!(p.try_wait().is_some(), "stopped");
    }

    #[test]
    fn a_log_gets_every_line_as_it_comes() {
        let dir = crate::TempDir::new("log");
        let log = dir.join("p.log");
        let p = Proc::spawn_with(
            sh("echo one; echo two >&2; exec sleep 30"),
            Options::default().log_to(&log),
        );
        p.output_once_it_has("two");
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains("one\n") && text.contains("two\n"), "{text}");
    }

    #[test]
    fn a_silent_process_that_exits_is_not_waited_for() {
        let started = std::time::Instant::now();
        let p = Proc::spawn(sh("exit 3"));
        assert_eq!(p.first_line(), "");
        assert!(started.elapsed() < FIRST_LINE_WAIT);
    }

    #[test]
    fn a_group_is_killed_whole() {
        let p = Proc::spawn_with(sh("sleep 30 & echo $!; wait"), Options::default().own_group());
        let grandchild = p.first_line().to_owned();
        drop(p);
        let gone = poll_until(EXIT_WAIT, Duration::from_millis(20), || {
            let stat = std::fs::read_to_string(format!("/proc/{grandchild}/stat")).unwrap_or_default();
            // Gone, or a zombie waiting for init to reap it.
            (stat.is_empty() || stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z'))).then_some(())
        });
        assert!(gone.is_some(), "the group's other process {grandchild} outlived it");
    }
}
