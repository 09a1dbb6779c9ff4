//! A small zip reader: the central directory, and a size-capped streaming inflater for one entry.
//!
//! Written here instead of using the `zip` crate so that every size is checked against our limits
//! before and while inflating, and so the Wasm build needs no `getrandom` or clock imports.

use std::cell::Cell;
use std::io::{self, BufRead, Read};

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

use crate::XlsxError;

const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const ZIP64_EXTRA_FIELD_ID: u16 = 0x0001;
const END_OF_CENTRAL_DIRECTORY_LEN: usize = 22;
const MAX_ZIP_COMMENT_LEN: usize = 0xffff;
const OLE_COMPOUND_FILE_MAGIC: [u8; 8] = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const FLAG_ENCRYPTED: u16 = 1;
/// Deflate's window is 32 KiB, so the ring buffer the inflater writes into must hold at least that.
const RING_BUFFER_BYTES: usize = 32 * 1024;
/// The compression ratio is only judged after this much output, so tiny parts never trip it.
const RATIO_GRACE_BYTES: u64 = 1024 * 1024;

/// The limits the zip layer enforces, copied from `ParseOptions`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ZipLimits {
    pub max_entries: u64,
    pub max_entry_uncompressed_bytes: u64,
    pub max_total_uncompressed_bytes: u64,
    pub max_compression_ratio: u64,
    /// Most bytes a reader may hand out between two calls of [`EntryReader::mark_token_start`].
    pub max_token_bytes: u64,
}

/// One file in the archive, as the central directory describes it.
#[derive(Debug)]
pub(crate) struct Entry {
    pub name: String,
    method: u16,
    flags: u16,
    compressed_size: u64,
    uncompressed_size: u64,
    local_header_offset: u64,
}

/// A zip archive held in memory, with a running total of the bytes inflated from it.
#[derive(Debug)]
pub(crate) struct Archive<'a> {
    input: &'a [u8],
    entries: Vec<Entry>,
    limits: ZipLimits,
    total_uncompressed_bytes: Cell<u64>,
}

impl<'a> Archive<'a> {
    /// Reads the central directory of `input`.
    pub fn new(input: &'a [u8], limits: ZipLimits) -> Result<Self, XlsxError> {
        if input.starts_with(&OLE_COMPOUND_FILE_MAGIC) {
            return Err(describe_ole_file(input));
        }
        let end_offset = find_end_of_central_directory(input).ok_or_else(|| {
            if input.starts_with(b"PK\x03\x04") {
                XlsxError::zip("truncated: end of central directory record not found")
            } else {
                XlsxError::zip("not a zip archive (an .xlsx file is one)")
            }
        })?;
        let end = &input[end_offset..];
        let mut entry_count = u64::from(le_u16(end, 10));
        let mut directory_size = u64::from(le_u32(end, 12));
        let mut directory_offset = u64::from(le_u32(end, 16));
        if end_offset >= 20 && le_u32(input, end_offset - 20) == ZIP64_LOCATOR_SIGNATURE {
            let zip64_end_offset = le_u64(input, end_offset - 20 + 8);
            let zip64_end = usize::try_from(zip64_end_offset)
                .ok()
                .and_then(|start| input.get(start..start.checked_add(56)?))
                .filter(|record| le_u32(record, 0) == ZIP64_END_SIGNATURE)
                .ok_or_else(|| {
                    XlsxError::zip("zip64 end of central directory record is missing")
                })?;
            entry_count = le_u64(zip64_end, 32);
            directory_size = le_u64(zip64_end, 40);
            directory_offset = le_u64(zip64_end, 48);
        }
        if entry_count > limits.max_entries {
            return Err(XlsxError::TooManyEntries {
                count: entry_count,
                limit: limits.max_entries,
            });
        }
        let directory = slice_at(input, directory_offset, directory_size)
            .ok_or_else(|| XlsxError::zip("central directory lies outside the file"))?;
        let entries = read_central_directory(directory, entry_count)?;
        Ok(Self {
            input,
            entries,
            limits,
            total_uncompressed_bytes: Cell::new(0),
        })
    }

    /// Finds an entry by part name: exactly first, then ignoring ASCII case as OPC part names do.
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.name == name)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|entry| entry.name.eq_ignore_ascii_case(name))
            })
    }

    /// Whether an entry with this name (compared as in [`Archive::find`]) exists.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Opens `entry` for streaming reads, refusing it up front when its declared size is over a limit.
    pub fn open(&'a self, entry: &'a Entry) -> Result<EntryReader<'a>, XlsxError> {
        if entry.flags & FLAG_ENCRYPTED != 0 {
            return Err(XlsxError::unsupported(format!(
                "zip entry {} is encrypted",
                entry.name
            )));
        }
        let entry_limit = self.limits.max_entry_uncompressed_bytes;
        if entry.uncompressed_size > entry_limit {
            return Err(XlsxError::EntryTooLarge {
                part: entry.name.clone(),
                limit_bytes: entry_limit,
            });
        }
        let total_limit = self.limits.max_total_uncompressed_bytes;
        if entry
            .uncompressed_size
            .saturating_add(self.total_uncompressed_bytes.get())
            > total_limit
        {
            return Err(XlsxError::TotalTooLarge {
                limit_bytes: total_limit,
            });
        }
        let data = self.entry_data(entry)?;
        let source = match entry.method {
            METHOD_STORED => Source::Stored { data, position: 0 },
            METHOD_DEFLATE => Source::Deflate(Box::new(Inflater {
                data,
                consumed: 0,
                // The decompressor is about 11 KiB; `Box::default` keeps the 32 KiB ring off the stack.
                decompressor: Box::default(),
                ring: vec![0; RING_BUFFER_BYTES],
                ring_position: 0,
                is_finished: false,
            })),
            method => {
                return Err(XlsxError::unsupported(format!(
                    "zip entry {} uses compression method {method}; only stored and deflate are read",
                    entry.name
                )));
            }
        };
        Ok(EntryReader {
            archive: self,
            entry,
            source,
            pending_start: 0,
            pending_end: 0,
            produced_bytes: 0,
            consumed_since_mark_bytes: 0,
            failure: None,
        })
    }

    /// The compressed bytes of `entry`, found through its local header.
    fn entry_data(&self, entry: &Entry) -> Result<&'a [u8], XlsxError> {
        let corrupt = || XlsxError::zip(format!("local header of {} is corrupt", entry.name));
        let header = slice_at(self.input, entry.local_header_offset, 30).ok_or_else(corrupt)?;
        if le_u32(header, 0) != LOCAL_HEADER_SIGNATURE {
            return Err(corrupt());
        }
        let variable_len = u64::from(le_u16(header, 26)) + u64::from(le_u16(header, 28));
        let data_offset = entry.local_header_offset + 30 + variable_len;
        slice_at(self.input, data_offset, entry.compressed_size).ok_or_else(|| {
            XlsxError::zip(format!(
                "truncated: data of {} runs past the end of the file",
                entry.name
            ))
        })
    }
}

/// Tells an encrypted OOXML package apart from a legacy `.xls`; both are OLE compound files.
fn describe_ole_file(input: &[u8]) -> XlsxError {
    let encryption_info_utf16: Vec<u8> = "EncryptionInfo"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let is_encrypted = input
        .windows(encryption_info_utf16.len())
        .any(|window| window == encryption_info_utf16.as_slice());
    if is_encrypted {
        XlsxError::unsupported(
            "password-protected (encrypted) .xlsx workbook; save it without a password",
        )
    } else {
        XlsxError::unsupported(
            "OLE compound file, probably a legacy .xls (BIFF) workbook; only .xlsx is read",
        )
    }
}

fn find_end_of_central_directory(input: &[u8]) -> Option<usize> {
    let last = input.len().checked_sub(END_OF_CENTRAL_DIRECTORY_LEN)?;
    let first = last.saturating_sub(MAX_ZIP_COMMENT_LEN);
    (first..=last).rev().find(|&offset| {
        le_u32(input, offset) == END_OF_CENTRAL_DIRECTORY_SIGNATURE
            && offset + END_OF_CENTRAL_DIRECTORY_LEN + usize::from(le_u16(input, offset + 20))
                <= input.len()
    })
}

fn read_central_directory(directory: &[u8], entry_count: u64) -> Result<Vec<Entry>, XlsxError> {
    let corrupt = || XlsxError::zip("central directory is corrupt");
    // Each record takes at least 46 bytes, which bounds the allocation by the input's size.
    let capacity = usize::try_from(entry_count)
        .unwrap_or(usize::MAX)
        .min(directory.len() / 46);
    let mut entries = Vec::with_capacity(capacity);
    let mut offset = 0usize;
    for _ in 0..entry_count {
        let header = directory.get(offset..offset + 46).ok_or_else(corrupt)?;
        if le_u32(header, 0) != CENTRAL_HEADER_SIGNATURE {
            return Err(corrupt());
        }
        let name_len = usize::from(le_u16(header, 28));
        let extra_len = usize::from(le_u16(header, 30));
        let comment_len = usize::from(le_u16(header, 32));
        let name_start = offset + 46;
        let extra_start = name_start + name_len;
        let name_bytes = directory.get(name_start..extra_start).ok_or_else(corrupt)?;
        let extra = directory
            .get(extra_start..extra_start + extra_len)
            .ok_or_else(corrupt)?;
        let mut entry = Entry {
            name: normalize_entry_name(name_bytes),
            method: le_u16(header, 10),
            flags: le_u16(header, 8),
            compressed_size: u64::from(le_u32(header, 20)),
            uncompressed_size: u64::from(le_u32(header, 24)),
            local_header_offset: u64::from(le_u32(header, 42)),
        };
        apply_zip64_extra(&mut entry, extra);
        entries.push(entry);
        offset = extra_start + extra_len + comment_len;
    }
    Ok(entries)
}

/// Zip64 stores the real value of every 32-bit field that reads `0xffff_ffff` in an extra field.
fn apply_zip64_extra(entry: &mut Entry, mut extra: &[u8]) {
    while extra.len() >= 4 {
        let id = le_u16(extra, 0);
        let len = usize::from(le_u16(extra, 2));
        let Some(body) = extra.get(4..4 + len) else {
            return;
        };
        if id == ZIP64_EXTRA_FIELD_ID {
            let mut values = body.chunks_exact(8).map(|chunk| le_u64(chunk, 0));
            for field in [
                &mut entry.uncompressed_size,
                &mut entry.compressed_size,
                &mut entry.local_header_offset,
            ] {
                if *field == u64::from(u32::MAX) {
                    match values.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

/// Zip names are compared as OPC part names: forward slashes, no leading slash.
fn normalize_entry_name(bytes: &[u8]) -> String {
    let name = String::from_utf8_lossy(bytes).replace('\\', "/");
    name.trim_start_matches('/').to_owned()
}

fn slice_at(input: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    input.get(start..end)
}

fn le_u16(bytes: &[u8], offset: usize) -> u16 {
    bytes
        .get(offset..offset + 2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

fn le_u32(bytes: &[u8], offset: usize) -> u32 {
    bytes
        .get(offset..offset + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn le_u64(bytes: &[u8], offset: usize) -> u64 {
    bytes.get(offset..offset + 8).map_or(0, |b| {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    })
}

#[derive(Debug)]
enum Source<'a> {
    Stored { data: &'a [u8], position: usize },
    Deflate(Box<Inflater<'a>>),
}

/// Raw deflate decoding into a 32 KiB ring buffer, handed out chunk by chunk without copying.
struct Inflater<'a> {
    data: &'a [u8],
    consumed: usize,
    decompressor: Box<DecompressorOxide>,
    ring: Vec<u8>,
    ring_position: usize,
    is_finished: bool,
}

impl std::fmt::Debug for Inflater<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Inflater")
            .field("consumed", &self.consumed)
            .field("is_finished", &self.is_finished)
            .finish_non_exhaustive()
    }
}

/// Streams one entry's uncompressed bytes, failing once a size or ratio limit is passed.
///
/// Failures surface to `quick-xml` as an `io::Error`; the real [`XlsxError`] waits in
/// [`EntryReader::take_failure`].
#[derive(Debug)]
pub(crate) struct EntryReader<'a> {
    archive: &'a Archive<'a>,
    entry: &'a Entry,
    source: Source<'a>,
    pending_start: usize,
    pending_end: usize,
    produced_bytes: u64,
    consumed_since_mark_bytes: u64,
    failure: Option<XlsxError>,
}

impl EntryReader<'_> {
    /// Starts counting the bytes of a new XML token. The XML reader buffers a whole token, so
    /// capping the bytes consumed between marks caps its buffer: a zip bomb of one 100 MiB text
    /// run fails here instead of exhausting memory.
    pub fn mark_token_start(&mut self) {
        self.consumed_since_mark_bytes = 0;
    }

    /// The error that made the last read fail, if it was ours rather than the XML reader's.
    pub fn take_failure(&mut self) -> Option<XlsxError> {
        self.failure.take()
    }

    /// The name of the entry being read.
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    fn fail(&mut self, error: XlsxError) -> io::Error {
        let message = error.to_string();
        self.failure = Some(error);
        io::Error::other(message)
    }

    /// Counts `len` new bytes against the entry, total and ratio limits.
    fn account(&mut self, len: usize, consumed_bytes: usize) -> Result<(), XlsxError> {
        let len = len as u64;
        self.produced_bytes += len;
        let limits = self.archive.limits;
        if self.produced_bytes > limits.max_entry_uncompressed_bytes {
            return Err(XlsxError::EntryTooLarge {
                part: self.entry.name.clone(),
                limit_bytes: limits.max_entry_uncompressed_bytes,
            });
        }
        let total = self.archive.total_uncompressed_bytes.get() + len;
        self.archive.total_uncompressed_bytes.set(total);
        if total > limits.max_total_uncompressed_bytes {
            return Err(XlsxError::TotalTooLarge {
                limit_bytes: limits.max_total_uncompressed_bytes,
            });
        }
        if self.produced_bytes > RATIO_GRACE_BYTES
            && self.produced_bytes / (consumed_bytes as u64).max(1) >= limits.max_compression_ratio
        {
            return Err(XlsxError::CompressionRatio {
                part: self.entry.name.clone(),
                limit: limits.max_compression_ratio,
            });
        }
        Ok(())
    }

    fn refill(&mut self) -> Result<(), XlsxError> {
        let entry = self.entry;
        let name = &entry.name;
        let (len, consumed) = match &mut self.source {
            Source::Stored { data, position } => {
                const CHUNK_BYTES: usize = 64 * 1024;
                let len = CHUNK_BYTES.min(data.len() - *position);
                self.pending_start = *position;
                self.pending_end = *position + len;
                *position += len;
                (len, *position)
            }
            Source::Deflate(inflater) => {
                if inflater.is_finished {
                    self.pending_start = self.pending_end;
                    return self.check_declared_size();
                }
                if inflater.ring_position == inflater.ring.len() {
                    inflater.ring_position = 0;
                }
                // No flags: raw deflate, all input present, and a wrapping output buffer.
                let (status, in_bytes, out_bytes) = decompress(
                    &mut inflater.decompressor,
                    &inflater.data[inflater.consumed..],
                    &mut inflater.ring,
                    inflater.ring_position,
                    0,
                );
                inflater.consumed += in_bytes;
                self.pending_start = inflater.ring_position;
                self.pending_end = inflater.ring_position + out_bytes;
                inflater.ring_position += out_bytes;
                match status {
                    TINFLStatus::Done => inflater.is_finished = true,
                    TINFLStatus::HasMoreOutput if out_bytes > 0 || in_bytes > 0 => {}
                    TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                        return Err(XlsxError::zip(format!(
                            "truncated: compressed data of {name} ends early"
                        )));
                    }
                    _ => {
                        return Err(XlsxError::zip(format!(
                            "compressed data of {name} is corrupt"
                        )));
                    }
                }
                (out_bytes, inflater.consumed)
            }
        };
        self.account(len, consumed)?;
        if len == 0 {
            return self.check_declared_size();
        }
        Ok(())
    }

    /// At the end of the data, the size must match the central directory's, or the entry is corrupt.
    fn check_declared_size(&self) -> Result<(), XlsxError> {
        if self.produced_bytes == self.entry.uncompressed_size {
            return Ok(());
        }
        Err(XlsxError::zip(format!(
            "{} inflates to {} bytes but the directory says {}",
            self.entry.name, self.produced_bytes, self.entry.uncompressed_size
        )))
    }
}

impl Read for EntryReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let len = available.len().min(buf.len());
        buf[..len].copy_from_slice(&available[..len]);
        self.consume(len);
        Ok(len)
    }
}

impl BufRead for EntryReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let max_token_bytes = self.archive.limits.max_token_bytes;
        if self.consumed_since_mark_bytes > max_token_bytes {
            let error = XlsxError::XmlTokenTooLarge {
                part: self.entry.name.clone(),
                limit_bytes: max_token_bytes,
            };
            return Err(self.fail(error));
        }
        if self.pending_start == self.pending_end {
            // A deflate call can consume a block header without producing output; loop until
            // there is output or the stream is finished. Each turn consumes input, so it ends.
            loop {
                if let Err(error) = self.refill() {
                    return Err(self.fail(error));
                }
                let is_finished = match &self.source {
                    Source::Stored { .. } => true,
                    Source::Deflate(inflater) => inflater.is_finished,
                };
                if self.pending_start != self.pending_end || is_finished {
                    break;
                }
            }
        }
        Ok(match &self.source {
            Source::Stored { data, .. } => &data[self.pending_start..self.pending_end],
            Source::Deflate(inflater) => &inflater.ring[self.pending_start..self.pending_end],
        })
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.pending_end - self.pending_start);
        self.pending_start += amount;
        self.consumed_since_mark_bytes += amount as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENEROUS: ZipLimits = ZipLimits {
        max_entries: 100,
        max_entry_uncompressed_bytes: 1 << 30,
        max_total_uncompressed_bytes: 1 << 30,
        max_compression_ratio: 2000,
        max_token_bytes: u64::MAX,
    };

    /// Builds a one-entry zip archive by hand, with the given method and already-compressed data.
    fn single_entry_zip(name: &str, method: u16, data: &[u8], uncompressed_size: u32) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&LOCAL_HEADER_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&uncompressed_size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        let directory_offset = out.len() as u32;
        out.extend_from_slice(&CENTRAL_HEADER_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&[20, 0, 20, 0, 0, 0]);
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&uncompressed_size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        let directory_size = out.len() as u32 - directory_offset;
        out.extend_from_slice(&END_OF_CENTRAL_DIRECTORY_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        out.extend_from_slice(&directory_size.to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn read_all(archive: &Archive<'_>, name: &str) -> Result<Vec<u8>, XlsxError> {
        let entry = archive.find(name).expect("entry exists");
        let mut reader = archive.open(entry)?;
        let mut out = Vec::new();
        match reader.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) => Err(reader.take_failure().expect("failure recorded")),
        }
    }

    #[test]
    fn stored_entry_reads_back_and_name_lookup_ignores_case_and_backslashes() {
        let zip = single_entry_zip("xl\\Workbook.xml", METHOD_STORED, b"<hello/>", 8);
        let archive = Archive::new(&zip, GENEROUS).unwrap();
        assert_eq!(read_all(&archive, "xl/workbook.xml").unwrap(), b"<hello/>");
    }

    #[test]
    fn deflated_entry_larger_than_the_ring_buffer_reads_back() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|n| n.to_string().into_bytes())
            .collect();
        let compressed = miniz_oxide::deflate::compress_to_vec(&text, 6);
        let zip = single_entry_zip("a.xml", METHOD_DEFLATE, &compressed, text.len() as u32);
        let archive = Archive::new(&zip, GENEROUS).unwrap();
        assert_eq!(read_all(&archive, "a.xml").unwrap(), text);
    }

    #[test]
    fn understated_size_is_caught_while_inflating() {
        let text = vec![b'a'; 100_000];
        let compressed = miniz_oxide::deflate::compress_to_vec(&text, 6);
        // The directory claims 10 bytes, so the declared-size check passes and streaming must catch it.
        let zip = single_entry_zip("a.xml", METHOD_DEFLATE, &compressed, 10);
        let limits = ZipLimits {
            max_entry_uncompressed_bytes: 50_000,
            ..GENEROUS
        };
        let archive = Archive::new(&zip, limits).unwrap();
        let error = read_all(&archive, "a.xml").unwrap_err();
        assert!(matches!(error, XlsxError::EntryTooLarge { .. }), "{error}");
    }

    #[test]
    fn size_mismatch_is_reported_as_corruption() {
        let compressed = miniz_oxide::deflate::compress_to_vec(b"<a/>", 6);
        let zip = single_entry_zip("a.xml", METHOD_DEFLATE, &compressed, 5);
        let archive = Archive::new(&zip, GENEROUS).unwrap();
        let error = read_all(&archive, "a.xml").unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn extreme_ratio_is_refused_early() {
        let text = vec![0u8; 8 << 20];
        let compressed = miniz_oxide::deflate::compress_to_vec(&text, 9);
        let zip = single_entry_zip("bomb.xml", METHOD_DEFLATE, &compressed, text.len() as u32);
        let limits = ZipLimits {
            max_compression_ratio: 500,
            ..GENEROUS
        };
        let archive = Archive::new(&zip, limits).unwrap();
        let error = read_all(&archive, "bomb.xml").unwrap_err();
        assert!(
            matches!(error, XlsxError::CompressionRatio { .. }),
            "{error}"
        );
    }

    #[test]
    fn declared_size_over_the_total_is_refused_before_inflating() {
        let zip = single_entry_zip("a.xml", METHOD_STORED, b"<a/>", u32::MAX);
        let limits = ZipLimits {
            max_entry_uncompressed_bytes: u64::MAX,
            max_total_uncompressed_bytes: 1000,
            ..GENEROUS
        };
        let archive = Archive::new(&zip, limits).unwrap();
        let entry = archive.find("a.xml").unwrap();
        assert!(matches!(
            archive.open(entry).unwrap_err(),
            XlsxError::TotalTooLarge { .. }
        ));
    }

    #[test]
    fn unsupported_method_and_truncation_classify() {
        let zip = single_entry_zip("a.xml", 12, b"BZh", 3);
        let archive = Archive::new(&zip, GENEROUS).unwrap();
        let entry = archive.find("a.xml").unwrap();
        assert_eq!(
            archive.open(entry).unwrap_err().kind(),
            crate::ErrorKind::Unsupported
        );
        let truncated = &zip[..zip.len() - 10];
        assert_eq!(
            Archive::new(truncated, GENEROUS).unwrap_err().kind(),
            crate::ErrorKind::InvalidInput
        );
    }

    /// Rewrites `single_entry_zip`'s output the way a zip64 writer lays it out: saturated sizes
    /// and offset in the central directory with the real ones in an extra field, and a zip64 end
    /// record with its locator.
    fn as_zip64(zip: &[u8], data_len: u64, uncompressed_size: u64) -> Vec<u8> {
        let end = find_end_of_central_directory(zip).unwrap();
        let directory_offset = le_u32(zip, end + 16) as usize;
        let mut out = zip[..directory_offset].to_vec();
        let mut header = zip[directory_offset..end].to_vec();
        let name_len = usize::from(le_u16(&header, 28));
        header[20..28].copy_from_slice(&[0xff; 8]);
        header[42..46].copy_from_slice(&[0xff; 4]);
        header[30..32].copy_from_slice(&28u16.to_le_bytes());
        let mut extra = vec![1, 0, 24, 0];
        extra.extend_from_slice(&uncompressed_size.to_le_bytes());
        extra.extend_from_slice(&data_len.to_le_bytes());
        extra.extend_from_slice(&0u64.to_le_bytes());
        header.truncate(46 + name_len);
        header.extend_from_slice(&extra);
        out.extend_from_slice(&header);
        let zip64_end_offset = out.len() as u64;
        out.extend_from_slice(&ZIP64_END_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&(directory_offset as u64).to_le_bytes());
        out.extend_from_slice(&ZIP64_LOCATOR_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&zip64_end_offset.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&END_OF_CENTRAL_DIRECTORY_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        out.extend_from_slice(&[0xff; 8]);
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn zip64_archive_reads_back() {
        let text = b"<zip64>".repeat(1000);
        let compressed = miniz_oxide::deflate::compress_to_vec(&text, 6);
        let zip = single_entry_zip("a.xml", METHOD_DEFLATE, &compressed, text.len() as u32);
        let zip = as_zip64(&zip, compressed.len() as u64, text.len() as u64);
        let archive = Archive::new(&zip, GENEROUS).unwrap();
        assert_eq!(read_all(&archive, "a.xml").unwrap(), text);
    }

    #[test]
    fn zip64_extra_field_replaces_saturated_sizes() {
        let mut entry = Entry {
            name: String::new(),
            method: 0,
            flags: 0,
            compressed_size: u64::from(u32::MAX),
            uncompressed_size: u64::from(u32::MAX),
            local_header_offset: 7,
        };
        let mut extra = vec![1, 0, 16, 0];
        extra.extend_from_slice(&5u64.to_le_bytes());
        extra.extend_from_slice(&3u64.to_le_bytes());
        apply_zip64_extra(&mut entry, &extra);
        assert_eq!(
            (
                entry.uncompressed_size,
                entry.compressed_size,
                entry.local_header_offset
            ),
            (5, 3, 7)
        );
    }
}
