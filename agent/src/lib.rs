//! The station agent (skeleton): the agent-core issue fills this in.
