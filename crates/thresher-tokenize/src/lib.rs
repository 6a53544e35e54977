//! thresher-tokenize owns word tokenisation: splitting a text into the words that datatrove's
//! `split_into_words` returns, so that every count a quality filter or MinHash takes from
//! words agrees with datatrove's.
//!
//! SKELETON: the API below is the seam the filters and MinHash code against; the spaCy port
//! replaces the whitespace split inside.

#![warn(missing_docs)]

use std::sync::OnceLock;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum TokenizeError {
    /// No tokenizer is known for this language code.
    #[error("no word tokenizer for language {0:?}")]
    UnknownLanguage(String),
}

/// A word tokenizer for one language.
#[derive(Debug)]
pub struct Tokenizer {
    language: String,
}

impl Tokenizer {
    /// The tokenizer for a datatrove language code (`"en"`, `"eng"`, `"eng_Latn"`, …).
    pub fn for_language(language: &str) -> Result<&'static Tokenizer, TokenizeError> {
        match language {
            "en" | "eng" | "eng_Latn" => Ok(Self::english()),
            other => Err(TokenizeError::UnknownLanguage(other.to_string())),
        }
    }

    /// English (spaCy `blank("en")`), the tokenizer FineWeb's filters use.
    pub fn english() -> &'static Tokenizer {
        static EN: OnceLock<Tokenizer> = OnceLock::new();
        EN.get_or_init(|| Tokenizer {
            language: "en".to_string(),
        })
    }

    /// The language this tokenizer was built for.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The words of `text`, as datatrove's `split_into_words(text, language)`: tokens with
    /// surrounding whitespace stripped, whitespace-only tokens removed. Each word is a slice
    /// of `text`.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        text.split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect()
    }
}
