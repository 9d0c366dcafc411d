//! Python as a third-party peer: the interpreter `.ci/run` prepares (env
//! `BILIK_PYTHON`, falling back to `python3`) with the packages of
//! `.ci/requirements.txt`. A test whose Python or package is missing skips
//! loudly, or fails under `BILIK_E2E=require`.

use crate::agent::tools_required;
use std::process::Command;

/// The interpreter to use.
pub fn interpreter() -> String {
    std::env::var("BILIK_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// The interpreter if it can import `module`; `None` (said loudly) when it
/// cannot and tools are not required.
pub fn with_module(test: &str, module: &str) -> Option<String> {
    let python = interpreter();
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let msg = format!(
        "{test}: {python} cannot import {module} (pip install -r .ci/requirements.txt, \
         or set BILIK_PYTHON)"
    );
    assert!(!tools_required(), "BILIK_E2E=require: {msg}");
    eprintln!("\n*** SKIPPED {msg} ***\n");
    None
}

/// Runs `script` with `args`, returning its standard output; panics with
/// its standard error if it fails. Async: the server under test may be on
/// the same runtime, and Python talks to it.
pub async fn run(python: &str, script: &str, args: &[&str]) -> String {
    let out = crate::within(
        tokio::process::Command::new(python)
            .arg("-c")
            .arg(script)
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("python runs");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python prints UTF-8")
}
