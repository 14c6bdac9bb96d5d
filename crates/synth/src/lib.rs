//! placeholder crate root; filled in by this session
