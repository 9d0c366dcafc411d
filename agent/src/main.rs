//! `bilik-agent`: not yet implemented beyond its skeleton.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("bilik-agent is not implemented yet; see the agent-core issue")
}
