//! statement placeholder
