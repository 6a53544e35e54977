//! `thresher sites`: which sites are run by the same operator. Sites (domains) that share an
//! ad or analytics account id (`metadata.provenance`, from the `provenance` step) are grouped;
//! with a `thresher dedup minhash` output, the sites whose pages are near-duplicates of each
//! other's are listed too.

use crate::runner::io_err;
use crate::site_boilerplate::site_of;
use crate::RunError;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use thresher_core::Document;
use thresher_io::{ReadEvent, ReadOptions};

/// A group of sites linked by shared account ids.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SiteGroup {
    /// The sites, sorted.
    pub sites: Vec<String>,
    /// The account ids that link them (each shared by at least two of the sites).
    pub shared_ids: Vec<String>,
    /// Documents of these sites read.
    pub documents: u64,
}

/// Two sites with near-duplicate pages.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SharedContent {
    /// The site of the removed copies.
    pub site: String,
    /// The site of the kept documents they duplicate.
    pub duplicate_of_site: String,
    /// How many removed documents of `site` duplicate a document of `duplicate_of_site`.
    pub documents: u64,
}

/// An id on so many sites that it belongs to a platform (a blog host's own ad account), not to
/// an operator: not used for grouping.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlatformId {
    /// The id (`kind:value`).
    pub id: String,
    /// On how many sites it was found.
    pub sites: u64,
}

/// The report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SitesReport {
    /// Documents read.
    pub documents: u64,
    /// Distinct sites.
    pub sites: u64,
    /// Sites with at least one account id.
    pub sites_with_ids: u64,
    /// Ids found on more than `max_sites_per_id` sites, left out of the grouping.
    pub platform_ids: Vec<PlatformId>,
    /// Groups of two or more sites sharing account ids, largest first.
    pub groups: Vec<SiteGroup>,
    /// Site pairs with near-duplicate pages (from a MinHash dedup output), most first.
    pub shared_content: Vec<SharedContent>,
}

impl SitesReport {
    /// The report as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn ids_of(doc: &Document) -> Vec<String> {
    let Some(Value::Object(p)) = doc.metadata.extra.get("provenance") else {
        return Vec::new();
    };
    let mut ids = Vec::new();
    for (kind, list) in p {
        if let Value::Array(items) = list {
            ids.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|v| format!("{kind}:{v}")),
            );
        }
    }
    ids
}

fn for_each_doc(inputs: &[String], mut f: impl FnMut(Document, bool)) -> Result<(), RunError> {
    for shard in thresher_io::discover(inputs)? {
        let rejected = shard
            .input
            .path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "rejects");
        for event in thresher_io::open(&shard.input, &ReadOptions::default())? {
            if let ReadEvent::Doc(d) = event {
                f(*d, rejected);
            }
        }
    }
    Ok(())
}

/// Builds the report from documents (`inputs`: JSONL/Parquet outputs of a pipeline with the
/// `provenance` step) and, optionally, the output folder of `thresher dedup minhash`
/// (kept documents and `rejects/`, whose `duplicate_of` names the kept document). An id found
/// on more than `max_sites_per_id` sites is taken for a platform's (e.g. a blog host's own ad
/// account) and not used to group.
pub fn sites_report(
    inputs: &[String],
    minhash_output: Option<&Path>,
    max_sites_per_id: usize,
) -> Result<SitesReport, RunError> {
    let mut report = SitesReport::default();
    let mut site_docs: HashMap<String, u64> = HashMap::new();
    let mut id_sites: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for_each_doc(inputs, |doc, _| {
        report.documents += 1;
        let Some(site) = site_of(&doc) else {
            return;
        };
        *site_docs.entry(site.clone()).or_default() += 1;
        for id in ids_of(&doc) {
            id_sites.entry(id).or_default().insert(site.clone());
        }
    })?;
    report.sites = site_docs.len() as u64;
    report.platform_ids = id_sites
        .iter()
        .filter(|(_, s)| s.len() > max_sites_per_id)
        .map(|(id, s)| PlatformId {
            id: id.clone(),
            sites: s.len() as u64,
        })
        .collect();
    report
        .platform_ids
        .sort_by_key(|p| std::cmp::Reverse(p.sites));
    id_sites.retain(|_, s| s.len() <= max_sites_per_id);
    let with_ids: BTreeSet<&String> = id_sites.values().flatten().collect();
    report.sites_with_ids = with_ids.len() as u64;

    // Union-find over sites, joined by every id two or more sites share.
    let names: Vec<String> = with_ids.into_iter().cloned().collect();
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for sites in id_sites.values().filter(|s| s.len() > 1) {
        let mut it = sites.iter().map(|s| index[s.as_str()]);
        if let Some(first) = it.next() {
            for other in it {
                let (a, b) = (find(&mut parent, first), find(&mut parent, other));
                if a != b {
                    parent[b] = a;
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, SiteGroup> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        let g = groups.entry(find(&mut parent, i)).or_insert(SiteGroup {
            sites: Vec::new(),
            shared_ids: Vec::new(),
            documents: 0,
        });
        g.sites.push(name.clone());
        g.documents += site_docs.get(name).copied().unwrap_or(0);
    }
    for (id, sites) in id_sites.iter().filter(|(_, s)| s.len() > 1) {
        if let Some(first) = sites.iter().next() {
            let root = find(&mut parent, index[first.as_str()]);
            if let Some(g) = groups.get_mut(&root) {
                g.shared_ids.push(id.clone());
            }
        }
    }
    report.groups = groups.into_values().filter(|g| g.sites.len() > 1).collect();
    for g in &mut report.groups {
        g.sites.sort();
    }
    report.groups.sort_by(|a, b| {
        b.sites
            .len()
            .cmp(&a.sites.len())
            .then(a.sites.cmp(&b.sites))
    });

    if let Some(dir) = minhash_output {
        if !dir.is_dir() {
            return Err(io_err(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            ));
        }
        let spec = vec![dir.display().to_string()];
        let mut site_of_id: HashMap<String, String> = HashMap::new();
        let mut removed: Vec<(String, String)> = Vec::new();
        for_each_doc(&spec, |doc, rejected| {
            let site = site_of(&doc).unwrap_or_default();
            if rejected {
                if let Some(of) = doc
                    .metadata
                    .extra
                    .get("duplicate_of")
                    .and_then(Value::as_str)
                {
                    removed.push((site, of.to_string()));
                }
            } else {
                site_of_id.insert(doc.id, site);
            }
        })?;
        let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
        for (site, of) in removed {
            if let Some(kept_site) = site_of_id.get(&of) {
                if *kept_site != site && !site.is_empty() && !kept_site.is_empty() {
                    *pairs.entry((site, kept_site.clone())).or_default() += 1;
                }
            }
        }
        report.shared_content = pairs
            .into_iter()
            .map(|((site, duplicate_of_site), documents)| SharedContent {
                site,
                duplicate_of_site,
                documents,
            })
            .collect();
        report
            .shared_content
            .sort_by_key(|c| std::cmp::Reverse(c.documents));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, docs: &[Value]) -> String {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let text: String = docs.iter().map(|d| format!("{d}\n")).collect();
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    #[test]
    fn sites_sharing_ids_or_content_are_grouped() {
        let dir = tempfile::tempdir().unwrap();
        let doc = |id: &str, domain: &str, ids: Value| serde_json::json!({"id": id, "text": "t", "metadata": {"domain": domain, "provenance": ids}});
        let docs = [
            doc(
                "1",
                "www.a.example",
                serde_json::json!({"adsense_publisher": ["pub-1"]}),
            ),
            doc(
                "2",
                "b.example",
                serde_json::json!({"adsense_publisher": ["pub-1"], "gtm": ["GTM-X"]}),
            ),
            doc("3", "c.example", serde_json::json!({"gtm": ["GTM-X"]})),
            doc("4", "d.example", serde_json::json!({"gtm": ["GTM-Y"]})),
            doc("5", "e.example", Value::Null),
        ];
        let input = write(dir.path(), "docs.jsonl", &docs);
        let mh = dir.path().join("mh");
        write(
            &mh,
            "part.jsonl",
            &[serde_json::json!({"id": "k", "text": "x", "metadata": {"domain": "a.example"}})],
        );
        write(
            &mh,
            "rejects/part.jsonl",
            &[
                serde_json::json!({"id": "r1", "text": "x", "metadata": {"domain": "e.example", "duplicate_of": "k"}}),
                serde_json::json!({"id": "r2", "text": "x", "metadata": {"domain": "e.example", "duplicate_of": "k"}}),
            ],
        );
        let r = sites_report(std::slice::from_ref(&input), Some(&mh), 10).unwrap();
        assert_eq!((r.documents, r.sites, r.sites_with_ids), (5, 5, 4));
        assert_eq!(r.groups.len(), 1);
        assert_eq!(r.groups[0].sites, ["a.example", "b.example", "c.example"]);
        assert_eq!(
            r.groups[0].shared_ids,
            ["adsense_publisher:pub-1", "gtm:GTM-X"]
        );
        assert_eq!(
            r.shared_content,
            [SharedContent {
                site: "e.example".into(),
                duplicate_of_site: "a.example".into(),
                documents: 2
            }]
        );
        // With at most 2 sites per id, GTM-X (on b and c) still groups, pub-1 (a, b) too.
        let r = sites_report(std::slice::from_ref(&input), None, 1).unwrap();
        assert!(r.groups.is_empty());
        assert_eq!(r.platform_ids.len(), 2);
    }
}
