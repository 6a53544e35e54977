//! The pipeline file: a TOML description of inputs, steps and outputs.
//!
//! ```toml
//! name = "my-pipeline"
//! [input]
//! paths = ["crawl/*.warc.gz"]
//! [output]
//! dir = "out"
//! format = "jsonl.zst"      # jsonl.zst | jsonl.gz | jsonl | parquet
//! rejects = true
//! [[steps]]
//! type = "extract"
//! backend = "native"
//! [[steps]]
//! type = "langid"
//! [[steps]]
//! type = "length"
//! min_words = 10
//! [[steps]]
//! type = "exact_dedup"
//! ```
//!
//! Unknown keys are errors, so a typo never silently turns a filter off.

use serde::{Deserialize, Serialize};

/// A whole pipeline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Name shown in the summary and stats.
    #[serde(default = "default_name")]
    pub name: String,
    /// What to read.
    #[serde(default)]
    pub input: InputConfig,
    /// Where and how to write.
    #[serde(default)]
    pub output: OutputConfig,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<StepConfig>,
}

fn default_name() -> String {
    "pipeline".into()
}

/// `[input]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Paths, folders, globs or `@list` files. Relative paths are relative to the current
    /// directory.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Records larger than this many bytes are skipped and reported.
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: u64,
    /// Text column of Parquet inputs.
    #[serde(default = "default_text_column")]
    pub parquet_text_column: String,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            paths: Vec::new(),
            max_record_bytes: default_max_record_bytes(),
            parquet_text_column: default_text_column(),
        }
    }
}

fn default_max_record_bytes() -> u64 {
    64 << 20
}
fn default_text_column() -> String {
    "text".into()
}

/// `[output]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Output folder: shards, `rejects/`, `stats.json`.
    #[serde(default = "default_out_dir")]
    pub dir: String,
    /// Shard format.
    #[serde(default = "default_format")]
    pub format: String,
    /// Write rejected documents (with `dropped_by` and `reason`) to `rejects/`.
    #[serde(default = "yes")]
    pub rejects: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: default_out_dir(),
            format: default_format(),
            rejects: true,
        }
    }
}

fn default_out_dir() -> String {
    "out".into()
}
fn default_format() -> String {
    "jsonl.zst".into()
}
fn yes() -> bool {
    true
}

/// One `[[steps]]` entry; `type` picks the step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepConfig {
    /// Charset decoding and main-content extraction of HTML documents.
    Extract(ExtractConfig),
    /// fastText language identification (annotates; optionally filters).
    Langid(LangidConfig),
    /// Minimal length filter.
    Length(LengthConfig),
    /// Exact duplicate removal by normalised-text hash (a corpus-wide pass).
    ExactDedup(ExactDedupConfig),
    /// MinHash near-duplicate removal, datatrove's four stages (a corpus-wide pass).
    MinhashDedup(MinhashDedupConfig),
    /// Site boilerplate, CCNet-style: lines on many pages of a site removed from all of them
    /// (a corpus-wide pass; `min_pages`, `min_fraction`, `min_chars`).
    SiteBoilerplate(thresher_dedup::boilerplate::BoilerplateConfig),
    /// Ad and analytics account ids (ads.txt publisher, AdSense, Analytics, Tag Manager) found in
    /// the text and HTML, into `metadata.provenance`.
    Provenance(thresher_text::provenance::ProvenanceOptions),
    /// Lines that are not prose (ads.txt records, calls to action, cookie banners, navigation,
    /// lone URLs…) removed at the start and end of a document and in blocks; listed in
    /// `metadata.removed_lines`.
    JunkLines(thresher_text::junk::JunkLinesOptions),
    /// A plain-text document's first short line becomes `metadata.title`.
    Title(thresher_text::title::TitleOptions),
    /// Unicode hygiene (NFC, odd spaces, zero-width and control characters, mojibake) and
    /// mixed-script detection into `metadata.mixed_script`.
    Hygiene(thresher_text::hygiene::HygieneOptions),
    /// datatrove's URL filter: blocklisted domains, URLs and words in the document's URL.
    UrlFilter(thresher_quality::UrlFilterOptions),
    /// datatrove's `GopherRepetitionFilter`.
    GopherRepetition(thresher_quality::GopherRepetitionOptions),
    /// datatrove's `GopherQualityFilter`.
    GopherQuality(thresher_quality::GopherQualityOptions),
    /// datatrove's `C4QualityFilter` (removes lines, then decides).
    C4Quality(thresher_quality::C4QualityOptions),
    /// datatrove's `FineWebQualityFilter`.
    #[serde(rename = "fineweb_quality")]
    FineWebQuality(thresher_quality::FineWebQualityOptions),
    /// datatrove's `C4BadWordsFilter` (language from the document's `metadata.language`).
    C4Badwords(thresher_quality::C4BadWordsOptions),
    /// datatrove's `PIIFormatter`: e-mail addresses and public IP addresses replaced.
    Pii(thresher_quality::PiiOptions),
}

impl StepConfig {
    /// The step's name in stats and rejects.
    pub fn name(&self) -> &'static str {
        match self {
            StepConfig::Extract(_) => "extract",
            StepConfig::Langid(_) => "langid",
            StepConfig::Length(_) => "length",
            StepConfig::ExactDedup(_) => "exact_dedup",
            StepConfig::MinhashDedup(_) => "minhash_dedup",
            StepConfig::SiteBoilerplate(_) => "site_boilerplate",
            StepConfig::Provenance(_) => "provenance",
            StepConfig::JunkLines(_) => "junk_lines",
            StepConfig::Title(_) => "title",
            StepConfig::Hygiene(_) => "hygiene",
            StepConfig::UrlFilter(_) => "url_filter",
            StepConfig::GopherRepetition(_) => "gopher_repetition",
            StepConfig::GopherQuality(_) => "gopher_quality",
            StepConfig::C4Quality(_) => "c4_quality",
            StepConfig::FineWebQuality(_) => "fineweb_quality",
            StepConfig::C4Badwords(_) => "c4_badwords",
            StepConfig::Pii(_) => "pii",
        }
    }
}

/// `type = "extract"`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// Extraction backend: `native` (default), `trafilatura` or `plain`.
    #[serde(default = "default_backend")]
    pub backend: String,
    /// trafilatura backend: pages larger than this go to the plain extractor instead.
    #[serde(default = "default_max_html_bytes")]
    pub max_html_bytes: usize,
    /// Keep table text.
    #[serde(default = "yes")]
    pub include_tables: bool,
    /// Keep reader comments.
    #[serde(default)]
    pub include_comments: bool,
    /// trafilatura backend: compare with its readability and jusText fallbacks (slower, more
    /// accurate).
    #[serde(default = "yes")]
    pub fallback: bool,
    /// native backend: write Markdown (headings, lists, quotes, code blocks, tables) instead
    /// of plain text.
    #[serde(default)]
    pub markdown: bool,
    /// native backend: keep image `alt` texts.
    #[serde(default)]
    pub include_images: bool,
    /// native backend: keep lists.
    #[serde(default = "yes")]
    pub include_lists: bool,
    /// native backend: keep figure captions.
    #[serde(default)]
    pub include_captions: bool,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            backend: default_backend(),
            max_html_bytes: default_max_html_bytes(),
            include_tables: true,
            include_comments: false,
            fallback: true,
            markdown: false,
            include_images: false,
            include_lists: true,
            include_captions: false,
        }
    }
}

fn default_backend() -> String {
    "native".into()
}
fn default_max_html_bytes() -> usize {
    8 << 20
}

/// `type = "langid"`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangidConfig {
    /// Languages to keep (ISO codes as lid.176 writes them); empty keeps any.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Minimum score of the language for the document to be kept.
    #[serde(default = "default_min_score")]
    pub min_score: f32,
    /// Drop documents that fail `languages`/`min_score`; when false, only annotate.
    #[serde(default)]
    pub drop: bool,
    /// Use this fastText model file instead of the bundled lid.176.ftz.
    #[serde(default)]
    pub model: Option<String>,
}

impl Default for LangidConfig {
    fn default() -> Self {
        LangidConfig {
            languages: Vec::new(),
            min_score: default_min_score(),
            drop: false,
            model: None,
        }
    }
}

fn default_min_score() -> f32 {
    0.65
}

/// `type = "length"`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthConfig {
    /// Minimum number of whitespace-separated words.
    #[serde(default = "default_min_words")]
    pub min_words: usize,
    /// Minimum number of characters.
    #[serde(default)]
    pub min_chars: usize,
    /// Maximum number of characters, if any.
    #[serde(default)]
    pub max_chars: Option<usize>,
}

impl Default for LengthConfig {
    fn default() -> Self {
        LengthConfig {
            min_words: default_min_words(),
            min_chars: 0,
            max_chars: None,
        }
    }
}

fn default_min_words() -> usize {
    10
}

/// `type = "exact_dedup"`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExactDedupConfig {}

/// `type = "minhash_dedup"`: datatrove's MinHash dedup (FineWeb's settings by default) over
/// the documents that reach it, run as the four stages of `thresher dedup minhash` in the
/// run's `.thresher/work/minhash/` folder. Removed documents go to
/// `rejects/<shard>.minhash_dedup.<ext>` with `duplicate_of`, `cluster_id` and
/// `cluster_size` in their metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinhashDedupConfig {
    /// Language of the word tokenizer (datatrove code).
    pub language: String,
    /// Words per shingle.
    pub n_grams: usize,
    /// LSH buckets.
    pub buckets: usize,
    /// Hashes per bucket.
    pub hashes_per_bucket: usize,
    /// Seed of the permutations.
    pub seed: u32,
    /// Which document of a cluster is kept: `datatrove`, `first`, `max:FIELD`, `min:FIELD`.
    pub keep: String,
    /// Give kept documents that have near-duplicates `cluster_id` and `cluster_size` too.
    pub annotate: bool,
}

impl Default for MinhashDedupConfig {
    fn default() -> Self {
        MinhashDedupConfig {
            language: "eng".into(),
            n_grams: 5,
            buckets: 14,
            hashes_per_bucket: 8,
            seed: 1,
            keep: "datatrove".into(),
            annotate: false,
        }
    }
}

impl PipelineConfig {
    /// Parses a pipeline file's text.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// The pipeline as TOML (used to detect a changed pipeline on resume).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_steps_and_defaults() {
        let cfg = PipelineConfig::from_toml(
            r#"
            [input]
            paths = ["a.warc.gz"]
            [[steps]]
            type = "extract"
            [[steps]]
            type = "length"
            min_words = 3
            [[steps]]
            type = "exact_dedup"
            "#,
        )
        .unwrap();
        assert_eq!(cfg.output.dir, "out");
        assert_eq!(cfg.input.max_record_bytes, 64 << 20);
        let bare = PipelineConfig::from_toml("").unwrap();
        assert_eq!(bare.input, InputConfig::default());
        assert_eq!(bare.input.max_record_bytes, 64 << 20);
        assert_eq!(bare.output, OutputConfig::default());
        assert_eq!(cfg.steps.len(), 3);
        assert_eq!(
            cfg.steps[1],
            StepConfig::Length(LengthConfig {
                min_words: 3,
                ..LengthConfig::default()
            })
        );
        let again = PipelineConfig::from_toml(&cfg.to_toml()).unwrap();
        assert_eq!(again, cfg);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err =
            PipelineConfig::from_toml("[[steps]]\ntype = \"length\"\nmin_wrods = 3\n").unwrap_err();
        assert!(err.to_string().contains("min_wrods"), "{err}");
        assert!(PipelineConfig::from_toml("[[steps]]\ntype = \"nope\"\n").is_err());
        let err =
            PipelineConfig::from_toml("[[steps]]\ntype = \"gopher_quality\"\nmin_doc_wrods = 3\n")
                .unwrap_err();
        assert!(err.to_string().contains("min_doc_wrods"), "{err}");
    }

    #[test]
    fn quality_thresholds_are_overridable_and_false_switches_a_check_off() {
        let cfg = PipelineConfig::from_toml(
            r#"
            [[steps]]
            type = "gopher_quality"
            min_doc_words = 20
            max_doc_words = false
            [[steps]]
            type = "c4_quality"
            filter_no_terminal_punct = false
            [[steps]]
            type = "fineweb_quality"
            line_punct_thr = 0.2
            "#,
        )
        .unwrap();
        let StepConfig::GopherQuality(g) = &cfg.steps[0] else {
            panic!("{:?}", cfg.steps[0])
        };
        assert_eq!(g.min_doc_words, Some(20));
        assert_eq!(g.max_doc_words, None);
        assert_eq!(
            g.min_avg_word_length,
            thresher_quality::GopherQualityOptions::default().min_avg_word_length
        );
        assert_eq!(cfg.steps[2].name(), "fineweb_quality");
        let again = PipelineConfig::from_toml(&cfg.to_toml()).unwrap();
        assert_eq!(again, cfg);
    }
}
