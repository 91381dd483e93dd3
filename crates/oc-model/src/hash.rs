//! FNV-1a (64 bits): a hash stable across builds and platforms, for
//! snapshot fingerprints, ETags and content hashes that are stored.
//!
//! ```
//! use oc_model::hash::{fnv1a, Fnv1a};
//! let mut h = Fnv1a::new();
//! h.write(b"Mont");
//! h.write(b"pellier");
//! assert_eq!(h.finish(), fnv1a(b"Montpellier"));
//! assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
//! ```

/// An FNV-1a hasher fed piece by piece.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a::new()
    }
}

impl Fnv1a {
    pub const fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// The FNV-1a hash of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::new();
    h.write(bytes);
    h.finish()
}
