//! Random bytes for sealed replies, drawn from the OS in blocks: one system call per 170 encrypted replies
//! instead of one each (under load the call was a visible share of a reply's cost).
//!
//! The bytes are the OS generator's own output, handed out once each and wiped from the block as they go.

use std::cell::RefCell;

const BLOCK: usize = 4096;

struct Block {
    bytes: [u8; BLOCK],
    /// Bytes already handed out (and zeroed) from the front.
    used: usize,
}

thread_local! {
    static BLOCK_POOL: RefCell<Block> = const { RefCell::new(Block { bytes: [0; BLOCK], used: BLOCK }) };
}

/// Fills `out` with OS randomness, from this thread's block (refilled when short); requests larger than a block
/// go to the OS directly.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), getrandom::Error> {
    if out.len() > BLOCK {
        return getrandom::fill(out);
    }
    BLOCK_POOL.with_borrow_mut(|block| {
        if BLOCK - block.used < out.len() {
            getrandom::fill(&mut block.bytes)?;
            block.used = 0;
        }
        let taken = &mut block.bytes[block.used..block.used + out.len()];
        out.copy_from_slice(taken);
        taken.fill(0);
        block.used += out.len();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_are_distinct_across_block_refills() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let mut draw = [0u8; 24];
            super::fill(&mut draw).expect("OS randomness");
            assert!(seen.insert(draw), "a 24-byte draw repeated");
        }
        let mut big = [0u8; 5000];
        super::fill(&mut big).expect("OS randomness");
        assert!(big.iter().any(|&b| b != 0));
    }
}
