//! SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of xoshiro):
//! small, fast, and good enough for synthetic data. Not for anything secret.

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 output function: a bijective 64-bit mixer.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// An independent stream for case `n` of the portfolio with `seed`.
    pub fn for_case(seed: u64, n: u64) -> SplitMix64 {
        SplitMix64::new(mix(seed.wrapping_add(GAMMA)) ^ mix(n ^ 0xC0FF_EE00_D15E_A5E5))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// Uniform in `0..n` (multiply-shift; the bias of at most n/2^64 does not
    /// matter here). `n == 0` gives 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element, uniformly. The lists are non-empty constants.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// One value by integer weight. The lists are non-empty constants.
    pub fn weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut pick = self.below(total);
        for (w, item) in items {
            let w = u64::from(*w);
            if pick < w {
                return item;
            }
            pick -= w;
        }
        &items[items.len() - 1].1
    }

    /// Roughly log-uniform in `lo..=hi` (`lo >= 1`): a doubling band is
    /// chosen uniformly, then a value in it uniformly. Integer arithmetic.
    pub fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let lo = lo.max(1);
        let hi = hi.max(lo);
        let mut bands = 0u64;
        while lo << (bands + 1) <= hi {
            bands += 1;
        }
        let band = self.below(bands + 1);
        let band_lo = lo << band;
        let band_hi = ((lo << (band + 1)) - 1).min(hi);
        self.range(band_lo, band_hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64() {
        // Reference values for seed 1234567 (from the published C code).
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut r = SplitMix64::new(7);
        for _ in 0..10_000 {
            let v = r.range(14, 30);
            assert!((14..=30).contains(&v));
            let l = r.log_uniform(20, 50_000);
            assert!((20..=50_000).contains(&l));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.log_uniform(5, 5), 5);
    }
}
