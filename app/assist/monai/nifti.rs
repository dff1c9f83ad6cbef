//! A small NIfTI-1 writer and reader, enough to send a series to a model server and read
//! back the label volume it answers ([`super`]).
//!
//! Written: one file (`n+1`), little-endian, a 348-byte header and the 4-byte empty
//! extension flag, then the voxels with x (columns) fastest, then y (rows), then z (the
//! series' slices in slice order). The values are the modality values as `int16` when
//! every one is a whole number in its range (CT's HU always are: half the bytes), else
//! `float32`; padding (NaN) becomes the volume's lowest value, so no model sees a NaN.
//! The orientation is the sform (`sform_code` 1, scanner) from the first image's
//! position and orientation, turned from DICOM's LPS to NIfTI's RAS; without them, the
//! spacing on the diagonal.
//!
//! Read: a label volume, `n+1` single file, either byte order, gzip or not, of `uint8`,
//! `int8`, `int16`, `uint16`, `int32`, `uint32`, `float32` or `float64`, scaled by
//! `scl_slope`/`scl_inter` when set. A reply is untrusted input: its size must match
//! the dimensions asked for, compressed data is inflated only up to the size those
//! dimensions need, and every field is checked before use; nothing panics.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use thiserror::Error;

/// Bytes of a NIfTI-1 header.
const HEADER: usize = 348;
/// Where the written voxels start: the header and the 4-byte extension flag.
const VOX_OFFSET: usize = 352;
/// The largest header extension a reply may carry before its voxels, bytes.
const MAX_EXTENSIONS: usize = 1 << 20;
/// The most voxels read or written: 2^31 (a 512 × 512 series of 8,192 slices).
pub const MAX_VOXELS: usize = 1 << 31;

/// Why a volume could not be written or a reply read.
#[derive(Debug, Error, PartialEq)]
pub enum NiftiError {
    /// The volume given to write is inconsistent.
    #[error("cannot write the volume: {0}")]
    Write(String),
    /// The bytes are not a NIfTI-1 file we read.
    #[error("not a NIfTI-1 file: {0}")]
    NotNifti(String),
    /// The file is shorter than its header says.
    #[error("the NIfTI file is truncated: {0}")]
    Truncated(String),
    /// The file holds more than the dimensions asked for allow.
    #[error("the NIfTI file is too large: {0}")]
    TooLarge(String),
    /// The label volume's dimensions are not those of the volume sent.
    #[error("the label volume is {got:?} voxels (x, y, z), not the {want:?} sent")]
    Dimensions {
        /// Columns, rows, slices of the reply.
        got: Vec<i64>,
        /// Columns, rows, slices sent.
        want: [usize; 3],
    },
    /// A data type we do not read.
    #[error(
        "NIfTI data type {0} is not a label type (uint8, int8, int16, uint16, int32, uint32, float32, float64)"
    )]
    DataType(i16),
    /// A voxel is not a label value (negative, fractional, not finite, or over 65,535).
    #[error("voxel {index} holds {value}, not a label value from 0 to 65,535")]
    BadLabel {
        /// The voxel, from 0, x fastest.
        index: usize,
        /// Its value.
        value: f64,
    },
}

/// A series as one volume to write: planes of `cols × rows` values in slice order.
#[derive(Debug, Clone)]
pub struct VolumeOut<'a> {
    /// Columns (x) and rows (y) of every plane.
    pub cols: usize,
    /// Rows of every plane.
    pub rows: usize,
    /// The planes, row-major modality values (NaN for padding), in slice order.
    pub planes: Vec<&'a [f32]>,
    /// Voxel size, mm: column spacing, row spacing, slice gap.
    pub spacing_mm: [f64; 3],
    /// The voxel-to-RAS affine's first three rows (mm), x, y, z voxel indices.
    pub affine: [[f64; 4]; 3],
}

impl VolumeOut<'_> {
    /// The affine that puts voxel (i, j, k) at the spacing times its index (no
    /// orientation known).
    pub fn diagonal_affine(spacing_mm: [f64; 3]) -> [[f64; 4]; 3] {
        [
            [spacing_mm[0], 0.0, 0.0, 0.0],
            [0.0, spacing_mm[1], 0.0, 0.0],
            [0.0, 0.0, spacing_mm[2], 0.0],
        ]
    }

    /// The voxel-to-RAS affine of a DICOM series: `orientation` the first image's row
    /// then column direction cosines (LPS), `origin_mm` its first pixel's centre (LPS),
    /// `slice_step_mm` the signed step along the slice normal from one slice to the next.
    pub fn dicom_affine(
        orientation: [f64; 6],
        origin_mm: [f64; 3],
        spacing_mm: [f64; 3],
        slice_step_mm: f64,
    ) -> [[f64; 4]; 3] {
        let row_dir = [orientation[0], orientation[1], orientation[2]];
        let col_dir = [orientation[3], orientation[4], orientation[5]];
        let normal = [
            row_dir[1] * col_dir[2] - row_dir[2] * col_dir[1],
            row_dir[2] * col_dir[0] - row_dir[0] * col_dir[2],
            row_dir[0] * col_dir[1] - row_dir[1] * col_dir[0],
        ];
        let mut affine = [[0.0; 4]; 3];
        for (a, row) in affine.iter_mut().enumerate() {
            // LPS to RAS: x and y change sign.
            let sign = if a < 2 { -1.0 } else { 1.0 };
            *row = [
                sign * row_dir[a] * spacing_mm[0],
                sign * col_dir[a] * spacing_mm[1],
                sign * normal[a] * slice_step_mm,
                sign * origin_mm[a],
            ];
        }
        affine
    }

    /// The volume as a NIfTI-1 file, gzip-compressed (`.nii.gz`) when `gzip`.
    ///
    /// # Errors
    /// Planes of the wrong size, no planes, more than [`MAX_VOXELS`] voxels or
    /// dimensions over 32,767.
    pub fn write(&self, gzip: bool) -> Result<Vec<u8>, NiftiError> {
        let plane = self.cols * self.rows;
        let dims = [self.cols, self.rows, self.planes.len()];
        if dims.iter().any(|&d| d == 0 || d > i16::MAX as usize) {
            return Err(NiftiError::Write(format!(
                "dimensions {dims:?} are not from 1 to 32,767"
            )));
        }
        if dims.iter().product::<usize>() > MAX_VOXELS {
            return Err(NiftiError::Write(format!(
                "{dims:?} is over {MAX_VOXELS} voxels"
            )));
        }
        if let Some(k) = self.planes.iter().position(|p| p.len() != plane) {
            return Err(NiftiError::Write(format!(
                "plane {k} has {} values, not {plane}",
                self.planes[k].len()
            )));
        }
        let values = || self.planes.iter().flat_map(|p| p.iter().copied());
        let lowest = values()
            .filter(|v| v.is_finite())
            .fold(f32::INFINITY, f32::min);
        let pad = if lowest.is_finite() { lowest } else { 0.0 };
        let whole = values().all(|v| {
            !v.is_finite()
                || (v.fract() == 0.0 && v >= f32::from(i16::MIN) && v <= f32::from(i16::MAX))
        }) && pad.fract() == 0.0;
        let (datatype, bitpix): (i16, i16) = if whole { (4, 16) } else { (16, 32) };
        let mut out = Vec::with_capacity(VOX_OFFSET + plane * dims[2] * (bitpix as usize / 8));
        out.extend_from_slice(&self.header(dims, datatype, bitpix));
        out.extend_from_slice(&[0; 4]);
        for v in values() {
            let v = if v.is_nan() { pad } else { v };
            if whole {
                out.extend_from_slice(&(v as i16).to_le_bytes());
            } else {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        if !gzip {
            return Ok(out);
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder
            .write_all(&out)
            .and_then(|()| encoder.finish())
            .map_err(|e| NiftiError::Write(format!("gzip: {e}")))
    }

    /// The 348-byte header.
    fn header(&self, dims: [usize; 3], datatype: i16, bitpix: i16) -> [u8; HEADER] {
        let mut h = [0u8; HEADER];
        let mut put = |offset: usize, bytes: &[u8]| {
            h[offset..offset + bytes.len()].copy_from_slice(bytes);
        };
        put(0, &(HEADER as i32).to_le_bytes());
        put(38, b"r"); // regular
        let dim: [i16; 8] = [
            3,
            dims[0] as i16,
            dims[1] as i16,
            dims[2] as i16,
            1,
            1,
            1,
            1,
        ];
        for (i, d) in dim.iter().enumerate() {
            put(40 + 2 * i, &d.to_le_bytes());
        }
        put(70, &datatype.to_le_bytes());
        put(72, &bitpix.to_le_bytes());
        let pixdim: [f32; 8] = [
            1.0,
            self.spacing_mm[0] as f32,
            self.spacing_mm[1] as f32,
            self.spacing_mm[2].abs() as f32,
            0.0,
            0.0,
            0.0,
            0.0,
        ];
        for (i, p) in pixdim.iter().enumerate() {
            put(76 + 4 * i, &p.to_le_bytes());
        }
        put(108, &(VOX_OFFSET as f32).to_le_bytes());
        put(112, &1f32.to_le_bytes()); // scl_slope
        put(116, &0f32.to_le_bytes()); // scl_inter
        put(123, &[2]); // xyzt_units: mm
        put(148, b"lightbox");
        put(252, &0i16.to_le_bytes()); // qform_code
        put(254, &1i16.to_le_bytes()); // sform_code: scanner
        for (row, a) in self.affine.iter().enumerate() {
            for (i, v) in a.iter().enumerate() {
                put(280 + 16 * row + 4 * i, &(*v as f32).to_le_bytes());
            }
        }
        put(344, b"n+1\0");
        h
    }
}

/// A label volume read back: one value per voxel, x fastest, then y, then z.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Columns, rows, slices.
    pub dims: [usize; 3],
    /// The label values.
    pub values: Vec<u16>,
}

impl Labels {
    /// Slice `k`'s values (row-major `rows × cols`), empty past the last slice.
    pub fn plane(&self, k: usize) -> &[u16] {
        let plane = self.dims[0] * self.dims[1];
        self.values
            .get(k * plane..(k + 1) * plane)
            .unwrap_or_default()
    }
}

/// The most bytes a NIfTI-1 label volume of `want` (columns, rows, slices) voxels can
/// need, compressed or not: the header, extensions, 8-byte voxels.
pub fn reply_limit(want: [usize; 3]) -> u64 {
    let voxels = want.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64));
    (VOX_OFFSET + MAX_EXTENSIONS) as u64 + voxels.saturating_mul(8)
}

/// Reads a label volume of `want` (columns, rows, slices) voxels from a NIfTI-1 file,
/// gzip-compressed or not.
///
/// # Errors
/// Not NIfTI-1, truncated, larger than `want` needs, other dimensions, a data type
/// that is not a label type, a value that is not a label.
pub fn read_labels(bytes: &[u8], want: [usize; 3]) -> Result<Labels, NiftiError> {
    let voxels = want.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let voxels = voxels
        .filter(|&v| v <= MAX_VOXELS)
        .ok_or_else(|| NiftiError::TooLarge(format!("{want:?} is over {MAX_VOXELS} voxels")))?;
    let limit = VOX_OFFSET + MAX_EXTENSIONS + voxels.saturating_mul(8);
    let inflated;
    let data: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes)
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| NiftiError::Truncated(format!("gzip: {e}")))?;
        if out.len() > limit {
            return Err(NiftiError::TooLarge(format!(
                "it inflates to more than the {limit} bytes {want:?} voxels need"
            )));
        }
        inflated = out;
        &inflated
    } else {
        if bytes.len() > limit {
            return Err(NiftiError::TooLarge(format!(
                "{} bytes, more than the {limit} bytes {want:?} voxels need",
                bytes.len()
            )));
        }
        bytes
    };
    let header = Header::parse(data)?;
    let got: Vec<i64> = header.dims.iter().map(|&d| i64::from(d)).collect();
    let dims_match = got.len() >= 3
        && got[..3]
            .iter()
            .zip(want)
            .all(|(&g, w)| usize::try_from(g).ok() == Some(w))
        && got[3..].iter().all(|&d| d == 1);
    let dims_2d = got.len() == 2
        && want[2] == 1
        && got
            .iter()
            .zip(want)
            .all(|(&g, w)| usize::try_from(g).ok() == Some(w));
    if !(dims_match || dims_2d) {
        return Err(NiftiError::Dimensions { got, want });
    }
    let size = header.type_size()?;
    let start = header.vox_offset;
    if start > VOX_OFFSET + MAX_EXTENSIONS {
        return Err(NiftiError::TooLarge(format!(
            "the voxels start at byte {start}, after more than {MAX_EXTENSIONS} bytes of extensions"
        )));
    }
    let end = start + voxels * size;
    let raw = data.get(start..end).ok_or_else(|| {
        NiftiError::Truncated(format!(
            "{} bytes, the voxels need bytes {start} to {end}",
            data.len()
        ))
    })?;
    let mut values = Vec::with_capacity(voxels);
    for (index, chunk) in raw.chunks_exact(size).enumerate() {
        let value = header.value(chunk);
        let label = if value.is_finite() && value >= 0.0 && value <= f64::from(u16::MAX) {
            Some(value.round())
        } else {
            None
        }
        .filter(|r| (value - r).abs() < 1e-3);
        match label {
            Some(l) => values.push(l as u16),
            None => return Err(NiftiError::BadLabel { index, value }),
        }
    }
    Ok(Labels { dims: want, values })
}

/// The fields of a NIfTI-1 header a label volume needs.
struct Header {
    little_endian: bool,
    dims: Vec<i16>,
    datatype: i16,
    vox_offset: usize,
    slope: f64,
    inter: f64,
}

impl Header {
    /// The header of `data`, checked.
    fn parse(data: &[u8]) -> Result<Self, NiftiError> {
        let h = data.get(..HEADER).ok_or_else(|| {
            NiftiError::Truncated(format!(
                "{} bytes, shorter than a {HEADER}-byte header",
                data.len()
            ))
        })?;
        let four = |o: usize| [h[o], h[o + 1], h[o + 2], h[o + 3]];
        let little_endian = match i32::from_le_bytes(four(0)) {
            348 => true,
            _ if i32::from_be_bytes(four(0)) == 348 => false,
            540 => return Err(NiftiError::NotNifti("NIfTI-2 is not read".into())),
            n => {
                return Err(NiftiError::NotNifti(format!(
                    "the header size is {n}, not 348"
                )));
            }
        };
        if &h[344..348] != b"n+1\0" {
            return Err(NiftiError::NotNifti(format!(
                "magic {:?}, not a single-file NIfTI-1 (n+1)",
                String::from_utf8_lossy(&h[344..348])
            )));
        }
        let i16_at = |o: usize| {
            let b = [h[o], h[o + 1]];
            if little_endian {
                i16::from_le_bytes(b)
            } else {
                i16::from_be_bytes(b)
            }
        };
        let f32_at = |o: usize| {
            let b = four(o);
            f64::from(if little_endian {
                f32::from_le_bytes(b)
            } else {
                f32::from_be_bytes(b)
            })
        };
        let ndim = i16_at(40);
        if !(1..=7).contains(&ndim) {
            return Err(NiftiError::NotNifti(format!(
                "dim[0] is {ndim}, not 1 to 7"
            )));
        }
        let dims: Vec<i16> = (1..=ndim as usize).map(|i| i16_at(40 + 2 * i)).collect();
        let vox_offset = f32_at(108);
        if !(vox_offset >= HEADER as f64 && vox_offset.fract() == 0.0 && vox_offset < 1e12) {
            return Err(NiftiError::NotNifti(format!(
                "vox_offset is {vox_offset}, not a byte offset after the header"
            )));
        }
        let (slope, inter) = (f32_at(112), f32_at(116));
        let scaled = slope.is_finite() && slope != 0.0;
        Ok(Self {
            little_endian,
            dims,
            datatype: i16_at(70),
            vox_offset: vox_offset as usize,
            slope: if scaled { slope } else { 1.0 },
            inter: if scaled && inter.is_finite() {
                inter
            } else {
                0.0
            },
        })
    }

    /// Bytes of one voxel.
    fn type_size(&self) -> Result<usize, NiftiError> {
        match self.datatype {
            2 | 256 => Ok(1),
            4 | 512 => Ok(2),
            8 | 16 | 768 => Ok(4),
            64 => Ok(8),
            other => Err(NiftiError::DataType(other)),
        }
    }

    /// One voxel's value, scaled.
    fn value(&self, b: &[u8]) -> f64 {
        macro_rules! num {
            ($t:ty, $n:literal) => {{
                let mut a = [0u8; $n];
                a.copy_from_slice(&b[..$n]);
                f64::from(if self.little_endian {
                    <$t>::from_le_bytes(a)
                } else {
                    <$t>::from_be_bytes(a)
                })
            }};
        }
        let v = match self.datatype {
            2 => f64::from(b[0]),
            256 => f64::from(b[0] as i8),
            4 => num!(i16, 2),
            512 => num!(u16, 2),
            8 => num!(i32, 4),
            768 => num!(u32, 4),
            16 => num!(f32, 4),
            _ => num!(f64, 8),
        };
        v * self.slope + self.inter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header for `dims` of `datatype`, little-endian, voxels at 352.
    fn header(dims: &[i16], datatype: i16, bitpix: i16) -> Vec<u8> {
        let volume = VolumeOut {
            cols: 1,
            rows: 1,
            planes: vec![],
            spacing_mm: [1.0; 3],
            affine: VolumeOut::diagonal_affine([1.0; 3]),
        };
        let mut h = volume.header([1, 1, 1], datatype, bitpix).to_vec();
        h[40..42].copy_from_slice(&(dims.len() as i16).to_le_bytes());
        for (i, d) in dims.iter().enumerate() {
            h[42 + 2 * i..44 + 2 * i].copy_from_slice(&d.to_le_bytes());
        }
        h.extend_from_slice(&[0; 4]);
        h
    }

    #[test]
    fn a_volume_round_trips_as_labels_plain_and_gzipped() {
        let a: Vec<f32> = (0..12).map(|v| (v % 3) as f32).collect();
        let b: Vec<f32> = (0..12).map(|v| (v % 2) as f32).collect();
        let volume = VolumeOut {
            cols: 4,
            rows: 3,
            planes: vec![&a, &b],
            spacing_mm: [0.5, 0.7, 2.5],
            affine: VolumeOut::diagonal_affine([0.5, 0.7, 2.5]),
        };
        for gzip in [false, true] {
            let bytes = volume.write(gzip).expect("written");
            assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), gzip);
            let labels = read_labels(&bytes, [4, 3, 2]).expect("read");
            let want: Vec<u16> = a.iter().chain(&b).map(|&v| v as u16).collect();
            assert_eq!(labels.values, want);
            assert_eq!(labels.plane(1), &want[12..]);
            assert!(labels.plane(2).is_empty());
        }
        // Whole values in range are int16; pixdim and sform as given.
        let bytes = volume.write(false).expect("written");
        assert_eq!(i16::from_le_bytes([bytes[70], bytes[71]]), 4);
        assert_eq!(bytes.len(), 352 + 2 * 24);
        let f = |o: usize| f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        assert_eq!([f(80), f(84), f(88)], [0.5, 0.7, 2.5]);
        assert_eq!([f(280), f(300), f(320)], [0.5, 0.7, 2.5]);
    }

    #[test]
    fn fractional_values_are_float32_and_padding_the_lowest_value() {
        let a = [1.5f32, f32::NAN, -3.25, 7.0];
        let volume = VolumeOut {
            cols: 2,
            rows: 2,
            planes: vec![&a],
            spacing_mm: [1.0; 3],
            affine: VolumeOut::diagonal_affine([1.0; 3]),
        };
        let bytes = volume.write(false).expect("written");
        assert_eq!(i16::from_le_bytes([bytes[70], bytes[71]]), 16);
        let got: Vec<f32> = bytes[352..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(got, vec![1.5, -3.25, -3.25, 7.0]);
        // Not labels: the reader says which voxel.
        assert_eq!(
            read_labels(&bytes, [2, 2, 1]),
            Err(NiftiError::BadLabel {
                index: 0,
                value: 1.5
            })
        );
    }

    #[test]
    fn every_label_type_and_big_endian_and_scaling_are_read() {
        let cases: [(i16, i16, Vec<u8>); 6] = [
            (2, 8, vec![0, 1, 2, 255]),
            (
                4,
                16,
                [0i16, 1, 2, 300]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                512,
                16,
                [0u16, 1, 2, 300]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                8,
                32,
                [0i32, 1, 2, 300]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                16,
                32,
                [0f32, 1.0, 2.0, 300.0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            (
                64,
                64,
                [0f64, 1.0, 2.0, 300.0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
        ];
        for (datatype, bitpix, data) in cases {
            let mut file = header(&[2, 2, 1], datatype, bitpix);
            file.extend_from_slice(&data);
            let labels = read_labels(&file, [2, 2, 1]).expect("read");
            let last = if datatype == 2 { 255 } else { 300 };
            assert_eq!(labels.values, vec![0, 1, 2, last], "type {datatype}");
        }
        // Big-endian int16 with a slope of 2.
        let mut file = header(&[2, 1, 1], 4, 16);
        for o in [0, 40, 42, 44, 46, 70, 72] {
            let n = if o == 0 { 4 } else { 2 };
            file[o..o + n].reverse();
        }
        file[108..112].reverse();
        file[112..116].copy_from_slice(&2f32.to_be_bytes());
        file.extend_from_slice(&[0, 1, 0, 3]);
        assert_eq!(
            read_labels(&file, [2, 1, 1]).expect("read").values,
            vec![2, 6]
        );
        // Four dimensions with a trailing 1 are three.
        let mut file = header(&[1, 1, 1, 1], 2, 8);
        file.push(1);
        assert_eq!(read_labels(&file, [1, 1, 1]).expect("read").values, vec![1]);
    }

    #[test]
    fn truncated_oversized_and_foreign_replies_are_refused() {
        let mut file = header(&[4, 4, 2], 2, 8);
        file.extend_from_slice(&[1; 31]);
        assert!(matches!(
            read_labels(&file, [4, 4, 2]),
            Err(NiftiError::Truncated(_))
        ));
        assert!(matches!(
            read_labels(&file[..100], [4, 4, 2]),
            Err(NiftiError::Truncated(_))
        ));
        // Other dimensions than those sent.
        file.push(1);
        assert_eq!(
            read_labels(&file, [4, 2, 4]),
            Err(NiftiError::Dimensions {
                got: vec![4, 4, 2],
                want: [4, 2, 4]
            })
        );
        // A body far larger than the dimensions need, plain or as a gzip bomb.
        let mut huge = file.clone();
        huge.resize(VOX_OFFSET + MAX_EXTENSIONS + 1000, 0);
        assert!(matches!(
            read_labels(&huge, [4, 4, 2]),
            Err(NiftiError::TooLarge(_))
        ));
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&huge).expect("gzip");
        let bomb = encoder.finish().expect("gzip");
        assert!(bomb.len() < 10_000);
        assert!(matches!(
            read_labels(&bomb, [4, 4, 2]),
            Err(NiftiError::TooLarge(_))
        ));
        // A cut gzip stream, a huge vox_offset, NIfTI-2, other bytes, other types.
        assert!(read_labels(&bomb[..bomb.len() / 2], [4, 4, 2]).is_err());
        let mut far = file.clone();
        far[108..112].copy_from_slice(&1e9f32.to_le_bytes());
        assert!(matches!(
            read_labels(&far, [4, 4, 2]),
            Err(NiftiError::TooLarge(_))
        ));
        let mut two = file.clone();
        two[0..4].copy_from_slice(&540i32.to_le_bytes());
        assert!(matches!(
            read_labels(&two, [4, 4, 2]),
            Err(NiftiError::NotNifti(_))
        ));
        assert!(matches!(
            read_labels(b"<html>Internal Server Error</html>", [4, 4, 2]),
            Err(NiftiError::Truncated(_))
        ));
        let mut rgb = header(&[4, 4, 2], 128, 24);
        rgb.extend_from_slice(&[0; 96]);
        assert_eq!(read_labels(&rgb, [4, 4, 2]), Err(NiftiError::DataType(128)));
        // Dimensions too large to ask for.
        assert!(matches!(
            read_labels(&file, [1 << 20, 1 << 20, 1 << 20]),
            Err(NiftiError::TooLarge(_))
        ));
    }

    #[test]
    fn the_dicom_affine_turns_lps_into_ras() {
        // Axial: rows along +x (patient left), columns along +y (posterior).
        let a = VolumeOut::dicom_affine(
            [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            [-100.0, -120.0, 30.0],
            [0.7, 0.8, 2.5],
            -2.5,
        );
        assert_eq!(a[0], [-0.7, 0.0, 0.0, 100.0]);
        assert_eq!(a[1], [0.0, -0.8, 0.0, 120.0]);
        assert_eq!(a[2], [0.0, 0.0, -2.5, 30.0]);
    }
}
