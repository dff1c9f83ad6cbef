//! Stable hashing and noise over [`crate::rng::Rng`], so `synth` output is
//! byte-identical on every platform and Rust version.

pub use crate::rng::Rng;

/// Roughly normal noise (sum of four uniforms), mean 0, standard deviation `sd`.
pub fn noise(rng: &mut Rng, sd: f64) -> f64 {
    let s: f64 = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
    s * sd * 1.732_050_8
}

/// FNV-1a over `parts` (with a separator so ("ab","c") and ("a","bc") differ), then
/// one SplitMix64 round so that similar inputs give unrelated outputs.
pub fn hash64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xFF]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    Rng::new(h).next_u64()
}

/// A UID under the `2.25` (UUID-derived) root, stable for the same `parts`.
pub fn uid(parts: &[&str]) -> String {
    let mut mix = Rng::new(hash64(parts));
    let (hi, lo) = (mix.next_u64(), mix.next_u64());
    let v = (u128::from(hi) << 64 | u128::from(lo)) >> 2; // < 2^126: at most 38 digits
    format!("2.25.{v}")
}
