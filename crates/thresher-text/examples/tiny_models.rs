//! Writes two tiny fastText models (hierarchical softmax with quantised input and pruned
//! n-grams; softmax with word bigrams, dense) trained by the C++ library on a few sentences,
//! as seeds for the `lid_model` fuzz target: `cargo run -p thresher-text --example tiny_models
//! -- fuzz/seeds`.
fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: tiny_models DIR"));
    let train = out.join("tiny-train.txt");
    let lines = [
        ("en", "the cat sat on the mat and looked at the dog"),
        ("en", "a quick brown fox jumps over the lazy dog"),
        (
            "de",
            "der schnelle braune fuchs springt über den faulen hund",
        ),
        ("de", "die katze sitzt auf der matte und schaut den hund an"),
        (
            "fr",
            "le renard brun rapide saute par-dessus le chien paresseux",
        ),
        ("fr", "le chat est assis sur le tapis et regarde le chien"),
    ];
    let mut text = String::new();
    for _ in 0..20 {
        for (l, s) in lines {
            text.push_str(&format!("__label__{l} {s}\n"));
        }
    }
    std::fs::write(&train, text).unwrap();
    for (name, loss, ngrams, quantise) in [
        ("tiny-hs.ftz", fasttext::LossName::HS, 1, true),
        ("tiny-softmax.bin", fasttext::LossName::SOFTMAX, 2, false),
    ] {
        let mut args = fasttext::Args::new();
        args.set_input(train.to_str().unwrap()).unwrap();
        args.set_model(fasttext::ModelName::SUP);
        args.set_loss(loss);
        args.set_dim(4);
        args.set_epoch(5);
        args.set_min_count(1);
        args.set_word_ngrams(ngrams);
        args.set_minn(2);
        args.set_maxn(3);
        args.set_bucket(400);
        args.set_thread(1);
        args.set_verbose(0);
        let mut ft = fasttext::FastText::new();
        ft.train(&args).unwrap();
        if quantise {
            args.set_qnorm(true);
            args.set_cutoff(300);
            args.set_dsub(2);
            ft.quantize(&args).unwrap();
        }
        let path = out.join(name);
        ft.save_model(path.to_str().unwrap()).unwrap();
        println!(
            "{} {} bytes",
            path.display(),
            std::fs::metadata(&path).unwrap().len()
        );
    }
    std::fs::remove_file(&train).unwrap();
}
