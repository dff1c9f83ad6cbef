//! Sizes checked before any large allocation.
//!
//! A decoder allocates what a header claims: Rows × Columns from the data set for
//! native and RLE data, the codestream's own frame header for JPEG, JPEG-LS and
//! JPEG 2000. A corrupt or hostile file can claim 65535 × 65535 pixels in a few
//! bytes. So a frame is refused before decoding when it is larger than
//! [`MAX_FRAME_SAMPLES`], or when its codestream says a size other than the header's.

use super::PixelError;
use super::desc::PixelDescription;

/// The most samples (pixels × samples per pixel) one frame may have: 2^26, an
/// 8192 × 8192 greyscale frame or a 4729 × 4729 colour one, four times the largest
/// mammogram (4096 × 3328) and larger than any single-frame modality we know. A
/// frame this size costs 256 MiB as decoded 32-bit samples plus its compact copy, so
/// one decode stays well under the 1 GiB a process may use; larger images (whole
/// slide microscopy) come tiled, as many smaller frames.
pub const MAX_FRAME_SAMPLES: usize = 1 << 26;

/// Refuses a frame whose header size is over [`MAX_FRAME_SAMPLES`].
pub fn check_frame_size(desc: &PixelDescription) -> Result<(), PixelError> {
    let samples = desc.pixels_per_frame() * usize::from(desc.samples_per_pixel);
    if samples > MAX_FRAME_SAMPLES {
        return Err(PixelError::Unsupported(format!(
            "a frame of {} x {} x {} samples is over the limit of {MAX_FRAME_SAMPLES} samples a frame",
            desc.rows, desc.cols, desc.samples_per_pixel
        )));
    }
    Ok(())
}

/// The frame size a codestream declares in its own header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodestreamSize {
    /// Lines (0 in a JPEG whose height comes later, in a DNL marker).
    pub rows: u32,
    /// Samples per line.
    pub cols: u32,
    /// Components.
    pub components: u16,
}

/// Reads the size from a JPEG / JPEG-LS SOF or a JPEG 2000 SIZ marker (also inside a
/// JP2 file); `None` when neither is found in the first markers.
pub fn codestream_size(data: &[u8]) -> Option<CodestreamSize> {
    if data.starts_with(&[0xFF, 0xD8]) {
        return jpeg_sof(data);
    }
    // J2K codestream, or a JP2 file whose contiguous codestream box holds one.
    let at = find(data, &[0xFF, 0x4F, 0xFF, 0x51])?;
    let siz = data.get(at + 4..at + 4 + 38)?;
    let be32 = |i: usize| u32::from_be_bytes([siz[i], siz[i + 1], siz[i + 2], siz[i + 3]]);
    // Lsiz(2) Rsiz(2) Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz (4 each) Csiz(2)
    let (x, y, xo, yo) = (be32(4), be32(8), be32(12), be32(16));
    Some(CodestreamSize {
        rows: y.checked_sub(yo)?,
        cols: x.checked_sub(xo)?,
        components: u16::from_be_bytes([siz[36], siz[37]]),
    })
}

fn find(data: &[u8], needle: &[u8]) -> Option<usize> {
    let window = &data[..data.len().min(64 * 1024)];
    window.windows(needle.len()).position(|w| w == needle)
}

/// Walks JPEG markers from SOI to the first SOFn (SOF55 for JPEG-LS).
fn jpeg_sof(data: &[u8]) -> Option<CodestreamSize> {
    let mut i = 2;
    loop {
        // Skip fill bytes before a marker.
        while data.get(i) == Some(&0xFF) && data.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if *data.get(i)? != 0xFF {
            return None;
        }
        let marker = *data.get(i + 1)?;
        let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
        let is_sof = matches!(marker, 0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC))
            || marker == 0xF7;
        if is_sof {
            let s = data.get(i + 4..i + 10)?;
            return Some(CodestreamSize {
                rows: u32::from(u16::from_be_bytes([s[1], s[2]])),
                cols: u32::from(u16::from_be_bytes([s[3], s[4]])),
                components: u16::from(s[5]),
            });
        }
        if marker == 0xDA || len < 2 {
            return None; // scan data before a frame header: not a valid stream
        }
        i += 2 + len;
    }
}

/// Refuses a codestream whose own size disagrees with the header's (before decoding it).
pub fn check_codestream(
    data: &[u8],
    desc: &PixelDescription,
    codec: &'static str,
) -> Result<(), PixelError> {
    let Some(size) = codestream_size(data) else {
        return Err(PixelError::Codec {
            codec,
            message: "no frame header (SOF or SIZ) found in the codestream".into(),
        });
    };
    let rows_ok = size.rows == desc.rows || (size.rows == 0 && codec != "JPEG 2000");
    if !rows_ok || size.cols != desc.cols || size.components < desc.samples_per_pixel {
        return Err(PixelError::Codec {
            codec,
            message: format!(
                "the codestream is {} x {} with {} component(s), the header says {} x {} with {}",
                size.rows, size.cols, size.components, desc.rows, desc.cols, desc.samples_per_pixel
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jpeg_and_j2k_sizes() {
        // SOI, APP0 (length 4), SOF3: P=16, Y=512, X=300, Nf=1.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xC3, 0x00, 0x0B, 16, 0x02, 0x00, 0x01,
            0x2C, 1,
        ];
        assert_eq!(
            codestream_size(&jpeg),
            Some(CodestreamSize {
                rows: 512,
                cols: 300,
                components: 1
            })
        );
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0, 0];
        for v in [640u32, 480, 0, 0, 640, 480, 0, 0] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        j2k.extend_from_slice(&3u16.to_be_bytes());
        assert_eq!(
            codestream_size(&j2k),
            Some(CodestreamSize {
                rows: 480,
                cols: 640,
                components: 3
            })
        );
        assert_eq!(codestream_size(&[0xFF, 0xD8, 0xFF]), None);
    }
}
