//! Bilik's station agent: keeps the PC locked outside a valid session.
//!
//! Module map (the pure, server-independent building blocks so far):
//!
//! - [`backoff`]: exponential reconnect delays with jitter and a cap.
//! - [`journal`]: the durable outbox of events until the server acks them.
//! - [`session`]: the station state machine and lease timer (tokio time).
//! - [`hooks`]: commands run at session start and end (cleanup between
//!   patrons).

pub mod backoff;
pub mod hooks;
pub mod journal;
pub mod session;
