//! NumPy `.npy` (format 1.0) output, so decoded values can be checked with numpy.

/// Element types we write.
#[derive(Debug, Clone, Copy)]
pub enum NpyType {
    /// Little-endian float32 (`<f4`).
    F32,
    /// uint8 (`|u1`).
    U8,
}

/// Encodes an array of `shape` whose little-endian element bytes are `data`.
pub fn encode(kind: NpyType, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let descr = match kind {
        NpyType::F32 => "<f4",
        NpyType::U8 => "|u1",
    };
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_padded_to_64_bytes() {
        let out = encode(NpyType::F32, &[2, 3], &[0; 24]);
        let hlen = u16::from_le_bytes([out[8], out[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        let header = std::str::from_utf8(&out[10..10 + hlen]).unwrap();
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        assert!(header.ends_with('\n'));
        assert_eq!(out.len(), 10 + hlen + 24);
    }
}
