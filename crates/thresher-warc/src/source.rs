//! The byte layer under the record parser: a buffered reader that turns a file, plain or
//! gzipped, into one decompressed byte stream, and keeps the bookkeeping the record parser
//! needs to report positions and recover from damage.
//!
//! Gzip is detected by the magic bytes `1f 8b` at the start of the file, never by the file
//! name. Each gzip member is inflated with its own zlib-rs state (gzip mode, so header, CRC-32
//! and length are checked by zlib); members follow each other without a gap in the
//! decompressed stream, so per-record gzip, one member for the whole file and anything in
//! between all read the same way.
//!
//! A member that fails to inflate (corrupt data, CRC mismatch, cut short) is a *break*: the
//! data it produced before the failure is still delivered, then [`Source::fill_buf`] returns
//! an empty slice, as at end of file, until the parser calls [`Source::clear_break`]. The
//! parser thereby sees where the damaged data ends and does not glue the start of a record
//! from the damaged member to bytes of the next one. At the moment of the failure the source
//! has already looked for the next gzip header, starting one byte after the damaged member's
//! start (a truncated member is usually followed by a good one that the inflater ran into),
//! and reading goes on from there after the break is cleared.

use flate2::{Decompress, FlushDecompress, Status};
use std::collections::VecDeque;
use std::io::{self, Read, Seek, SeekFrom};

/// Compressed input buffer size. Large enough that the inflater is called on big slices.
const IN_BUF: usize = 64 * 1024;
/// Decompressed buffer size.
const OUT_BUF: usize = 128 * 1024;
/// Gzip magic plus the only compression method gzip defines (deflate).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// How the file is stored, as detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// Gzip: one member per record, one for the whole file, or anything in between.
    Gzip,
}

/// A problem the byte layer found: damaged compression or a read error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceProblem {
    /// Offset in the file (compressed) where the problem lies.
    pub offset: u64,
    /// What was wrong and what was skipped.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GzState {
    /// Between members: the next bytes should be a gzip header or the end of the file.
    Between,
    /// Inside a member.
    Member,
    /// A member failed; nothing more is decoded until the parser clears the break.
    Broken,
}

/// A gzip member that started in the decompressed stream.
#[derive(Debug, Clone, Copy)]
struct MemberStart {
    /// Decompressed offset of the member's first output byte.
    decoded: u64,
    /// Compressed offset of the member's header.
    compressed: u64,
    /// Whether a record has already been attributed to this member.
    used: bool,
}

/// Buffered, decompressing reader with break and member bookkeeping; see the module docs.
pub(crate) struct Source<R> {
    inner: R,
    /// `None` until the first bytes have been looked at.
    compression: Option<Compression>,
    // Compressed input (gzip only).
    inbuf: Box<[u8]>,
    in_pos: usize,
    in_end: usize,
    /// File offset of `inbuf[in_end]`, i.e. bytes taken from `inner` so far.
    in_file_pos: u64,
    in_eof: bool,
    // Decompressed (or, for plain files, raw) bytes.
    out: Box<[u8]>,
    out_pos: usize,
    out_end: usize,
    /// Decompressed offset of `out[0]`.
    out_base: u64,
    /// No more bytes will ever come (end of file or unrecoverable read error).
    done: bool,
    // Gzip state.
    gz: GzState,
    inflater: Option<Decompress>,
    member_compressed_start: u64,
    members: VecDeque<MemberStart>,
    problems: VecDeque<SourceProblem>,
}

impl<R: Read + Seek> Source<R> {
    pub(crate) fn new(inner: R) -> Self {
        Source {
            inner,
            compression: None,
            inbuf: Box::default(),
            in_pos: 0,
            in_end: 0,
            in_file_pos: 0,
            in_eof: false,
            out: vec![0u8; OUT_BUF].into_boxed_slice(),
            out_pos: 0,
            out_end: 0,
            out_base: 0,
            done: false,
            gz: GzState::Between,
            inflater: None,
            member_compressed_start: 0,
            members: VecDeque::new(),
            problems: VecDeque::new(),
        }
    }

    /// The detected compression (detecting it now if nothing was read yet).
    pub(crate) fn compression(&mut self) -> Compression {
        self.detect();
        self.compression.unwrap_or(Compression::None)
    }

    /// Decompressed offset of the next unread byte.
    pub(crate) fn pos(&self) -> u64 {
        self.out_base + self.out_pos as u64
    }

    /// The offset to report for a record whose first byte is at decompressed offset `pos`:
    /// the compressed offset of its gzip member when it is the first record starting in that
    /// member (what CDX indexes record for per-record gzip), else `pos` itself.
    pub(crate) fn record_offset(&mut self, pos: u64) -> u64 {
        while self.members.len() >= 2 && self.members[1].decoded <= pos {
            self.members.pop_front();
        }
        match self.members.front_mut() {
            Some(m) if m.decoded <= pos && !m.used => {
                m.used = true;
                m.compressed
            }
            _ => pos,
        }
    }

    /// Takes the next problem found by the byte layer, if any.
    pub(crate) fn take_problem(&mut self) -> Option<SourceProblem> {
        self.problems.pop_front()
    }

    /// Whether reading stopped at a damaged gzip member (see the module docs).
    pub(crate) fn at_break(&self) -> bool {
        self.gz == GzState::Broken && self.out_pos >= self.out_end
    }

    /// Resumes after a break, with the next gzip member found when the break happened.
    pub(crate) fn clear_break(&mut self) {
        if self.gz == GzState::Broken {
            self.gz = GzState::Between;
        }
    }

    /// The buffered bytes, reading more if none are buffered. Empty at end of file and at a
    /// break. Never fails: read errors become problems and end the stream.
    pub(crate) fn fill_buf(&mut self) -> &[u8] {
        if self.out_pos >= self.out_end {
            self.out_base += self.out_end as u64;
            self.out_pos = 0;
            self.out_end = 0;
            self.fill_more();
        }
        self.out.get(self.out_pos..self.out_end).unwrap_or(&[])
    }

    /// Marks `n` buffered bytes as read.
    pub(crate) fn consume(&mut self, n: usize) {
        self.out_pos = (self.out_pos + n).min(self.out_end);
    }

    /// Looks at the first bytes of the file to choose plain or gzip reading.
    fn detect(&mut self) {
        if self.compression.is_some() {
            return;
        }
        // Read the start of the file into the compressed buffer; for a plain file those bytes
        // are moved to the output buffer below.
        self.inbuf = vec![0u8; IN_BUF].into_boxed_slice();
        while self.in_end < 2 && !self.in_eof {
            self.read_input();
        }
        let head = self.inbuf.get(self.in_pos..self.in_end).unwrap_or(&[]);
        if head.starts_with(&GZIP_MAGIC[..2]) {
            self.compression = Some(Compression::Gzip);
        } else {
            self.compression = Some(Compression::None);
            let n = head.len().min(self.out.len());
            self.out[..n].copy_from_slice(&head[..n]);
            self.out_end = n;
            self.in_pos = 0;
            self.in_end = 0;
            // The compressed buffer is not needed for plain files.
            self.inbuf = Box::default();
            if self.in_eof {
                self.done = true;
            }
        }
    }

    /// Appends decoded bytes at `out[out_end..]`; appends nothing at end of file or at a break.
    fn fill_more(&mut self) {
        self.detect();
        if self.done || self.out_end >= self.out.len() {
            return;
        }
        match self.compression {
            Some(Compression::Gzip) => self.fill_gzip(),
            _ => self.fill_plain(),
        }
    }

    fn fill_plain(&mut self) {
        loop {
            let Some(dst) = self.out.get_mut(self.out_end..) else {
                return;
            };
            match self.inner.read(dst) {
                Ok(0) => {
                    self.done = true;
                    return;
                }
                Ok(n) => {
                    self.out_end += n.min(dst.len());
                    self.in_file_pos += n as u64;
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.read_error(e);
                    return;
                }
            }
        }
    }

    /// An I/O error ends the stream: there is no way to know what the file holds beyond it.
    fn read_error(&mut self, e: io::Error) {
        self.problems.push_back(SourceProblem {
            offset: self.in_file_pos,
            message: format!("read error, rest of file skipped: {e}"),
        });
        self.done = true;
        self.in_eof = true;
    }

    /// Reads more compressed input into `inbuf[in_end..]`, compacting first if needed.
    /// Returns the number of bytes read (0 at end of file or on error).
    fn read_input(&mut self) -> usize {
        if self.in_eof {
            return 0;
        }
        if self.in_end == self.inbuf.len() {
            self.inbuf.copy_within(self.in_pos..self.in_end, 0);
            self.in_end -= self.in_pos;
            self.in_pos = 0;
        }
        loop {
            let Some(dst) = self.inbuf.get_mut(self.in_end..) else {
                return 0;
            };
            if dst.is_empty() {
                return 0;
            }
            match self.inner.read(dst) {
                Ok(0) => {
                    self.in_eof = true;
                    return 0;
                }
                Ok(n) => {
                    let n = n.min(dst.len());
                    self.in_end += n;
                    self.in_file_pos += n as u64;
                    return n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.read_error(e);
                    return 0;
                }
            }
        }
    }

    /// File offset of `inbuf[in_pos]`.
    fn in_offset(&self) -> u64 {
        self.in_file_pos - (self.in_end - self.in_pos) as u64
    }

    /// Makes at least `n` compressed bytes available unless the file ends first.
    fn ensure_input(&mut self, n: usize) -> usize {
        while self.in_end - self.in_pos < n {
            if self.read_input() == 0 {
                break;
            }
        }
        self.in_end - self.in_pos
    }

    fn fill_gzip(&mut self) {
        loop {
            match self.gz {
                GzState::Broken => return,
                GzState::Between => {
                    if !self.start_member() {
                        return;
                    }
                }
                GzState::Member => {
                    if self.inflate_some() {
                        return;
                    }
                }
            }
        }
    }

    /// At a member boundary: starts the next member, or skips non-gzip bytes to one.
    /// Returns `false` when the file is exhausted.
    fn start_member(&mut self) -> bool {
        let avail = self.ensure_input(GZIP_MAGIC.len() + 1);
        if avail == 0 {
            self.done = true;
            return false;
        }
        if !self.looks_like_member_start() {
            // Bytes between members that are not gzip: report them once and look for the
            // next member. The decoded stream has no gap, so this is not a break.
            let from = self.in_offset();
            let found = self.scan_for_member();
            let skipped = self.in_offset() - from;
            let message = if found {
                format!("{skipped} bytes of non-gzip data between gzip members skipped")
            } else {
                format!("{skipped} bytes of non-gzip data at the end of the file skipped")
            };
            self.problems.push_back(SourceProblem {
                offset: from,
                message,
            });
            if !found {
                self.done = true;
                return false;
            }
        }
        self.member_compressed_start = self.in_offset();
        self.members.push_back(MemberStart {
            decoded: self.out_base + self.out_end as u64,
            compressed: self.member_compressed_start,
            used: false,
        });
        // Keep the table short: entries behind the parser are dropped in `record_offset`,
        // but a file of empty members must not grow it without bound either.
        while self.members.len() > 1024 {
            self.members.pop_front();
        }
        match self.inflater.as_mut() {
            // zlib-rs re-creates gzip-mode state on reset; fine, members are large.
            Some(d) => d.reset(true),
            None => self.inflater = Some(Decompress::new_gzip(15)),
        }
        self.gz = GzState::Member;
        true
    }

    /// Whether the compressed bytes at `in_pos` start a plausible gzip header.
    fn looks_like_member_start(&self) -> bool {
        let head = self.inbuf.get(self.in_pos..self.in_end).unwrap_or(&[]);
        if head.len() < 4 || !head.starts_with(&GZIP_MAGIC) {
            return false;
        }
        // Reserved flag bits must be zero; this weeds out most chance matches when scanning.
        head[3] & 0xe0 == 0
    }

    /// Advances `in_pos` to the next plausible gzip header. Returns `false` (with all input
    /// consumed) when there is none.
    fn scan_for_member(&mut self) -> bool {
        loop {
            if self.ensure_input(4) < 4 {
                // End of file (or a read error) with no room left for a header.
                self.in_pos = self.in_end;
                return false;
            }
            if self.looks_like_member_start() {
                return true;
            }
            let head = self.inbuf.get(self.in_pos + 1..self.in_end).unwrap_or(&[]);
            match memchr::memchr(GZIP_MAGIC[0], head) {
                Some(i) => self.in_pos += 1 + i,
                None => self.in_pos = self.in_end,
            }
        }
    }

    /// Runs the inflater once. Returns `true` when output was produced or the member ended
    /// with the output buffer full (caller returns), `false` to go round the state loop.
    fn inflate_some(&mut self) -> bool {
        if self.in_pos >= self.in_end && self.read_input() == 0 {
            let msg = if self.done {
                "read error inside gzip member"
            } else {
                "gzip member cut short (unexpected end of file)"
            };
            self.member_failed(msg.to_string());
            return true;
        }
        let Some(inflater) = self.inflater.as_mut() else {
            self.gz = GzState::Between;
            return false;
        };
        let input = self.inbuf.get(self.in_pos..self.in_end).unwrap_or(&[]);
        let Some(output) = self.out.get_mut(self.out_end..) else {
            return true;
        };
        let (in0, out0) = (inflater.total_in(), inflater.total_out());
        let res = inflater.decompress(input, output, FlushDecompress::None);
        let used = (inflater.total_in() - in0) as usize;
        let made = (inflater.total_out() - out0) as usize;
        self.in_pos = (self.in_pos + used).min(self.in_end);
        self.out_end = (self.out_end + made).min(self.out.len());
        match res {
            Ok(Status::StreamEnd) => {
                self.gz = GzState::Between;
                made > 0
            }
            Ok(_) if made > 0 => true,
            Ok(_) if used > 0 => false,
            Ok(_) => {
                // No progress with input available: the inflater wants more input than the
                // buffer holds right now. Read more; at end of file the member is cut short.
                if self.read_input() == 0 {
                    self.member_failed("gzip member cut short (unexpected end of file)".into());
                    return true;
                }
                false
            }
            Err(e) => {
                // zlib-rs reports some data errors found on its fast path only as "repeated
                // call with bad state"; say what it means.
                let detail = match e.message() {
                    Some(m) if !m.contains("repeated call") => m.to_string(),
                    _ => "invalid compressed data".to_string(),
                };
                self.member_failed(format!("corrupt gzip member ({detail})"));
                true
            }
        }
    }

    /// Records a damaged member, finds the next member header after its start and breaks.
    fn member_failed(&mut self, what: String) {
        let start = self.member_compressed_start;
        let resync_from = start + 1;
        let seeked = !self.done && self.inner.seek(SeekFrom::Start(resync_from)).is_ok();
        let mut note = String::new();
        if seeked {
            self.in_pos = 0;
            self.in_end = 0;
            self.in_file_pos = resync_from;
            self.in_eof = false;
        } else if !self.done {
            // Not seekable: look for the next member from where inflation stopped.
            note = " (input not seekable; searched from the failure point)".into();
        }
        let found = !self.done && self.scan_for_member();
        let message = if found {
            let next = self.in_offset();
            format!(
                "{what}; {} bytes skipped to the next gzip member at offset {next}{note}",
                next - start
            )
        } else {
            format!("{what}; no further gzip member, rest of file skipped{note}")
        };
        self.problems.push_back(SourceProblem {
            offset: start,
            message,
        });
        // Even when nothing follows, break: the parser must not take a record cut by the
        // damage for a complete one. Clearing the break then finds the end of the input.
        self.gz = GzState::Broken;
    }
}
