//! The driver's side of the link: reconciling with the Welcome, the
//! commands the server pushes, and event acknowledgements.

use bilik_proto::v1::{Command, EndReason, PowerAction, Welcome, command};
use tokio::time::Instant;

use super::Driver;
use crate::hook_runner::Phase;
use crate::link::{LinkEvent, LinkState};
use crate::ui::UiEvent;

impl Driver {
    /// What the link reported.
    pub(super) async fn on_link(&mut self, event: LinkEvent) {
        match event {
            LinkEvent::State(state) => {
                self.rpc = None;
                self.connected = false;
                self.frontend.show(&UiEvent::Link(state));
            }
            LinkEvent::Up { welcome, rpc } => {
                self.rpc = rpc.map(|rpc| *rpc);
                self.connected = true;
                self.on_welcome(*welcome).await;
            }
            LinkEvent::Command(command) => self.on_command(command).await,
            LinkEvent::Ack(ids) => self.on_ack(ids).await,
        }
    }

    /// Reconciles with the server after an attach; replays the journal.
    async fn on_welcome(&mut self, welcome: Welcome) {
        let now = Instant::now();
        self.station_name = welcome.station_name.clone();
        self.frontend.show(&UiEvent::Link(LinkState::Connected {
            station_id: welcome.station_id.clone(),
            station_name: welcome.station_name.clone(),
        }));
        if let Some(settings) = welcome.settings {
            if self.config.warning_minutes.is_none() && !settings.warning_minutes.is_empty() {
                let effects = self
                    .station
                    .set_warning_minutes(&settings.warning_minutes, now);
                self.apply(effects).await;
            }
            self.frontend.show(&UiEvent::Settings(settings.clone()));
            self.settings = settings;
        }
        let effects = self.station.set_maintenance(welcome.maintenance, now);
        self.apply(effects).await;
        // Shown (or cleared) at every attach: a hold may have ended while
        // the link was down.
        self.frontend
            .show(&hold_event(&welcome.hold.clone().unwrap_or_default()));
        match welcome.lease {
            Some(lease) => self.grant(&lease, now).await,
            None if self.station.session_id().is_some() => {
                tracing::info!("the server no longer holds this session: locking");
                if let Ok(effects) = self.station.end("", EndReason::Librarian, now) {
                    self.apply(effects).await;
                }
            }
            None => {}
        }
        let pending = self.pending().await;
        if !pending.is_empty() {
            tracing::info!(count = pending.len(), "replaying journaled events");
            self.link.send(pending);
        }
    }

    /// A command the server pushed.
    async fn on_command(&mut self, command: Command) {
        let now = Instant::now();
        let Some(kind) = command.kind else {
            return;
        };
        let effects = match kind {
            command::Kind::Start(start) => {
                if let Some(lease) = start.lease {
                    self.grant(&lease, now).await;
                }
                return;
            }
            command::Kind::End(end) => {
                let reason = EndReason::try_from(end.reason).unwrap_or(EndReason::Librarian);
                self.station.end(&end.session_id, reason, now)
            }
            command::Kind::Extend(ext) => {
                self.station
                    .extend(&ext.session_id, ext.ends_at_ms, ext.server_time_ms, now)
            }
            command::Kind::Message(msg) => {
                self.frontend.show(&UiEvent::Message {
                    text: msg.text,
                    from: msg.from,
                });
                return;
            }
            command::Kind::Hold(hold) => {
                self.frontend.show(&hold_event(&hold));
                return;
            }
            command::Kind::Maintenance(m) => Ok(self.station.set_maintenance(m.on, now)),
            command::Kind::Power(p) => {
                let action = PowerAction::try_from(p.action).unwrap_or(PowerAction::Unspecified);
                self.power(action, now).await;
                return;
            }
        };
        match effects {
            Ok(effects) => self.apply(effects).await,
            Err(e) => tracing::info!(error = %e, "command ignored"),
        }
    }

    /// The server's restart/shutdown: end the session, clean up, then run
    /// the configured command.
    async fn power(&mut self, action: PowerAction, now: Instant) {
        let spec = match action {
            PowerAction::Restart => self.config.power_restart.clone(),
            PowerAction::Shutdown => self.config.power_shutdown.clone(),
            PowerAction::Unspecified => return,
        };
        let Some(spec) = spec else {
            tracing::warn!(
                ?action,
                "power command refused: no command configured for it ([power] in the config)"
            );
            self.frontend.show(&UiEvent::Power { action, ran: false });
            return;
        };
        if self.station.session_id().is_some()
            && let Ok(effects) = self.station.end("", EndReason::StationRestarted, now)
        {
            self.apply(effects).await;
        }
        self.submit(Phase::Power(action), vec![spec], Vec::new());
        self.refresh_screen();
    }

    /// The server applied these events: drop them from the journal.
    pub(super) async fn on_ack(&mut self, ids: Vec<String>) {
        let acked = ids.clone();
        match self
            .with_journal(move |j| j.ack(&acked).map(|_| j.pending_count()))
            .await
        {
            Some(Ok(pending)) => self.frontend.show(&UiEvent::Acked {
                event_ids: ids,
                pending,
            }),
            Some(Err(e)) => tracing::error!(error = %e, "ack not journaled"),
            None => {}
        }
    }
}

/// The screen's view of a server hold: whom for and whole minutes left, from
/// the server's two clock readings (the PC's clock is never read).
fn hold_event(hold: &bilik_proto::v1::HoldStation) -> UiEvent {
    let left_ms = hold.until_ms.saturating_sub(hold.server_time_ms).max(0);
    let minutes = (left_ms.saturating_add(59_999) / 60_000).min(24 * 60);
    UiEvent::Hold {
        patron_name: hold.patron_name.chars().take(100).collect(),
        minutes_left: u32::try_from(minutes).unwrap_or(0),
    }
}
