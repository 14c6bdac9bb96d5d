//! A hash map for transfer keys: a window of a large statement indexes
//! hundreds of thousands of them, and SipHash, the standard map's hasher,
//! was the largest single cost of booking one. The keys are the ledger's
//! own (derived from statement entry references and case numbers), so the
//! denial-of-service resistance SipHash buys is not needed here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by ledger keys, with [`KeyHasher`].
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// Multiply-rotate hashing a word at a time (the scheme of rustc's
/// FxHasher): fast on short texts, spreading well enough for a map.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_differ_in_any_byte_hash_apart() {
        let hash = |s: &str| {
            let mut h = KeyHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        let a = "rcpt:NL44RABO0123456789|S-1|1|REF-1|0";
        assert_ne!(hash(a), hash("rcpt:NL44RABO0123456789|S-1|1|REF-2|0"));
        assert_ne!(hash(a), hash("rcpt:NL44RABO0123456789|S-1|1|REF-1|1"));
        assert_ne!(hash("ab"), hash("ba"));
        let mut m: KeyMap<String, usize> = KeyMap::default();
        for i in 0..1000 {
            m.insert(format!("alloc:rcpt:{i}"), i);
        }
        assert_eq!(m.get("alloc:rcpt:517"), Some(&517));
    }
}
