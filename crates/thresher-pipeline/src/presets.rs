//! Built-in pipelines, kept as TOML files so `thresher presets show NAME` prints exactly
//! what runs and users can start their own pipeline file from one.

use crate::config::PipelineConfig;

/// Name and TOML text of every preset, the default first.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../presets/default.toml")),
    ("extract", include_str!("../presets/extract.toml")),
    ("fineweb", include_str!("../presets/fineweb.toml")),
];

/// The TOML text of a preset.
pub fn preset_toml(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A preset, parsed.
pub fn preset(name: &str) -> Option<PipelineConfig> {
    // The presets are compiled in and tested below, so parsing cannot fail at run time.
    preset_toml(name).and_then(|t| PipelineConfig::from_toml(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for (name, text) in PRESETS {
            let cfg = PipelineConfig::from_toml(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&cfg.name, name);
            assert!(!cfg.steps.is_empty());
        }
        assert!(preset("nope").is_none());
    }
}
