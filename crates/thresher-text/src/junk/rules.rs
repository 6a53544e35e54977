//! The line classifier behind [`super::JunkLines`]: what kind of non-prose line a line is, on
//! the line alone.
//!
//! Every rule is bounded by length: apart from cookie banners (at most
//! [`MAX_COOKIE_WORDS`] words) no rule fires on a line of more than [`MAX_JUNK_WORDS`] words,
//! and most fire only on a handful of words, so a paragraph of article prose is never a
//! candidate. Matching is on a normalised copy of the line: lowercased, whitespace (NBSP
//! included) collapsed to one space, and, for the whole-line lists, punctuation and symbols
//! trimmed at both ends (`"» Weiterlesen"`, `"Tags:"`, `"## Related posts"` all match their
//! entry).

use super::JunkKind;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// No rule except the cookie-banner rule fires on a line with more words than this.
pub const MAX_JUNK_WORDS: usize = 45;
/// Cookie banners can be long; the cookie rule stops here.
pub const MAX_COOKIE_WORDS: usize = 60;
/// Lines longer than this (bytes, trimmed) are never looked at (cheap exit for prose).
const MAX_LINE_BYTES: usize = 1200;

/// A classified line: its kind and whether the rule that fired is specific enough to remove
/// the line in the middle of a document on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineClass {
    /// What the line is.
    pub kind: JunkKind,
    /// `true` for rules that match only machine-made or formulaic lines (an ads.txt record, a
    /// bare URL, a first-person cookie notice); `false` for lines that are junk at the edges of
    /// a document or in a run of junk but could, alone in the middle, be part of the article
    /// (a "Kontakt" heading, a share sentence).
    pub anywhere: bool,
}

impl LineClass {
    fn edge(kind: JunkKind) -> Option<LineClass> {
        Some(LineClass {
            kind,
            anywhere: false,
        })
    }
    fn everywhere(kind: JunkKind) -> Option<LineClass> {
        Some(LineClass {
            kind,
            anywhere: true,
        })
    }
}

/// Classifies one line (without its line terminator). `None` = not recognised as junk.
pub fn classify(line: &str) -> Option<LineClass> {
    let t = line.trim();
    if t.is_empty() || t.len() > MAX_LINE_BYTES {
        return None;
    }
    let words = t.split_whitespace().count();
    if words > MAX_COOKIE_WORDS {
        return None;
    }
    if words == 1 {
        if let Some(c) = classify_token(t) {
            return Some(c);
        }
    }
    let low = lower_collapsed(t);
    if words > MAX_JUNK_WORDS {
        return cookie(&low, words);
    }
    if words <= 12
        && (low.contains("direct") || low.contains("reseller") || low.contains('='))
        && ADS_TXT.is_match(t)
    {
        return LineClass::everywhere(JunkKind::AdsTxt);
    }
    if words <= 3 && low.contains('@') && EMAIL_LINE.is_match(&low) {
        return LineClass::edge(JunkKind::Email);
    }
    let norm = trim_symbols(&low);
    if norm.len() <= 80 {
        if let Some(&kind) = EXACT.get(norm) {
            return LineClass::edge(kind);
        }
        if COUNT_LINE.is_match(norm) {
            return LineClass::edge(JunkKind::PostMeta);
        }
    }
    if let Some(c) = cookie(&low, words) {
        return Some(c);
    }
    if let Some(kind) = prefix_rule(t, norm, words) {
        return LineClass::edge(kind);
    }
    if words <= 12 && MAY_INTEREST.is_match(&low) {
        return LineClass::edge(JunkKind::RelatedLinks);
    }
    if words <= 30 && COPYRIGHT.is_match(&low) {
        return LineClass::edge(JunkKind::Copyright);
    }
    // Reported speech ("“You can support us,” she said.") is the article's, not the site's.
    if !low.contains(['"', '“', '”', '„', '«', '»'])
        && (DONATION.is_match(&low)
            || DONATION_ADDRESSED.is_match(&low) && ADDRESSED.is_match(&low))
    {
        return LineClass::edge(JunkKind::DonationAppeal);
    }
    if words <= 25 && CTA_PHRASE.is_match(&low) {
        return LineClass::edge(JunkKind::CallToAction);
    }
    if words <= 10 && cta_vocabulary(norm) {
        return LineClass::edge(JunkKind::CallToAction);
    }
    if words <= 40 {
        if let Some(c) = navigation(&low) {
            return Some(c);
        }
    }
    if words <= 8 && is_date_line(norm) {
        return LineClass::edge(JunkKind::Date);
    }
    None
}

/// A line of one token: URL, e-mail address.
fn classify_token(t: &str) -> Option<LineClass> {
    let inner = t
        .trim_start_matches(['<', '(', '[', '"', '\''])
        .trim_end_matches(['>', ')', ']', '"', '\'', '.', ',', ';']);
    let lower_start: String = inner.chars().take(8).flat_map(char::to_lowercase).collect();
    if lower_start.starts_with("http://")
        || lower_start.starts_with("https://")
        || lower_start.starts_with("www.")
    {
        let host_ok = inner.len() > 10 && inner.contains('.');
        if host_ok {
            return LineClass::everywhere(JunkKind::LoneUrl);
        }
    }
    if inner.contains('@') && EMAIL_LINE.is_match(&inner.to_lowercase()) {
        return LineClass::edge(JunkKind::Email);
    }
    None
}

/// Whether a trimmed, lowercased line is only a date and/or time ("31. Mai", "03.04.2020",
/// "March 3, 2021", "19:49", "Veröffentlicht am 3. Mai 2020, 14:00 Uhr").
pub fn is_date_line(norm: &str) -> bool {
    !norm.is_empty() && norm.len() <= 80 && DATE_LINE.is_match(norm)
}

/// Lowercases and collapses every run of whitespace (NBSP and other Unicode spaces included)
/// to one ASCII space.
pub fn lower_collapsed(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Trims everything that is not a letter or digit from both ends.
fn trim_symbols(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphanumeric())
}

fn words_of(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

// ---------------------------------------------------------------------------------------------
// ads.txt, e-mail, counts, dates

/// An ads.txt / app-ads.txt record: `<domain>, <account id>, DIRECT|RESELLER[, <cert id>]`
/// (domain possibly missing, as when the line was cut), or one of the file's variable lines.
static ADS_TXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:
            (?:[a-z0-9-]+(?:\.[a-z0-9-]+)+)?\s*,\s*[\w.:-]+\s*,\s*(?:direct|reseller)\s*
                (?:,\s*[\w-]*\s*)?(?:\#.*)?
          | (?:contact|subdomain|ownerdomain|managerdomain|inventorypartnerdomain)\s*=\s*\S+
        )$",
    )
    .expect("ads.txt regex")
});

static EMAIL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:e-?mail|mail|kontakt|contact|courriel|correo)\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
        .expect("email regex")
});

/// "12 Kommentare", "3 comments", "0 Antworten".
static COUNT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\d+ (?:kommentare?|comments?|antworten|replies|reply|responses?|thoughts|gedanken|commentaires?|comentarios?|komentarzy?|reaktionen|shares?|likes?|views?|aufrufe)(?: (?:zu|on|to|auf|zum|sur|en|a)(?-u:\b)[^.!?]{0,80})?$",
    )
    .expect("count regex")
});

const MONTHS: &str = "jan|january|januar|jänner|janvier|enero|feb|february|februar|février|fevrier|febrero|mar|march|märz|mars|marzo|apr|april|avril|abril|may|mai|mayo|jun|june|juni|juin|junio|jul|july|juli|juillet|julio|aug|august|août|agosto|sep|sept|september|septembre|septiembre|oct|october|okt|oktober|octobre|octubre|nov|november|novembre|noviembre|dec|december|dez|dezember|décembre|diciembre";
const WEEKDAYS: &str = "mon|monday|montag|lundi|lunes|tue|tues|tuesday|dienstag|mardi|martes|wed|wednesday|mittwoch|mercredi|miércoles|thu|thursday|donnerstag|jeudi|jueves|fri|friday|freitag|vendredi|viernes|sat|saturday|samstag|sonnabend|samedi|sábado|sun|sunday|sonntag|dimanche|domingo";

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let time = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?(?:am|pm|a\.m|p\.m|uhr|h))?";
    let date = format!(
        r"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}(?:t{time})?|\d{{1,2}}(?:\.|st|nd|rd|th|er)?\s?(?:de )?(?:{MONTHS})\.?(?:,?\s?(?:de )?\d{{4}})?|(?:{MONTHS})\.?\s\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s\d{{4}})?|(?:{MONTHS})\.?\s\d{{4}})"
    );
    let pattern = format!(
        r"^(?:(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|zuletzt aktualisiert|stand|erstellt|publié|mis à jour|publicado|actualizado)(?: am| on| le| el| vom)?:?\s)?(?:(?:{WEEKDAYS})\.?,?\s)?(?:{date}(?:,?\s(?:um |at |à |a las )?{time})?|{time})$"
    );
    Regex::new(&pattern).expect("date regex")
});

// ---------------------------------------------------------------------------------------------
// cookie banners

static COOKIE_STRONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?-u:\b)(?:we|this\ (?:web)?site|our\ (?:web)?site|this\ website|our\ website|this\ page
           |wir|diese\ (?:web)?seite|diese\ website|unsere\ (?:web)?seite|unsere\ website
           |nous|ce\ site|notre\ site|utilizamos|usamos|este\ sitio(?:\ web)?|esta\ web
           |utilizziamo|questo\ sito|wij|deze\ (?:web)?site|korzystamy|używamy|ta\ strona
          )(?-u:\b)[^.!?]{0,60}(?-u:\b)cook(?:ies?|ie-\w+)(?-u:\b)
        | (?-u:\b)(?:by\ (?:continuing|using|clicking|browsing|staying)|if\ you\ continue
           |wenn\ sie\ (?:diese|unsere|die|auf)|durch\ die\ (?:weitere\ )?nutzung|indem\ sie
           |en\ poursuivant|en\ continuant|al\ continuar|si\ continúa|si\ sigue|continuando
           |proseguendo)(?-u:\b).{0,160}(?-u:\b)cook(?:ies?|ie-\w+)(?-u:\b)
        | (?-u:\b)cook(?:ies?|ie-\w+)(?-u:\b).{0,160}(?-u:\b)(?:you\ (?:agree|accept|consent)|sie\ (?:zu|stimmen)
           |zustimmen|einverstanden|vous\ acceptez|acepta|aceptas|accetti|akzeptieren\ sie)(?-u:\b)
        | ^(?:accept|akzeptieren|alle\ akzeptieren|accept\ all|accept\ cookies|alle\ cookies\ akzeptieren
           |cookies\ akzeptieren|cookie\ settings|cookie-einstellungen|cookie\ einstellungen
           |manage\ cookies|cookies\ verwalten|tout\ accepter|aceptar\ cookies|aceptar\ todo
           )\W*$
        ",
    )
    .expect("cookie regex")
});

fn cookie(low: &str, words: usize) -> Option<LineClass> {
    if words > MAX_COOKIE_WORDS || !low.contains("cookie") && !low.contains("akzeptieren") {
        return None;
    }
    if COOKIE_STRONG.is_match(low) {
        // A long line that only mentions cookies in passing stays; first-person notices are
        // what banners say.
        return LineClass::everywhere(JunkKind::CookieBanner);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// whole-line lists

/// Normalised whole lines (lowercase, symbols trimmed at both ends) and their kind.
static EXACT: LazyLock<HashMap<&'static str, JunkKind>> = LazyLock::new(|| {
    use JunkKind::*;
    let mut m = HashMap::new();
    let mut add = |kind: JunkKind, list: &[&'static str]| {
        for s in list {
            m.insert(*s, kind);
        }
    };
    add(
        Navigation,
        &[
            // en
            "home",
            "homepage",
            "home page",
            "back to home",
            "back to homepage",
            "main menu",
            "menu",
            "navigation",
            "navigation menu",
            "toggle navigation",
            "skip to content",
            "skip to main content",
            "skip to navigation",
            "search",
            "search for",
            "search this site",
            "login",
            "log in",
            "sign in",
            "sign up",
            "log out",
            "logout",
            "register",
            "my account",
            "cart",
            "shopping cart",
            "imprint",
            "legal notice",
            "legal",
            "privacy",
            "privacy policy",
            "privacy notice",
            "privacy settings",
            "cookie policy",
            "terms",
            "terms of use",
            "terms of service",
            "terms and conditions",
            "terms & conditions",
            "contact",
            "contact us",
            "about",
            "about us",
            "sitemap",
            "site map",
            "faq",
            "faqs",
            "help",
            "back to top",
            "to top",
            "top of page",
            "go to top",
            "scroll to top",
            "back",
            "go back",
            "previous",
            "next",
            "previous post",
            "next post",
            "previous article",
            "next article",
            "previous story",
            "next story",
            "older posts",
            "newer posts",
            "older entries",
            "newer entries",
            "accessibility",
            "advertise",
            "advertise with us",
            "careers",
            "jobs",
            "subscriptions",
            "rss feed",
            // de
            "startseite",
            "zur startseite",
            "zurück zur startseite",
            "hauptmenü",
            "menü",
            "zum inhalt springen",
            "zum inhalt",
            "direkt zum inhalt",
            "zur navigation",
            "navigation überspringen",
            "suche",
            "suchen",
            "suchbegriff",
            "anmelden",
            "abmelden",
            "registrieren",
            "mein konto",
            "warenkorb",
            "impressum",
            "datenschutz",
            "datenschutzerklärung",
            "datenschutzhinweise",
            "datenschutzeinstellungen",
            "datenschutzrichtlinie",
            "cookie-richtlinie",
            "cookie richtlinie",
            "nutzungsbedingungen",
            "agb",
            "kontakt",
            "kontaktformular",
            "über uns",
            "hilfe",
            "nach oben",
            "zum seitenanfang",
            "seitenanfang",
            "nach oben scrollen",
            "zurück",
            "zurück zur übersicht",
            "zur übersicht",
            "vorheriger artikel",
            "nächster artikel",
            "vorheriger beitrag",
            "nächster beitrag",
            "vorherige seite",
            "nächste seite",
            "ältere beiträge",
            "neuere beiträge",
            "ältere artikel",
            "neuere artikel",
            "barrierefreiheit",
            "rechtliches",
            "mediadaten",
            "rss-feed",
            "alle artikel",
            "inhaltsverzeichnis",
            "sitemap & impressum",
            "leichte sprache",
            "gebärdensprache",
            // fr
            "accueil",
            "retour à l'accueil",
            "mentions légales",
            "politique de confidentialité",
            "confidentialité",
            "retour en haut",
            "haut de page",
            "rechercher",
            "recherche",
            "connexion",
            "se connecter",
            "nous contacter",
            "contactez-nous",
            "plan du site",
            "article précédent",
            "article suivant",
            // es
            "inicio",
            "aviso legal",
            "política de privacidad",
            "política de cookies",
            "contacto",
            "contáctanos",
            "volver arriba",
            "buscar",
            "iniciar sesión",
            "mapa del sitio",
            "artículo anterior",
            "artículo siguiente",
        ],
    );
    add(
        RelatedLinks,
        &[
            // en
            "related",
            "related posts",
            "related articles",
            "related stories",
            "related content",
            "related links",
            "related topics",
            "related news",
            "related reading",
            "see also",
            "read more",
            "read also",
            "read next",
            "more",
            "more stories",
            "more news",
            "more articles",
            "more from this author",
            "most popular",
            "most read",
            "most viewed",
            "trending",
            "trending now",
            "top stories",
            "popular posts",
            "recent posts",
            "recent comments",
            "recent articles",
            "latest news",
            "latest posts",
            "recommended",
            "recommended for you",
            "recommended stories",
            "you may also like",
            "you might also like",
            "you may also be interested in",
            "learn more",
            "tags",
            "tagged",
            "categories",
            "category",
            "archives",
            "archive",
            "topics",
            // de
            "ähnliche beiträge",
            "ähnliche artikel",
            "ähnliche themen",
            "ähnliche einträge",
            "verwandte artikel",
            "verwandte themen",
            "verwandte beiträge",
            "mehr zum thema",
            "mehr zu diesem thema",
            "weitere artikel",
            "weitere beiträge",
            "weitere themen",
            "weitere artikel zum thema",
            "weitere nachrichten",
            "weitere meldungen",
            "lesen sie auch",
            "lesen sie mehr",
            "lies auch",
            "auch interessant",
            "das könnte sie auch interessieren",
            "das könnte dich auch interessieren",
            "dies könnte sie auch interessieren",
            "das könnte ihnen auch gefallen",
            "das könnte dir auch gefallen",
            "sie könnten auch an folgenden artikeln interessiert sein",
            "schon gelesen",
            "neueste beiträge",
            "neueste artikel",
            "neueste kommentare",
            "letzte kommentare",
            "letzte beiträge",
            "aktuelle artikel",
            "aktuelle beiträge",
            "aktuelle nachrichten",
            "meistgelesen",
            "meistgelesene artikel",
            "meist gelesen",
            "meistgelesene beiträge",
            "beliebte beiträge",
            "beliebte artikel",
            "weiterlesen",
            "mehr lesen",
            "zum weiterlesen",
            "mehr erfahren",
            "mehr dazu",
            "mehr",
            "mehr anzeigen",
            "alle anzeigen",
            "schlagworte",
            "schlagwörter",
            "stichworte",
            "stichwörter",
            "kategorien",
            "kategorie",
            "themen",
            "archiv",
            "getaggt mit",
            "top-themen",
            "top themen",
            // fr
            "lire aussi",
            "à lire aussi",
            "a lire aussi",
            "voir aussi",
            "lire la suite",
            "articles similaires",
            "sur le même sujet",
            "articles liés",
            "en savoir plus",
            "mots-clés",
            "étiquettes",
            "catégories",
            // es
            "leer más",
            "lee también",
            "ver también",
            "artículos relacionados",
            "noticias relacionadas",
            "temas relacionados",
            "otras noticias",
            "te puede interesar",
            "etiquetas",
            "categorías",
            "más información",
            // other
            "zobacz także",
            "czytaj także",
            "czytaj więcej",
            "leggi anche",
            "articoli correlati",
            "lees ook",
            "gerelateerde artikelen",
        ],
    );
    add(
        CallToAction,
        &[
            "share",
            "share this",
            "share this article",
            "share this post",
            "share this story",
            "share this page",
            "share article",
            "share post",
            "share on facebook",
            "share on twitter",
            "share via email",
            "share via e-mail",
            "tweet",
            "print",
            "print this",
            "print this page",
            "print article",
            "email this",
            "e-mail",
            "email",
            "follow us",
            "follow us on",
            "subscribe",
            "subscribe now",
            "subscribe here",
            "newsletter",
            "sign up for our newsletter",
            "subscribe to our newsletter",
            "like this",
            "be the first to like this",
            "copy link",
            "teilen",
            "teilen mit",
            "teilen sie dies mit",
            "diesen artikel teilen",
            "beitrag teilen",
            "artikel teilen",
            "seite teilen",
            "jetzt teilen",
            "drucken",
            "artikel drucken",
            "seite drucken",
            "per e-mail versenden",
            "per mail versenden",
            "artikel versenden",
            "versenden",
            "weiterempfehlen",
            "empfehlen",
            "artikel empfehlen",
            "folgen sie uns",
            "folgt uns",
            "folge uns",
            "abonnieren",
            "newsletter abonnieren",
            "abonniere unseren newsletter",
            "abonnieren sie unseren newsletter",
            "jetzt abonnieren",
            "gefällt mir",
            "sei der erste dem dies gefällt",
            "url zum kopieren",
            "link kopieren",
            "gib deine e-mail-adresse ein",
            "e-mail-adresse eingeben",
            "geben sie ihre e-mail-adresse ein",
            "enter your email address",
            "enter your e-mail address",
            "partager",
            "partager sur facebook",
            "partager cet article",
            "imprimer",
            "suivez-nous",
            "s'abonner",
            "abonnez-vous",
            "compartir",
            "compartir en facebook",
            "imprimir",
            "síguenos",
            "suscríbete",
            "be sociable share",
            "share this entry",
        ],
    );
    add(
        PostMeta,
        &[
            "leave a comment",
            "leave a reply",
            "leave a response",
            "post a comment",
            "add a comment",
            "write a comment",
            "comments",
            "comment",
            "no comments",
            "comments are closed",
            "reply",
            "kommentar schreiben",
            "kommentare schreiben",
            "schreibe einen kommentar",
            "schreib einen kommentar",
            "kommentar verfassen",
            "kommentieren",
            "kommentieren sie hier",
            "kommentare",
            "kommentar",
            "keine kommentare",
            "kommentar hinterlassen",
            "hinterlasse einen kommentar",
            "hinterlasse eine antwort",
            "antworten",
            "antwort",
            "diskutieren sie mit",
            "diskutieren sie mit uns",
            "kommentare sind geschlossen",
            "your email address will not be published",
            "deine e-mail-adresse wird nicht veröffentlicht",
            "ihre e-mail-adresse wird nicht veröffentlicht",
            "über den autor",
            "zum autor",
            "about the author",
            "laisser un commentaire",
            "commentaires",
            "deja un comentario",
            "deja una respuesta",
            "comentarios",
            "angemeldet bleiben",
            "passwort vergessen",
            "forgot your password",
            "remember me",
        ],
    );
    add(
        Credit,
        &[
            "getty images",
            "istock",
            "shutterstock",
            "dpa",
            "afp",
            "reuters",
            "imago",
        ],
    );
    add(
        CookieBanner,
        &[
            "ich bin damit einverstanden",
            "einverstanden",
            "i agree",
            "ich stimme zu",
            "alle akzeptieren",
            "accept all",
            "accept cookies",
            "alle cookies akzeptieren",
            "cookies akzeptieren",
            "cookie settings",
            "cookie-einstellungen",
            "cookie einstellungen",
            "manage cookies",
            "cookies verwalten",
            "tout accepter",
            "aceptar cookies",
            "aceptar todo",
            "got it",
        ],
    );
    add(
        RelatedLinks,
        &[
            "erfahre mehr",
            "alle news",
            "alle news anzeigen",
            "weitere news",
            "aktuelle news",
            "topthemen",
            "nützliche links",
            "weiterführende links",
            "weiterführende informationen",
            "am meisten gelesen",
            "auch lesen",
            "mehr von",
            "beliebte themen",
            "most viewed",
            "most viewed news",
            "most shared",
            "editor's picks",
            "pour lire la suite",
            "à découvrir",
            "a découvrir",
            "mais popular",
            "mais lidas",
            "lo más leído",
            "más leídas",
            "le plus lu",
            "les plus lus",
        ],
    );
    add(
        PostMeta,
        &[
            "kommentar hinzufügen",
            "hinterlasse jetzt einen kommentar",
            "hinterlassen sie eine antwort",
            "hinterlassen sie einen kommentar",
            "dejá tu comentario",
            "deja tu comentario",
            "there are no comments yet",
            "notify me of follow-up comments by email",
            "notify me of new posts by email",
            "please reload captcha",
            "schon registriert",
            "add comment",
            "show comments",
            "kommentare anzeigen",
            "kommentare lesen",
        ],
    );
    add(
        CallToAction,
        &[
            "compartir nota",
            "diese geschichte teilen",
            "newsletteranmeldung",
            "newsletter-anmeldung",
            "zum newsletter",
            "wie bewerten sie diesen artikel",
            "rate this article",
            "artikel bewerten",
            "bleiben sie auf dem laufenden",
            "stay up to date",
            "stay in touch",
            "stay updated",
            "get the newsletter",
            "jetzt anmelden",
            "jetzt registrieren",
        ],
    );
    add(
        Navigation,
        &[
            "zurück nach oben",
            "dmca",
            "zum shop",
            "enter your keywords",
            "suchbegriff eingeben",
            "search for articles and topics",
            "suche starten",
            "type and hit enter",
        ],
    );
    add(
        Credit,
        &[
            "quelle",
            "quellen",
            "source",
            "źródło",
            "fuente",
            "bildquelle",
            "fotos",
            "foto",
        ],
    );
    add(
        AdLabel,
        &[
            "anzeige",
            "werbung",
            "advertisement",
            "advertising",
            "ad",
            "ads",
            "sponsored",
            "sponsored content",
            "gesponsert",
            "publicité",
            "publicidad",
            "reklama",
            "pubblicità",
            "paid content",
            "promoted",
            "partner content",
        ],
    );
    m
});

/// Prefix rules: the normalised line starts with the phrase (on a word boundary). `colon`:
/// the phrase must be followed by a colon in the line (a label: "Tags: a, b"); otherwise the
/// line must have at most `max_words` words.
struct Prefix {
    phrase: &'static str,
    kind: JunkKind,
    colon: bool,
    max_words: usize,
}

const fn p(phrase: &'static str, kind: JunkKind, colon: bool, max_words: usize) -> Prefix {
    Prefix {
        phrase,
        kind,
        colon,
        max_words,
    }
}

static PREFIXES: &[Prefix] = {
    use JunkKind::*;
    &[
        // labelled lists
        p("tags", RelatedLinks, true, 40),
        p("tagged", RelatedLinks, true, 40),
        p("tagged with", RelatedLinks, false, 20),
        p("tagged as", RelatedLinks, false, 20),
        p("getaggt mit", RelatedLinks, false, 20),
        p("schlagworte", RelatedLinks, true, 40),
        p("schlagwörter", RelatedLinks, true, 40),
        p("stichworte", RelatedLinks, true, 40),
        p("stichwörter", RelatedLinks, true, 40),
        p("themen", RelatedLinks, true, 40),
        p("kategorien", RelatedLinks, true, 40),
        p("kategorie", RelatedLinks, true, 40),
        p("categories", RelatedLinks, true, 40),
        p("category", RelatedLinks, true, 40),
        p("topics", RelatedLinks, true, 40),
        p("keywords", RelatedLinks, true, 40),
        p("mots-clés", RelatedLinks, true, 40),
        p("étiquettes", RelatedLinks, true, 40),
        p("catégories", RelatedLinks, true, 40),
        p("etiquetas", RelatedLinks, true, 40),
        p("categorías", RelatedLinks, true, 40),
        p("filed under", RelatedLinks, false, 20),
        p("posted in", RelatedLinks, false, 20),
        p("abgelegt unter", RelatedLinks, false, 20),
        p("veröffentlicht in", RelatedLinks, false, 20),
        p("related", RelatedLinks, true, 25),
        p("read more", RelatedLinks, false, 15),
        p("read also", RelatedLinks, false, 15),
        p("read next", RelatedLinks, false, 15),
        p("see also", RelatedLinks, true, 25),
        p("also read", RelatedLinks, true, 25),
        p("more on this", RelatedLinks, false, 12),
        p("more from", RelatedLinks, false, 8),
        p("weiterlesen", RelatedLinks, false, 15),
        p("lesen sie auch", RelatedLinks, false, 20),
        p("lesen sie mehr", RelatedLinks, false, 20),
        p("lies auch", RelatedLinks, false, 20),
        p("mehr zum thema", RelatedLinks, false, 20),
        p("weitere artikel", RelatedLinks, false, 12),
        p("weitere beiträge", RelatedLinks, false, 12),
        p("ähnliche artikel", RelatedLinks, false, 12),
        p("ähnliche beiträge", RelatedLinks, false, 12),
        p("verwandte artikel", RelatedLinks, false, 12),
        p("zum weiterlesen", RelatedLinks, false, 15),
        p("auch interessant", RelatedLinks, false, 15),
        p("lire aussi", RelatedLinks, false, 20),
        p("à lire aussi", RelatedLinks, false, 20),
        p("lire la suite", RelatedLinks, false, 15),
        p("voir aussi", RelatedLinks, true, 25),
        p("leer más", RelatedLinks, false, 15),
        p("lee también", RelatedLinks, false, 20),
        p("ver también", RelatedLinks, true, 25),
        p("zobacz także", RelatedLinks, false, 20),
        p("czytaj także", RelatedLinks, false, 20),
        p("leggi anche", RelatedLinks, false, 20),
        // post metadata and comment forms
        p("posted by", PostMeta, false, 12),
        p("posted on", PostMeta, false, 12),
        p("written by", PostMeta, false, 10),
        p("geschrieben von", PostMeta, false, 10),
        p("verfasst von", PostMeta, false, 10),
        p("veröffentlicht am", PostMeta, false, 10),
        p("erstellt am", PostMeta, false, 10),
        p("published", PostMeta, true, 12),
        p("updated", PostMeta, true, 12),
        p("last updated", PostMeta, false, 10),
        p("aktualisiert", PostMeta, true, 12),
        p("zuletzt aktualisiert", PostMeta, false, 10),
        p("this entry was posted", PostMeta, false, 40),
        p("dieser eintrag wurde veröffentlicht", PostMeta, false, 40),
        p("dieser beitrag wurde veröffentlicht", PostMeta, false, 40),
        p("this site uses akismet", PostMeta, false, 20),
        p("diese website verwendet akismet", PostMeta, false, 20),
        p("diese seite verwendet akismet", PostMeta, false, 20),
        p("leave a comment", PostMeta, false, 12),
        p("leave a reply", PostMeta, false, 12),
        p("schreibe einen kommentar", PostMeta, false, 12),
        p(
            "your email address will not be published",
            PostMeta,
            false,
            20,
        ),
        p(
            "your e-mail address will not be published",
            PostMeta,
            false,
            20,
        ),
        p(
            "deine e-mail-adresse wird nicht veröffentlicht",
            PostMeta,
            false,
            20,
        ),
        p(
            "ihre e-mail-adresse wird nicht veröffentlicht",
            PostMeta,
            false,
            20,
        ),
        p("required fields are marked", PostMeta, false, 12),
        p("erforderliche felder sind", PostMeta, false, 12),
        p("comments are closed", PostMeta, false, 12),
        p("kommentare sind geschlossen", PostMeta, false, 12),
        p("be the first to comment", PostMeta, false, 12),
        p("sei der erste", PostMeta, false, 12),
        p("you must be logged in", PostMeta, false, 20),
        p("du musst angemeldet sein", PostMeta, false, 20),
        p("sie müssen angemeldet sein", PostMeta, false, 20),
        p("pingback", PostMeta, false, 30),
        p("trackback", PostMeta, false, 30),
        // credits
        p("foto", Credit, true, 10),
        p("fotos", Credit, true, 10),
        p("bild", Credit, true, 10),
        p("bilder", Credit, true, 10),
        p("bildquelle", Credit, true, 10),
        p("bildnachweis", Credit, true, 12),
        p("titelbild", Credit, true, 10),
        p("photo", Credit, true, 10),
        p("photos", Credit, true, 10),
        p("photo credit", Credit, true, 10),
        p("image", Credit, true, 10),
        p("image credit", Credit, true, 10),
        p("imagen", Credit, true, 10),
        p("crédit photo", Credit, true, 10),
    ]
};

fn prefix_rule(original: &str, norm: &str, words: usize) -> Option<JunkKind> {
    for pr in PREFIXES {
        let Some(rest) = norm.strip_prefix(pr.phrase) else {
            continue;
        };
        if rest.chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        if pr.colon {
            // The label's colon: in the normalised rest, or the line is the label alone.
            let rest = rest.trim_start();
            if !(rest.starts_with(':') || rest.is_empty() && original.trim_end().ends_with(':')) {
                continue;
            }
            if words <= pr.max_words {
                return Some(pr.kind);
            }
        } else if words <= pr.max_words {
            return Some(pr.kind);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// copyright, donations, calls to action

static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        ©|&copy;|\(c\)\s?(?:19|20)\d\d|^copyright(?-u:\b)|(?-u:\b)copyright\s?(?:\(c\)|(?:19|20)\d\d|by(?-u:\b))
        | (?-u:\b)all\ rights\ reserved(?-u:\b)|(?-u:\b)alle\ rechte\ vorbehalten(?-u:\b)|(?-u:\b)tous\ droits\ réservés(?-u:\b)
        | (?-u:\b)todos\ los\ derechos\ reservados(?-u:\b)|(?-u:\b)tutti\ i\ diritti\ riservati(?-u:\b)
        | (?-u:\b)wszelkie\ prawa\ zastrzeżone(?-u:\b)|(?-u:\b)alle\ rechten\ voorbehouden(?-u:\b)
        | (?-u:\b)licensed\ under\ (?:a|the)\ creative\ commons(?-u:\b)|(?-u:\b)lizenziert\ unter\ (?:einer|der)\ creative\ commons(?-u:\b)
        | ^creative\ commons(?-u:\b)|(?-u:\b)vervielfältigung\ nur\ mit(?-u:\b)
        | (?-u:\b)(?:proudly\ )?powered\ by(?-u:\b)|^bloggen\ auf\ wordpress|^erstelle\ eine\ kostenlose\ website
        | (?-u:\b)theme\ by(?-u:\b)|(?-u:\b)wordpress\ theme(?-u:\b)
        ",
    )
    .expect("copyright regex")
});

/// "Das könnte Sie auch interessieren", "Dieses Thema könnte dich auch interessieren:".
static MAY_INTEREST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:könnte|könnten|dürfte)\ (?:sie|dich|ihnen|dir|euch)\ (?:auch\ |ebenfalls\ )?(?:interessieren|gefallen)(?-u:\b)|(?-u:\b)you\ (?:may|might)\ also\ (?:like|enjoy|be\ interested)(?-u:\b)|(?-u:\b)pourrait\ (?:aussi\ |également\ )?vous\ intéresser(?-u:\b)|(?-u:\b)te\ puede\ interesar(?-u:\b)|(?-u:\b)también\ te\ puede(?-u:\b)",
    )
    .expect("may-interest regex")
});

/// A request for money or support: imperative or second person, about giving to the site,
/// its author or its journalism. Only such requests count (an article's "thanks for the
/// donation" does not).
static DONATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?-u:\b)(?:please|bitte|por\ favor|s'il\ vous\ plaît)\ (?:consider\ )?(?:donate|donating|contribute|contributing|chip\ in|spenden|spende|faire\ un\ don|donar|dona)(?-u:\b)
        | (?-u:\b)(?:please|bitte|por\ favor|s'il\ vous\ plaît)\ (?:consider\ )?(?:support|supporting|unterstützen\ sie|unterstütze|soutenez|apoya)\ (?:us|uns|nous|our\ (?:work|journalism|reporting|site|website|blog|mission)|this\ (?:site|blog|website|channel|podcast)|the\ (?:site|author|blog|website)|independent\ (?:journalism|media)|unsere\ arbeit|diese\ (?:seite|website))(?-u:\b)
        | ^(?:donate|contribute|chip\ in|spenden\ sie|jetzt\ spenden|unterstützen\ sie|unterstütze|faites\ un\ don|soutenez|apóyanos|haz\ una\ donación)(?-u:\b)
        | ^support\ (?:us|our|independent|this\ (?:site|blog|website|channel|podcast|project|work)|the\ (?:site|author|blog|website|channel|show|podcast|project))(?-u:\b)
        | (?-u:\b)(?:you|du|sie|ihr|vous|usted)\ (?:can\ |could\ |können\ |könnt\ |kannst\ |pouvez\ |puede\ )?(?:also\ |auch\ )?(?:uns\ |nous\ )?(?:support|donate|contribute|unterstützen|spenden|soutenir|apoyar|donar)(?-u:\b)[^.!?]{0,40}(?-u:\b)(?:us|our\ (?:work|journalism|reporting|site|website|blog|mission|newsroom|podcast|channel)|this\ (?:site|blog|website|channel)|the\ (?:site|author|blog|website)|uns|unsere\ arbeit|unseren\ journalismus|nous|notre\ (?:travail|site|journal)|nuestro\ (?:trabajo|periodismo)|independent\ journalism)(?-u:\b)
        | (?-u:\b)(?:unterstützen|unterstütze|fördern)\ (?:sie\ )?(?:uns|unsere\ arbeit|unabhängigen\ journalismus|diese\ (?:seite|website))(?-u:\b)
        | (?-u:\b)every\ (?:dollar|euro|pound|penny|cent|bit|donation|contribution|little\ bit)\ (?:helps|counts|matters|makes)(?-u:\b)
        | (?-u:\b)jede\ (?:kleine\ )?(?:spende|unterstützung)(?-u:\b)|(?-u:\b)jeder\ (?:euro|betrag|cent)\ (?:hilft|zählt)(?-u:\b)
        | (?-u:\b)chaque\ (?:don|euro|contribution)\ (?:compte|aide)(?-u:\b)|(?-u:\b)cada\ (?:donación|aporte|euro)\ (?:cuenta|ayuda)(?-u:\b)
        | (?-u:\b)reader[-\ ](?:supported|funded|funding)(?-u:\b)|(?-u:\b)(?:spenden|leser|leserinnen|nutzer)finanziert(?-u:\b)
        | (?-u:\b)(?:needs?|relies\ on|rely\ on|depends?\ on|depend\ on|thanks\ to)\ (?:the\ )?(?:reader|readers'?|your|listener|viewer)\ (?:support|donations|contributions)(?-u:\b)
        | (?-u:\b)keep\ (?:this|the|our)\ (?:site|blog|website|channel|project|podcast|show|lights)\ (?:alive|running|online|going|active|free|on)(?-u:\b)
        | (?-u:\b)(?:tip\ jar|spendenkonto|spendenbutton|buy\ me\ a\ coffee)(?-u:\b)
        | (?-u:\b)become\ a\ (?:patron|supporter|paying\ member)(?-u:\b)
        | (?-u:\b)(?:via|on|through|über|auf|per|sur)\ (?:patreon|ko-fi|liberapay|donorbox|flattr|steady|buy\ me\ a\ coffee|buymeacoffee|gofundme|tipeee|ulule|leetchi|helloasso|betterplace)(?-u:\b)
        | (?-u:\b)donate\ (?:now|today|here|online)(?-u:\b)|(?-u:\b)jetzt\ (?:spenden|unterstützen)(?-u:\b)
        | (?-u:\b)(?:freuen\ wir\ uns|freue\ ich\ mich)\ über\ (?:eine|ihre|deine|jede)\ (?:kleine\ )?(?:spende|unterstützung)(?-u:\b)
        ",
    )
    .expect("donation regex")
});

/// Requests that are appeals only when the line also speaks to the reader or of the site
/// ([`ADDRESSED`]): "Consider donating", "Contributions help us ...", "Support us via PayPal";
/// without it, "The grant will fund independent journalism" or "Donations help the shelter"
/// are article sentences.
static DONATION_ADDRESSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?-u:\b)consider\ (?:donating|supporting|contributing|making\ a\ (?:donation|contribution))(?-u:\b)
        | (?-u:\b)consider\ (?:a|an|making\ a)\ (?:\w+\ )?(?:donation|contribution|gift)(?-u:\b)
        | (?-u:\b)by\ (?:donating|contributing|making\ a\ (?:donation|contribution))(?-u:\b)
        | (?-u:\b)(?:support|donate\ to|contribute\ to|help\ fund|help\ support|fund)\ (?:us|our\ (?:work|journalism|reporting|site|website|blog|mission|newsroom)|independent\ (?:journalism|media|news)|this\ (?:site|blog|website|channel|podcast)|the\ (?:site|author|blog|website|channel))(?-u:\b)
        | (?-u:\b)(?:contributions|donations|spenden|dons)\ (?:help|helps|keep|allow|enable|make|ensure|helfen|ermöglichen|sichern)(?-u:\b)
        | (?-u:\b)become\ a\ (?:member|sponsor|subscriber)(?-u:\b)
        | (?-u:\b)(?:via|on|through|über|auf|per|with|mit|sur|con)\ (?:paypal|patreon|gofundme)(?-u:\b)
        ",
    )
    .expect("addressed donation regex")
});

/// Weaker appeal vocabulary: counts only for a line next to a [`DONATION`] line at the edge
/// of a document (see the module docs of `junk`).
static APPEAL_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)(?-u:\b)(?:support|supporters?|donors?|donat\w*|contribut\w*|fund|funding|funded|crowdfund\w*
        |survive|survival|sponsors?|patrons?|subscribers?|readers?|independent|free\ speech|censor\w*
        |unterstütz\w*|spende\w*|förder\w*|unabhängig\w*|leser\w*|überleben|soutien|soutenir|lecteurs?
        |indépendan\w*|apoyo|lectores|independiente)(?-u:\b)",
    )
    .expect("appeal regex")
});

/// First person plural, second person, or the site itself.
static ADDRESSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)(?-u:\b)(?:we|us|our|ours|you|your|wir|uns|unser\w*|euch|eure?|dein\w*|dich|dir|du|nous|notre|nos
        |vous|votre|vos|nosotros|nuestr\w*|usted\w*|tu|tus)(?-u:\b)
        | (?-u:\b)(?:this|the|our)\ (?:site|blog|website|channel|author|page|project|podcast|newsletter|show)(?-u:\b)",
    )
    .expect("addressed regex")
});

/// Whether a line continues a donation appeal next to it: it uses appeal vocabulary (support,
/// funding, readers, independent, ...) and speaks to the reader or of the site ("we", "you",
/// "this site"). "The farmers need support to survive." does not.
pub fn continues_appeal(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.len() > MAX_LINE_BYTES {
        return false;
    }
    let low = lower_collapsed(t);
    APPEAL_WORDS.is_match(&low) && ADDRESSED.is_match(&low)
}

static CTA_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?-u:\b)share\ (?:this|it)(?-u:\b)|(?-u:\b)share\ (?:on|via)\ (?:facebook|twitter|whatsapp|linkedin|email|e-mail|x)(?-u:\b)
        | ^(?:click|tap)\ here(?-u:\b)|^klicken\ sie\ hier(?-u:\b)|(?-u:\b)subscribe\ (?:to|for|now|today|here)(?-u:\b)|(?-u:\b)sign\ up\ (?:for|to|now|today)(?-u:\b)[^.!?]*(?-u:\b)newsletter
        | (?-u:\b)newsletter(?-u:\b)[^.!?]*(?-u:\b)(?:sign\ up|subscribe|abonnieren|anmelden|inscri\w*|suscr\w*)(?-u:\b)
        | (?-u:\b)follow\ us(?-u:\b)|(?-u:\b)folg(?:en\ sie|t|e)\ uns(?-u:\b)|(?-u:\b)suivez-nous(?-u:\b)|(?-u:\b)síguenos(?-u:\b)
        | (?-u:\b)teilen\ sie\ (?:dies|diesen|den|das|ihn|ihn)(?-u:\b)
        | (?-u:\b)(?:artikel|beitrag|seite|inhalt)\ (?:teilen|drucken|versenden|empfehlen|merken|ausdrucken)(?-u:\b)
        | (?-u:\b)jetzt\ (?:teilen|abonnieren|anmelden|registrieren)(?-u:\b)
        | (?-u:\b)abonnier\w*\ (?:sie\ )?(?:unseren|den|jetzt|unsere)(?-u:\b)|(?-u:\b)melden\ sie\ sich(?-u:\b)[^.!?]*(?-u:\b)newsletter
        | (?-u:\b)(?:gib|geben\ sie)\ (?:deine|ihre)\ e-?mail|(?-u:\b)enter\ your\ e-?mail
        | (?-u:\b)partagez\ (?:cet|cette|sur)(?-u:\b)|(?-u:\b)abonnez-vous(?-u:\b)|(?-u:\b)inscrivez-vous\ à\ (?:notre|la)\ newsletter
        | (?-u:\b)comparte\ (?:este|esta|en)(?-u:\b)|(?-u:\b)suscríbete\ a(?-u:\b)
        ",
    )
    .expect("cta regex")
});

fn word_set(words: &'static [&'static str]) -> std::collections::HashSet<&'static str> {
    words.iter().copied().collect()
}

type WordSet = std::collections::HashSet<&'static str>;

static CTA_ACTIONS: LazyLock<WordSet> = LazyLock::new(|| {
    word_set(&[
        "share",
        "shares",
        "sharing",
        "shareable",
        "sharen",
        "tweet",
        "tweets",
        "retweet",
        "print",
        "drucken",
        "druckansicht",
        "druckversion",
        "ausdrucken",
        "teilen",
        "teile",
        "partager",
        "partagez",
        "partage",
        "compartir",
        "comparte",
        "compartilhar",
        "condividi",
        "delen",
        "udostępnij",
        "imprimer",
        "imprimir",
        "stampa",
        "subscribe",
        "abonnieren",
        "abonniere",
        "abonnez",
        "abonner",
        "suscribir",
        "suscribirse",
        "suscríbete",
        "newsletter",
        "follow",
        "folgen",
        "folge",
        "folgt",
        "suivez",
        "síguenos",
        "weiterempfehlen",
        "empfehlen",
        "recommend",
        "bookmark",
        "merken",
        "versenden",
    ])
});

static CTA_SOCIAL: LazyLock<WordSet> = LazyLock::new(|| {
    word_set(&[
        "facebook",
        "twitter",
        "whatsapp",
        "pinterest",
        "linkedin",
        "xing",
        "reddit",
        "tumblr",
        "telegram",
        "instagram",
        "youtube",
        "messenger",
        "flipboard",
        "pocket",
        "mastodon",
        "bluesky",
        "vk",
        "weibo",
        "wechat",
        "rss",
        "mail",
        "email",
        "sms",
        "skype",
        "digg",
        "delicious",
        "stumbleupon",
        "tiktok",
        "threads",
        "googleplus",
    ])
});

static CTA_FILLER: LazyLock<WordSet> = LazyLock::new(|| {
    word_set(&[
        // en
        "this",
        "these",
        "the",
        "a",
        "an",
        "it",
        "is",
        "us",
        "to",
        "on",
        "via",
        "with",
        "by",
        "for",
        "and",
        "or",
        "your",
        "our",
        "friends",
        "now",
        "here",
        "article",
        "post",
        "page",
        "story",
        "link",
        "e",
        "me",
        "google",
        "x",
        "plus",
        // de
        "dies",
        "diesen",
        "dieses",
        "diese",
        "den",
        "die",
        "das",
        "der",
        "artikel",
        "beitrag",
        "seite",
        "auf",
        "per",
        "mit",
        "bei",
        "jetzt",
        "hier",
        "uns",
        "und",
        "oder",
        "sie",
        "ihren",
        "freunden",
        "deinen",
        "version",
        // fr
        "cet",
        "cette",
        "ce",
        "la",
        "le",
        "les",
        "sur",
        "par",
        "avec",
        "vos",
        "amis",
        "nous",
        "l",
        "et",
        "ou",
        // es
        "este",
        "esta",
        "artículo",
        "página",
        "con",
        "en",
        "el",
        "los",
        "las",
        "tus",
        "amigos",
        "y",
        "o",
        "nos",
        "por",
    ])
});

/// A short line made only of share/print/follow words, social network names and filler
/// ("Share this:", "Teilen Sie dies mit:", "Facebook Twitter WhatsApp E-Mail", "This article
/// is shareable").
fn cta_vocabulary(norm: &str) -> bool {
    let mut action = false;
    let mut n = 0;
    for w in words_of(norm) {
        n += 1;
        if CTA_ACTIONS.contains(w) || CTA_SOCIAL.contains(w) {
            action = true;
        } else if !CTA_FILLER.contains(w) {
            return false;
        }
    }
    action && n > 0
}

// ---------------------------------------------------------------------------------------------
// navigation

const HOME_WORDS: &[&str] = &[
    "home",
    "homepage",
    "home page",
    "startseite",
    "start",
    "accueil",
    "inicio",
    "hauptseite",
    "portada",
    "strona główna",
    "home page",
];

/// Breadcrumbs ("Home > News > World", "Startseite » Politik") and menu rows ("Home | About |
/// Contact", "Impressum · Datenschutz · Kontakt"). A menu row needs at least one segment that is
/// a known navigation item, so a flattened table row ("200 g | Zucker | 3 €") is not one.
fn navigation(low: &str) -> Option<LineClass> {
    const SEPS: &[char] = &[
        '|', '>', '»', '›', '•', '·', '/', '\\', '◦', '∙', '‧', '¦', '→',
    ];
    if !low.contains(SEPS) {
        return nav_word_row(low);
    }
    let segments: Vec<&str> = low
        .split(|c: char| SEPS.contains(&c))
        .map(trim_symbols)
        .filter(|s| !s.is_empty())
        .collect();
    if segments.len() < 2 {
        return None;
    }
    let seg_words = |s: &str| s.split(' ').count();
    let first = segments[0];
    let is_breadcrumb_sep = low.contains(['>', '»', '›', '/', '|', '→']);
    if is_breadcrumb_sep
        && HOME_WORDS.contains(&first)
        && segments.iter().all(|s| seg_words(s) <= 8)
        // "Home / Garden" in a sentence would have a sentence end.
        && !low.trim_end().ends_with(['.', '?', '!'])
    {
        return LineClass::everywhere(JunkKind::Navigation);
    }
    // "ZfK.de > Energie > Wärme": three or more short segments joined by arrows.
    if segments.len() >= 3
        && !low.contains(['|', '•', '·', '/', '\\', '◦', '∙', '‧', '¦'])
        && segments
            .iter()
            .all(|s| seg_words(s) <= 4 && s.chars().any(char::is_alphabetic))
        && !low.trim_end().ends_with(['.', '?', '!'])
        && !low.contains(['?', '!', ';', '='])
    {
        return LineClass::edge(JunkKind::Navigation);
    }
    let known = segments
        .iter()
        .filter(|s| EXACT.get(*s).is_some_and(|k| *k != JunkKind::Credit))
        .count();
    if segments.len() >= 3
        && segments.iter().all(|s| seg_words(s) <= 4)
        && known >= 2
        && known * 2 >= segments.len()
        && !low.contains(['.', '?', '!', ';'])
    {
        return LineClass::edge(JunkKind::Navigation);
    }
    if known == segments.len() {
        return LineClass::edge(JunkKind::Navigation);
    }
    None
}

/// A row of navigation items without separators ("Impressum Datenschutz Kontakt").
fn nav_word_row(low: &str) -> Option<LineClass> {
    static SINGLE: LazyLock<WordSet> = LazyLock::new(|| {
        EXACT
            .iter()
            .filter(|(k, v)| {
                !k.contains(' ')
                    && matches!(v, JunkKind::Navigation | JunkKind::CallToAction)
                    && k.chars().count() >= 4
            })
            .map(|(k, _)| *k)
            .collect()
    });
    let mut n = 0;
    for w in low.split(' ') {
        let w = trim_symbols(w);
        if w.is_empty() {
            continue;
        }
        if !SINGLE.contains(w) {
            return None;
        }
        n += 1;
    }
    (n >= 2).then_some(LineClass {
        kind: JunkKind::Navigation,
        anywhere: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<JunkKind> {
        classify(line).map(|c| c.kind)
    }

    #[test]
    fn ads_txt_records() {
        for l in [
            ", pub-5167539840471953, DIRECT, f08c47fec0942fa0",
            "google.com, pub-1234567890123456, DIRECT, f08c47fec0942fa0",
            "appnexus.com, 1234, RESELLER",
            "rubiconproject.com, 12345, reseller, 0bfd66d529a55807 # banner",
            "contact=ads@example.com",
            "OWNERDOMAIN=example.com",
        ] {
            assert_eq!(kind(l), Some(JunkKind::AdsTxt), "{l}");
            assert!(classify(l).unwrap().anywhere);
        }
        assert_eq!(kind("We sell direct, without a reseller, to you."), None);
        assert_eq!(kind("Direct, honest and cheap."), None);
    }

    #[test]
    fn urls_and_emails() {
        assert_eq!(kind("https://example.com/a/b?c=d"), Some(JunkKind::LoneUrl));
        assert_eq!(kind("www.example.org"), Some(JunkKind::LoneUrl));
        assert_eq!(kind("<http://example.com/x>"), Some(JunkKind::LoneUrl));
        assert_eq!(kind("info@example.de"), Some(JunkKind::Email));
        assert_eq!(kind("E-Mail: info@example.de"), Some(JunkKind::Email));
        assert_eq!(kind("See https://example.com for details."), None);
        assert_eq!(kind("http"), None);
    }

    #[test]
    fn cookie_banners() {
        for l in [
            "We use cookies to improve your experience. By continuing to browse you agree.",
            "Diese Website verwendet Cookies, um Ihnen den bestmöglichen Service zu bieten.",
            "Wir verwenden Cookies.",
            "Ce site utilise des cookies.",
            "Utilizamos cookies propias y de terceros.",
            "korzystamy z cookies.",
            "Alle Cookies akzeptieren",
            "Ich bin damit einverstanden",
        ] {
            assert_eq!(kind(l), Some(JunkKind::CookieBanner), "{l}");
        }
        assert_eq!(
            kind("Many websites track their visitors with third-party cookies, the report says."),
            None
        );
        assert_eq!(kind("Bake the cookies for 12 minutes."), None);
    }

    #[test]
    fn navigation_lines() {
        for l in [
            "Home > News > World",
            "Startseite » Politik » Ausland",
            "Home | About | Contact",
            "Impressum · Datenschutz · Kontakt",
            "Impressum Datenschutz Kontakt",
            "Impressum",
            "Nach oben",
            "Zurück zur Übersicht",
        ] {
            assert_eq!(kind(l), Some(JunkKind::Navigation), "{l}");
        }
        assert_eq!(kind("200 g | Zucker | 3 €"), None);
        assert_eq!(kind("Li-Seifen/Mineralöl"), None);
        assert_eq!(kind("Eingang | Küche | Bad"), None);
    }

    #[test]
    fn calls_to_action_and_lists() {
        for l in [
            "Share this:",
            "Teilen Sie dies mit:",
            "Facebook Twitter WhatsApp E-Mail",
            "This article is shareable\u{a0}",
            "Diesen Artikel teilen",
            "Folgen Sie uns",
            "Subscribe to our newsletter to get the latest news.",
            "Partager",
            "Compartir",
        ] {
            assert_eq!(kind(l), Some(JunkKind::CallToAction), "{l}");
        }
        for l in [
            "Tags: Politik, Wirtschaft",
            "Ähnliche Beiträge",
            "Das könnte Sie auch interessieren",
            "Read more: Why the sky is blue",
            "Mehr zum Thema",
        ] {
            assert_eq!(kind(l), Some(JunkKind::RelatedLinks), "{l}");
        }
        assert_eq!(kind("Den Teig in zwei Hälften teilen."), None);
        assert_eq!(kind("auf Foren und Blogs, teilen Sie"), None);
        assert_eq!(
            kind("The algorithm allows printers to deliver high-quality results"),
            None
        );
    }

    #[test]
    fn copyright_and_donations() {
        for l in [
            "© 2020 Example GmbH",
            "Copyright 2019 by Someone",
            "Alle Rechte vorbehalten.",
            "All rights reserved.",
            "Tous droits réservés",
        ] {
            assert_eq!(kind(l), Some(JunkKind::Copyright), "{l}");
        }
        for l in [
            "Please Contribute via \u{a0}GoGetFunding",
            "Every dollar helps. Contributions help keep the site active and help support the author (and his medical bills)",
            "Support independent journalism: donate today.",
            "Please support us with a small monthly amount.",
            "Consider supporting our work with a donation.",
            "If you value our reporting, please consider a small donation.",
            "Help keep this site free: donate now.",
            "Wenn Ihnen dieser Artikel gefallen hat, freuen wir uns über eine Spende.",
            "Jetzt spenden und unabhängigen Journalismus sichern!",
            "Vous pouvez nous soutenir sur Tipeee.",
            "Unser Magazin ist spendenfinanziert!",
            "Support us via PayPal.",
            "Bitte unterstützen Sie unsere Arbeit mit einer Spende.",
            "You can support us on Patreon.",
        ] {
            assert_eq!(kind(l), Some(JunkKind::DonationAppeal), "{l}");
        }
        for l in [
            "We want to give a great big thank you to Atlantis particularly Dolphin Cay for this great donation of",
            "The company donated $1 million to the Red Cross.",
            "In lieu of flowers, donations may be made to the hospice.",
            "The government will support the farmers with new funding.",
            "“You can help our community by volunteering,” she said.",
            "“Please donate to the food bank,” the mayor urged residents.",
            "You can support our local team at the game on Saturday.",
            "Please support local businesses this holiday season.",
            "The grant will fund independent journalism in rural counties.",
            "Donations help the shelter feed 200 animals a day.",
            "The company announced a partnership with PayPal.",
            "Dona Ana County officials said the road will reopen.",
            "She wants to become a member of the city council.",
        ] {
            assert_eq!(kind(l), None, "{l}");
        }
    }

    #[test]
    fn dates() {
        for l in [
            "31. Mai",
            "03.04.2020",
            "19:49",
            "3:59 PM",
            "March 3, 2021",
            "Veröffentlicht am 3. Mai 2020, 14:00 Uhr",
            "Montag, 3. Mai 2021",
            "2021-05-03",
        ] {
            assert!(is_date_line(&lower_collapsed(l)), "{l}");
        }
        assert!(!is_date_line("3 mai 2021 war ein schöner tag"));
        assert!(!is_date_line("200 g zucker"));
    }

    #[test]
    fn prose_is_never_junk() {
        for l in [
            "The Belarusian Defense Ministry said on Saturday the first train carrying Russian servicemen had arrived in the country.",
            "Die GEMA dreht völlig am Zeiger!",
            "Wir bearbeiten alle Leistungsbilder",
            "Kapitel 121 ist",
            "Ein Backblech mit Backpapier auslegen.",
            "",
            "   ",
        ] {
            assert_eq!(kind(l), None, "{l}");
        }
    }
}
