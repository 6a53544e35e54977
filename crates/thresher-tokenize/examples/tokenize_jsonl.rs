//! Tokenizes a JSONL(.gz) file of `{"id", "text"}` records and writes `{"id", "n_words",
//! "words"}` per line, for comparing with datatrove's oracle output.
//!
//! `cargo run --release -p thresher-tokenize --example tokenize_jsonl -- IN.jsonl[.gz] [LANG] > OUT.jsonl`

use std::io::{BufRead, BufReader, Read, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: tokenize_jsonl IN.jsonl[.gz] [LANG]")?;
    let lang = args.next().unwrap_or_else(|| "en".to_string());
    let tok = thresher_tokenize::Tokenizer::for_language(&lang)?;
    let file = std::fs::File::open(&path)?;
    let reader: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in BufReader::new(reader).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_str(&line)?;
        let text = rec.get("text").and_then(|t| t.as_str()).unwrap_or("");
        let words = tok.words_cow(text);
        let obj = serde_json::json!({"id": rec.get("id"), "n_words": words.len(), "words": words});
        writeln!(out, "{obj}")?;
    }
    Ok(())
}
