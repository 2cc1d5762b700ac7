//! The egui workstation.
use crate::home::Home;
pub fn run_workstation(_home: Home) -> anyhow::Result<()> {
    Ok(())
}
