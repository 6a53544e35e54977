//! From `[[steps]]` entries to step objects: the one place that knows every step type.

use crate::config::StepConfig;
use crate::pipeline::Built;
use crate::RunError;
use thresher_quality::FilterStep;

fn step_err(name: &str, e: impl std::fmt::Display) -> RunError {
    RunError::Step {
        step: name.to_string(),
        message: e.to_string(),
    }
}

/// Builds the step one configuration entry describes.
pub fn build(cfg: &StepConfig) -> Result<Built, RunError> {
    let name = cfg.name();
    Ok(match cfg {
        StepConfig::Extract(c) => {
            let opts = thresher_extract::ExtractOptions {
                backend: c.backend.clone(),
                max_html_bytes: c.max_html_bytes,
                include_tables: c.include_tables,
                include_comments: c.include_comments,
                fallback: c.fallback,
                markdown: c.markdown,
                include_images: c.include_images,
                include_lists: c.include_lists,
                include_captions: c.include_captions,
                ..thresher_extract::ExtractOptions::default()
            };
            Built::Local(Box::new(
                thresher_extract::ExtractStep::new(opts).map_err(|e| step_err(name, e))?,
            ))
        }
        StepConfig::Provenance(o) => Built::Local(Box::new(
            thresher_text::provenance::Provenance::new(o.clone()),
        )),
        StepConfig::JunkLines(o) => {
            Built::Local(Box::new(thresher_text::junk::JunkLines::new(o.clone())))
        }
        StepConfig::Title(o) => Built::Local(Box::new(thresher_text::title::TitleFromText::new(
            o.clone(),
        ))),
        StepConfig::Hygiene(o) => Built::Local(Box::new(
            thresher_text::hygiene::UnicodeHygiene::new(o.clone()),
        )),
        StepConfig::Langid(c) => {
            let opts = thresher_text::LanguageIdOptions {
                languages: c.languages.clone(),
                min_score: c.min_score,
                drop: c.drop,
                model_path: c.model.clone().map(Into::into),
            };
            Built::Local(Box::new(
                thresher_text::LanguageId::new(opts).map_err(|e| step_err(name, e))?,
            ))
        }
        StepConfig::Length(c) => {
            let opts = thresher_text::LengthOptions {
                min_words: c.min_words,
                min_chars: c.min_chars,
                max_chars: c.max_chars,
            };
            Built::Local(Box::new(thresher_text::LengthFilter::new(opts)))
        }
        StepConfig::ExactDedup(_) => Built::Corpus(crate::pipeline::Corpus::Keyed(Box::new(
            thresher_dedup::ExactDedup::new(),
        ))),
        StepConfig::MinhashDedup(c) => {
            // Check the settings now rather than after the first pass.
            crate::minhash_dedup::KeepSpec::parse(&c.keep).map_err(|e| step_err(name, e))?;
            thresher_dedup::minhash::MinHasher::for_language(
                crate::minhash_dedup::config_of(c),
                &c.language,
            )
            .map_err(|e| step_err(name, e))?;
            Built::Corpus(crate::pipeline::Corpus::Minhash(c.clone()))
        }
        StepConfig::SiteBoilerplate(c) => {
            c.validate().map_err(|e| step_err(name, e))?;
            Built::Corpus(crate::pipeline::Corpus::Boilerplate(*c))
        }
        StepConfig::UrlFilter(o) => {
            Built::Local(Box::new(thresher_quality::UrlFilter::new(o.clone())))
        }
        StepConfig::GopherRepetition(o) => Built::Local(Box::new(FilterStep::new(
            thresher_quality::GopherRepetition::new(o.clone()).map_err(|e| step_err(name, e))?,
        ))),
        StepConfig::GopherQuality(o) => Built::Local(Box::new(FilterStep::new(
            thresher_quality::GopherQuality::new(o.clone()).map_err(|e| step_err(name, e))?,
        ))),
        StepConfig::C4Quality(o) => Built::Local(Box::new(FilterStep::new(
            thresher_quality::C4Quality::new(o.clone())
                .map_err(|e| step_err(name, e))?
                .with_name(name),
        ))),
        StepConfig::FineWebQuality(o) => Built::Local(Box::new(FilterStep::new(
            thresher_quality::FineWebQuality::new(o.clone()).map_err(|e| step_err(name, e))?,
        ))),
        StepConfig::C4Badwords(o) => Built::Local(Box::new(FilterStep::new(
            thresher_quality::C4BadWords::new(o.clone()),
        ))),
        StepConfig::Pii(o) => {
            Built::Local(Box::new(thresher_quality::PiiFormatter::new(o.clone())))
        }
    })
}
