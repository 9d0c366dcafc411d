//! An [`App`] served over gRPC on `127.0.0.1:0` until stopped: the
//! in-process [`TestServer`](crate::TestServer) and the benches, which build
//! their own `App`, start it this one way.

use bilik_server::SideListeners;
use bilik_server::app::App;
use tokio::sync::oneshot;

/// A serving task and the way to stop it.
#[derive(Debug)]
pub struct Served {
    /// `SCHEME://127.0.0.1:PORT`.
    pub url: String,
    /// Resolving it stops the server (dropping it does too).
    stop: oneshot::Sender<()>,
    /// The serving task.
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    /// Serves `app` with `scheme` ("http", or "https" for an `App` with
    /// TLS) in the URL.
    pub async fn start(app: &App, scheme: &str) -> Served {
        Served::start_with_side(app, SideListeners::default(), scheme).await
    }

    /// Same, with the dashboard or `/metrics` listeners beside gRPC.
    pub async fn start_with_side(app: &App, side: SideListeners, scheme: &str) -> Served {
        let listener = bilik_server::listen("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = app.clone();
        let task = tokio::spawn(async move {
            bilik_server::run_with_side(serving, listener, side, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Served { url, stop, task }
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
