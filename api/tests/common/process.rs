//! The real `api` binary on a free port: for what only a process shows
//! (restarts and kills, its environment, its stdout line and stderr).

use std::{
    fs,
    io::{BufRead, BufReader, Read},
    ops::Deref,
    path::PathBuf,
    process::{Child, ChildStdout, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use super::{Env, Http};

/// The running binary. Killed (and reaped) on drop.
pub struct Process {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    http: Http,
    stderr_path: PathBuf,
    _stderr_dir: tempfile::TempDir,
}

impl Process {
    pub fn start(env: &Env) -> Self {
        Self::start_with(env, &[])
    }

    /// Starts with extra environment variables.
    pub fn start_with(env: &Env, vars: &[(&str, &str)]) -> Self {
        let stderr_dir = tempfile::tempdir().unwrap();
        let stderr_path = stderr_dir.path().join("stderr.log");
        let stderr = fs::File::create(&stderr_path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
            .env("STOREFRONT_ADDR", "127.0.0.1:0")
            .env("STOREFRONT_DB", &env.db)
            .env("STOREFRONT_DIST", &env.dist)
            .env("RUST_LOG", "warn")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start the api binary");

        // Read the first stdout line on a thread so a hung server cannot hang the test.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let res = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send((res, reader));
        });
        let (line, reader) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((Ok(line), reader)) if !line.is_empty() => (line, reader),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                let mut err = String::new();
                let _ = fs::File::open(&stderr_path).and_then(|mut f| f.read_to_string(&mut err));
                panic!(
                    "server did not report its address ({:?}); stderr:\n{err}",
                    other.map(|(r, _)| r)
                );
            }
        };
        let line = line.trim_end();
        let base = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Self {
            child,
            _stdout: reader,
            http: Http::new(base),
            stderr_path,
            _stderr_dir: stderr_dir,
        }
    }

    /// Stops the server and waits for it to exit.
    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Deref for Process {
    type Target = Http;

    fn deref(&self) -> &Http {
        &self.http
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
