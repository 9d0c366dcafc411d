//! Helpers for agent tests (owned by the agent work).
